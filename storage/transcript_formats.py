"""Reading transcripts made elsewhere: SubRip (.srt), WebVTT (.vtt, including Microsoft Teams
files with <v Speaker> tags), YouTube's .sbv, NVivo's timestamped transcripts (Windows and Mac
layouts) and plain "SPEAKER: text" lines with or without a time, as text or in a Word document.

Parsing only: the result is a list of turns (start, end, speaker, text) that the importer writes
into a project. Nothing here touches the project, so a broken file changes nothing. Every refusal
is a TranscriptFormatError that names the file and the line, and says what was expected there.
Formats are facts (the WebVTT and SubRip specifications, NVivo's documented import layout); the
code is ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.errors import ProjectError

MAX_BYTES = 50 * 1024 * 1024  # a transcript larger than this is not a transcript

# 1:02:03.456, 01:02:03,456, 02:03.456 (WebVTT without hours), 0:0:0.570 (Teams), 00:00:00,3 (NVivo Mac).
TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIME = re.compile(rf"^{TIME}$")
_ARROW = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_SBV_TIMES = re.compile(rf"^\s*({TIME}),({TIME})\s*$")
_NVIVO_WINDOWS = re.compile(rf"^\s*({TIME})\s+-\s+({TIME})\t(.*?)(?:\t([^\t]*))?\s*$")
_NVIVO_MAC = re.compile(rf"^\s*({TIME})\s+([^\s:][^:]{{0,40}}):\s+(.*)$")
_PLAIN = re.compile(rf"^\s*(?:\[?({TIME})\]?\s+)?([^\s:][^:]{{0,40}}):\s*(?:\[?({TIME})\]?(?:\s+|$))?(.*)$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "\u200e", "&rlm;": "\u200f"}


class TranscriptFormatError(ProjectError):
    """A transcript file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class ImportedTurn:
    start: float | None  # seconds; None when the file gives no time
    end: float | None
    speaker: str | None
    text: str


@dataclass(frozen=True)
class ImportedTranscript:
    source: Path
    format: str  # srt | vtt | sbv | nvivo-windows | nvivo-mac | plain
    turns: tuple[ImportedTurn, ...]
    warnings: tuple[str, ...] = ()  # what was mended on the way in, each naming its line


def read_transcript(path: Path) -> ImportedTranscript:
    """Read a transcript file, choosing the format by its extension and, for .txt, by its lines."""
    path = Path(path)
    text = _read_docx(path) if path.suffix.lower() == ".docx" else _read_text(path)
    kind = {".srt": "srt", ".vtt": "vtt", ".sbv": "sbv"}.get(path.suffix.lower()) or sniff(text)
    parsers = {"srt": parse_srt, "vtt": parse_vtt, "sbv": parse_sbv, "nvivo-windows": parse_nvivo_windows,
               "nvivo-mac": parse_nvivo_mac, "plain": parse_plain}
    warnings: list[str] = []
    turns = parsers[kind](text, path, warnings)
    if not turns:
        raise TranscriptFormatError(f"{path.name} holds no turns: there is nothing to import.")
    return ImportedTranscript(path, kind, tuple(turns), tuple(warnings))


