"""Editing a transcript's turns: text (with word re-alignment), speaker, split and merge.

Every operation keeps segment ids where it can (codings are anchored to segments), moves the
codings under it in the same transaction (storage/coding_moves.py), and returns the turns before
and after plus the codings as they were, so the app can undo it exactly. Operations are built
from three primitives that undo uses as well: put a turn's state, insert a turn at a position,
delete a turn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage import coding_moves
from storage.alignment import realign_words
from storage.analysis_records import CodingState
from storage.anchors import TextEdit, edits_between, edits_fit, split_point
from storage.coding import restore_states
from storage.models import AuditEntry, Participant, Segment, Speaker
from storage.project import Project
from storage.records import SegmentRecord, Word
from storage.transcripts import segment_record, speaker_for_label


@dataclass(frozen=True)
class SpeakerChange:
    """What rename_speaker did, enough to undo it."""

    old_label: str
    new_label: str
    merged: bool  # new_label existed: old's turns moved to it and old was removed
    moved_segment_ids: tuple[int, ...]
    # The removed speaker as it was, so undoing a merge brings back its GUID (exports) and its
    # participant link (without it, an observe-only participant's words would become analysable).
    old_guid: str | None = None
    old_participant_id: int | None = None
    # The moved turns whose speaker a person had set already; the others become set by hand
    # (renaming or merging says who speaks there) and go back to automatic on undo.
    by_hand_before: tuple[int, ...] = ()


@dataclass(frozen=True)
class TextChange:
    """What edit_turn_text did: the turn before and after, and the codings it moved as they were."""

    before: SegmentRecord
    after: SegmentRecord
    codings: tuple[CodingState, ...]


@dataclass(frozen=True)
class SplitChange:
    before: SegmentRecord
    first: SegmentRecord
    second: SegmentRecord
    codings: tuple[CodingState, ...]


@dataclass(frozen=True)
class MergeChange:
    first: SegmentRecord
    second: SegmentRecord
    merged: SegmentRecord
    codings: tuple[CodingState, ...]


def get_turn(project: Project, segment_id: int) -> SegmentRecord:
    with project.session() as session:
        return segment_record(_get(session, segment_id))


def put_turn(project: Project, state: SegmentRecord) -> SegmentRecord:
    """Write a turn's text, words, times and speaker as given (its id and position stay).
    Codings are not moved: callers that change text use edit_turn_text."""
    with project.write() as session:
        return _put(session, state)


def insert_turn(project: Project, state: SegmentRecord) -> SegmentRecord:
    """Insert a turn at state.position, moving later turns down one. state.id is reused when
    given and free (undo brings a turn back under its old id), else a new id is made."""
    with project.write() as session:
        return _insert(session, state)


def delete_turn(project: Project, segment_id: int) -> tuple[SegmentRecord, tuple[CodingState, ...]]:
    """Remove a turn, moving later turns up one. Passages inside it are removed, passages
    running through it keep their other turns. Returns the turn and the codings as they were."""
    with project.write() as session:
        row = _get(session, segment_id)
        codings = coding_moves.before_delete(session, row)
        return _delete(session, row), tuple(codings)


def edit_turn_text(project: Project, segment_id: int, text: str, edits: list[TextEdit] | None = None) -> TextChange:
    """Change a turn's text. `edits` is how the text changed, as the editor recorded it; it
    moves each coding's ends exactly. Without it (or when it does not fit) the change is
    worked out by comparing the texts."""
    with project.write() as session:
        row = _get(session, segment_id)
        before = segment_record(row)
        if edits is None or not edits_fit(before.text, text, edits):
            edits = edits_between(before.text, text)
        words = realign_words(before.words, text, before.start, before.end)
        after = _put(session, replace(before, text=text, words=words))
        codings = coding_moves.after_text_edit(session, segment_id, edits)
        return TextChange(before, after, tuple(codings))


def undo_text_change(project: Project, change: TextChange) -> SegmentRecord:
    with project.write() as session:
        restored = _put(session, change.before)
        restore_states(session, change.codings)
        return restored


def set_turn_speaker(project: Project, segment_id: int, label: str | None) -> tuple[SegmentRecord, SegmentRecord]:
    """A person sets the speaker: the turn is marked so speaker labelling leaves it alone.
    Undo puts `before` back, its mark included."""
    before = get_turn(project, segment_id)
    label = (label or "").strip() or None
    return before, put_turn(project, replace(before, speaker=label, speaker_by_hand=True))


def split_turn(project: Project, segment_id: int, offset: int, *, second_id: int = 0) -> SplitChange:
    """Split a turn at a character offset. Words before the offset stay in the first turn;
    the times split at the nearest word boundary; codings follow their words. `second_id`
    reuses the id the second part had before (redo after undo)."""
    with project.write() as session:
        return split_turn_in(session, segment_id, offset, second_id=second_id)


def split_turn_in(session: Session, segment_id: int, offset: int, *, second_id: int = 0, shift: bool = True) -> SplitChange:
    """split_turn inside the caller's transaction (storage.speaker_labels splits many turns in
    one). Both parts keep the turn's speaker and whether a person set it. `shift=False`: the
    caller has left the next position free (moving every later turn once per split is what
    makes hundreds of splits slow)."""
    before = segment_record(_get(session, segment_id))
    head_text, tail_text = before.text[:offset].rstrip(), before.text[offset:].lstrip()
    if not head_text or not tail_text:
        raise ValueError("a turn can only be split between words, not at its very start or end")
    head_count = len(head_text.split())
    tail_count = len(tail_text.split())
    words = realign_words(before.words, " ".join([head_text, tail_text]), before.start, before.end)
    head_words, tail_words = words[:head_count], words[head_count : head_count + tail_count]
    boundary = _boundary(head_words, tail_words, before)
    first = _put(session, replace(before, text=head_text, words=tuple(head_words), end=boundary))
    second = _insert(session, SegmentRecord(second_id, before.transcript_id, before.position + 1, boundary,
                                            before.end, before.speaker, tail_text, tuple(tail_words),
                                            before.speaker_by_hand), shift=shift)
    codings = coding_moves.after_split(session, first.id, second.id, split_point(before.text, offset))
    return SplitChange(before, first, second, tuple(codings))


def unsplit(project: Project, change: SplitChange) -> SegmentRecord:
    with project.write() as session:
        return unsplit_in(session, change)


def unsplit_in(session: Session, change: SplitChange, *, shift: bool = True) -> SegmentRecord:
    """Undo a split: the codings go back first, so none is anchored in the second part when
    it is deleted. `shift=False` leaves its position empty: the caller closes the gaps
    (renumber) once after many."""
    restored = _put(session, change.before)
    restore_states(session, change.codings)
    _delete(session, _get(session, change.second.id), shift=shift)
    return restored


def renumber(session: Session, transcript_id: int, positions: dict[int, int]) -> None:
    """Move turns (id -> new position) in two statements however many there are, through
    negative positions as _shift does."""
    if not positions:
        return
    session.flush()
    table = Segment.__table__
    session.execute(table.update().where(table.c.id == bindparam("turn")).values(position=bindparam("target")),
                    [{"turn": turn, "target": -position - 1} for turn, position in positions.items()])
    session.execute(table.update().where(table.c.transcript_id == transcript_id, table.c.position < 0)
                    .values(position=-table.c.position - 1))
    session.expire_all()


def merge_with_next(project: Project, segment_id: int) -> MergeChange:
    """Join a turn with the one after it; codings in the second move into the joined turn."""
    with project.write() as session:
        first_row = _get(session, segment_id)
        following = session.scalars(
            select(Segment).where(Segment.transcript_id == first_row.transcript_id, Segment.position == first_row.position + 1)
        ).first()
        if following is None:
            raise ValueError("the last turn has no next turn to merge with")
        first, second = segment_record(first_row), segment_record(following)
        codings = coding_moves.before_merge(session, first_row, following)
        # Joining turns of two speakers gives the second's words the first's speaker: a person's
        # decision, which speaker labelling must not undo.
        by_hand = first.speaker_by_hand or second.speaker_by_hand or first.speaker != second.speaker
        merged = replace(first, text=f"{first.text} {second.text}".strip(), end=max(first.end, second.end),
                         words=first.words + second.words, speaker_by_hand=by_hand)
        _delete(session, following)
        merged = _put(session, merged)
        coding_moves.settle_after_merge(session, segment_id)
        return MergeChange(first, second, merged, tuple(codings))


def unmerge(project: Project, change: MergeChange) -> None:
    """Undo merge_with_next: both turns back as they were, the second under its old id."""
    with project.write() as session:
        _put(session, change.first)
        _insert(session, change.second)
        restore_states(session, change.codings)


def speaker_labels(project: Project) -> list[str]:
    with project.session() as session:
        return list(session.scalars(select(Speaker.label).order_by(Speaker.label)))


def speaker_id(project: Project, label: str) -> int | None:
    with project.session() as session:
        return session.scalar(select(Speaker.id).where(Speaker.label == label))


def rename_speaker(project: Project, old_label: str, new_label: str) -> SpeakerChange:
    """Rename a speaker label across the whole project; when the new label exists already,
    merge: every turn of the old label moves to it."""
    new_label = new_label.strip()
    if not new_label:
        raise ValueError("a speaker label cannot be empty")
    with project.write() as session:
        old = session.scalars(select(Speaker).where(Speaker.label == old_label)).one()
        target = session.scalars(select(Speaker).where(Speaker.label == new_label)).first()
        moved = tuple(session.scalars(select(Segment.id).where(Segment.speaker_id == old.id)))
        by_hand_before = tuple(session.scalars(
            select(Segment.id).where(Segment.speaker_id == old.id, Segment.speaker_by_hand.is_(True))))
        old_guid, old_participant_id = old.guid, old.participant_id
        session.execute(update(Segment).where(Segment.speaker_id == old.id).values(speaker_by_hand=True))
        if target is None or target.id == old.id:
            old.label = new_label
            merged = False
        else:
            session.execute(update(Segment).where(Segment.speaker_id == old.id).values(speaker_id=target.id))
            session.delete(old)
            merged = True
        session.add(AuditEntry(action="speaker_merged" if merged else "speaker_renamed",
                               details={"from": old_label, "to": new_label, "turns": len(moved)}))
    return SpeakerChange(old_label, new_label, merged, moved, old_guid, old_participant_id, by_hand_before)


def undo_speaker_change(project: Project, change: SpeakerChange) -> None:
    with project.write() as session:
        if not change.merged:
            session.scalars(select(Speaker).where(Speaker.label == change.new_label)).one().label = change.old_label
        else:
            participant_id = change.old_participant_id
            if participant_id is not None and session.get(Participant, participant_id) is None:
                participant_id = None  # removed from the register since; the label comes back unlinked
            restored = Speaker(label=change.old_label, participant_id=participant_id)
            if change.old_guid is not None:
                restored.guid = change.old_guid
            session.add(restored)
            session.flush()
            session.execute(update(Segment).where(Segment.id.in_(change.moved_segment_ids)).values(speaker_id=restored.id))
        automatic = set(change.moved_segment_ids) - set(change.by_hand_before)
        session.execute(update(Segment).where(Segment.id.in_(automatic)).values(speaker_by_hand=False))
        session.add(AuditEntry(action="speaker_change_undone", details={"from": change.new_label, "to": change.old_label}))


def _boundary(head: tuple[Word, ...] | list[Word], tail: tuple[Word, ...] | list[Word], turn: SegmentRecord) -> float:
    if head and tail:
        return round((head[-1].end + tail[0].start) / 2, 3) if tail[0].start >= head[-1].end else head[-1].end
    return tail[0].start if tail else (head[-1].end if head else turn.start)


def _put(session: Session, state: SegmentRecord) -> SegmentRecord:
    row = _get(session, state.id)
    _assign(session, row, state)
    session.flush()
    return segment_record(row)


def _insert(session: Session, state: SegmentRecord, *, shift: bool = True) -> SegmentRecord:
    if shift:
        _shift(session, state.transcript_id, from_position=state.position, by=1)
    row = Segment(transcript_id=state.transcript_id, position=state.position, start=state.start, end=state.end,
                  text=state.text, words=[])
    if state.id > 0 and session.get(Segment, state.id) is None:
        row.id = state.id
    _assign(session, row, state)
    session.add(row)
    session.flush()
    return segment_record(row)


def _delete(session: Session, row: Segment, *, shift: bool = True) -> SegmentRecord:
    removed = segment_record(row)
    session.delete(row)
    session.flush()
    if shift:
        _shift(session, removed.transcript_id, from_position=removed.position + 1, by=-1)
    return removed


def _assign(session: Session, row: Segment, state: SegmentRecord) -> None:
    row.start, row.end, row.text = state.start, state.end, state.text
    row.words = [[w.text, w.start, w.end, w.probability] for w in state.words]
    row.speaker = speaker_for_label(session, state.speaker, {}) if state.speaker else None
    row.speaker_by_hand = state.speaker_by_hand


def _shift(session: Session, transcript_id: int, *, from_position: int, by: int) -> None:
    """Move every turn at or after `from_position` by `by` places. Two passes through negative
    positions, because SQLite checks the unique (transcript, position) pair row by row."""
    session.flush()
    where = (Segment.transcript_id == transcript_id, Segment.position >= from_position)
    session.execute(update(Segment).where(*where).values(position=-(Segment.position + by) - 1),
                    execution_options={"synchronize_session": False})
    session.execute(
        update(Segment).where(Segment.transcript_id == transcript_id, Segment.position < 0)
        .values(position=-Segment.position - 1),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()


def _get(session: Session, segment_id: int) -> Segment:
    row = session.get(Segment, segment_id)
    if row is None:
        raise KeyError(f"no turn {segment_id}")
    return row
