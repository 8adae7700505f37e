"""How a report says who said a passage and where it is: one citation form for every report.

- The source is the meeting's code when the transcript belongs to a meeting ("M03"), else the
  transcript's name. A text source of a meeting also says what it is ("Field notes M05"), as a
  meeting may have minutes and field notes besides its recording, and "M05" alone would not
  tell a reader which one to open.
- A transcript of a recording is cited by the time the passage starts, hh:mm:ss: "(M03, 00:12:34)".
  A text source has no times, so by its paragraph, counted from 1 as a reader counts them:
  "(Field notes M05, ¶4)", or "¶4–6" for a passage over several paragraphs.
- The speaker is the participant's role code when the transcript's speaker label is linked to
  a participant (a label "SPEAKER_01" linked to SN1 is cited as SN1), else the label itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text as sql

from storage.analysis_records import Passage
from storage.consent import MARKER, excluded_speakers
from storage.participants import list_participants
from storage.project import Project
from storage.source_records import SourceRecord, is_text_source, kind_label
from storage.sources import list_sources


def clock(seconds: float) -> str:
    """00:12:34: hours always two digits, as a thesis cites a recording."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def paragraph_mark(first: int, last: int | None = None) -> str:
    """¶4, or ¶4–6 over several paragraphs (numbers from 1)."""
    return f"¶{first}" if last is None or last == first else f"¶{first}–{last}"


def citation(source: str, place: str) -> str:
    """The one citation form: "(M03, 00:12:34)", "(Field notes M05, ¶4)"."""
    return f"({source}, {place})"


def source_label(source: SourceRecord) -> str:
    """What a citation calls a transcript (see the module's docstring)."""
    if source.meeting_code is None:
        return source.name
    if is_text_source(source.kind):
        return f"{kind_label(source.kind)} {source.meeting_code}"
    return source.meeting_code


@dataclass(frozen=True)
class Located:
    """A passage's place as reports show it."""

    source: str  # the transcript's name
    meeting: str  # the meeting's code, or ""
    start: str  # "00:12:34" or "¶4"
    end: str  # "00:12:50" or "¶6"
    citation: str
    # Each line of a passage over turns of different speakers, with its speaker: ((speaker, text), ...).
    # Empty when one person said it all (the usual case).
    turns: tuple[tuple[str, str], ...]


class Citer:
    """Citations for a batch of passages, read with a few queries whatever their number."""

    def __init__(self, project: Project, passages: Sequence[Passage]) -> None:
        self.sources = {source.transcript_id: source for source in list_sources(project)}
        self.role_codes = {label: person.role_code for person in list_participants(project) for label in person.speakers}
        self._positions, self._turns, self._excluded = _turn_facts(project, passages)

    def speaker(self, label: str | None) -> str:
        if label is None:
            return ""
        return self.role_codes.get(label, label)

    def source_label(self, transcript_id: int) -> str:
        source = self.sources.get(transcript_id)
        return source_label(source) if source is not None else f"transcript {transcript_id}"

    def locate(self, passage: Passage) -> Located:
        source = self.sources.get(passage.transcript_id)
        name = source.name if source is not None else passage.transcript_name
        meeting = (source.meeting_code or "") if source is not None else ""
        first = self._positions.get(passage.start.segment_id, 0) + 1
        last = self._positions.get(passage.end.segment_id, first - 1) + 1
        if passage.timed:
            start, end = clock(passage.start_time), clock(passage.end_time)
        else:
            start, end = paragraph_mark(first), paragraph_mark(last)
        place = start if passage.timed else paragraph_mark(first, last)
        return Located(name, meeting, start, end, citation(self.source_label(passage.transcript_id), place),
                       self._speaker_lines(passage, first - 1, last - 1))

    def _speaker_lines(self, passage: Passage, first: int, last: int) -> tuple[tuple[str, str], ...]:
        """The passage's lines with their speakers, when more than one person speaks in it. The
        speakers are those of its turns, each run of turns left out of analysis standing for the
        one MARKER line that storage.consent.masked_text put in the text in their place."""
        if last <= first:
            return ()
        speakers: list[str | None] = []
        for position in range(first, last + 1):
            turn = self._turns.get((passage.transcript_id, position))
            if turn is None:
                return ()
            speaker_id, label = turn
            if speaker_id in self._excluded:
                if not speakers or speakers[-1] is not MARKER:
                    speakers.append(MARKER)
            else:
                speakers.append(label)
        lines = passage.text.split("\n")
        voices = {speaker for speaker in speakers if speaker is not MARKER}
        if len(lines) != len(speakers) or len(voices) < 2:
            return ()  # one voice, or text that does not split by turns: shown as it is
        # A line with no speaker (narrative in field notes) stands without a label: "(no speaker):"
        # before a sentence of notes reads as if someone unnamed had said it.
        return tuple(("" if speaker is MARKER else self.speaker(speaker) or "", line)
                     for speaker, line in zip(speakers, lines))


def _turn_facts(project: Project, passages: Sequence[Passage]
                ) -> tuple[dict[int, int], dict[tuple[int, int], tuple[int | None, str | None]], set[int]]:
    """Positions of the passages' first and last turns; for passages over several turns, the
    speaker of every turn between (merged ranges, one query, as storage.retrieval does); and who
    is left out of analysis."""
    ends = sorted({anchor.segment_id for passage in passages for anchor in (passage.start, passage.end)})
    with project.session() as session:
        excluded = set(excluded_speakers(session))
        connection = session.connection()
        positions: dict[int, int] = {}
        tids: dict[int, int] = {}
        for segment_id, transcript_id, position in connection.execute(
                sql("SELECT s.id, s.transcript_id, s.position FROM json_each(:ids) AS r "
                    "JOIN segments AS s ON s.id = r.value"), {"ids": json.dumps(ends)}):
            positions[segment_id] = position
            tids[segment_id] = transcript_id
        ranges: list[list[int]] = []
        spans = sorted((tids[p.start.segment_id], positions[p.start.segment_id], positions[p.end.segment_id])
                       for p in passages if p.start.segment_id in positions and p.end.segment_id in positions
                       and positions[p.end.segment_id] > positions[p.start.segment_id])
        for tid, low, high in spans:
            if ranges and ranges[-1][0] == tid and low <= ranges[-1][2] + 1:
                ranges[-1][2] = max(ranges[-1][2], high)
            else:
                ranges.append([tid, low, high])
        turns: dict[tuple[int, int], tuple[int | None, str | None]] = {}
        if ranges:
            for tid, position, speaker_id, label in connection.execute(
                    sql("SELECT s.transcript_id, s.position, s.speaker_id, k.label FROM json_each(:ranges) AS r "
                        "JOIN segments AS s ON s.transcript_id = json_extract(r.value, '$[0]') "
                        "AND s.position BETWEEN json_extract(r.value, '$[1]') AND json_extract(r.value, '$[2]') "
                        "LEFT JOIN speakers AS k ON k.id = s.speaker_id"), {"ranges": json.dumps(ranges)}):
                turns[(tid, position)] = (speaker_id, label)
    return positions, turns, excluded
