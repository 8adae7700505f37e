"""The hostile corpus: REFI-QDA files built to do harm or simply broken, each made on the fly by
a function here (nothing binary is committed), with words its refusal must contain.

Every maker gets the folder to write into and a secret file elsewhere on disk (a file the
archive must never read) and returns the file to import.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.storage.hostile.build import (
    RawEntry, code, deflated, deflated_zeros, qde, selection, write_qdpx, write_raw_zip,
)

CODE = "22222222-2222-4222-8222-222222222222"
SOURCE = "33333333-3333-4333-8333-333333333333"
SLIP_NAME = "earmark-zip-slip-target"  # what a zip-slip entry would create if it were extracted


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[Path, Path], Path]
    says: str  # words the refusal must contain (besides the file's name)


def _valid_qde(text_source: str = "") -> str:
    return qde(f"<CodeBook><Codes>{code(CODE, 'Risk')}</Codes></CodeBook>"
               + (f"<Sources>{text_source}</Sources>" if text_source else ""))


def _entry_named(entry: str, data: bytes = b"pwned") -> Callable[[Path, Path], Path]:
    def make(folder: Path, _secret: Path) -> Path:
        return write_qdpx(folder / "slip.qdpx", _valid_qde(), {entry: data})
    return make


def _symlink(folder: Path, secret: Path) -> Path:
    path = folder / "symlink.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", _valid_qde())
        link = zipfile.ZipInfo("Sources/notes.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        link.create_system = 3  # Unix: the mode bits mean what they say
        archive.writestr(link, str(secret))
    return path


def _duplicate(folder: Path, _secret: Path) -> Path:
    path = folder / "duplicate.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", _valid_qde())
        archive.writestr("Sources/a.txt", "first")
        archive.writestr("sources/A.txt", "second")  # one file on Windows and macOS
    return path


def _qde_text(name: str, text: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, secret: Path) -> Path:
        return write_qdpx(folder / name, text.replace("SECRET_PATH", secret.as_uri()))
    return make


_XXE = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY secret SYSTEM "SECRET_PATH">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"><Description>&secret;</Description></Project>')
_EXTERNAL_DTD = ('<?xml version="1.0"?><!DOCTYPE Project SYSTEM "SECRET_PATH">'
                 '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                     for i in range(1, 10))
           + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>')
_QUADRATIC = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "' + "a" * 50_000 + '">]>'
              '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>' + "&a;" * 50_000
              + "</Description></Project>")


def _bomb(*, lying: bool, entry: str = "project.qde") -> Callable[[Path, Path], Path]:
    """1 GB of zeros in about 1 MB; `lying`: the headers claim 1 KB."""
    def make(folder: Path, _secret: Path) -> Path:
        zeros = deflated_zeros(1024)
        entries = [RawEntry(entry, zeros.compressed, zeros.crc, 1024 if lying else zeros.size)]
        if entry != "project.qde":
            text = _valid_qde(f'<TextSource guid="{SOURCE}" name="Bomb" plainTextPath="internal://bomb.txt"/>')
            entries.insert(0, RawEntry("project.qde", *deflated(text.encode()), size=len(text.encode())))
        return write_raw_zip(folder / ("lying-bomb.qdpx" if lying else "bomb.qdpx"), entries)
    return make


def _huge_qde(folder: Path, _secret: Path) -> Path:
    """A project.qde of 300 MB, whose header says so."""
    content = deflated_zeros(300)
    return write_raw_zip(folder / "huge.qdpx", [RawEntry("project.qde", content.compressed, content.crc, content.size)])


def _docx(inner: Callable[[], list[RawEntry]], name: str) -> Callable[[Path, Path], Path]:
    """A rich-text-only source whose DOCX holds the entries `inner` makes (when the file is made:
    building a bomb takes a moment)."""
    def make(folder: Path, _secret: Path) -> Path:
        docx = write_raw_zip(folder / "inner.docx", inner())
        data = docx.read_bytes()
        docx.unlink()
        text = _valid_qde(f'<TextSource guid="{SOURCE}" name="Bomb" richTextPath="internal://bomb.docx"/>')
        return write_qdpx(folder / name, text, {"Sources/bomb.docx": data})
    return make


def _docx_bomb(*, lying: bool) -> Callable[[Path, Path], Path]:
    """A DOCX whose document.xml unpacks to 300 MB; `lying`: its header claims 1 KB."""
    def inner() -> list[RawEntry]:
        zeros = deflated_zeros(300)
        return [RawEntry("word/document.xml", zeros.compressed, zeros.crc, 1024 if lying else zeros.size)]
    return _docx(inner, "lying-docx-bomb.qdpx" if lying else "docx-bomb.qdpx")


def _truncated(folder: Path, _secret: Path) -> Path:
    whole = write_qdpx(folder / "whole.qdpx", _valid_qde(), {"Sources/a.txt": b"text " * 2000})
    data = whole.read_bytes()
    whole.unlink()
    path = folder / "truncated.qdpx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_a_zip(folder: Path, _secret: Path) -> Path:
    path = folder / "notes.qdpx"
    path.write_text("These are my notes, not a project.\n", encoding="utf-8")
    return path


def _missing_qde(folder: Path, _secret: Path) -> Path:
    path = folder / "no-qde.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Sources/a.txt", "text")
    return path


def _too_many(folder: Path, _secret: Path) -> Path:
    path = folder / "many.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", _valid_qde())
        for number in range(10_001):
            archive.writestr(f"Sources/{number}.txt", b"")
    return path


def _deep(folder: Path, _secret: Path) -> Path:
    return write_qdpx(folder / "deep.qdpx", qde("<CodeBook><Codes>" + '<Code guid="x" name="x" isCodable="true">' * 300
                                               + "</Code>" * 300 + "</Codes></CodeBook>"))


def _outside_text(reference: str, name: str) -> Callable[[Path, Path], Path]:
    """A good source first, then one whose text is a file on this computer (the secret)."""
    def make(folder: Path, secret: Path) -> Path:
        good = (f'<TextSource guid="{SOURCE}" name="Fine" plainTextPath="internal://fine.txt">'
                f'{selection("44444444-4444-4444-8444-444444444444", 0, 4, CODE)}</TextSource>')
        where = reference.replace("SECRET", str(secret)).replace("URI", secret.as_uri())
        bad = f'<TextSource guid="55555555-5555-4555-8555-555555555555" name="Secret" plainTextPath="{where}"/>'
        body = _valid_qde(good + bad).replace("<Project ", f'<Project basePath="{secret.parent}" ')
        return write_qdpx(folder / name, body, {"Sources/fine.txt": b"Fine words."})
    return make


CORPUS = (
    Hostile("zip slip ../../x", _entry_named(f"../../{SLIP_NAME}"), "climbs out of its folder"),
    Hostile("zip slip with backslashes", _entry_named(f"..\\..\\{SLIP_NAME}"), "climbs out of its folder"),
    Hostile("zip slip inside a folder", _entry_named(f"Sources/../../{SLIP_NAME}"), "climbs out of its folder"),
    Hostile("absolute entry /tmp/x", _entry_named(f"/tmp/{SLIP_NAME}"), "absolute path"),
    Hostile("absolute entry C:\\x", _entry_named(f"C:\\{SLIP_NAME}"), "drive letter"),
    Hostile("symlink entry", _symlink, "symbolic link"),
    Hostile("duplicate entry names", _duplicate, "appears twice"),
    Hostile("too many entries", _too_many, "10002 entries"),
    Hostile("XXE reading a local file", _qde_text("xxe.qdpx", _XXE), "DTD"),
    Hostile("external DTD", _qde_text("dtd.qdpx", _EXTERNAL_DTD), "DTD"),
    Hostile("billion laughs", _qde_text("laughs.qdpx", _LAUGHS), "DTD"),
    Hostile("quadratic blowup", _qde_text("quadratic.qdpx", _QUADRATIC), "DTD"),
    Hostile("zip bomb (honest header)", _bomb(lying=False), "more than 256 MB"),
    Hostile("zip bomb (lying header)", _bomb(lying=True), "damaged"),
    Hostile("zip bomb as a source's text", _bomb(lying=False, entry="Sources/bomb.txt"), "more than 256 MB"),
    Hostile("zip bomb inside a DOCX", _docx_bomb(lying=False), "zip bomb"),
    Hostile("zip bomb inside a DOCX (lying header)", _docx_bomb(lying=True), "not a readable Word document"),
    Hostile("zip slip inside a DOCX", _docx(lambda: [RawEntry("../../evil.xml", *deflated(b"<x/>"), size=4)], "docx-slip.qdpx"),
            "climbs out of its folder"),
    Hostile("huge project.qde", _huge_qde, "more than 256 MB"),
    Hostile("truncated zip", _truncated, "not a readable zip archive"),
    Hostile("not a zip", _not_a_zip, "not a readable zip archive"),
    Hostile("malformed XML", _qde_text("broken.qdpx", qde("<CodeBook><Codes></CodeBook>")), "line 2, column"),
    Hostile("deeply nested XML", _deep, "nested more than"),
    Hostile("missing project.qde", _missing_qde, "holds no project.qde"),
    Hostile("wrong root element", _qde_text("root.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'),
            "root element is <CodeBook"),
    Hostile("plainTextPath absolute://", _outside_text("absolute://SECRET", "absolute.qdpx"), "outside the archive"),
    Hostile("plainTextPath file://", _outside_text("URI", "file-uri.qdpx"), "outside the archive"),
    Hostile("plainTextPath bare path", _outside_text("SECRET", "bare.qdpx"), "outside the archive"),
    Hostile("plainTextPath relative:// with basePath", _outside_text("relative://secret.txt", "relative.qdpx"),
            "outside the archive"),
    Hostile("plainTextPath internal://../..", _outside_text("internal://../../SECRET", "internal-slip.qdpx"),
            "climbs out of its folder"),
)

def _qdc_text(name: str, text: str) -> Callable[[Path, Path], Path]:
    def make(folder: Path, secret: Path) -> Path:
        path = folder / name
        path.write_text(text.replace("SECRET_PATH", secret.as_uri()), encoding="utf-8")
        return path
    return make


def _qdc_zip(folder: Path, secret: Path) -> Path:
    return _qde_text("zipped.qdc", _valid_qde())(folder, secret)


QDC_CORPUS = (
    Hostile("codebook with XXE", _qdc_text("xxe.qdc", _XXE.replace("Project", "CodeBook")), "DTD"),
    Hostile("codebook with billion laughs", _qdc_text("laughs.qdc", _LAUGHS.replace("Project", "CodeBook")), "DTD"),
    Hostile("codebook that is a project", _qdc_text("project.qdc", _valid_qde()), "root element is <Project"),
    Hostile("codebook with broken XML", _qdc_text("broken.qdc", "<CodeBook><Codes>"), "line 1, column"),
    Hostile("codebook that is a zip", _qdc_zip, "zip archive"),
)
