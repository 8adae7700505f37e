"""What every transcript export format writes, gathered once: the clean turns of
storage/export_text.export_transcript (consent and pseudonyms already applied), plus what the
richer formats need beside them: the transcript's GUID, the meeting it belongs to, and each
turn's words with their times.

Word times come from the stored words ([text, start, end, probability], one per whitespace
token of the turn's text, kept so by storage/alignment.py) when the exported text is the stored
text token for token. When it is not (a pseudonym replaced a name, or the stored words no longer
match the text), each word gets a share of the turn's time in proportion to its length
(storage/transcript_import.timed_words), so that no word time ever points at a word that is not
there. Left-out turns and text sources have no words at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from storage.export_text import ExportTranscript, ExportTurn, export_transcript
from storage.models import Meeting, Segment, Transcript
from storage.passages import TOKEN
from storage.project import Project
from storage.pseudonyms import load_matcher
from storage.transcript_import import timed_words


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class ExportSource:
    """One transcript as the exports write it. `words[i]` belongs to `transcript.turns[i]`."""

    transcript: ExportTranscript
    guid: str
    meeting_code: str | None
    meeting_date: str | None  # YYYY-MM-DD
    words: tuple[tuple[TimedWord, ...], ...]

    @property
    def name(self) -> str:
        return self.transcript.name

    def turns(self, *, placeholders: bool) -> list[tuple[ExportTurn, tuple[TimedWord, ...]]]:
        """The turns to write with their words: left-out turns only with `placeholders`, and
        never a turn with nothing in it (an empty paragraph of a text source)."""
        return [(turn, words) for turn, words in zip(self.transcript.turns, self.words)
                if (turn.left_out is not None and placeholders) or (turn.left_out is None and turn.text.strip())]


def load_sources(project: Project, transcript_ids: Sequence[int], *, pseudonymise: bool) -> list[ExportSource]:
    matcher = load_matcher(project) if pseudonymise else None
    clean = matcher.replace if matcher else _unchanged
    sources = []
    for transcript_id in transcript_ids:
        exported = export_transcript(project, transcript_id, pseudonymise=pseudonymise, matcher=matcher)
        with project.session() as session:
            guid, code, day = session.execute(
                select(Transcript.guid, Meeting.code, Meeting.date)
                .outerjoin(Meeting, Meeting.id == Transcript.meeting_id)
                .where(Transcript.id == transcript_id)
            ).one()
            stored = {segment_id: (text, words or []) for segment_id, text, words in session.execute(
                select(Segment.id, Segment.text, Segment.words).where(Segment.transcript_id == transcript_id))}
        words = tuple(turn_words(turn, *stored.get(turn.segment_id, ("", []))) for turn in exported.turns)
        sources.append(ExportSource(exported, guid, clean(code) if code else None, day, words))
    return sources


def turn_words(turn: ExportTurn, stored_text: str, stored_words: Sequence[Sequence[Any]]) -> tuple[TimedWord, ...]:
    """The words of an exported turn with their times (see the module's docstring)."""
    if turn.left_out is not None or turn.start is None or turn.end is None or not turn.text.strip():
        return ()
    tokens = TOKEN.findall(turn.text)
    if turn.text == stored_text and [str(word[0]) for word in stored_words] == tokens:
        timed = [(str(word[0]), float(word[1]), float(word[2])) for word in stored_words]
    else:
        timed = [(str(word[0]), float(word[1]), float(word[2]))  # type: ignore[arg-type]
                 for word in timed_words(turn.text, turn.start, max(turn.start, turn.end))]
    return tuple(TimedWord(text, round(start, 3), round(max(start, end), 3)) for text, start, end in timed)


def seconds_parts(seconds: float, fraction_digits: int) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, fraction) of a time rounded to `fraction_digits` decimals,
    the carry done in whole units so that 59.9996 s becomes 1:00.000, never 0:59.1000."""
    scale = 10 ** fraction_digits
    units = int(round(max(0.0, seconds) * scale))
    whole, fraction = divmod(units, scale)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs, fraction


def _unchanged(text: str) -> str:
    return text
