"""Applying and removing codes on passages of a transcript.

A coding is anchored at both ends to (turn, code-point offset). Anchors are kept normalised:
a start never sits at the very end of a turn when the passage goes on into the next one, and an
end never sits at offset 0 of a turn when the passage began in an earlier one. With that rule
a passage is empty exactly when both ends are in one turn and start >= end, and two codings of
the same words have the same anchors (so duplicates can be recognised).

Consent (storage/consent.py): a passage touching a turn of someone whose words are left out of
analysis cannot be coded, and coded_text shows such turns only as a marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor, CodingRecord, CodingState
from storage.bulk import collector_paused
from storage.consent import ConsentError, any_excluded, excluded_speaker_ids_query, masked_text, span_refusal
from storage.models import Code, Coding, Memo, Segment
from storage.project import Project


def apply_code(project: Project, code_id: int, transcript_id: int, start: Anchor, end: Anchor,
               author: str = "") -> CodingRecord | None:
    """Code the passage from `start` to `end`. None when it is empty or that code already
    covers exactly these words. ConsentError (a ValueError) when it touches a turn whose words
    are left out of analysis."""
    with project.write() as session:
        if session.get(Code, code_id) is None:
            raise KeyError(f"no code {code_id}")
        span = normalise(session, start, end)
        if span is None:
            return None
        start, end = span
        if _segment_transcript(session, start.segment_id) != transcript_id:
            raise ValueError("a coded passage must lie inside one transcript")
        refusal = _refusal(session, start, end)
        if refusal is not None:
            raise ConsentError(refusal)
        if find_same(session, code_id, start, end) is not None:
            return None
        row = Coding(code_id=code_id, transcript_id=transcript_id, start_segment_id=start.segment_id,
                     start_offset=start.offset, end_segment_id=end.segment_id, end_offset=end.offset, author=author)
        session.add(row)
        session.flush()
        return _records(session, [row])[0]


def consent_refusal(project: Project, start: Anchor, end: Anchor) -> str | None:
    """Why the passage from `start` to `end` may not be coded (it touches a turn whose words are
    left out of analysis, storage/consent.py), or None. Asked before a code is made for it."""
    with project.session() as session:
        if not any_excluded(session):  # on every apply: the common case reads no turn
            return None
        span = normalise(session, start, end)
        return None if span is None else _refusal(session, *span)


def remove_coding(project: Project, coding_id: int) -> CodingState:
    removed = delete_codings(project, [coding_id])
    if not removed:
        raise KeyError(f"no coding {coding_id}")
    return removed[0]


def delete_codings(project: Project, coding_ids: Iterable[int]) -> list[CodingState]:
    """Remove codings; returns them as they were, for restore_codings (undo)."""
    ids = list(coding_ids)
    with project.write() as session:
        rows = list(session.scalars(select(Coding).where(Coding.id.in_(ids))))
        states = [state_of(row) for row in rows]
        session.execute(delete(Coding).where(Coding.id.in_(ids)))
        return states


def restore_codings(project: Project, states: Iterable[CodingState]) -> None:
    with project.write() as session:
        restore_states(session, states)


def codings_in_transcript(project: Project, transcript_id: int) -> list[CodingRecord]:
    """Every coding of a transcript with its code's name and colour, in text order."""
    with project.session() as session, collector_paused():
        start_segment = Segment.__table__.alias("start_segment")
        rows = session.execute(
            select(Coding.id, Coding.code_id, Code.name, Code.color, Coding.start_segment_id, Coding.start_offset,
                   Coding.end_segment_id, Coding.end_offset)
            .join(Code, Code.id == Coding.code_id)
            .join(start_segment, start_segment.c.id == Coding.start_segment_id)
            .where(Coding.transcript_id == transcript_id)
            .order_by(start_segment.c.position, Coding.start_offset, Coding.id)
        ).all()
        with_memo = set(session.scalars(select(Memo.target_id).where(Memo.target_kind == "coding")))
        return [
            CodingRecord(id_, code_id, name, color, transcript_id, Anchor(s_seg, s_off), Anchor(e_seg, e_off),
                         id_ in with_memo)
            for id_, code_id, name, color, s_seg, s_off, e_seg, e_off in rows
        ]


def coding_state(project: Project, coding_id: int) -> CodingState:
    with project.session() as session:
        row = session.get(Coding, coding_id)
        if row is None:
            raise KeyError(f"no coding {coding_id}")
        return state_of(row)


