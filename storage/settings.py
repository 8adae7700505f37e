"""Per-project settings stored in the project file (the user's app settings live in app/settings.py)."""

from __future__ import annotations

from typing import Any

from storage.models import ProjectSetting
from storage.project import Project

VOCABULARY = "vocabulary"


def get_setting(project: Project, key: str, default: Any = None) -> Any:
    with project.session() as session:
        row = session.get(ProjectSetting, key)
        return default if row is None else row.value


def set_setting(project: Project, key: str, value: Any) -> None:
    with project.write() as session:
        row = session.get(ProjectSetting, key)
        if row is None:
            session.add(ProjectSetting(key=key, value=value))
        else:
            row.value = value


def vocabulary(project: Project) -> tuple[str, ...]:
    return tuple(str(term) for term in get_setting(project, VOCABULARY, []) if str(term).strip())
