"""Codings painted in the transcript text.

How overlaps look, and why: each coded character gets a light tint of its codes' colours (the
average of their colours, stronger the more codes there are, so a doubly coded phrase reads as
"more coded" at a glance while black text stays readable), and under it one thin line per code
in that code's full colour, stacked. The tint says "coded here, and how much"; the stacked lines
say exactly which codes, even where three overlap; the stripes margin (widgets/coding_margin.py)
shows where each coding begins and ends.

Why painted under the text rather than a QSyntaxHighlighter or extra selections: both put
formats into the text layout, and in Qt 6 every format change on a block repaints the whole view
(QPlainTextDocumentLayout sees the change reach into the next block); measured on a three-hour
meeting, typing inside a coded turn then took 17 ms a key instead of 5, and opening the
transcript re-laid out every coded turn. Painting the tints into the viewport before
QPlainTextEdit draws the text costs only the turns in view, changes no layout, leaves typing as
fast as in an uncoded turn, and makes opening 2,000 codings an index build (CodingIndex). The
selection and the played word (an extra selection) are drawn by Qt on top, as before.

Offsets are code points until the last moment: positions go to Qt through widgets/text_units.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QTextBlock

from storage.analysis_records import CodingRecord
from storage.anchors import map_span
from widgets.text_units import index_to_qt

if TYPE_CHECKING:
    from widgets.transcript_editor import TranscriptEditor

UNDERLINE_ROOM = 3.0  # px between the baseline's next pixel and the line's bottom, shared by the lines
UNDERLINE_LEVELS = 3  # stacked code lines at most; a fourth overlapping code shares the last line


class CodedSpan(NamedTuple):
    """The part of a coding inside one turn. None: the coding goes on past that edge of the turn
    (its anchor is in another turn), so typing there never moves it. A tuple, so comparing the
    spans of two indexes runs at C speed."""

    coding: CodingRecord
    start: int | None
    end: int | None


def _span_key(span: CodedSpan) -> tuple[int, float, int]:
    start = -1 if span.start is None else span.start
    end = float("inf") if span.end is None else span.end
    return start, -end, span.coding.id  # longer first, so an enclosing coding keeps the upper line


class Mark(NamedTuple):
    """One painted rectangle: a tint behind characters, or a code's line under them."""

    rect: QRectF  # from its turn's top left (marks() answers in viewport coordinates)
    colour: QColor
    codings: tuple[int, ...]  # the coding ids it shows
    underline: bool
    span: tuple[int, int]  # the UTF-16 positions in the turn's block it covers (within one line)


