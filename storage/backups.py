"""Rolling backups of a project file, taken with SQLite's online backup API (consistent even
while the project is open) before migrations and whenever the file changed since the last one."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

KEEP = 5


def backup_dir(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".backups")


def take_backup(project_path: Path, reason: str, *, force: bool = False) -> Path | None:
    """Copy the project into its backup folder unless the newest backup is already current
    (`force` copies anyway). Returns the new backup's path, or None when none was needed."""
    folder = backup_dir(project_path)
    existing = sorted(folder.glob("*.earmark")) if folder.exists() else []
    if not force and existing and existing[-1].stat().st_mtime >= _last_change(project_path):
        return None
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{stamp}-{reason}.earmark"
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(f"file:{project_path}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    partial.replace(target)
    for old in sorted(folder.glob("*.earmark"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return target


def _last_change(project_path: Path) -> float:
    times = [project_path.stat().st_mtime]
    wal = project_path.with_name(project_path.name + "-wal")
    if wal.exists():
        times.append(wal.stat().st_mtime)
    return max(times)
