"""Moving codings when the turns under them change (storage/editing.py calls these inside the
edit's own transaction, so text and codings always change together).

Each function returns the affected codings as they were before, which is all undo needs: the
edit's undo restores the turns, then puts these states back (coding.restore_states).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor, CodingState
from storage.anchors import SplitPoint, TextEdit, map_span, merge_shift, split_end, split_start
from storage.coding import find_same, neighbour, normalise, state_of
from storage.models import Coding, Segment


def touching(session: Session, *segment_ids: int) -> list[Coding]:
    return list(session.scalars(select(Coding).where(
        or_(Coding.start_segment_id.in_(segment_ids), Coding.end_segment_id.in_(segment_ids))).order_by(Coding.id)))


def after_text_edit(session: Session, segment_id: int, edits: list[TextEdit]) -> list[CodingState]:
    """Move the ends that lie in the edited turn (whose new text is already flushed)."""
    rows = touching(session, segment_id)
    before = [state_of(row) for row in rows]
    for row in rows:
        start, end = map_span(row.start_offset if row.start_segment_id == segment_id else None,
                              row.end_offset if row.end_segment_id == segment_id else None, edits)
        _settle(session, row, Anchor(row.start_segment_id, row.start_offset if start is None else start),
                Anchor(row.end_segment_id, row.end_offset if end is None else end))
    return before


def after_split(session: Session, first_id: int, second_id: int, point: SplitPoint) -> list[CodingState]:
    """The turn `first_id` was split at `point`; the second part is the new turn `second_id`."""
    rows = touching(session, first_id)
    before = [state_of(row) for row in rows]
    parts = (first_id, second_id)
    for row in rows:
        start = Anchor(row.start_segment_id, row.start_offset)
        end = Anchor(row.end_segment_id, row.end_offset)
        if start.segment_id == first_id:
            part, offset = split_start(start.offset, point)
            start = Anchor(parts[part], offset)
        if end.segment_id == first_id:
            part, offset = split_end(end.offset, point)
            end = Anchor(parts[part], offset)
        _settle(session, row, start, end)
    return before


def before_merge(session: Session, first: Segment, second: Segment) -> list[CodingState]:
    """Re-anchor into `first` everything anchored in `second`, which is about to be deleted
    (call before the merged text is written: offsets are computed from both texts)."""
    first_shift, second_shift, length = merge_shift(first.text, second.text)
    rows = touching(session, first.id, second.id)
    before = [state_of(row) for row in rows]
    for row in rows:
        if row.start_segment_id in (first.id, second.id):
            shift = first_shift if row.start_segment_id == first.id else second_shift
            row.start_segment_id, row.start_offset = first.id, min(max(row.start_offset + shift, 0), length)
        if row.end_segment_id in (first.id, second.id):
            shift = first_shift if row.end_segment_id == first.id else second_shift
            row.end_segment_id, row.end_offset = first.id, min(max(row.end_offset + shift, 0), length)
    session.flush()
    return before


def settle_after_merge(session: Session, first_id: int) -> None:
    """Once the merged text is written: drop codings that became empty or duplicates."""
    for row in touching(session, first_id):
        _settle(session, row, Anchor(row.start_segment_id, row.start_offset), Anchor(row.end_segment_id, row.end_offset))


def before_delete(session: Session, segment: Segment) -> list[CodingState]:
    """A turn is about to go: passages inside it go with it; passages running through it keep
    their other turns."""
    rows = touching(session, segment.id)
    before = [state_of(row) for row in rows]
    for row in rows:
        if row.start_segment_id == segment.id and row.end_segment_id == segment.id:
            session.delete(row)
            continue
        start, end = Anchor(row.start_segment_id, row.start_offset), Anchor(row.end_segment_id, row.end_offset)
        if start.segment_id == segment.id:
            start = _turn_edge(session, segment, +1)
        if end.segment_id == segment.id:
            end = _turn_edge(session, segment, -1)
        _settle(session, row, start, end)
    session.flush()
    return before


def _turn_edge(session: Session, segment: Segment, step: int) -> Anchor:
    turn = neighbour(session, segment, step)
    return Anchor(turn.id, 0 if step > 0 else len(turn.text))


def _settle(session: Session, row: Coding, start: Anchor, end: Anchor) -> None:
    """Store normalised anchors, or delete the coding when nothing of it is left or it now
    duplicates another coding of the same code."""
    session.flush()
    span = normalise(session, start, end)
    if span is None or find_same(session, row.code_id, *span, other_than=row.id) is not None:
        session.delete(row)
        session.flush()
        return
    new_start, new_end = span
    row.start_segment_id, row.start_offset = new_start.segment_id, new_start.offset
    row.end_segment_id, row.end_offset = new_end.segment_id, new_end.offset
    session.flush()