class CodingIndex:
    """Codings by the turns they touch: `spans[segment_id]` is what highlightBlock paints.
    `block_of` and `segment_at` give the editor's turn order (a coding may cover whole turns
    between its ends). Codings in turns not shown are left out until the next rebuild."""

    def __init__(self, block_of: Callable[[int], int | None], segment_at: Callable[[int], int | None]) -> None:
        self._block_of, self._segment_at = block_of, segment_at
        self.by_id: dict[int, CodingRecord] = {}
        self.spans: dict[int, tuple[CodedSpan, ...]] = {}
        self._segments_of: dict[int, tuple[int, ...]] = {}  # coding id -> the turns it touches
        self._depth: int | None = 0

    def add(self, codings: Iterable[CodingRecord]) -> set[int]:
        """Index codings (replacing any with the same id); returns the turns whose spans changed.
        Written for speed: it runs over every coding of a transcript when one is opened."""
        touched: set[int] = set()
        found: dict[int, list[CodedSpan]] = {}
        block_of, segment_at, by_id, segments_of = self._block_of, self._segment_at, self.by_id, self._segments_of
        for coding in codings:
            if coding.id in by_id:
                touched |= self.remove([coding.id])
            start, end = coding.start, coding.end
            first, last = block_of(start.segment_id), block_of(end.segment_id)
            if first is None or last is None or last < first:
                continue  # a turn not shown (yet): the next rebuild places it
            by_id[coding.id] = coding
            if first == last:
                segments_of[coding.id] = (start.segment_id,)
                found.setdefault(start.segment_id, []).append(CodedSpan(coding, start.offset, end.offset))
                continue
            pieces = [(start.segment_id, CodedSpan(coding, start.offset, None))]
            for block in range(first + 1, last):
                segment_id = segment_at(block)
                if segment_id is not None:
                    pieces.append((segment_id, CodedSpan(coding, None, None)))
            pieces.append((end.segment_id, CodedSpan(coding, None, end.offset)))
            segments_of[coding.id] = tuple(segment_id for segment_id, _ in pieces)
            for segment_id, span in pieces:
                found.setdefault(segment_id, []).append(span)
        spans = self.spans
        for segment_id, new in found.items():
            old = spans.get(segment_id)
            if old:
                new.extend(old)
            spans[segment_id] = tuple(sorted(new, key=_span_key)) if len(new) > 1 else (new[0],)
        self._depth = None
        return touched | found.keys()

    def remove(self, coding_ids: Iterable[int]) -> set[int]:
        touched: set[int] = set()
        for coding_id in coding_ids:
            if self.by_id.pop(coding_id, None) is None:
                continue
            for segment_id in self._segments_of.pop(coding_id, ()):
                kept = tuple(span for span in self.spans.get(segment_id, ()) if span.coding.id != coding_id)
                if kept:
                    self.spans[segment_id] = kept
                else:
                    self.spans.pop(segment_id, None)
                touched.add(segment_id)
        self._depth = None
        return touched

    @property
    def depth(self) -> int:
        """The most codings touching one turn: an upper bound of the stripes side by side."""
        if self._depth is None:
            self._depth = max(map(len, self.spans.values()), default=0)
        return self._depth

    def changed_segments(self, other: CodingIndex) -> set[int]:
        keys = self.spans.keys() | other.spans.keys()
        return {key for key in keys if self.spans.get(key) != other.spans.get(key)}


def tint(colours: Sequence[str], base: QColor) -> QColor:
    """The background for text with these codes: their average, laid lightly over `base`."""
    if not colours:
        return base
    mixed = [QColor(colour) for colour in colours]
    red = sum(c.red() for c in mixed) / len(mixed)
    green = sum(c.green() for c in mixed) / len(mixed)
    blue = sum(c.blue() for c in mixed) / len(mixed)
    strength = min(0.34 + 0.14 * (len(mixed) - 1), 0.66)
    return QColor(round(base.red() + (red - base.red()) * strength), round(base.green() + (green - base.green()) * strength),
                  round(base.blue() + (blue - base.blue()) * strength))