def coded_text(project: Project, coding_id: int) -> str:
    """The words a coding covers (turns joined by a line break), as retrieval shows them: the
    words of turns left out of analysis read as one marker per run (storage/consent.py)."""
    with project.session() as session:
        row = session.get(Coding, coding_id)
        if row is None:
            raise KeyError(f"no coding {coding_id}")
        first, last = session.get(Segment, row.start_segment_id), session.get(Segment, row.end_segment_id)
        assert first is not None and last is not None
        turns = session.execute(
            select(Segment.id, Segment.text, Segment.speaker_id.in_(excluded_speaker_ids_query()))
            .where(Segment.transcript_id == first.transcript_id, Segment.position.between(first.position, last.position))
            .order_by(Segment.position)
        ).all()
        pieces: list[str | None] = []
        for segment_id, text, excluded in turns:
            if excluded:
                pieces.append(None)
                continue
            begin = row.start_offset if segment_id == first.id else 0
            finish = row.end_offset if segment_id == last.id else len(text)
            pieces.append(text[begin:finish])
        return masked_text(pieces)


# --- helpers shared with coding_moves.py and the codebook ---------------------------------------

def normalise(session: Session, start: Anchor, end: Anchor) -> tuple[Anchor, Anchor] | None:
    """Clamp both ends into their turns and move them off turn edges (see the module doc).
    None when the passage is empty or its ends are out of order."""
    first, last = session.get(Segment, start.segment_id), session.get(Segment, end.segment_id)
    if first is None or last is None or first.transcript_id != last.transcript_id:
        return None
    start_offset = min(max(start.offset, 0), len(first.text))
    end_offset = min(max(end.offset, 0), len(last.text))
    while start_offset >= len(first.text) and first.position < last.position:
        first = neighbour(session, first, +1)
        start_offset = 0
    while end_offset <= 0 and last.position > first.position:
        last = neighbour(session, last, -1)
        end_offset = len(last.text)
    if first.position > last.position or (first.id == last.id and start_offset >= end_offset):
        return None
    return Anchor(first.id, start_offset), Anchor(last.id, end_offset)


def find_same(session: Session, code_id: int, start: Anchor, end: Anchor, *, other_than: int | None = None) -> int | None:
    query = select(Coding.id).where(
        Coding.code_id == code_id, Coding.start_segment_id == start.segment_id, Coding.start_offset == start.offset,
        Coding.end_segment_id == end.segment_id, Coding.end_offset == end.offset)
    if other_than is not None:
        query = query.where(Coding.id != other_than)
    return session.scalars(query).first()


def state_of(row: Coding) -> CodingState:
    return CodingState(row.id, row.guid, row.code_id, row.transcript_id, Anchor(row.start_segment_id, row.start_offset),
                       Anchor(row.end_segment_id, row.end_offset), row.author, row.created_at)


def restore_states(session: Session, states: Iterable[CodingState]) -> None:
    """Put codings back exactly as recorded: same id, guid and anchors (undo)."""
    for state in states:
        row = session.get(Coding, state.id)
        if row is None:
            row = Coding(id=state.id, guid=state.guid, created_at=state.created_at)
            session.add(row)
        row.code_id, row.transcript_id, row.author = state.code_id, state.transcript_id, state.author
        row.start_segment_id, row.start_offset = state.start.segment_id, state.start.offset
        row.end_segment_id, row.end_offset = state.end.segment_id, state.end.offset
    session.flush()


def neighbour(session: Session, segment: Segment, step: int) -> Segment:
    """The turn `step` places after (or before) `segment` in its transcript."""
    return session.scalars(
        select(Segment).where(Segment.transcript_id == segment.transcript_id, Segment.position == segment.position + step)
    ).one()


def _refusal(session: Session, start: Anchor, end: Anchor) -> str | None:
    if not any_excluded(session):  # most projects: no need to look at the turns
        return None
    first, last = session.get(Segment, start.segment_id), session.get(Segment, end.segment_id)
    assert first is not None and last is not None
    return span_refusal(session, first.transcript_id, first.position, last.position)


def _segment_transcript(session: Session, segment_id: int) -> int:
    return session.scalar(select(Segment.transcript_id).where(Segment.id == segment_id))  # type: ignore[return-value]


def _records(session: Session, rows: Sequence[Coding]) -> list[CodingRecord]:
    records = []
    for row in rows:
        code = session.get(Code, row.code_id)
        assert code is not None
        records.append(CodingRecord(row.id, row.code_id, code.name, code.color, row.transcript_id,
                                    Anchor(row.start_segment_id, row.start_offset), Anchor(row.end_segment_id, row.end_offset)))
    return records
