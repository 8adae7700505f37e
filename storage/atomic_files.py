"""Writing an export so that it is either whole or not there at all.

Every file Earmark writes for the user (transcripts, reports, tables, REFI-QDA archives) is
written beside its destination under a hidden ".partial" name, flushed to disk, then renamed
over the destination: a full disk, a refused write or a cancelled run never leaves half a file,
nor spoils an earlier file of that name. A new file keeps mkstemp's owner-only permissions (it
holds confidential research data); replacing a file keeps that file's permissions.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from storage.errors import ProjectError


def save_atomically(path: Path, save: Callable[[Path], object], *, error: type[ProjectError] = ProjectError) -> None:
    """Let `save(partial)` write a file beside `path`, then rename it into place. Failures raise
    `error` naming the file and what to do."""
    path = Path(path).absolute()
    if not path.parent.is_dir():
        raise error(f"Cannot write {path}: the folder {path.parent} does not exist.")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(handle)
    except OSError as problem:
        raise _failure(error, path, problem) from problem
    partial = Path(name)
    try:
        save(partial)
        with partial.open("rb+") as written:
            os.fsync(written.fileno())
        if path.exists():  # keep who may read an earlier export of that name
            os.chmod(partial, path.stat().st_mode & 0o7777)
        os.replace(partial, path)
    except OSError as problem:
        partial.unlink(missing_ok=True)
        raise _failure(error, path, problem) from problem
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str, *, error: type[ProjectError] = ProjectError) -> None:
    """UTF-8 text with LF line ends, written as save_atomically writes."""
    save_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8", newline="\n"), error=error)


def fill_atomically(path: Path, fill: Callable[[BinaryIO], object], *, error: type[ProjectError] = ProjectError) -> None:
    """Bytes written by `fill(binary file)` (a zip archive streamed out), as save_atomically writes."""

    def save(partial: Path) -> None:
        with partial.open("wb") as out:
            fill(out)

    save_atomically(path, save, error=error)


def _failure(error: type[ProjectError], path: Path, problem: OSError) -> ProjectError:
    return error(f"Cannot write {path}: {problem.strerror or problem}. If it is open in another program, close it "
                 "there, or choose another file or folder, and export again.")
