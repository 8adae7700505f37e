"""The <Sources> of a .qdpx read into PlannedSources: text sources with their PlainTextSelection
codings, and the Transcripts of audio and video sources with their SyncPoint times and
TranscriptSelection codings. Positions are resolved by import_text.py (units and blank lines).

Where text comes from: PlainTextContent, or a plainTextPath inside the archive (internal://);
for a text source with only a richTextPath (DOCX), the DOCX inside the archive converted to text
(import_docx.py). A path to anywhere else (absolute://, relative://, a file on the computer that
made the export) is never followed: this computer's files are not the archive's to read. A text
source that keeps its text only there refuses the import; a note's text there is reported.

Speakers: a line "SN1: text" of a transcript is a turn by SN1 when SN1 is a known label (a
speaker, a participant, a case of this file) or begins two or more lines of that transcript (a
label that repeats is a speaker, not a heading); in a text source only known labels count, as
when a document is imported (storage/sources.py). Offsets inside the label shift onto the turn.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from storage.refi_qda import ExchangeError
from storage.refi_qda.import_docx import docx_text
from storage.refi_qda.import_plan import PlannedCoding, PlannedSource, PlannedTurn, date_of, guid_of, plural
from storage.refi_qda.import_read import Reader
from storage.refi_qda.import_text import PlainText, Units, decode_text, detect_units
from storage.refi_qda.safe_xml import local_name, namespace_of

_SPEAKER = re.compile(r"^([^:\s][^:]{0,39}?)\s*:\s+(?=\S)")
_MEDIA = ("AudioSource", "VideoSource")
_LONGEST_MS = 366 * 24 * 3600 * 1000


@dataclass(frozen=True)
class Selection:
    element: Element
    start: int
    end: int


@dataclass(frozen=True)
class SyncPoint:
    position: int
    seconds: float


def read_sources(reader: Reader, sources: Element) -> None:
    untied = 0
    for element in sources:
        kind = local_name(element) if namespace_of(element) == reader.namespace else ""
        if kind == "TextSource":
            _text_source(reader, element)
        elif kind in _MEDIA:
            untied += _media_source(reader, element)
        else:
            reader.tracker.drop(element)
    if untied:
        reader.plan.warnings.append(
            f"The media of {plural(untied, 'audio or video source')} was not imported: Earmark imports their "
            "transcripts with their times, not yet tied to the sound. Add the recording to the project and import "
            "its transcript with it to play it in sync.")


def note_text(reader: Reader, note: Element, label: str) -> str:
    """A note's text; a note whose text lies outside the archive gets none, with a warning."""
    try:
        return _text(reader, note, f"the note “{label}”", allow_docx=True) or ""
    except _Outside as outside:
        reader.plan.warnings.append(f"The text of the note “{label}” was not imported: it lies outside the archive "
                                    f"({outside.reference}), and Earmark reads only what is inside the .qdpx.")
        return ""


# --- text sources ----------------------------------------------------------------------------------

def _text_source(reader: Reader, element: Element) -> None:
    reader.tracker.use(element)
    guid = reader.unique_guid(element, "text source")
    if guid is None:
        return
    name = " ".join((element.get("name") or "").split()) or guid
    what = f"the source “{name}”"
    try:
        text = _text(reader, element, what, allow_docx=True)
    except _Outside as outside:
        raise ExchangeError(
            f"{reader.file_name} is refused: {what} keeps its text outside the archive ({outside.reference}). "
            "Earmark reads only what is inside the .qdpx, never other files on this computer. Export the project "
            "again with its sources embedded.") from None
    if text is None:
        reader.plan.warnings.append(f"{what[0].upper()}{what[1:]} has no text and was not imported.")
        return
    if element.get("plainTextPath") or reader.child(element, "PlainTextContent") is not None:
        reader.rich_copies += bool(element.get("richTextPath"))
    selections = _selections(reader, element, "PlainTextSelection")
    reader.description_note(element, guid, f"Description of {name}")
    reader.note_refs_of(element, guid)
    _source_variables(reader, element, guid)
    _planned(reader, guid, name, "document", text, selections, [])


def _selections(reader: Reader, parent: Element, tag: str) -> list[Selection]:
    found = []
    for element in reader.children(parent, tag):
        try:
            start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
        except ValueError:
            reader.tracker.drop(element)
            continue
        reader.tracker.use(element)
        found.append(Selection(element, min(start, end), max(start, end)))
    return found


def _source_variables(reader: Reader, element: Element, guid: str) -> None:
    """The meeting a source belongs to (Earmark's own "Meeting" variable); other variables of
    sources stay unused and are reported."""
    for holder in reader.children(element, "VariableValue"):
        ref = reader.child(holder, "VariableRef")
        name = reader.variables.get(guid_of(ref, "targetGUID") or "", "") if ref is not None else ""
        value = next((child for child in holder if child is not ref), None)
        if name.casefold() in ("meeting", "meeting date") and value is not None and (value.text or "").strip():
            reader.tracker.use(holder, *holder)
            reader.plan.meetings.setdefault(guid, {})[name.casefold()] = (value.text or "").strip()


