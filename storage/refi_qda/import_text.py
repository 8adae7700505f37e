"""A source's plain text as lines, and where another tool's selection positions fall in it.

POSITION UNITS. The REFI-QDA standard counts characters (we read: Unicode code points) over the
plain text as given. NVivo (measured on 12.6 for Windows) counts UTF-16 code units over the plain
text with CRLF line ends, the byte-order mark excluded: every emoji counts two, every line end
two, even where the text came with LF line ends. The two agree on text with no character outside
the Basic Multilingual Plane and CRLF line ends, and differ after the first emoji. The rule:

1. a project whose `origin` names NVivo is read as NVivo counts; one written by Earmark as code
   points (the standard's characters, which Earmark writes);
2. otherwise each source is decided on its own selections: a position past the end of the text
   in code points but inside it in NVivo's units means NVivo's units; else each interpretation
   scores one point for every selection end that falls on a word boundary (not between two
   letters or digits), and NVivo's units win only with a strictly higher score. People select
   words, so the wrong reading lands inside words once the two drift apart; with a tie (the
   readings agree, or nothing tells them apart) the standard wins.

Lines: the text splits at CRLF, CR and LF. A line holding only whitespace becomes no turn, so a
position inside one snaps forward (a start) or back (an end) to the nearest turn; a position
inside a line end is the end of that line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum

_LINE_END = re.compile(r"(\r\n|\r|\n)")


class Units(Enum):
    CODE_POINTS = "code points over the text as given (the REFI-QDA standard)"
    NVIVO_UTF16 = "UTF-16 code units over the text with CRLF line ends (NVivo)"


@dataclass(frozen=True, order=True)
class Place:
    """A position resolved to a line and a code-point offset in it."""

    line: int
    offset: int


class PlainText:
    """A source's text split into lines, with each line's start in both kinds of units."""

    def __init__(self, text: str) -> None:
        parts = _LINE_END.split(text)
        self.lines: list[str] = parts[0::2]
        self._starts: dict[Units, list[int]] = {Units.CODE_POINTS: [], Units.NVIVO_UTF16: []}
        points = units16 = 0
        for line, ending in zip(self.lines, [*parts[1::2], ""]):
            self._starts[Units.CODE_POINTS].append(points)
            self._starts[Units.NVIVO_UTF16].append(units16)
            points += len(line) + len(ending)
            units16 += utf16_length(line) + (2 if ending else 0)
        self.length = {Units.CODE_POINTS: points, Units.NVIVO_UTF16: units16}

    def is_turn(self, line: int) -> bool:
        return bool(self.lines[line].strip())

    def place(self, position: int, units: Units, *, is_end: bool) -> Place:
        """Where `position` falls. A position inside a line end is the end of that line; one
        inside a surrogate pair rounds outwards (a start down, an end up)."""
        starts = self._starts[units]
        position = min(max(position, 0), self.length[units])
        line = max(bisect_right(starts, position) - 1, 0)
        within = position - starts[line]
        text = self.lines[line]
        if units is Units.CODE_POINTS:
            return Place(line, min(within, len(text)))
        return Place(line, code_points_in(text, within, round_up=is_end))

    def turn_anchor(self, place: Place, *, is_end: bool) -> Place | None:
        """The place moved onto a line that is a turn: a start on a blank line or at a line's end
        moves to the next turn's beginning, an end on a blank line or at a line's beginning to
        the previous turn's end. None when there is no such turn."""
        line, offset = place.line, place.offset
        if not is_end:
            if self.is_turn(line) and offset < len(self.lines[line]):
                return place
            following = next((i for i in range(line + 1, len(self.lines)) if self.is_turn(i)), None)
            return None if following is None else Place(following, 0)
        if self.is_turn(line) and offset > 0:
            return place
        preceding = next((i for i in range(line - 1, -1, -1) if self.is_turn(i)), None)
        return None if preceding is None else Place(preceding, len(self.lines[preceding]))

    def line_start(self, line: int, units: Units) -> int:
        return self._starts[units][line]

    def boundary_score(self, spans: list[tuple[int, int]], units: Units) -> int:
        """How many selection ends fall on word boundaries in this reading (see the module doc)."""
        score = 0
        for start, end in spans:
            for position, is_end in ((start, False), (end, True)):
                if position > self.length[units]:
                    continue
                place = self.place(position, units, is_end=is_end)
                text = self.lines[place.line]
                before = text[place.offset - 1] if place.offset > 0 else ""
                after = text[place.offset] if place.offset < len(text) else ""
                if not (before.isalnum() and after.isalnum()):
                    score += 1
        return score


def detect_units(text: PlainText, spans: list[tuple[int, int]], origin: str) -> Units:
    """The units this source's selection positions count (the rule in the module doc)."""
    if "nvivo" in origin.casefold():
        return Units.NVIVO_UTF16
    if origin.startswith("Earmark") or not spans:  # Earmark writes code points (export_sources.py)
        return Units.CODE_POINTS
    furthest = max(max(start, end) for start, end in spans)
    if text.length[Units.CODE_POINTS] < furthest <= text.length[Units.NVIVO_UTF16]:
        return Units.NVIVO_UTF16
    nvivo = text.boundary_score(spans, Units.NVIVO_UTF16)
    standard = text.boundary_score(spans, Units.CODE_POINTS)
    return Units.NVIVO_UTF16 if nvivo > standard else Units.CODE_POINTS


def utf16_length(text: str) -> int:
    if text.isascii() or max(text, default="\0") <= "\uffff":
        return len(text)
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)


def code_points_in(text: str, units16: int, *, round_up: bool) -> int:
    """The code-point offset in `text` at `units16` UTF-16 code units."""
    if text.isascii() or max(text, default="\0") <= "\uffff":
        return min(units16, len(text))
    counted = 0
    for index, character in enumerate(text):
        if counted >= units16:
            return index
        width = 2 if ord(character) > 0xFFFF else 1
        if counted + width > units16:  # inside a surrogate pair
            return index + 1 if round_up else index
        counted += width
    return len(text)


def decode_text(data: bytes) -> str | None:
    """Text bytes from an archive: UTF-8 (the standard's encoding; a BOM is dropped), or UTF-16
    with a BOM. None when they are neither."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
