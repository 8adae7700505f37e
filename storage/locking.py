"""An advisory lock beside the project file, so a second Earmark opens the project read-only.

The lock is a separate small file (PROJECT.earmark.lock), never the database itself: closing
any descriptor of the SQLite file would drop SQLite's own POSIX locks on it. The operating
system releases the lock when the holding process dies, so a crash never leaves a project stuck.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class ProjectLock:
    def __init__(self, project_path: Path) -> None:
        self.path = project_path.with_name(project_path.name + ".lock")
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            _lock_exclusive(handle)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        """The process id written by whoever holds the lock, for messages."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            handle.seek(0)
            handle.truncate()
        finally:
            _unlock(handle)
            handle.close()
        try:
            self.path.unlink()
        except OSError:
            pass  # another process may have opened it meanwhile; an unlocked file is harmless


if sys.platform == "win32":
    import msvcrt

    def _lock_exclusive(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_exclusive(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
