"""What a project holds, for `earmark info` and the window's title bar."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Code, Coding, Memo, Participant, Meeting, Speaker
from storage.project import Project
from storage.records import ProjectSummary
from storage.recordings import list_recordings
from storage.transcripts import list_transcripts


def summarise(project: Project) -> ProjectSummary:
    with project.session() as session:
        speakers = tuple(session.scalars(select(Speaker.label).order_by(Speaker.label)))
        counts = {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("codes", Code),
                ("codings", Coding),
                ("memos", Memo),
                ("participants", Participant),
                ("meetings", Meeting),
            )
        }
    return ProjectSummary(
        path=project.path,
        schema_revision=project.schema_revision(),
        read_only=project.read_only,
        recordings=tuple(list_recordings(project)),
        transcripts=tuple(list_transcripts(project, count_words=True)),
        speakers=speakers,
        counts=counts,
    )
