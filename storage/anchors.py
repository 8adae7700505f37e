"""Anchor arithmetic: where a coding's ends go when the text under them changes.

Pure functions on offsets (code points in one turn's text); storage/coding_moves.py applies
them to stored codings. The rules keep a coding on the same words:

- text typed strictly inside a coding becomes part of it;
- text typed exactly at a coding's start or end stays outside it (a coding does not grow by
  what the researcher types next to it);
- text deleted across a coding's edge shrinks the coding to what is left of it;
- a replacement that starts at a coding's start, or ends at its end, belongs to the coding
  (correcting the first or last coded word keeps it coded);
- a coding whose whole text is deleted becomes empty, and the caller removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class TextEdit:
    """`removed` code points at `position` replaced by `inserted` code points. A list of edits
    applies in order, each to the text the previous one left."""

    position: int
    removed: int
    inserted: int


def map_start(offset: int, edit: TextEdit) -> int:
    position, removed, inserted = edit.position, edit.removed, edit.inserted
    if offset < position:
        return offset
    if offset > position + removed:
        return offset + inserted - removed
    if offset == position and removed > 0:
        return position  # the replacement of the first coded characters stays coded
    return position + inserted  # inserted at the start, or the start was deleted: begin after


def map_end(offset: int, edit: TextEdit) -> int:
    position, removed, inserted = edit.position, edit.removed, edit.inserted
    if offset < position:
        return offset
    if offset > position + removed:
        return offset + inserted - removed
    if offset == position + removed and removed > 0:
        return position + inserted  # the replacement of the last coded characters stays coded
    return position  # inserted at the end, or the end was deleted: stop before


def map_span(start: int | None, end: int | None, edits: list[TextEdit]) -> tuple[int | None, int | None]:
    """Move a start and/or an end anchor (None: that end is in another turn) through edits."""
    for edit in edits:
        if start is not None:
            start = map_start(start, edit)
        if end is not None:
            end = map_end(end, edit)
    return start, end


def edits_between(old: str, new: str) -> list[TextEdit]:
    """The edits that turn `old` into `new`, for changes that arrive without their history
    (a replace-all, a script). Common prefix and suffix first, then a character diff of the
    middle; returned last-first, so applying them in order never shifts a later one."""
    if old == new:
        return []
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    old_middle, new_middle = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    if not old_middle or not new_middle or len(old_middle) * len(new_middle) > 4_000_000:
        return [TextEdit(prefix, len(old_middle), len(new_middle))]
    edits = [
        TextEdit(prefix + a0, a1 - a0, b1 - b0)
        for tag, a0, a1, b0, b1 in SequenceMatcher(a=old_middle, b=new_middle, autojunk=False).get_opcodes()
        if tag != "equal"
    ]
    # Opcodes are positions in `old`; applied from the last, earlier positions stay valid.
    return sorted(edits, key=lambda edit: edit.position, reverse=True)


def edits_fit(old: str, new: str, edits: list[TextEdit]) -> bool:
    """Whether a recorded edit list can have turned `old` into `new` (lengths and bounds)."""
    length = len(old)
    for edit in edits:
        if edit.position < 0 or edit.removed < 0 or edit.inserted < 0 or edit.position + edit.removed > length:
            return False
        length += edit.inserted - edit.removed
    return length == len(new)


@dataclass(frozen=True)
class SplitPoint:
    """How a split turn's text divides: the first turn keeps text[:head_length]; the second
    starts at old offset `tail_start` (the whitespace between them is dropped)."""

    head_length: int
    tail_start: int


def split_point(text: str, offset: int) -> SplitPoint:
    head = text[:offset].rstrip()
    tail_start = len(text) - len(text[offset:].lstrip())
    return SplitPoint(len(head), tail_start)


def split_start(offset: int, point: SplitPoint) -> tuple[int, int]:
    """(0 for the first turn, 1 for the second, offset there) of a start anchor."""
    if offset < point.head_length:
        return 0, offset
    return 1, max(0, offset - point.tail_start)


def split_end(offset: int, point: SplitPoint) -> tuple[int, int]:
    if offset > point.tail_start:
        return 1, offset - point.tail_start
    return 0, min(offset, point.head_length)


def merge_shift(first_text: str, second_text: str) -> tuple[int, int, int]:
    """For joining two turns as f"{first} {second}".strip(): how far offsets in the first and
    in the second move, and the merged length (offsets beyond it are clamped)."""
    joined = f"{first_text} {second_text}"
    lead = len(joined) - len(joined.lstrip())
    merged_length = len(joined.strip())
    return -lead, len(first_text) + 1 - lead, merged_length
