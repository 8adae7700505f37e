"""A transcript as the plain text a .qdpx carries, and where each coding lies in it.

The text is one line per turn, joined by "\n" (LF; no BOM, no CR), as export_transcript gives
the turns, so consent and pseudonyms apply:

- a turn with a speaker reads "SN1: what they said" (storage.sources.split_speaker reads that
  back when SN1 is a known label), a turn without one is its text alone;
- a turn whose words are left out (observe-only or withdrawn) is the marker line
  "[SW consented to be observed only; turn left out]", with no speaker prefix and no words.

POSITIONS ARE UNICODE CODE POINTS over that text (Python string indexes), start inclusive, end
exclusive: the standard speaks of characters. (NVivo writes UTF-16 code units over CRLF text;
the importer detects that, the export does not imitate it.)

A coding is anchored to (turn, code-point offset) in the stored text. Going out:
- with pseudonyms applied, a name replaced by a longer or shorter one shifts what follows it
  in its turn; offsets move with it, and an end inside a replaced name covers all of the
  replacement (the coding keeps the name it covered, as its pseudonym);
- consent: a coding lying wholly in left-out turns is not exported; one reaching into them is
  cut back to its first and last analysable turn (left-out turns between those stay inside
  it as their marker lines, which carry no words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.export_text import ExportTranscript
from storage.name_matching import NameMatcher
from storage.passages import WordTimes, turn_span_times
from storage.refi_qda import ExchangeError


@dataclass(frozen=True)
class Replacement:
    """A name at [start, end) of the stored turn text, written as `length` code points."""

    start: int
    end: int
    length: int


@dataclass(frozen=True)
class TurnLine:
    segment_id: int
    index: int  # place in the transcript
    line_start: int  # position of the line's first character (the speaker prefix, if any)
    text_start: int  # position of the turn's first word
    text_end: int  # position after its last character
    left_out: bool
    stored_text: str  # the turn's text in the project: codings and word times refer to it
    words: WordTimes
    start: float | None  # seconds; None for text sources
    end: float | None
    replacements: tuple[Replacement, ...] = ()

    def position(self, offset: int, *, is_end: bool) -> int:
        """Where code point `offset` of the stored text lies in the written text."""
        shift = 0
        for name in self.replacements:
            if name.end <= offset:
                shift += name.length - (name.end - name.start)
            elif name.start < offset:  # inside a replaced name: take all of its replacement, or none
                return self.text_start + name.start + shift + (name.length if is_end else 0)
            else:
                break
        return self.text_start + offset + shift


@dataclass(frozen=True)
class CodedSpan:
    """Where a coding lies in the written text, after consent clipping."""

    start: int
    end: int
    first: TurnLine
    last: TurnLine
    start_offset: int  # in the first turn's stored text
    end_offset: int  # in the last turn's stored text
    clipped: bool

    def times(self) -> tuple[float, float] | None:
        """Start of its first word and end of its last word (the turn's times where no word is
        covered); None for a text source."""
        if self.first.start is None or self.last.end is None:
            return None
        turns = [(self.first.stored_text, self.first.words, self.first.start, self.first.end or self.first.start)]
        if self.last is not self.first:
            turns.append((self.last.stored_text, self.last.words, self.last.start or self.last.end, self.last.end))
        return turn_span_times(turns, self.start_offset, self.end_offset)


@dataclass(frozen=True)
class StoredTurn:
    """A turn as stored (what export_transcript does not give: its text before pseudonyms and
    its word times)."""

    segment_id: int
    text: str
    words: WordTimes


class SourceText:
    """The written text of one transcript and the way from stored anchors to its positions."""

    def __init__(self, exported: ExportTranscript, stored: Sequence[StoredTurn], matcher: NameMatcher | None) -> None:
        by_id = {turn.segment_id: turn for turn in stored}
        lines: list[str] = []
        self.turns: list[TurnLine] = []
        at = 0
        for index, turn in enumerate(exported.turns):
            original = by_id.get(turn.segment_id)
            if original is None:
                raise _changed(exported)
            if turn.left_out is not None:
                prefix, body, replacements = "", f"[{turn.left_out}; turn left out]", ()
            else:
                prefix = f"{turn.speaker}: " if turn.speaker else ""
                body = turn.text
                replacements = _replacements(original.text, matcher) if exported.pseudonymised and matcher else ()
                if len(body) != _written_length(original.text, replacements):
                    raise _changed(exported)
            line = prefix + body
            self.turns.append(TurnLine(
                turn.segment_id, index, at, at + len(prefix), at + len(line), turn.left_out is not None,
                original.text, original.words, turn.start, turn.end, replacements))
            lines.append(line)
            at += len(line) + 1  # the "\n" after it
        self.text = "\n".join(lines)
        self._index = {line.segment_id: line for line in self.turns}

    def span(self, start_segment: int, start_offset: int, end_segment: int, end_offset: int) -> CodedSpan | None:
        """The coding from (start_segment, start_offset) to (end_segment, end_offset) in the
        written text, cut to analysable turns; None when nothing of it may leave."""
        first, last = self._index.get(start_segment), self._index.get(end_segment)
        if first is None or last is None or first.index > last.index:
            return None
        kept = [turn for turn in self.turns[first.index:last.index + 1] if not turn.left_out]
        if not kept:
            return None
        clipped = kept[0] is not first or kept[-1] is not last
        start_offset = start_offset if kept[0] is first else 0
        end_offset = end_offset if kept[-1] is last else len(kept[-1].stored_text)
        begin = kept[0].position(start_offset, is_end=False)
        finish = kept[-1].position(end_offset, is_end=True)
        if finish <= begin:
            return None
        return CodedSpan(begin, finish, kept[0], kept[-1], start_offset, end_offset, clipped)


def _changed(exported: ExportTranscript) -> ExchangeError:
    # The turns are read in two sessions: an edit in between would misplace every coding after it.
    return ExchangeError(f"“{exported.name}” changed while it was being exported. Export again.")


def _written_length(text: str, replacements: tuple[Replacement, ...]) -> int:
    return len(text) + sum(name.length - (name.end - name.start) for name in replacements)


def _replacements(text: str, matcher: NameMatcher) -> tuple[Replacement, ...]:
    return tuple(Replacement(span.start, span.end, len(span.pseudonym.replacement)) for span in matcher.spans(text))