def sniff(text: str) -> str:
    """NVivo Windows, NVivo Mac or plain, from the first line that holds anything."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _NVIVO_WINDOWS.match(first):
        return "nvivo-windows"
    if _NVIVO_MAC.match(first):
        return "nvivo-mac"
    return "plain"


def parse_time(value: str, where: str, *, separator: str | None = None) -> float:
    """Seconds from a time in any of the layouts above. `separator` insists on the one a format
    prescribes before the fraction (SubRip a comma, WebVTT a full stop)."""
    match = _TIME.match(value.strip())
    if match is None or (separator is not None and match.group(4) is not None and separator + match.group(4) not in value):
        example = f"00:01:02{separator or '.'}500"
        raise TranscriptFormatError(f"{where}: '{value}' is not a time (expected e.g. {example}).")
    hours, minutes, seconds, fraction = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise TranscriptFormatError(f"{where}: '{value}' is not a time (minutes and seconds run to 59).")
    # A fraction is decimal: ",3" is three tenths, ",030" thirty thousandths.
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + (float(f"0.{fraction}") if fraction else 0.0)


# --- the cue formats ----------------------------------------------------------------------------


def parse_srt(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    turns = []
    for number, block in _blocks(text):
        lines = [line for _n, line in block]
        where = f"{path.name}, line {number}"
        if len(lines) >= 2 and "-->" in lines[1] and lines[0].strip().isdigit():
            lines = lines[1:]  # the cue's sequence number
            number += 1
            where = f"{path.name}, line {number}"
        if "-->" not in lines[0]:
            raise TranscriptFormatError(f"{where}: expected the cue's times (00:00:01,000 --> 00:00:04,000), "
                                        f"found '{lines[0][:60]}'. Is the file complete?")
        start, end = _arrow(lines[0], where, ",", warnings)
        turns.append(_cue_turn(lines[1:], start, end, where))
    return turns


def parse_vtt(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    blocks = list(_blocks(text))
    if not blocks or not blocks[0][1][0][1].startswith("WEBVTT"):
        raise TranscriptFormatError(f"{path.name}, line 1: a WebVTT file starts with 'WEBVTT'. "
                                    "Is it a WebVTT file (or an SRT file named .vtt)?")
    turns = []
    for number, block in blocks[1:]:
        lines = [line for _n, line in block]
        head = lines[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue  # comments, style sheets and regions carry no words
        if "-->" not in head:
            if len(lines) > 1 and "-->" in lines[1]:
                lines, number = lines[1:], number + 1  # a cue identifier
            else:
                raise TranscriptFormatError(f"{path.name}, line {number}: expected the cue's times "
                                            f"(00:00:01.000 --> 00:00:04.000), found '{head[:60]}'.")
        where = f"{path.name}, line {number}"
        start, end = _arrow(lines[0], where, ".", warnings)
        turns.append(_cue_turn(lines[1:], start, end, where))
    if not turns:
        raise TranscriptFormatError(f"{path.name}: the WebVTT file holds no captions.")
    return turns


def parse_sbv(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    turns = []
    for number, block in _blocks(text):
        where = f"{path.name}, line {number}"
        match = _SBV_TIMES.match(block[0][1])
        if match is None:
            raise TranscriptFormatError(f"{where}: expected the caption's times (0:00:01.000,0:00:04.000), "
                                        f"found '{block[0][1][:60]}'.")
        start = parse_time(match.group(1), where)
        end = _in_order(start, parse_time(match.group(6), where), where, warnings)
        turns.append(_cue_turn([line for _n, line in block[1:]], start, end, where))
    return turns


# --- NVivo and plain ----------------------------------------------------------------------------


def parse_nvivo_windows(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    """`HH:MM:SS,mmm - HH:MM:SS,mmm<TAB>text<TAB>speaker`, one turn a line."""
    turns = []
    for number, line in _content_lines(text):
        where = f"{path.name}, line {number}"
        match = _NVIVO_WINDOWS.match(line)
        if match is None:
            raise TranscriptFormatError(f"{where}: expected 'start - end<TAB>text<TAB>speaker' as NVivo writes it, "
                                        f"found '{line[:60]}'.")
        start = parse_time(match.group(1), where)
        end = _in_order(start, parse_time(match.group(6), where), where, warnings)
        turns.append(ImportedTurn(start, end, (match.group(12) or "").strip() or None, match.group(11).strip()))
    return turns


def parse_nvivo_mac(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    """`HH:MM:SS,d  SPEAKER:  text`, a turn per paragraph; a turn ends where the next begins."""
    starts: list[tuple[float, str, str]] = []
    for number, line in _content_lines(text):
        where = f"{path.name}, line {number}"
        match = _NVIVO_MAC.match(line)
        if match is None:
            raise TranscriptFormatError(f"{where}: expected 'time  SPEAKER:  text' as NVivo for Mac writes it, "
                                        f"found '{line[:60]}'.")
        starts.append((parse_time(match.group(1), where), match.group(6).strip(), match.group(7).strip()))
    return [ImportedTurn(start, starts[i + 1][0] if i + 1 < len(starts) else None, speaker, words)
            for i, (start, speaker, words) in enumerate(starts)]


def parse_plain(text: str, path: Path, warnings: list[str]) -> list[ImportedTurn]:
    """`SPEAKER: text`, optionally with a time before the speaker or after the colon; a line
    without a speaker continues the turn before it (or is a turn of its own at the start)."""
    turns: list[ImportedTurn] = []
    ends: list[float] = []
    for number, line in _content_lines(text):
        match = _PLAIN.match(line)
        if match is None:
            if turns:
                last = turns[-1]
                turns[-1] = ImportedTurn(last.start, last.end, last.speaker, f"{last.text}\n{line.strip()}")
            else:
                turns.append(ImportedTurn(None, None, None, line.strip()))
            continue
        where = f"{path.name}, line {number}"
        stamp = match.group(1) or match.group(7)
        start = parse_time(stamp, where) if stamp else None
        words = match.group(12).strip()
        if not words and start is not None and turns:
            ends.append(start)  # "END: 00:05:35.673": when the last turn stops, not a turn
            continue
        turns.append(ImportedTurn(start, None, match.group(6).strip(), words))
    # A timed turn ends where the next timed one starts (the last at an end marker, if any).
    return [ImportedTurn(t.start, (_next_start(turns, i) or (ends[-1] if ends else None)) if t.start is not None else None,
                         t.speaker, t.text) for i, t in enumerate(turns)]


# --- shared pieces ------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TranscriptFormatError(f"{path} is {size // 1_000_000} MB: too large for a transcript. "
                                        "Nothing was imported.")
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise TranscriptFormatError(f"{path} does not exist: check the name.") from error
    except OSError as error:
        raise TranscriptFormatError(f"Cannot read {path}: {error.strerror}.") from error
    if not raw.strip():
        raise TranscriptFormatError(f"{path} is empty: there is nothing to import.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[:error.start].count(b"\n") + 1
            raise TranscriptFormatError(f"{path.name}, line {line}: the file is not UTF-8 text. Save it as UTF-8 "
                                        "(most editors offer it under Save As) and import it again.") from error
    if "\x00" in text:
        raise TranscriptFormatError(f"{path.name} holds binary data, not a transcript.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_docx(path: Path) -> str:
    """A Word transcript: its paragraphs as lines ("SN1: text", with or without times)."""
    from storage.docx_text import DocxError, docx_paragraphs

    if not path.is_file():
        raise TranscriptFormatError(f"{path} does not exist: check the name.")
    try:
        return "\n".join(docx_paragraphs(path))
    except DocxError as error:
        raise TranscriptFormatError(f"{path.name} cannot be read: {error}. Open it in Word or LibreOffice and "
                                    "save it as .docx again, or as plain text.") from error


def _blocks(text: str) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Runs of non-blank lines, each with the number of its first line (1-based)."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            block.append((number, line.rstrip()))
        elif block:
            yield block[0][0], block
            block = []
    if block:
        yield block[0][0], block


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def _arrow(line: str, where: str, separator: str, warnings: list[str]) -> tuple[float, float]:
    match = _ARROW.match(line)
    if match is None:
        raise TranscriptFormatError(f"{where}: expected 'start --> end', found '{line[:60]}'.")
    start = parse_time(match.group(1), where, separator=separator)
    return start, _in_order(start, parse_time(match.group(2), where, separator=separator), where, warnings)


def _in_order(start: float, end: float, where: str, warnings: list[str]) -> float:
    """Tools do write cues that end before they start (YouTube's own sample does): keep the
    words, end the cue where it starts, and say so."""
    if end >= start:
        return end
    warnings.append(f"{where}: the cue ends before it starts; its end was set to its start.")
    return start


def _cue_turn(lines: list[str], start: float, end: float, where: str) -> ImportedTurn:
    if not lines:
        raise TranscriptFormatError(f"{where}: the cue has times but no text.")
    raw = "\n".join(lines)
    voice = _VOICE.search(raw)
    text = _TAG.sub("", raw)
    for entity, character in _ENTITIES.items():
        text = text.replace(entity, character)
    return ImportedTurn(start, end, voice.group(1).strip() if voice else None, text.strip())


def _next_start(turns: list[ImportedTurn], index: int) -> float | None:
    return next((t.start for t in turns[index + 1:] if t.start is not None), None)
