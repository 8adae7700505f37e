"""The codebook: a tree of codes with colours and descriptions, and the operations a
researcher uses while it grows: create, rename, recolour, describe, move, merge and delete.

Merges and deletions return everything they changed, so undo can put it back exactly, and
are recorded in the audit (merges also in a memo on the code that absorbed the other).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor, CodeRecord, CodingState
from storage.coding import find_same, restore_states, state_of
from storage.consent import any_excluded, left_out_codings
from storage.models import AuditEntry, Code, Coding, Memo
from storage.project import Project

# Distinct colours that keep black text readable when painted as a light highlight.
PALETTE = ("#f4c542", "#6fbf73", "#64b5f6", "#f48fb1", "#ba68c8", "#ff8a65", "#4db6ac", "#a1887f",
           "#9575cd", "#aed581", "#ffb74d", "#4fc3f7", "#e57373", "#90a4ae", "#dce775", "#f06292")


@dataclass(frozen=True)
class CodeState:
    id: int
    guid: str
    parent_id: int | None
    position: int
    name: str
    color: str
    description: str
    merged_from: tuple[Any, ...]
    created_at: datetime


@dataclass(frozen=True)
class CodeMerge:
    source: CodeState
    target_id: int
    children: tuple[tuple[int, int], ...]  # (child id, its old position) moved under the target
    moved_codings: tuple[int, ...]
    dropped_duplicates: tuple[CodingState, ...]
    target_merged_from: tuple[Any, ...]
    memo_id: int


@dataclass(frozen=True)
class DeletedCodes:
    codes: tuple[CodeState, ...]  # parents before children
    codings: tuple[CodingState, ...]
    memos: tuple[dict[str, Any], ...]


def codes_tree(project: Project) -> list[CodeRecord]:
    """Every code, parents before children and siblings by position, with coding counts (of the
    passages retrieval shows: one wholly in turns left out of analysis is not counted,
    storage/consent.py)."""
    with project.session() as session:
        return _tree(session)


def get_code(project: Project, code_id: int) -> CodeRecord:
    for code in codes_tree(project):
        if code.id == code_id:
            return code
    raise KeyError(f"no code {code_id}")


def find_code(project: Project, name: str) -> CodeRecord | None:
    """A code by name, ignoring case and surrounding spaces."""
    wanted = name.strip().casefold()
    return next((code for code in codes_tree(project) if code.name.casefold() == wanted), None)


def descendant_ids(project: Project, *code_ids: int) -> list[int]:
    """The codes and every code below them, the given ones first, parents before children."""
    with project.session() as session:
        return _descendants(session, *code_ids)


def create_code(project: Project, name: str, parent_id: int | None = None, *, color: str | None = None,
                description: str = "", position: int | None = None) -> CodeRecord:
    name = _clean_name(name)
    with project.write() as session:
        if parent_id is not None and session.get(Code, parent_id) is None:
            raise KeyError(f"no code {parent_id}")
        siblings = _siblings(session, parent_id)
        position = len(siblings) if position is None else min(max(position, 0), len(siblings))
        row = Code(name=name, parent_id=parent_id, color=color or _next_colour(session), description=description,
                   position=position, merged_from=[])
        session.add(row)
        session.flush()
        siblings.insert(position, row)
        _renumber(siblings)
        code_id = row.id
    return get_code(project, code_id)


def rename_code(project: Project, code_id: int, name: str) -> tuple[CodeRecord, CodeRecord]:
    name = _clean_name(name)
    before = get_code(project, code_id)
    with project.write() as session:
        _get(session, code_id).name = name
        session.add(AuditEntry(action="code_renamed", details={"code": before.guid, "from": before.name, "to": name}))
    return before, get_code(project, code_id)


def set_code_color(project: Project, code_id: int, color: str) -> tuple[CodeRecord, CodeRecord]:
    before = get_code(project, code_id)
    with project.write() as session:
        _get(session, code_id).color = color
    return before, get_code(project, code_id)


def describe_code(project: Project, code_id: int, description: str) -> tuple[CodeRecord, CodeRecord]:
    before = get_code(project, code_id)
    with project.write() as session:
        _get(session, code_id).description = description
    return before, get_code(project, code_id)


def move_code(project: Project, code_id: int, parent_id: int | None, position: int) -> CodeRecord:
    """Move a code (with everything below it) under `parent_id` at `position` among its new
    siblings. Returns the code as it was, so undo can move it back."""
    before = get_code(project, code_id)
    with project.write() as session:
        row = _get(session, code_id)
        if parent_id is not None and parent_id in _descendants(session, code_id):
            raise ValueError("a code cannot be moved under itself or one of its sub-codes")
        old_siblings = [s for s in _siblings(session, row.parent_id) if s.id != code_id]
        _renumber(old_siblings)
        row.parent_id = parent_id
        new_siblings = [s for s in _siblings(session, parent_id) if s.id != code_id]
        new_siblings.insert(min(max(position, 0), len(new_siblings)), row)
        _renumber(new_siblings)
    return before


def merge_codes(project: Project, source_id: int, target_id: int, author: str = "") -> CodeMerge:
    """Merge code `source` into `target`: its codings and sub-codes move to the target, codings
    that would duplicate one the target already has are dropped, and the source is removed."""
    if source_id == target_id:
        raise ValueError("a code cannot be merged into itself")
    with project.write() as session:
        source, target = _get(session, source_id), _get(session, target_id)
        if target_id in _descendants(session, source_id):
            raise ValueError("a code cannot be merged into one of its own sub-codes")
        source_state = _state(source)
        children = tuple((child.id, child.position) for child in _siblings(session, source_id))
        target_children = _siblings(session, target_id)
        for child in _siblings(session, source_id):
            child.parent_id = target_id
            target_children.append(child)
        _renumber(target_children)
        moved, dropped = [], []
        for coding in session.scalars(select(Coding).where(Coding.code_id == source_id)).all():
            span = ((coding.start_segment_id, coding.start_offset), (coding.end_segment_id, coding.end_offset))
            if find_same(session, target_id, Anchor(*span[0]), Anchor(*span[1])) is not None:
                dropped.append(state_of(coding))
                session.delete(coding)
            else:
                coding.code_id = target_id
                moved.append(coding.id)
        session.flush()
        target_merged_from = tuple(target.merged_from or ())
        target.merged_from = [*target_merged_from, {"guid": source.guid, "name": source.name,
                                                    "at": datetime.now().isoformat(timespec="seconds")}]
        memo = Memo(target_kind="code", target_id=target_id, title=f"Merged “{source.name}” into this code",
                    body=(f"“{source.name}” was merged into “{target.name}”: {len(moved)} passages moved, "
                          f"{len(dropped)} already coded here. Its description was: {source.description or '(none)'}"),
                    author=author)
        session.add(memo)
        session.add(AuditEntry(action="code_merged", details={
            "from": source.name, "from_guid": source.guid, "into": target.name, "into_guid": target.guid,
            "codings_moved": len(moved), "duplicates_dropped": len(dropped)}))
        session.flush()
        session.execute(update(Memo).where(Memo.target_kind == "code", Memo.target_id == source_id)
                        .values(target_id=target_id))
        session.delete(source)
        session.flush()
        _renumber(_siblings(session, source_state.parent_id))
        return CodeMerge(source_state, target_id, children, tuple(moved), tuple(dropped), target_merged_from, memo.id)


def undo_merge(project: Project, merge: CodeMerge) -> None:
    with project.write() as session:
        _restore_code(session, merge.source)
        session.flush()
        for child_id, position in merge.children:
            child = _get(session, child_id)
            child.parent_id, child.position = merge.source.id, position
        _renumber(_siblings(session, merge.target_id))
        session.execute(update(Coding).where(Coding.id.in_(merge.moved_codings)).values(code_id=merge.source.id))
        restore_states(session, merge.dropped_duplicates)
        session.execute(delete(Memo).where(Memo.id == merge.memo_id))
        _get(session, merge.target_id).merged_from = list(merge.target_merged_from)
        session.add(AuditEntry(action="code_merge_undone", details={"code": merge.source.name}))


def delete_code(project: Project, code_id: int) -> DeletedCodes:
    """Delete a code, its sub-codes, their codings and memos. Returns them all for undo."""
    with project.write() as session:
        ids = _descendants(session, code_id)
        rows = {row.id: row for row in session.scalars(select(Code).where(Code.id.in_(ids)))}
        codes = tuple(_state(rows[i]) for i in ids)
        codings = session.scalars(select(Coding).where(Coding.code_id.in_(ids))).all()
        coding_states = tuple(state_of(c) for c in codings)
        coding_ids = [c.id for c in codings]
        memo_rows = session.scalars(select(Memo).where(
            ((Memo.target_kind == "code") & Memo.target_id.in_(ids))
            | ((Memo.target_kind == "coding") & Memo.target_id.in_(coding_ids)))).all()
        memos = tuple({column.key: getattr(memo, column.key) for column in Memo.__table__.columns} for memo in memo_rows)
        for memo in memo_rows:
            session.delete(memo)
        parent_id = rows[code_id].parent_id
        session.delete(rows[code_id])  # sub-codes and codings follow by ON DELETE CASCADE
        session.flush()
        _renumber(_siblings(session, parent_id))
        session.add(AuditEntry(action="code_deleted", details={
            "code": codes[0].name, "guid": codes[0].guid, "sub_codes": len(codes) - 1, "codings": len(coding_states)}))
        return DeletedCodes(codes, coding_states, memos)


def restore_code(project: Project, deleted: DeletedCodes) -> None:
    """Undo delete_code: the codes under their old ids and places, their codings and memos."""
    with project.write() as session:
        for state in deleted.codes:
            _restore_code(session, state)
            session.flush()
        restore_states(session, deleted.codings)
        for values in deleted.memos:
            session.add(Memo(**values))
        session.add(AuditEntry(action="code_restored", details={"code": deleted.codes[0].name}))


# --- helpers -------------------------------------------------------------------------------------

def _tree(session: Session) -> list[CodeRecord]:
    rows = session.execute(select(Code.id, Code.guid, Code.parent_id, Code.position, Code.name, Code.color,
                                  Code.description, Code.merged_from)).all()
    counts = coding_counts(session)
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    totals: dict[int, int] = {}

    def total(code_id: int) -> int:
        if code_id not in totals:
            totals[code_id] = counts.get(code_id, 0) + sum(total(child.id) for child in children.get(code_id, []))
        return totals[code_id]

    ordered: list[CodeRecord] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda r: (r.position, r.id)):
            merged = tuple(item.get("name", "") if isinstance(item, dict) else str(item) for item in row.merged_from or ())
            ordered.append(CodeRecord(row.id, row.guid, row.parent_id, row.position, row.name, row.color,
                                      row.description, depth, counts.get(row.id, 0), total(row.id), merged))
            walk(row.id, depth + 1)

    walk(None, 0)
    return ordered


def coding_counts(session: Session) -> dict[int, int]:
    """Codings per code, as retrieval shows them: those wholly in turns whose words are left out
    of analysis are not counted (storage/consent.py)."""
    counts = dict(session.execute(select(Coding.code_id, func.count()).group_by(Coding.code_id)).all())
    if any_excluded(session):
        for code_id, left_out in session.execute(left_out_codings(Coding.code_id, func.count()).group_by(Coding.code_id)):
            counts[code_id] -= left_out
    return counts


def _descendants(session: Session, *code_ids: int) -> list[int]:
    """One query per level of the tree. A code already seen is not walked again, so a damaged
    tree with a cycle ends instead of looping."""
    found = list(dict.fromkeys(code_ids))
    seen, frontier = set(found), found
    while frontier:
        below = session.scalars(select(Code.id).where(Code.parent_id.in_(frontier)).order_by(Code.position))
        frontier = [code_id for code_id in below if code_id not in seen]
        seen.update(frontier)
        found.extend(frontier)
    return found


def _siblings(session: Session, parent_id: int | None) -> list[Code]:
    condition = Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
    return list(session.scalars(select(Code).where(condition).order_by(Code.position, Code.id)))


def _renumber(codes: list[Code]) -> None:
    for position, code in enumerate(codes):
        if code.position != position:
            code.position = position


def _next_colour(session: Session) -> str:
    used = Counter(session.scalars(select(Code.color)))
    return min(PALETTE, key=lambda colour: (used[colour], PALETTE.index(colour)))


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError("a code needs a name")
    return name


def _get(session: Session, code_id: int) -> Code:
    row = session.get(Code, code_id)
    if row is None:
        raise KeyError(f"no code {code_id}")
    return row


def _state(row: Code) -> CodeState:
    return CodeState(row.id, row.guid, row.parent_id, row.position, row.name, row.color, row.description,
                     tuple(row.merged_from or ()), row.created_at)


def _restore_code(session: Session, state: CodeState) -> None:
    values = {field.name: getattr(state, field.name) for field in fields(CodeState)}
    values["merged_from"] = list(state.merged_from)
    row = Code(**values)
    session.add(row)
    session.flush()
    siblings = [s for s in _siblings(session, state.parent_id) if s.id != state.id]
    siblings.insert(min(state.position, len(siblings)), row)
    _renumber(siblings)
