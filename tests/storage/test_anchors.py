"""The anchor rules one by one (the property test checks them together on random scripts)."""

from __future__ import annotations

import pytest

from storage.anchors import (
    TextEdit, edits_between, edits_fit, map_span, merge_shift, split_end, split_point, split_start,
)

TEXT = "we reviewed the discharge policy"  # a coding on "the discharge" is [12, 25)
START, END = 12, 25


def span_after(edit: TextEdit) -> tuple[int, int]:
    start, end = map_span(START, END, [edit])
    assert start is not None and end is not None
    return start, end


@pytest.mark.parametrize(("edit", "expected"), [
    (TextEdit(3, 0, 4), (16, 29)),  # typed before: both ends move
    (TextEdit(16, 0, 3), (12, 28)),  # typed inside: the coding grows
    (TextEdit(12, 0, 2), (14, 27)),  # typed at the start: stays outside
    (TextEdit(25, 0, 2), (12, 25)),  # typed at the end: stays outside
    (TextEdit(9, 5, 0), (9, 20)),  # deleted across the start: shrinks to what is left
    (TextEdit(20, 8, 0), (12, 20)),  # deleted across the end
    (TextEdit(12, 3, 3), (12, 25)),  # the first word replaced: the replacement stays coded
    (TextEdit(16, 9, 4), (12, 20)),  # the last word replaced: the replacement stays coded
    (TextEdit(12, 13, 0), (12, 12)),  # all of it deleted: empty, the caller removes it
])
def test_rules(edit: TextEdit, expected: tuple[int, int]) -> None:
    assert span_after(edit) == expected


def test_edits_between_reproduce_the_change() -> None:
    old, new = "the 🙂 ward said no", "the 🙂 new ward said yes"
    edits = edits_between(old, new)
    assert edits_fit(old, new, edits)
    start, end = map_span(old.index("ward"), old.index("ward") + 4, edits)
    assert new[start:end] == "ward"
    assert not edits_fit(old, new, [TextEdit(0, 1, 5)])


def test_split_and_merge_offsets() -> None:
    text = "first part.  second part"
    point = split_point(text, 12)
    assert (point.head_length, point.tail_start) == (11, 13)
    assert split_start(13, point) == (1, 0) and split_start(11, point) == (1, 0) and split_start(3, point) == (0, 3)
    assert split_end(11, point) == (0, 11) and split_end(13, point) == (0, 11) and split_end(20, point) == (1, 7)
    assert merge_shift("first part.", "second part") == (0, 12, 23)
