"""Writing small REFI-QDA files for tests: a project.qde from parts, a .qdpx from entries, and a
raw zip writer for what zipfile will not write (entries whose header lies about their size)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

NS = "urn:QDA-XML:project:1.0"
USER = "11111111-1111-4111-8111-111111111111"


def qde(body: str = "", *, origin: str = "Test suite", users: str | None = None) -> str:
    users = users if users is not None else f'<Users><User guid="{USER}" name="Tester"/></Users>'
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Test" origin={quoteattr(origin)}>'
            f"{users}{body}</Project>")


def code(guid: str, name: str, *, inner: str = "", color: str | None = None, description: str = "") -> str:
    colour = f' color="{color}"' if color else ""
    text = f"<Description>{description}</Description>" if description else ""
    return f'<Code guid="{guid}" name={quoteattr(name)} isCodable="true"{colour}>{text}{inner}</Code>'


def note_refs(*notes: str) -> str:
    return "".join(f'<NoteRef targetGUID="{note}"/>' for note in notes)


def selection(guid: str, start: int, end: int, code_guid: str, coding_guid: str | None = None, *,
              notes: tuple[str, ...] = (), coding_notes: tuple[str, ...] = ()) -> str:
    """A PlainTextSelection with one Coding; `notes` and `coding_notes`: NoteRefs on each."""
    coding = coding_guid or guid[:-4] + "c0de"
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" creatingUser="{USER}">'
            f'<Coding guid="{coding}" creatingUser="{USER}"><CodeRef targetGUID="{code_guid}"/>'
            f"{note_refs(*coding_notes)}</Coding>{note_refs(*notes)}</PlainTextSelection>")


def write_qdpx(path: Path, project_qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


@dataclass(frozen=True)
class RawEntry:
    name: str
    compressed: bytes
    crc: int
    size: int  # what the headers declare the entry unpacks to
    method: int = zipfile.ZIP_DEFLATED
    external_attr: int = 0


def deflated_zeros(megabytes: int) -> RawEntry:
    """`megabytes` MB of zeros as one deflate stream, built cheaply: the same 1 MB block after a
    full flush compresses to the same bytes, so it is compressed once and repeated."""
    chunk = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * megabytes + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return RawEntry("", data, crc, megabytes << 20)


def deflated(data: bytes) -> tuple[bytes, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data)


def write_raw_zip(path: Path, entries: list[RawEntry]) -> Path:
    """A zip written byte by byte (no zip64: every entry under 4 GB)."""
    local, central = bytearray(), bytearray()
    for entry in entries:
        name = entry.name.encode("utf-8")
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, entry.method, 0, 0x21, entry.crc,
                             len(entry.compressed), entry.size, len(name), 0) + name + entry.compressed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0x800, entry.method, 0, 0x21, entry.crc,
                               len(entry.compressed), entry.size, len(name), 0, 0, 0, 0, entry.external_attr,
                               offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path
