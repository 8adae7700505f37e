"""Reading a document to import as a text source: its paragraphs, from a .txt or a .docx.

Text files are read as UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order
mark, the encodings Notepad, Word and LibreOffice save; CRLF and LF line ends both work. A file
in another encoding, or one that is not text at all, is refused with a message that names it
and says what to do, rather than imported as mojibake. No Qt here.

How lines become paragraphs: a paragraph is a line, as Notepad users type them, except in a
hard-wrapped file (every line cut short at a fixed width, paragraphs separated by blank lines,
as e-mailed minutes are), where the lines of each blank-line-separated block are joined.
Whitespace inside a paragraph collapses to single spaces: a paragraph is one turn, one line in
the editor, and its words are its whitespace-separated tokens.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from storage.docx_text import DocxError, docx_paragraphs
from storage.errors import ProjectError

TEXT_SUFFIXES = (".txt", ".text", ".md")
WORD_SUFFIXES = (".docx",)
# Line and paragraph separators Python's splitlines() knows, besides \n and \r.
_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}
WRAP_WIDTH = 100  # hard-wrapped text is cut at 72-80 columns; a typed paragraph runs longer


class SourceImportError(ProjectError):
    """A document cannot be imported. The message names the file and says what to do."""


def read_document(path: Path) -> list[str]:
    """The non-empty paragraphs of a .txt or .docx file, tidied (see the module doc)."""
    path = Path(path)
    if not path.is_file():
        raise SourceImportError(f"{path} does not exist or is not a file. Choose the document again.")
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise SourceImportError(
            f"{path.name} is an old Word .doc file, which Earmark cannot read. "
            "Open it in Word or LibreOffice and save it as .docx (or as plain text), then import that.")
    try:
        if suffix in WORD_SUFFIXES:
            raw = docx_paragraphs(path)
        else:
            raw = _paragraphs_of_text(_decode(path, path.read_bytes()))
    except DocxError as error:
        raise SourceImportError(
            f"{path.name} cannot be read as a Word document: {error}. "
            "Open it in Word or LibreOffice and save it again as .docx, then import it again.") from error
    except OSError as error:
        raise SourceImportError(f"{path} cannot be read: {error.strerror or error}. "
                                "Check that the file is not open elsewhere and that you may read it.") from error
    paragraphs = [tidy(paragraph) for paragraph in raw]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if not paragraphs:
        raise SourceImportError(f"{path.name} is empty: there is no text to import. "
                                "Check that you chose the right file, or use New Text Source to type the notes in.")
    return paragraphs


def tidy(paragraph: str) -> str:
    """One line of text: whitespace runs (tabs, line breaks) become one space, control
    characters are dropped, the ends are trimmed."""
    cleaned = "".join(ch for ch in paragraph if ch in _CONTROL_OK or unicodedata.category(ch) != "Cc")
    return " ".join(cleaned.split())


def paragraphs_of(text: str) -> list[str]:
    """Typed text (the New Text Source dialog) as tidied, non-empty paragraphs."""
    return [p for p in (tidy(line) for line in _paragraphs_of_text(text)) if p]


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
        if b"\x00" in data or data.startswith(b"PK\x03\x04") or data.startswith(b"%PDF"):
            raise SourceImportError(_not_text(path, "it is a binary file, not text"))
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding == "utf-16":
            raise SourceImportError(_not_text(path, "its UTF-16 text is damaged")) from error
        raise SourceImportError(
            f"{path.name} is not UTF-8 text (byte {error.start} cannot be read; it was probably saved in an older "
            "encoding such as Windows-1252). Open it in a text editor and save it as UTF-8 (in Notepad: "
            "Save As, Encoding: UTF-8), then import it again.") from error
    controls = sum(1 for ch in text if ch not in _CONTROL_OK and unicodedata.category(ch) == "Cc")
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise SourceImportError(_not_text(path, "it holds control characters that text never has"))
    return text


def _not_text(path: Path, why: str) -> str:
    return (f"{path.name} cannot be imported: {why}. Import a plain-text (.txt, UTF-8) or Word (.docx) file; "
            "for a PDF or another format, save or export it as one of those first.")


def _paragraphs_of_text(text: str) -> list[str]:
    lines = text.splitlines()  # \r\n, \n, \r and the Unicode separators alike
    if _hard_wrapped(lines):
        blocks: list[str] = []
        current: list[str] = []
        for line in lines + [""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                blocks.append(" ".join(current))
                current = []
        return blocks
    return lines


def _hard_wrapped(lines: list[str]) -> bool:
    """Paragraphs separated by blank lines, with lines cut at a fixed width: at least two
    lines run on into the next, no line is longer than WRAP_WIDTH, and most lines that run on
    are filled to near the width of the longest."""
    widths = [len(line.rstrip()) for line in lines]
    if not any(width == 0 for width in widths) or max(widths, default=0) > WRAP_WIDTH:
        return False
    run_on = [width for width, following in zip(widths, widths[1:]) if width and following]
    if len(run_on) < 2:
        return False
    widest = max(widths)
    return sum(1 for width in run_on if width >= 0.6 * widest) >= 0.8 * len(run_on)
