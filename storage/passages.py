"""A passage's time span from the words it covers.

A turn's words are its text's whitespace-separated tokens, in order (storage/alignment.py keeps
them so after every edit), so the n-th token of the text has the n-th word's times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TOKEN = re.compile(r"\S+")

WordTimes = Sequence[Sequence[object]]  # [[text, start, end, probability], ...] or Word tuples


def word_span(text: str, words: WordTimes, start: int, end: int) -> tuple[float, float] | None:
    """Start of the first and end of the last word overlapping text[start:end], or None when
    the span covers no word (or the turn has no word times)."""
    if not words or end <= start:
        return None
    first = last = -1
    for number, token in enumerate(TOKEN.finditer(text)):
        if token.start() >= end:
            break
        if token.end() > start:
            if first < 0:
                first = number
            last = number
    if first < 0 or first >= len(words):
        return None
    last = min(last, len(words) - 1)
    return float(words[first][1]), float(words[last][2])  # type: ignore[arg-type]


def turn_span_times(turns: Sequence[tuple[str, WordTimes, float, float]], start: int, end: int) -> tuple[float, float]:
    """Times of a passage over one or more turns: (text, words, turn start, turn end) for each
    turn from the first to the last, the passage running from `start` in the first turn to
    `end` in the last. Falls back to the turn times where a turn has no words."""
    first_text, first_words, first_start, _ = turns[0]
    last_text, last_words, _, last_end = turns[-1]
    single = len(turns) == 1
    head = word_span(first_text, first_words, start, end if single else len(first_text))
    tail = head if single else word_span(last_text, last_words, 0, end)
    begin = head[0] if head else first_start
    finish = tail[1] if tail else last_end
    return begin, max(begin, finish)


def clip_left(before: str, width: int) -> str:
    """The last `width` characters of `before`, cut at a word boundary and marked with "…"."""
    if len(before) <= width:
        return before
    piece = before[len(before) - width:] if width > 0 else ""
    if piece and not piece[0].isspace() and not before[len(before) - width - 1].isspace():  # cut in a word: drop it
        piece = piece.split(None, 1)[1] if len(piece.split(None, 1)) > 1 else ""
    return "…" + piece.lstrip()


def clip_right(after: str, width: int) -> str:
    """The first `width` characters of `after`, cut at a word boundary and marked with "…"."""
    if len(after) <= width:
        return after
    piece = after[:width] if width > 0 else ""
    if piece and not piece[-1].isspace() and not after[width].isspace():
        piece = piece.rsplit(None, 1)[0] if len(piece.rsplit(None, 1)) > 1 else ""
    return piece.rstrip() + "…"