# --- audio and video -------------------------------------------------------------------------------

def _media_source(reader: Reader, element: Element) -> int:
    """Its transcripts as planned sources; returns 1 when the source had media (not imported)."""
    reader.tracker.use(element)
    source_guid = guid_of(element) or ""
    name = " ".join((element.get("name") or "").split()) or source_guid
    transcripts = reader.children(element, "Transcript")
    for number, transcript in enumerate(transcripts, 1):
        reader.tracker.use(transcript)
        guid = reader.unique_guid(transcript, "transcript")
        if guid is None:
            continue
        title = " ".join((transcript.get("name") or "").split()) or name
        if len(transcripts) > 1 and title == name:
            title = f"{name} ({number})"
        what = f"the transcript “{title}”"
        try:
            text = _text(reader, transcript, what, allow_docx=False)
        except _Outside as outside:
            raise ExchangeError(f"{reader.file_name} is refused: {what} keeps its text outside the archive "
                                f"({outside.reference}). Earmark reads only what is inside the .qdpx. Export the "
                                "project again with its transcripts embedded.") from None
        if text is None:
            reader.plan.warnings.append(f"{what[0].upper()}{what[1:]} has no text and was not imported.")
            continue
        points = _sync_points(reader, transcript)
        selections = _transcript_selections(reader, transcript, points)
        reader.note_refs_of(transcript, guid)
        reader.description_note(transcript, guid, f"Description of {title}")
        _source_variables(reader, element, guid)
        _planned(reader, guid, title, "recording", text, selections, list(points.values()))
    target = (guid_of(transcripts[0]) if transcripts else None) or "project"  # Earmark has no media source
    reader.description_note(element, target, f"Description of {name}")
    reader.note_refs_of(element, target)
    if not transcripts:
        medium = local_name(element).removesuffix("Source").lower()
        reader.plan.warnings.append(f"The {medium} source “{name}” has no transcript and was not imported.")
    return 1 if element.get("path") or element.get("currentPath") else 0


def _sync_points(reader: Reader, transcript: Element) -> dict[str, SyncPoint]:
    points = {}
    for element in reader.children(transcript, "SyncPoint"):
        reader.tracker.use(element)
        guid = guid_of(element)
        try:
            position, milliseconds = int(element.get("position", "")), int(element.get("timeStamp", "0"))
        except ValueError:
            continue
        if guid is not None:  # a time beyond a year of sound is no time (and must not overflow a float)
            points[guid] = SyncPoint(position, min(max(milliseconds, 0), _LONGEST_MS) / 1000)
    return points


def _transcript_selections(reader: Reader, transcript: Element, points: dict[str, SyncPoint]) -> list[Selection]:
    found = []
    for element in reader.children(transcript, "TranscriptSelection"):
        begin = points.get(guid_of(element, "fromSyncPoint") or "")
        finish = points.get(guid_of(element, "toSyncPoint") or "")
        if begin is None or finish is None:
            reader.tracker.drop(element)
            continue
        reader.tracker.use(element)
        found.append(Selection(element, min(begin.position, finish.position), max(begin.position, finish.position)))
    return found


# --- from text and positions to turns and codings --------------------------------------------------

def _planned(reader: Reader, guid: str, name: str, kind: str, text: str, selections: list[Selection],
             points: list[SyncPoint]) -> None:
    plain = PlainText(text)
    spans = [(s.start, s.end) for s in selections] + [(p.position, p.position) for p in points]
    units = detect_units(plain, spans, reader.origin)
    speakers = _speakers(reader, plain, repeated=kind == "recording")
    turn_of: dict[int, int] = {}
    turns: list[PlannedTurn] = []
    times = _turn_times(plain, points, units) if points else {}
    for line, content in enumerate(plain.lines):
        if plain.is_turn(line):
            label, prefix = speakers.get(line, (None, 0))
            start, end = times.get(line, (None, None))
            turn_of[line] = len(turns)
            turns.append(PlannedTurn(content[prefix:], label, start, end))
    codings: list[PlannedCoding] = []
    empty = 0
    for selection in selections:
        span = _anchors(plain, units, selection, turn_of, speakers)
        if span is None:
            empty += len(reader.children(selection.element, "Coding")) or 1
            reader.tracker.use(*selection.element.iter())
            continue
        codings.extend(_codings(reader, selection, span))
    if empty:
        reader.plan.warnings.append(f"{plural(empty, 'coding')} in “{name}” covered no text (only blank lines or "
                                    f"nothing) and {'was' if empty == 1 else 'were'} not imported.")
    if not turns:
        reader.plan.warnings.append(f"“{name}” holds no text (only blank lines) and was not imported.")
        return
    if kind == "recording" and not points:
        kind = "document"
        reader.plan.warnings.append(f"The transcript “{name}” has no sync points (times), so it was imported as a "
                                    "text source.")
    # The file the user imported, not the archive's inner name (a GUID.txt that means nothing to them).
    reader.plan.sources.append(PlannedSource(guid, name, kind, tuple(turns), tuple(codings), reader.file_name))
    reader.plan.units[guid] = units


