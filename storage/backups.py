"""Rolling backups of a project file, taken with SQLite's online backup API (consistent even
while the project is open) before migrations and whenever the file changed since the last one.

A backup of an encrypted project is encrypted with the project's own key (and salt), so the
same password opens it; no plain copy is ever written, not even a partial one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storage import encryption

if TYPE_CHECKING:
    from storage.encryption import CipherKey

KEEP = 5


def backup_dir(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".backups")


def take_backup(project_path: Path, reason: str, *, force: bool = False, key: CipherKey | None = None) -> Path | None:
    """Copy the project into its backup folder unless the newest backup is already current
    (`force` copies anyway). `key`: an encrypted project's key. Returns the new backup's path,
    or None when none was needed."""
    folder = backup_dir(project_path)
    existing = sorted(folder.glob("*.earmark")) if folder.exists() else []
    if not force and existing and existing[-1].stat().st_mtime >= _last_change(project_path):
        return None
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{stamp}-{reason}.earmark"
    partial = target.with_suffix(".partial")
    try:
        source = encryption.connect(project_path, key, read_only=True)
        try:
            # The destination is keyed before the first page is copied: SQLCipher encrypts
            # every page it writes, and refuses to copy an encrypted source into a plain file.
            destination = encryption.connect(partial, key)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in sorted(folder.glob("*.earmark"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return target


def _last_change(project_path: Path) -> float:
    times = [project_path.stat().st_mtime]
    wal = project_path.with_name(project_path.name + "-wal")
    if wal.exists():
        times.append(wal.stat().st_mtime)
    return max(times)


def existing_backups(project_path: Path) -> list[Path]:
    folder = backup_dir(project_path)
    return sorted(folder.glob("*.earmark")) if folder.exists() else []


def remove_backups(project_path: Path) -> int:
    """Delete every rolling backup of the project (after pseudonymisation they still hold the
    real names). Returns how many were deleted; the folder goes when it is empty."""
    removed = 0
    for backup in existing_backups(project_path):
        backup.unlink(missing_ok=True)
        removed += 1
    try:
        backup_dir(project_path).rmdir()
    except OSError:
        pass  # absent, or holds something that is not ours
    return removed