class CodingHighlighter:
    """Paints an editor's codings under its text (`paint`, the view's underlay painter) and
    answers which codings lie where. Changing the codings repaints only the turns in view whose
    codings changed."""

    def __init__(self, editor: TranscriptEditor) -> None:
        self.editor = editor
        self.index = self._new_index()
        self._tints: dict[tuple[str, ...], QColor] = {}
        self._base = ""  # the palette's base colour the cached tints were mixed over
        self._marks: dict[int, tuple[tuple[CodedSpan, ...], tuple, list[Mark]]] = {}  # per turn, see _cached_marks

    def _new_index(self) -> CodingIndex:
        editor = self.editor

        def segment_at(block: int) -> int | None:
            segment = editor.segment_at_block(block)
            return None if segment is None else segment.id

        return CodingIndex(editor.block_of, segment_at)

    # --- the codings -----------------------------------------------------------------------

    def set_codings(self, codings: Iterable[CodingRecord]) -> set[int]:
        """Show exactly these codings; returns the turns whose painting changed."""
        old, new = self.index, self._new_index()
        new.add(codings)
        self.index = new
        if len(self._marks) > 4 * max(1, len(new.spans)):
            self._marks.clear()  # mostly turns of another transcript
        changed = new.changed_segments(old)
        self.repaint_segments(changed)
        return changed

    def add_codings(self, codings: Iterable[CodingRecord]) -> set[int]:
        """Show codings just made (or put back) without re-reading the others."""
        changed = self.index.add(codings)
        self.repaint_segments(changed)
        return changed

    def remove_codings(self, coding_ids: Iterable[int]) -> set[int]:
        changed = self.index.remove(coding_ids)
        self.repaint_segments(changed)
        return changed

    def clear(self) -> None:
        """Forget every coding (before another transcript is shown)."""
        self.index = self._new_index()
        self._marks.clear()
        self.editor.viewport().update()

    def repaint_segments(self, segment_ids: Iterable[int]) -> None:
        """Repaint the turns in view among `segment_ids` (the others are painted when they
        scroll into view, from the index as it is then)."""
        wanted = set(segment_ids)
        if not wanted:
            return
        editor = self.editor
        viewport = editor.viewport()
        for block, geometry in self._visible_blocks(viewport.rect()):
            segment = editor.segment_at_block(block.blockNumber())
            if segment is not None and segment.id in wanted:
                viewport.update(geometry.toAlignedRect())

    def live_spans(self, segment_id: int, text: str) -> list[tuple[CodingRecord, int, int]]:
        """(coding, start, end) in code points of the turn's text as shown now: the stored
        offsets moved through whatever has been typed since the last save, with the same rules
        storage uses (storage/anchors.py), so highlights follow the words while typing."""
        spans = self.index.spans.get(segment_id)
        if not spans:
            return []
        edits = self.editor.pending_text_edits(segment_id)
        length = len(text)
        found = []
        for span in spans:
            start, end = span.start, span.end
            if edits:
                start, end = map_span(start, end, edits)
            begin = 0 if start is None else min(max(start, 0), length)
            finish = length if end is None else min(max(end, 0), length)
            if finish > begin or (span.start is None and span.end is None):  # an empty middle turn still counts
                found.append((span.coding, begin, finish))
        return found

    def codings_at(self, segment_id: int, text: str, offset: int) -> list[CodingRecord]:
        """The codings covering the character at `offset` (code points) of a turn."""
        return [coding for coding, start, end in self.live_spans(segment_id, text) if start <= offset < end]

    # --- painting ----------------------------------------------------------------------------

    def paint(self, painter: QPainter, exposed: QRect) -> None:
        """Tints and code lines for the turns in `exposed` (viewport coordinates)."""
        if not self.index.spans:
            return
        for block, geometry in self._visible_blocks(exposed):
            marks = self._cached_marks(block, geometry)
            if marks:
                painter.save()
                painter.translate(geometry.topLeft())
                for mark in marks:
                    painter.fillRect(mark.rect, mark.colour)
                painter.restore()

    def marks(self, segment_id: int) -> list[Mark]:
        """What is painted for a turn in view, in viewport coordinates (nothing out of view)."""
        for block, geometry in self._visible_blocks(self.editor.viewport().rect()):
            if block.blockNumber() == self.editor.block_of(segment_id):
                return [mark._replace(rect=mark.rect.translated(geometry.topLeft()))
                        for mark in self._cached_marks(block, geometry)]
        return []

    def _cached_marks(self, block: QTextBlock, geometry: QRectF) -> list[Mark]:
        """A turn's marks relative to its top left. Worked out again only when its codings, its
        text, what was typed in it, its size or the palette changed: a repaint of an unchanged
        turn (scrolling, the cursor blinking, a keystroke elsewhere) only fills rectangles."""
        segment = self.editor.segment_at_block(block.blockNumber())
        if segment is None or segment.id not in self.index.spans:
            return []
        spans = self.index.spans[segment.id]
        self._tint((), self.editor.palette().base().color())  # notices a new palette
        edits = self.editor.pending_text_edits(segment.id)
        key = (block.text(), tuple(edits) if edits else edits, geometry.width(), geometry.height(), self._base)
        cached = self._marks.get(segment.id)
        if cached is not None and cached[1] == key and cached[0] == spans:  # a re-read may bring equal spans
            return cached[2]
        marks = self._block_marks(block, segment.id)
        self._marks[segment.id] = (spans, key, marks)
        return marks

    def _visible_blocks(self, area: QRect) -> Iterable[tuple[QTextBlock, QRectF]]:
        editor = self.editor
        block = editor.firstVisibleBlock()
        offset = editor.contentOffset()
        while block.isValid():
            geometry = editor.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > area.bottom():
                return
            if geometry.bottom() >= area.top() and block.isVisible():
                yield block, geometry
            block = block.next()

    def _block_marks(self, block: QTextBlock, segment_id: int) -> list[Mark]:
        text = block.text()
        spans = self.live_spans(segment_id, text)
        if not spans:
            return []
        layout = block.layout()
        left, top = layout.position().x(), layout.position().y()
        lines = [layout.lineAt(n) for n in range(layout.lineCount())]
        ascii_text = text.isascii()
        marks: list[Mark] = []

        def qt(index: int) -> int:
            return index if ascii_text else index_to_qt(text, index)

        def fill(begin: int, finish: int, codings: tuple[int, ...], colour: QColor, under: float | None = None,
                 thickness: float = 0.0) -> None:
            """Mark UTF-16 positions begin..finish, line by line: the whole line height for a
            tint, or a `thickness` line `under` px below the baseline."""
            for line in lines:
                line_start = line.textStart()
                line_end = line_start + line.textLength()
                if line_end <= begin or line_start >= finish:
                    continue
                first, last = max(begin, line_start), min(finish, line_end)
                x1, x2 = _x(line.cursorToX(first)), _x(line.cursorToX(last))
                y = top + line.y() + (0.0 if under is None else line.ascent() + under)
                rect = QRectF(left + min(x1, x2), y, abs(x2 - x1), line.height() if under is None else thickness)
                marks.append(Mark(rect, colour, codings, under is not None, (first, last)))

        # The tint: one rectangle per run of characters with the same codes.
        base = self.editor.palette().base().color()
        points = sorted({point for _, start, end in spans for point in (start, end)})
        for begin, finish in zip(points, points[1:]):
            covering = [c for c, start, end in spans if start <= begin and end >= finish]
            if covering:
                fill(qt(begin), qt(finish), tuple(c.id for c in covering),
                     self._tint(tuple(c.color for c in covering), base))
        # The code lines: overlapping codings stack (enclosing ones first, so they keep the top line).
        ends: list[int] = []  # the end of the coding on each level
        placed = []
        for coding, start, end in spans:
            level = next((n for n, busy_until in enumerate(ends) if busy_until <= start), len(ends))
            ends[level:level + 1] = [end]
            placed.append((coding, start, end, min(level, UNDERLINE_LEVELS - 1)))
        # Thinner lines when more codes share the room under the text, so they stay inside the
        # line: Qt repaints a turn's own rectangle when it is typed in, not the next turn's top.
        thickness = max(1.0, min(2.0, UNDERLINE_ROOM / min(len(ends), UNDERLINE_LEVELS)))
        for coding, start, end, level in placed:
            if end > start:
                fill(qt(start), qt(end), (coding.id,), QColor(coding.color), 1.0 + level * thickness, thickness)
        return marks

    def _tint(self, colours: tuple[str, ...], base: QColor) -> QColor:
        if base.name() != self._base:  # a new palette (dark mode): mix over the new base
            self._tints.clear()
            self._marks.clear()
            self._base = base.name()
        found = self._tints.get(colours)
        if found is None:
            found = self._tints[colours] = tint(colours, base)
        return found


def _x(value: object) -> float:
    """QTextLine.cursorToX answers (x, position) in PySide6 and a float in some builds."""
    return float(value[0] if isinstance(value, tuple) else value)  # type: ignore[index, arg-type]