def _anchors(plain: PlainText, units: Units, selection: Selection, turn_of: dict[int, int],
             speakers: dict[int, tuple[str | None, int]]) -> tuple[int, int, int, int] | None:
    first = plain.turn_anchor(plain.place(selection.start, units, is_end=False), is_end=False)
    last = plain.turn_anchor(plain.place(selection.end, units, is_end=True), is_end=True)
    if first is None or last is None or (first.line, first.offset) >= (last.line, last.offset):
        return None
    start_prefix, end_prefix = speakers.get(first.line, (None, 0))[1], speakers.get(last.line, (None, 0))[1]
    return (turn_of[first.line], max(first.offset - start_prefix, 0),
            turn_of[last.line], max(last.offset - end_prefix, 0))


def _codings(reader: Reader, selection: Selection, span: tuple[int, int, int, int]) -> Iterable[PlannedCoding]:
    """The codings of one selection. The first keeps the selection's GUID (Earmark writes one
    selection per coding, under the coding's GUID, so a round trip keeps it), the others their
    Coding element's; notes on either refer to it."""
    element = selection.element
    selection_guid = guid_of(element) or ""
    reader.description_note(element, selection_guid, "Description of a coded passage")
    reader.note_refs_of(element, selection_guid)
    first = True
    for coding in reader.children(element, "Coding"):
        ref = reader.child(coding, "CodeRef")
        code_guid = guid_of(ref, "targetGUID") if ref is not None else None
        if code_guid is None:
            reader.tracker.drop(coding)
            continue
        reader.tracker.use(coding, ref)  # type: ignore[arg-type]
        own = guid_of(coding)
        reader.note_refs_of(coding, own or selection_guid)
        keys = tuple(key for key in ((selection_guid if first else None), own) if key)
        first = False
        yield PlannedCoding(keys, code_guid, *span, author=reader.user(coding) or reader.user(element),
                            created_at=date_of(coding, "creationDateTime") or date_of(element, "creationDateTime"))


def _speakers(reader: Reader, plain: PlainText, *, repeated: bool) -> dict[int, tuple[str | None, int]]:
    """line -> (speaker label, length of the "LABEL: " prefix) (see the module doc)."""
    found = {line: match for line, text in enumerate(plain.lines) if (match := _SPEAKER.match(text))}
    counts: dict[str, int] = {}
    for match in found.values():
        counts[match.group(1).casefold()] = counts.get(match.group(1).casefold(), 0) + 1
    known = reader.known_labels
    return {line: (known.get(match.group(1).casefold(), match.group(1)), match.end())
            for line, match in found.items()
            if match.group(1).casefold() in known or (repeated and counts[match.group(1).casefold()] >= 2
                                                     and len(match.group(1).split()) <= 4)}


def _turn_times(plain: PlainText, points: list[SyncPoint], units: Units) -> dict[int, tuple[float, float]]:
    """Each line's (start, end) from the sync points: its first sync point in the line (or the
    last one before it), and its last one in the line (or the first one after it)."""
    by_line: dict[int, list[float]] = {}
    for place, seconds in sorted((plain.place(p.position, units, is_end=False), p.seconds) for p in points):
        by_line.setdefault(place.line, []).append(seconds)
    lines = sorted(by_line)
    times: dict[int, tuple[float, float]] = {}
    for line in range(len(plain.lines)):
        inside = by_line.get(line, [])
        at = bisect_left(lines, line)
        before = by_line[lines[at - 1]][-1] if at > 0 else None
        after_at = at + 1 if inside else at
        after = by_line[lines[after_at]][0] if after_at < len(lines) else None
        start = inside[0] if inside else next((t for t in (before, after) if t is not None), 0.0)
        end = inside[-1] if len(inside) > 1 else (after if after is not None else start)
        times[line] = (start, max(start, end))
    return times


class _Outside(Exception):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


def _text(reader: Reader, element: Element, what: str, *, allow_docx: bool) -> str | None:
    """The text of a TextSource, Transcript or Note; None when it has none. _Outside when it
    lies outside the archive."""
    content = reader.child(element, "PlainTextContent")
    if content is not None:
        reader.tracker.use(content)
        return content.text or ""
    plain, rich = element.get("plainTextPath"), element.get("richTextPath")
    if plain:
        return _decoded(reader, _inside(reader, plain), what)
    if rich and allow_docx:
        entry = _inside(reader, rich)
        assert reader.archive is not None
        return docx_text(reader.archive, entry, what)
    return None


def _inside(reader: Reader, reference: str) -> str:
    reference = reference.strip()
    scheme = "internal://"
    if reader.archive is None or reference[:len(scheme)].lower() != scheme:
        raise _Outside(reference)
    return reader.archive.internal_entry(scheme + reference[len(scheme):])


def _decoded(reader: Reader, entry: str, what: str) -> str:
    assert reader.archive is not None
    text = decode_text(reader.archive.read(entry))
    if text is None:
        raise ExchangeError(f"{reader.file_name}: the text of {what} ({entry}) is neither UTF-8 nor UTF-16 text. "
                            "Export the project again; REFI-QDA stores text as UTF-8.")
    return text

