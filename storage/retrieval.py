"""Retrieval: every passage coded with some codes, and counts of codes per speaker or transcript.

Everything here reads with Core selects, not ORM objects: a code's passages across seventeen
two-hour meetings are on the path to a list the researcher is waiting for (2,000 passages in
0.1 s). Three queries whatever the number of passages: the codings with the turns they start and
end in (text only); the turns in between, for passages over more than two turns; and the times
of each passage's first and last word, picked out of the stored words by SQLite.

Consent (storage/consent.py): every query here works on the turns that may be analysed. A passage
wholly in excluded turns is left out; one spanning consenting and excluded turns keeps only the
consenting turns' words (MARKER for each excluded run) and is attributed to its first consenting
turn, which the queries find in SQL (consent.kept_turn_id), not per passage in Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor, Matrix, Passage
from storage.bulk import collector_paused
from storage.codebook import codes_tree, descendant_ids
from storage.consent import (
    EXCLUDED_SPEAKERS_SQL, KEPT_TURN, any_excluded, excluded_speaker_ids_query, kept_turn_id, left_out_codings,
    masked_text, moved_codings,
)
from storage.models import Code, Coding, Segment, Speaker, Transcript
from storage.passages import TOKEN, clip_left, clip_right
from storage.project import Project

NO_SPEAKER = "(no speaker)"  # the matrix column for turns nobody was assigned to
TURN_BREAK = " / "  # how a passage's turn breaks show in its one-line context

By = Literal["speaker", "transcript"]

_START = Segment.__table__.alias("start_turn")
_END = Segment.__table__.alias("end_turn")
# A passage's first and last turns that may be analysed: its start and end turns unless consent
# leaves their words out (storage/consent.py).
_LEAD = Segment.__table__.alias("lead_turn")
_TAIL = Segment.__table__.alias("tail_turn")


def with_subcodes(project: Project, code_ids: Iterable[int]) -> list[int]:
    """The given codes and every code below them, the given ones first."""
    return descendant_ids(project, *code_ids)


def coded_passages(project: Project, code_ids: Sequence[int], *, speaker: str | None = None,
                   transcript_id: int | None = None, context_chars: int = 60) -> list[Passage]:
    """The passages coded with any of `code_ids`, by transcript and then by position. `speaker`
    keeps those whose first turn (that may be analysed) has that speaker label."""
    if not code_ids:
        return []
    conditions: list[ColumnElement[bool]] = [Coding.code_id.in_(list(dict.fromkeys(code_ids)))]
    if speaker is not None:
        conditions.append(Speaker.label == speaker)
    if transcript_id is not None:
        conditions.append(Coding.transcript_id == transcript_id)
    return _passages(project, conditions, context_chars)


def code_matrix(project: Project, by: By, *, code_ids: Sequence[int] | None = None) -> Matrix:
    """How many passages each code has per speaker (of the first turn of a passage that may be
    analysed) or per transcript: one grouped query. A code's own codings only, as in its `count`.
    Speakers whose words are left out of analysis have no column."""
    _check_by(by)
    codes = codes_tree(project)
    if code_ids is not None:
        wanted = set(code_ids)
        codes = [code for code in codes if code.id in wanted]
    counts: dict[tuple[int, str], int] = {}
    with project.session() as session:
        if by == "speaker":
            query = (
                select(Coding.code_id, Speaker.label, func.count())
                .join(_START, _START.c.id == Coding.start_segment_id)
                .outerjoin(Speaker, Speaker.id == _START.c.speaker_id)
                .group_by(Coding.code_id, Speaker.label)
            )
            names: dict[Any, str] = {}
            columns = list(session.scalars(select(Speaker.label).where(Speaker.id.not_in(excluded_speaker_ids_query()))
                                           .order_by(Speaker.label)))
        else:
            query = select(Coding.code_id, Coding.transcript_id, func.count()).group_by(Coding.code_id, Coding.transcript_id)
            by_id = _transcript_columns(session)
            names = {tid: column for column, tid in by_id.items()}
            columns = list(by_id)
        if code_ids is not None:
            query = query.where(Coding.code_id.in_([code.id for code in codes]))
        for code_id, key, count in session.execute(query):
            column = names.get(key, key) if by == "transcript" else (key if key is not None else NO_SPEAKER)
            counts[(code_id, column)] = int(count)
        if any_excluded(session):
            _leave_out_excluded(session, by, counts, names)
            if code_ids is not None:  # the adjustment reads every code's codings
                shown = {code.id for code in codes}
                counts = {key: count for key, count in counts.items() if key[0] in shown}
    for _, column in counts:
        if column not in columns:  # "(no speaker)", or a label added since the column list was read
            columns.append(column)
    return Matrix(codes=tuple(codes), columns=tuple(columns), counts=counts)


def _leave_out_excluded(session: Session, by: By, counts: dict[tuple[int, str], int], names: dict[Any, str]) -> None:
    """Adjust plain counts for consent (storage/consent.py), cheaper than joining every coding to
    its turns: only codings starting in an excluded turn change. By speaker, the excluded
    speakers' columns go and those codings count for their first consenting turn's speaker; by
    transcript, those with no consenting turn are taken off."""
    if by == "speaker":
        excluded = set(session.scalars(select(Speaker.label).where(Speaker.id.in_(excluded_speaker_ids_query()))))
        for key in [key for key in counts if key[1] in excluded]:
            del counts[key]
        moved = (moved_codings(Coding.code_id, Speaker.label, func.count())
                 .outerjoin(Speaker, Speaker.id == KEPT_TURN.c.speaker_id)
                 .group_by(Coding.code_id, Speaker.label))
        for code_id, label, count in session.execute(moved):
            key = (code_id, label if label is not None else NO_SPEAKER)
            counts[key] = counts.get(key, 0) + int(count)
        return
    left_out = left_out_codings(Coding.code_id, Coding.transcript_id, func.count()).group_by(
        Coding.code_id, Coding.transcript_id)
    for code_id, key, count in session.execute(left_out):
        column = names.get(key, key)
        if (code_id, column) in counts:
            counts[(code_id, column)] -= int(count)
            if not counts[(code_id, column)]:
                del counts[(code_id, column)]


def passages_in_cell(project: Project, code_id: int, by: By, column: str, *, context_chars: int = 60) -> list[Passage]:
    """The passages behind one cell of `code_matrix` (what a click on the cell shows)."""
    _check_by(by)
    conditions: list[ColumnElement[bool]] = [Coding.code_id == code_id]
    if by == "speaker":
        conditions.append(_LEAD.c.speaker_id.is_(None) if column == NO_SPEAKER else Speaker.label == column)
    else:
        with project.session() as session:
            transcript_id = _transcript_columns(session).get(column)
        if transcript_id is None:
            return []
        conditions.append(Coding.transcript_id == transcript_id)
    return _passages(project, conditions, context_chars)


def _check_by(by: str) -> None:
    if by not in ("speaker", "transcript"):
        raise ValueError(f"a matrix is by 'speaker' or by 'transcript', not {by!r}")


def _transcript_columns(session: Session) -> dict[str, int]:
    """Column name -> transcript id, in transcript order. Names need not be unique (two
    recordings both called "interview"), so a repeated name gets its id added."""
    rows = session.execute(select(Transcript.id, Transcript.name).order_by(Transcript.id)).all()
    seen: dict[str, int] = {}
    for _, name in rows:
        seen[name] = seen.get(name, 0) + 1
    return {(name if seen[name] == 1 else f"{name} (#{tid})"): tid for tid, name in rows}


def _passages(project: Project, conditions: Sequence[ColumnElement[bool]], context_chars: int) -> list[Passage]:
    with project.session() as session, collector_paused():
        # Core rows straight off the connection: the ORM's result wrapping costs more here than
        # the query itself.
        connection = session.connection()
        rows = connection.execute(_passages_query(conditions, any_excluded(session))).all()
        middles = _middle_turns(connection, [(row[3], row[10], row[14]) for row in rows if row[14] - row[10] > 1])
        # Which word each passage starts and ends with, worked out from the text; their times
        # are then read in one query (see _word_times).
        spans = []
        for row in rows:
            s_id, s_off, e_id, e_off, s_text, s_count, e_text, e_count = (
                row[6], row[7], row[8], row[9], row[12], row[13], row[16], row[17])
            if e_id == s_id:
                head = tail = _word_range(s_text, s_count, s_off, e_off)
            else:
                head, tail = _word_range(s_text, s_count, s_off, len(s_text)), _word_range(e_text, e_count, 0, e_off)
            spans.append((s_id, head[0] if head else None, e_id, tail[1] if tail else None))
        times = _word_times(connection, spans)
    with collector_paused():
        return _build(rows, middles, times, context_chars)


def _passages_query(conditions: Sequence[ColumnElement[bool]], consent: bool) -> Any:
    """The codings with their first and last turns that may be analysed (_LEAD, _TAIL). Those are
    their own start and end turns unless `consent` (someone's words are left out): then the
    passage runs from its first to its last consenting turn, offsets are the coding's where those
    are its own turns and the whole turn where they are not, and a passage with no consenting
    turn has no row. Without anyone excluded, the query is the plain one: the common case pays
    nothing for consent."""
    if consent:
        lead_on = _LEAD.c.id == kept_turn_id(_START, Coding.end_segment_id)
        tail_on = _TAIL.c.id == kept_turn_id(_END, Coding.start_segment_id, first=False)
        start_offset: Any = case((_LEAD.c.id == Coding.start_segment_id, Coding.start_offset), else_=0)
        end_offset: Any = case((_TAIL.c.id == Coding.end_segment_id, Coding.end_offset), else_=func.length(_TAIL.c.text))
    else:
        lead_on, tail_on = _LEAD.c.id == Coding.start_segment_id, _TAIL.c.id == Coding.end_segment_id
        start_offset, end_offset = Coding.start_offset, Coding.end_offset
    query = (
        select(
            Coding.id, Coding.code_id, Code.name, Coding.transcript_id, Transcript.name, Speaker.label,
            _LEAD.c.id, start_offset, _TAIL.c.id, end_offset,
            _LEAD.c.position, _LEAD.c.start, _LEAD.c.text, func.json_array_length(_LEAD.c.words),
            _TAIL.c.position, _TAIL.c.end,
            # The last turn's text only when it is another turn than the first's.
            case((_TAIL.c.id == _LEAD.c.id, None), else_=_TAIL.c.text), func.json_array_length(_TAIL.c.words),
            Coding.start_segment_id, Coding.start_offset, Coding.end_segment_id, Coding.end_offset,
            Transcript.kind,
        )
        .join(Code, Code.id == Coding.code_id)
        .join(Transcript, Transcript.id == Coding.transcript_id)
    )
    if consent:
        query = query.join(_START, _START.c.id == Coding.start_segment_id).join(_END, _END.c.id == Coding.end_segment_id)
    return (
        query.join(_LEAD, lead_on)
        .join(_TAIL, tail_on)
        .outerjoin(Speaker, Speaker.id == _LEAD.c.speaker_id)
        .where(*conditions)
        .order_by(Coding.transcript_id, _LEAD.c.position, Coding.start_offset, _TAIL.c.position, Coding.end_offset,
                  Coding.id)
    )


def _build(rows: Sequence[Any], middles: dict[tuple[int, int], str | None], times: dict[int, tuple[float | None, float | None]],
           context_chars: int) -> list[Passage]:
    passages = []
    for number, (coding_id, code_id, code_name, tid, transcript_name, label, s_id, s_off, e_id, e_off,
                 s_pos, s_start, s_text, _, e_pos, e_end, e_text, _,
                 coded_start, coded_start_offset, coded_end, coded_end_offset, kind) in enumerate(rows):
        # s_* and e_* are the first and last turns that may be analysed. None below stands for
        # turns whose words are left out: before, between or after those.
        before: list[str | None] = [] if s_id == coded_start else [None]
        after: list[str | None] = [] if e_id == coded_end else [None]
        if e_id == s_id:
            end_text = s_text
            pieces = [*before, s_text[s_off:e_off], *after]
        else:
            end_text = e_text
            inner = [middles.get((tid, position), "") for position in range(s_pos + 1, e_pos)]
            pieces = [*before, s_text[s_off:], *inner, e_text[:e_off], *after]
        text = masked_text(pieces) if before or after or None in pieces else "\n".join(pieces)  # type: ignore[arg-type]
        # As storage.passages.turn_span_times: the turn's own times where no word is covered.
        first_word, last_word = times.get(number, (None, None))
        begin = s_start if first_word is None else first_word
        finish = e_end if last_word is None else last_word
        passages.append(Passage(
            coding_id=coding_id, code_id=code_id, code_name=code_name, transcript_id=tid,
            transcript_name=transcript_name, speaker=label, start_time=begin, end_time=max(begin, finish), text=text,
            context=_context(s_text[:s_off], text, end_text[e_off:], context_chars),
            # The coding's own ends, so opening the passage selects what was coded.
            start=Anchor(coded_start, coded_start_offset), end=Anchor(coded_end, coded_end_offset),
            timed=kind == "recording",  # a text source's turns have no times (storage/sources.py)
        ))
    return passages


def _word_range(text: str, count: int | None, start: int, end: int) -> tuple[int, int] | None:
    """The first and last word overlapping text[start:end], by index, exactly as
    storage.passages.word_span picks them (the n-th token of the text is the n-th word), but
    counted by the regex engine: parsing every turn's word JSON in Python would cost more than
    the 100 ms that a code's 2,000 passages may take altogether."""
    if not count or end <= start:
        return None
    first = len(TOKEN.findall(text, 0, start))  # tokens that begin before `start`...
    if 0 < start < len(text) and not text[start - 1].isspace() and not text[start].isspace():
        first -= 1  # ...less the one `start` falls inside, which overlaps the span
    last = len(TOKEN.findall(text, 0, end)) - 1  # the last token that begins before `end`
    if first > last or first >= count:
        return None
    return first, min(last, count - 1)


def _word_times(connection: Connection,
                spans: Sequence[tuple[int, int | None, int, int | None]]) -> dict[int, tuple[float | None, float | None]]:
    """For each (start turn, index of its first word, end turn, index of its last word): the
    first word's start and the last word's end, by position in `spans`. One query: the spans go
    in as one JSON parameter and SQLite's json_extract picks the two times out of the stored
    words, so the words are never parsed in Python."""
    wanted = [[s_id, None if first is None else f"$[{first}][1]", e_id, None if last is None else f"$[{last}][2]"]
              for s_id, first, e_id, last in spans]
    rows = connection.execute(
        sql("SELECT r.key, json_extract(a.words, json_extract(r.value, '$[1]')), "
            "json_extract(b.words, json_extract(r.value, '$[3]')) "
            "FROM json_each(:wanted) AS r JOIN segments AS a ON a.id = json_extract(r.value, '$[0]') "
            "JOIN segments AS b ON b.id = json_extract(r.value, '$[2]')"),
        {"wanted": json.dumps(wanted)},
    ).all()  # one fetchall: row-by-row fetching costs a third of the whole report
    return {key: (first, last) for key, first, last in rows}


def _middle_turns(connection: Connection, spans: Sequence[tuple[int, int, int]]) -> dict[tuple[int, int], str | None]:
    """Text of the turns strictly between the first and last turn of multi-turn passages, keyed
    by (transcript, position); None for a turn whose words are left out of analysis. Overlapping
    ranges are merged first, so a long story coded with five codes reads its turns once; the
    ranges go in as one JSON parameter (as in _word_times), as an OR of hundreds of ranges costs
    more to build than to run."""
    merged: list[list[int]] = []
    for tid, low, high in sorted((tid, first + 1, last - 1) for tid, first, last in spans):
        if merged and merged[-1][0] == tid and low <= merged[-1][2] + 1:
            merged[-1][2] = max(merged[-1][2], high)
        else:
            merged.append([tid, low, high])
    if not merged:
        return {}
    rows = connection.execute(
        sql(f"SELECT s.transcript_id, s.position, CASE WHEN s.speaker_id IN ({EXCLUDED_SPEAKERS_SQL}) THEN NULL "
            "ELSE s.text END FROM json_each(:ranges) AS r JOIN segments AS s "
            "ON s.transcript_id = json_extract(r.value, '$[0]') "
            "AND s.position BETWEEN json_extract(r.value, '$[1]') AND json_extract(r.value, '$[2]')"),
        {"ranges": json.dumps(merged)},
    ).all()
    return {(tid, position): turn_text for tid, position, turn_text in rows}


def _context(before: str, text: str, after: str, width: int) -> str:
    """The passage marked « » with up to `width` characters of its turns either side, cut at a
    word and on one line (turn breaks shown as " / ")."""
    return f"{clip_left(before, width)}«{text}»{clip_right(after, width)}".replace("\n", TURN_BREAK)
