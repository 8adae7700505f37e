"""Auto-coding: find passages by a word, a phrase or a pattern (or by who spoke), then code them
all in one step.

Finding and applying are separate so the app (and `earmark autocode --dry-run`) can show what
would be coded before anything is written. Every match lies inside one turn; its span is trimmed
of surrounding spaces, which keeps it a normalised anchor pair (see storage/coding.py) so a
passage coded by hand and the same passage found here are recognised as the same.

Turns whose words are left out of analysis (storage/consent.py) are never searched or coded;
`left_out=True` gives the matches found in them instead, so a preview can say how many it skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Literal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor, AutocodeMatch
from storage.consent import excluded_speaker_ids_query, segment_is_analysable
from storage.models import Code, Coding, Segment, Speaker, Transcript
from storage.project import Project
from storage.search import pattern as search_pattern

Scope = Literal["word", "sentence", "turn"]
SCOPES: tuple[str, ...] = ("word", "sentence", "turn")

# A sentence ends at . ! ? or … (possibly doubled, or followed by a closing quote or bracket)
# that is followed by a space: "Dr. Smith" splits too, which for speech is the lesser evil.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
# Characters that continue a word when a match is widened to whole words: letters, digits,
# apostrophes inside words ("don't") and hyphens ("follow-up").
_WORDISH = re.compile(r"[\w'’-]")

Span = tuple[int, int]


def compile_pattern(pattern: str, *, regex: bool = False, whole_words: bool = True,
                    match_case: bool = False) -> re.Pattern[str]:
    """The search as a compiled expression. A bad regular expression is a ValueError whose
    message the user can act on."""
    if not pattern:
        raise ValueError("Nothing to look for: give a word, a phrase or a pattern.")
    return search_pattern(pattern, regex=regex, whole_words=whole_words, match_case=match_case)


def find_matches(project: Project, pattern: str, *, regex: bool = False, whole_words: bool = True,
                 match_case: bool = False, scope: Scope = "word", transcript_ids: Sequence[int] | None = None,
                 left_out: bool = False) -> list[AutocodeMatch]:
    """Passages matching `pattern`, widened to `scope`: the whole words, the sentence in the turn,
    or the whole turn. Spans that overlap in a turn become one passage. Only turns that may be
    analysed are searched; with `left_out`, only those whose words are left out."""
    if scope not in SCOPES:
        raise ValueError(f"scope is one of {', '.join(SCOPES)}, not {scope!r}")
    compiled = compile_pattern(pattern, regex=regex, whole_words=whole_words, match_case=match_case)
    matches = []
    for tid, name, label, segment_id, text in _turns(project, [], transcript_ids, left_out):
        for start, end in _merge(span for span in _spans(text, compiled, scope) if span[0] < span[1]):
            matches.append(_match(tid, name, label, segment_id, text, start, end))
    return matches


def speaker_turns(project: Project, label: str, *, transcript_ids: Sequence[int] | None = None,
                  left_out: bool = False) -> list[AutocodeMatch]:
    """Every turn of one speaker, whole (empty turns left out: there is nothing to code). None
    for a speaker whose words are left out of analysis; with `left_out`, only theirs."""
    matches = []
    for tid, name, speaker, segment_id, text in _turns(project, [Speaker.label == label], transcript_ids, left_out):
        start, end = _trimmed(text, 0, len(text))
        if start < end:
            matches.append(_match(tid, name, speaker, segment_id, text, start, end))
    return matches


def new_matches(project: Project, code_id: int, matches: Iterable[AutocodeMatch]) -> list[AutocodeMatch]:
    """The matches that code does not already cover exactly (what apply_autocode would add)."""
    with project.session() as session:
        return _unseen(_existing(session, code_id), matches)


def apply_autocode(project: Project, code_id: int, matches: Iterable[AutocodeMatch], author: str = "") -> list[int]:
    """Code every match with `code_id` in one transaction and return the new coding ids (undo
    with storage.coding.delete_codings). A match the code already covers exactly is skipped, and
    so is one in a turn whose words are left out of analysis (consent may have changed since the
    matches were found)."""
    with project.write() as session:
        if session.get(Code, code_id) is None:
            raise KeyError(f"no code {code_id}")
        matches = list(matches)
        excluded = set(session.scalars(select(Segment.id).where(
            Segment.transcript_id.in_(sorted({match.transcript_id for match in matches})),
            Segment.speaker_id.in_(excluded_speaker_ids_query()))))
        rows = [
            Coding(code_id=code_id, transcript_id=match.transcript_id, start_segment_id=match.start.segment_id,
                   start_offset=match.start.offset, end_segment_id=match.end.segment_id, end_offset=match.end.offset,
                   author=author)
            for match in _unseen(_existing(session, code_id), matches)
            if match.start.segment_id not in excluded and match.end.segment_id not in excluded
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _match(tid: int, name: str, speaker: str | None, segment_id: int, text: str, start: int, end: int) -> AutocodeMatch:
    return AutocodeMatch(tid, name, speaker, Anchor(segment_id, start), Anchor(segment_id, end), text[start:end])


def _turns(project: Project, conditions: list[ColumnElement[bool]], transcript_ids: Sequence[int] | None,
           left_out: bool = False) -> list[tuple[int, str, str | None, int, str]]:
    consent = Segment.speaker_id.in_(excluded_speaker_ids_query()) if left_out else segment_is_analysable()
    query = (
        select(Segment.transcript_id, Transcript.name, Speaker.label, Segment.id, Segment.text)
        .join(Transcript, Transcript.id == Segment.transcript_id)
        .outerjoin(Speaker, Speaker.id == Segment.speaker_id)
        .where(consent, *conditions)
        .order_by(Segment.transcript_id, Segment.position)
    )
    if transcript_ids is not None:
        query = query.where(Segment.transcript_id.in_(list(transcript_ids)))
    with project.session() as session:
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def _spans(text: str, compiled: re.Pattern[str], scope: str) -> list[Span]:
    # Empty hits (of a pattern such as r"x*" or r"\b") would code a sentence or turn for nothing.
    found = [(hit.start(), hit.end()) for hit in compiled.finditer(text) if hit.end() > hit.start()]
    if scope == "turn":
        return [_trimmed(text, 0, len(text))] if found else []
    if scope == "word":
        return [_whole_words(text, start, end) for start, end in found]
    if not found:
        return []
    # Sentence starts, found once per turn: a pattern can hit a turn many times.
    starts = [0] + [boundary.end() for boundary in _SENTENCE_END.finditer(text)]
    spans = []
    for start, end in found:
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, max(start, end - 1))  # the sentence after the one `end` falls in
        spans.append(_trimmed(text, starts[first], starts[last] if last < len(starts) else len(text)))
    return spans


def _whole_words(text: str, start: int, end: int) -> Span:
    start, end = _trimmed(text, start, end)  # a pattern such as r"care\s" must not code the space
    if start >= end:
        return start, start
    widened_start, widened_end = start, end
    while widened_start > 0 and _WORDISH.match(text[widened_start - 1]):
        widened_start -= 1
    while widened_end < len(text) and _WORDISH.match(text[widened_end]):
        widened_end += 1
    # Quotes and hyphens take part in a word only inside it: "'learning" -> "learning".
    while widened_start < start and not text[widened_start].isalnum():
        widened_start += 1
    while widened_end > end and not text[widened_end - 1].isalnum():
        widened_end -= 1
    return widened_start, widened_end


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping, touching and repeated spans as one (two hits in one sentence code it once)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _existing(session: Session, code_id: int) -> set[tuple[int, int, int, int]]:
    rows = session.execute(
        select(Coding.start_segment_id, Coding.start_offset, Coding.end_segment_id, Coding.end_offset)
        .where(Coding.code_id == code_id)
    )
    return {tuple(row) for row in rows}  # type: ignore[misc]


def _unseen(existing: set[tuple[int, int, int, int]], matches: Iterable[AutocodeMatch]) -> list[AutocodeMatch]:
    fresh = []
    for match in matches:
        key = (match.start.segment_id, match.start.offset, match.end.segment_id, match.end.offset)
        if key in existing or (key[0] == key[2] and key[1] >= key[3]):
            continue
        existing.add(key)  # the same span twice in one batch is coded once
        fresh.append(match)
    return fresh
