"""The only way a .qdpx archive (a zip holding project.qde and a Sources folder) is read.

Another tool's archive may be damaged or built to do harm, so it is checked whole when it is
opened, before the project is touched, and nothing in it is ever extracted to disk:

- an entry whose name is absolute (/x, \\x, C:x), holds a '..' component (forward or backward
  slashes), a NUL, or appears twice (also when only case or Unicode form differs, as on Windows
  and macOS), a symbolic link, an encrypted entry, or more than MAX_ENTRIES entries, refuses the
  whole archive;
- an entry whose header declares more than the cap is refused before it is opened; one that
  declares less is read by streaming it through the decompressor, counting the bytes that really
  come out, and refused past the cap: the sizes in a zip's headers are written by whoever made
  the file, and a zip bomb lies in them. (Python's zipfile also stops at the declared size and
  then fails the CRC check; the count does not rely on that.) Reading also stops when everything
  read from one archive passes MAX_TOTAL_BYTES.

Every refusal is an ExchangeError that names the file, says what is wrong and what to do.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from storage.refi_qda import ExchangeError

PROJECT_ENTRY = "project.qde"
SOURCES_FOLDER = "Sources"
INTERNAL_SCHEME = "internal://"
MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # project.qde or one source's text: far above any real study's
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all entries read from one archive together
_CHUNK = 1024 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)


class QdpxArchive:
    """An opened, checked .qdpx. Use as a context manager, or call close()."""

    def __init__(self, path: Path, zip_file: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> None:
        self.path = path
        self._zip = zip_file
        self._entries = entries  # checked name -> its entry
        self._read_so_far = 0

    @classmethod
    def open(cls, path: Path) -> QdpxArchive:
        path = Path(path)
        if not path.is_file():
            raise ExchangeError(f"{path} does not exist or is not a file. Choose the .qdpx file again.")
        try:
            zip_file = zipfile.ZipFile(path)
        except _ZIP_ERRORS as error:
            raise ExchangeError(_not_a_zip(path, error)) from error
        try:
            entries = _checked_entries(path.name, zip_file.infolist())
        except BaseException:
            zip_file.close()
            raise
        archive = cls(path, zip_file, entries)
        if PROJECT_ENTRY not in entries:
            archive.close()
            raise ExchangeError(f"{path.name} holds no {PROJECT_ENTRY}, so it is not a REFI-QDA project (.qdpx). "
                                "Export the project again from the program that made it, as a REFI-QDA project.")
        return archive

    def __enter__(self) -> QdpxArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return list(self._entries)

    def has(self, name: str) -> bool:
        return name in self._entries

    def project_xml(self) -> bytes:
        return self.read(PROJECT_ENTRY)

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        """The whole entry, decompressed in memory; refused when it really holds more than
        `limit` bytes, whatever its header claims (see the module doc)."""
        info = self._entries.get(name)
        if info is None:
            raise ExchangeError(f"{self.path.name} has no entry {name!r}. The archive is incomplete: export it again.")
        in_all = MAX_TOTAL_BYTES - self._read_so_far < limit  # the archive's budget is nearly spent
        limit = min(limit, MAX_TOTAL_BYTES - self._read_so_far)
        if info.file_size > limit:
            raise self._too_big(name, limit, in_all)
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
                    size += len(chunk)
                    if size > limit:
                        raise self._too_big(name, limit, in_all)
                    chunks.append(chunk)
        except _ZIP_ERRORS as error:
            raise ExchangeError(f"{self.path.name} is damaged: its entry {name!r} cannot be read ({_reason(error)}). "
                                "Export the project again; if it was copied or downloaded, copy it again.") from error
        self._read_so_far += size
        return b"".join(chunks)

    def internal_entry(self, reference: str) -> str:
        """The entry an internal:// reference names (a file in the Sources folder), checked like
        every entry name. Raises ExchangeError when it is not inside the archive."""
        if not reference.startswith(INTERNAL_SCHEME):
            raise ExchangeError(f"{self.path.name} refers to {reference!r}, which is not inside the archive.")
        relative = reference[len(INTERNAL_SCHEME):]
        problem = unsafe_name(relative)
        if problem is not None:
            raise ExchangeError(f"{self.path.name} refers to the file {relative!r}, whose name {problem}. "
                                "Earmark reads only files inside the archive; the archive may have been tampered with.")
        for candidate in (f"{SOURCES_FOLDER}/{relative}", relative):
            if candidate in self._entries:
                return candidate
        raise ExchangeError(f"{self.path.name} refers to {reference!r}, but the archive has no such file "
                            f"in {SOURCES_FOLDER}/. The archive is incomplete: export the project again.")

    def _too_big(self, name: str, limit: int, in_all: bool) -> ExchangeError:
        what = (f"with the entries read before it, unpacks to more than {_megabytes(MAX_TOTAL_BYTES)} in all"
                if in_all else f"unpacks to more than {_megabytes(limit)}")
        return ExchangeError(
            f"{self.path.name} is refused: its entry {name!r} {what} (a damaged file or a 'zip bomb'). Earmark "
            "has changed nothing. If the project is genuine, split it, or export it without the largest sources.")


@contextmanager
def open_archive(path: Path) -> Iterator[QdpxArchive]:
    archive = QdpxArchive.open(path)
    try:
        yield archive
    finally:
        archive.close()


def unsafe_name(name: str) -> str | None:
    """Why an entry name could reach outside a folder it were extracted into, or None when it
    is a plain relative path. Backslashes count as separators (Windows tools write them)."""
    if not name or "\x00" in name:
        return "is empty or holds a NUL character"
    unified = name.replace("\\", "/")
    if unified.startswith("/"):
        return "is an absolute path"
    if len(unified) >= 2 and unified[1] == ":":
        return "starts with a drive letter"
    parts = PurePosixPath(unified).parts
    if any(part == ".." for part in parts):
        return "climbs out of its folder with '..'"
    return None


def _checked_entries(label: str, infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """The entries by name, when every one is safe (see the module doc); `label` names the
    archive in messages."""
    if len(infos) > MAX_ENTRIES:
        raise ExchangeError(f"{label} is refused: it holds {len(infos)} entries, more than the {MAX_ENTRIES} "
                            "a REFI-QDA project plausibly has. It is damaged or not a project export.")
    entries: dict[str, zipfile.ZipInfo] = {}
    folded: dict[str, str] = {}
    for info in infos:
        name = info.filename
        problem = unsafe_name(name)
        if problem is not None:
            raise ExchangeError(_tampered(label, name, problem))
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ExchangeError(_tampered(label, name, "is a symbolic link"))
        if info.flag_bits & 0x1:
            raise ExchangeError(f"{label} is refused: its entry {name!r} is password-protected. "
                                "Export the project again without a password.")
        key = unicodedata.normalize("NFC", name.replace("\\", "/")).casefold()
        if key in folded:
            raise ExchangeError(_tampered(label, name, f"appears twice (also as {folded[key]!r})"))
        folded[key] = name
        if not info.is_dir():
            entries[name.replace("\\", "/")] = info
    return entries


def _tampered(label: str, name: str, problem: str) -> str:
    return (f"{label} is refused: its entry {name!r} {problem}. A genuine REFI-QDA export never has such "
            "entries; the file may have been tampered with. Earmark has changed nothing.")


def _not_a_zip(path: Path, error: BaseException) -> str:
    return (f"{path.name} is not a REFI-QDA project (.qdpx): it is not a readable zip archive ({_reason(error)}). "
            "It may be truncated or damaged: copy or export it again.")


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_inner_zip(data: bytes, label: str, limit: int = MAX_ENTRY_BYTES) -> None:
    """Check a zip held in memory (a DOCX inside the archive) the same way before another
    library opens it: safe names, no links, and at most `limit` bytes really unpacked in all."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            entries = _checked_entries(label, inner.infolist())
            declared = sum(info.file_size for info in entries.values())
            total = declared if declared > limit else 0  # refused at once when the headers admit it
            for info in entries.values():
                if total > limit:
                    break
                with inner.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            break
            if total > limit:
                raise ExchangeError(f"{label} is refused: it unpacks to more than {limit // (1024 * 1024)} MB "
                                    "(a damaged file or a 'zip bomb').")
    except _ZIP_ERRORS as error:
        raise ExchangeError(f"{label} is not a readable Word document ({_reason(error)}). "
                            "Export the project again.") from error
