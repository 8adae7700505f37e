"""What leaves the project: the clean turns every export writes, the pre-export check for
listed real names, and the first export, a transcript as plain text.

Every export format (plain text here; DOCX, SRT, VTT and REFI-QDA later) is built on
`export_transcript`, which already holds the two privacy rules, so no format can forget them:

- turns of participants who consented to be observed only, or withdrew (storage/consent.py),
  come out with no words at all: `text` is empty and `left_out` says why. The plain-text
  export writes a marker line in their place, so a reader sees that someone spoke and why it
  is not there, without a word of what they said;
- with `pseudonymise`, the project's pseudonym list is applied to the text, the speaker labels
  and the transcript's name on the way out; the project itself is not changed.

`leaking_names` is the check to run before writing any export: it looks at exactly what would
be written, so it agrees with the export by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storage.atomic_files import write_text_atomically
from storage.consent import excluded_speakers
from storage.models import Memo, Segment, Speaker, Transcript
from storage.name_matching import NameMatcher
from storage.project import Project
from storage.pseudonym_records import NameLeak
from storage.pseudonyms import load_matcher

RECORDING = "recording"  # Transcript.kind of a transcribed recording; any other kind is a text source


@dataclass(frozen=True)
class ExportTurn:
    segment_id: int
    position: int  # 0-based place in the transcript
    start: float | None  # None for text sources, which have no times
    end: float | None
    speaker: str | None
    text: str  # empty when the turn is left out
    left_out: str | None = None  # why its words are not exported, e.g. "SW consented to be observed only"


@dataclass(frozen=True)
class ExportTranscript:
    id: int
    name: str
    kind: str
    pseudonymised: bool
    turns: tuple[ExportTurn, ...]

    @property
    def timed(self) -> bool:
        return self.kind == RECORDING


@dataclass(frozen=True)
class TextExport:
    """What write_text_export wrote."""

    path: Path
    transcripts: int
    turns: int
    left_out: int
    pseudonymised: bool


def export_transcript(project: Project, transcript_id: int, *, pseudonymise: bool,
                      matcher: NameMatcher | None = None) -> ExportTranscript:
    """A transcript as every export sees it (see the module's docstring). `matcher` saves
    reloading the pseudonym list when exporting several transcripts."""
    if pseudonymise and matcher is None:
        matcher = load_matcher(project)
    clean = matcher.replace if pseudonymise and matcher else _unchanged
    with project.session() as session:
        transcript = session.get(Transcript, transcript_id)
        if transcript is None:
            raise KeyError(f"no transcript {transcript_id}")
        excluded = excluded_speakers(session)
        rows = session.execute(
            select(Segment.id, Segment.position, Segment.start, Segment.end, Segment.speaker_id, Speaker.label,
                   Segment.text)
            .outerjoin(Speaker, Speaker.id == Segment.speaker_id)
            .where(Segment.transcript_id == transcript_id)
            .order_by(Segment.position)
        ).all()
        timed = transcript.kind == RECORDING  # minutes, notes and documents have no times
        turns = []
        for segment_id, position, start, end, speaker_id, label, text in rows:
            reason = excluded.get(speaker_id) if speaker_id is not None else None
            turns.append(ExportTurn(
                segment_id, position, start if timed else None, end if timed else None,
                clean(label) if label else None,
                "" if reason is not None else clean(text),  # the words of a left-out turn never leave storage
                None if reason is None else clean(_short_reason(reason)),
            ))
        return ExportTranscript(transcript.id, clean(transcript.name), transcript.kind, bool(pseudonymise and matcher),
                                tuple(turns))


def leaking_names(project: Project, transcript_ids: Iterable[int], *, pseudonymise: bool,
                  include_memos: bool = False) -> list[NameLeak]:
    """Every place where a listed real name (or a variant) would leave the project in an export
    of these transcripts (and of the memos, when the export carries them). Empty means the
    export is clean of every listed name. Only listed names are known: the check cannot see
    a name nobody put on the list."""
    matcher = load_matcher(project)
    if not matcher:
        return []
    leaks: list[NameLeak] = []
    for transcript_id in transcript_ids:
        exported = export_transcript(project, transcript_id, pseudonymise=pseudonymise, matcher=matcher)
        leaks += _leaks(matcher, exported.name, f"{exported.name} (its name)")
        for turn in exported.turns:
            place = f"{exported.name}, {turn_place(exported, turn)}"
            for text in (turn.speaker or "", turn.text, turn.left_out or ""):
                leaks += _leaks(matcher, text, place)
    if include_memos:
        with project.session() as session:
            memo_texts = session.execute(select(Memo.title, Memo.body).order_by(Memo.id)).all()
        for title, body in memo_texts:
            shown_title = matcher.replace(title or "") if pseudonymise else (title or "")
            place = f"memo “{shown_title or 'untitled'}”"
            for text in (title or "", body or ""):
                leaks += _leaks(matcher, matcher.replace(text) if pseudonymise else text, place)
    return leaks


def turn_place(transcript: ExportTranscript, turn: ExportTurn) -> str:
    """Where a turn is, as a reader finds it: its time and number, or its paragraph."""
    if turn.start is None:
        return f"paragraph {turn.position + 1}"
    return f"{clock(turn.start)} (turn {turn.position + 1})"


def _leaks(matcher: NameMatcher, text: str, place: str) -> list[NameLeak]:
    return [NameLeak(span.pseudonym.real_name, text[span.start:span.end], place) for span in matcher.spans(text)]


# --- plain text ------------------------------------------------------------------------------------

def transcript_text(exported: ExportTranscript, *, placeholders: bool = True) -> str:
    """A transcript as plain text: its name, then one paragraph per turn, "[0:01:02] SN1: text"
    (text sources: "SN1: text", or the text alone). Left-out turns become a marker line,
    or nothing when `placeholders` is off."""
    lines = [exported.name]
    if exported.pseudonymised:
        lines.append("(names pseudonymised)")
    lines.append("")
    for turn in exported.turns:
        if turn.left_out is not None and not placeholders:
            continue
        body = f"[{turn.left_out}; turn left out]" if turn.left_out is not None else turn.text
        speaker = f"{turn.speaker}: " if turn.speaker and turn.left_out is None else ""
        time = f"[{clock(turn.start)}] " if turn.start is not None else ""
        lines.append(f"{time}{speaker}{body}")
        lines.append("")
    return "\n".join(lines)


def write_text_export(project: Project, path: Path, transcript_ids: Sequence[int], *, pseudonymise: bool,
                      placeholders: bool = True) -> TextExport:
    """Write the transcripts, one after another, to `path` as UTF-8 text. The pre-export check
    is the caller's (it decides what to ask): run leaking_names first."""
    matcher = load_matcher(project) if pseudonymise else None
    exported = [export_transcript(project, tid, pseudonymise=pseudonymise, matcher=matcher) for tid in transcript_ids]
    text = "\n\n".join(transcript_text(transcript, placeholders=placeholders) for transcript in exported)
    write_atomically(Path(path), text.rstrip("\n") + "\n")
    left_out = sum(1 for transcript in exported for turn in transcript.turns if turn.left_out is not None)
    turns = sum(len(transcript.turns) for transcript in exported) - left_out
    return TextExport(Path(path), len(exported), turns, left_out, pseudonymise)


def write_atomically(path: Path, text: str) -> None:
    """Write beside `path` and rename into place (storage/atomic_files.py)."""
    write_text_atomically(path, text)


def clock(seconds: float) -> str:
    """0:01:02, always with hours, as a quote is cited (the same form as `earmark passages`)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _short_reason(reason: str) -> str:
    """"SW consented to be observed only: left out of analysis" -> "SW consented to be observed only"."""
    return reason.split(":", 1)[0]


def _unchanged(text: str) -> str:
    return text
