"""The coding stripes margin on the right of the transcript (as NVivo and MAXQDA show them), and
the CodingDisplay that puts the highlighter, the stripes, tooltips and code drops on an editor.

Each visible coding is a thin vertical bar in its code's colour from its first to its last line.
Overlapping codings sit side by side: columns are given in document order to the first column
free at that height, so a long coding keeps its column while shorter ones come and go beside it.
The code names are written horizontally in a lane to the right of the bars, at the line where
each coding begins (pushed down when two begin on one line), with a note glyph for a coding that
has a memo: names written along the bars would not fit on the one- or two-line passages that are
most of a transcript's codings. The bar area's width follows the most codings that touch one turn
(an upper bound of what can overlap), at least MIN_COLUMNS once there is any coding, so that
applying a code rarely changes the width (which would re-wrap the whole text).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from storage.analysis_records import CodingRecord
from widgets.coding_highlighter import CodingHighlighter
from widgets.text_units import index_to_qt, qt_to_index

if TYPE_CHECKING:
    from widgets.transcript_editor import TranscriptEditor

MIME_CODE = "application/x-earmark-code"  # a code dragged from the codebook: its id in ASCII
MIN_COLUMNS, MAX_COLUMNS = 3, 8
BAR, COLUMN = 4, 7  # px: a stripe's bar, and the column it stands in
PAD = 4
LANE_CHARS = 20  # the name lane is about this many characters wide
MEMO_GLYPH = 9  # px: the folded-note glyph's width


@dataclass(frozen=True)
class Stripe:
    coding: CodingRecord
    column: int
    top: float  # viewport y of the coding's first line (may be above the view)
    bottom: float
    label: QRectF | None  # where its name is written, or None when there was no room

    @property
    def bar(self) -> QRectF:
        return QRectF(PAD + self.column * COLUMN, self.top, COLUMN, self.bottom - self.top)


class CodingMargin(QWidget):
    coding_clicked = Signal(int)

    def __init__(self, editor: TranscriptEditor, highlighter: CodingHighlighter) -> None:
        super().__init__(editor)
        self.editor, self.highlighter = editor, highlighter
        self.memo_text_for: Callable[[int], str] | None = None  # set by the app: a coding's memo text
        self.label_font = QFont(editor.font())
        self.label_font.setPointSizeF(max(7.5, editor.font().pointSizeF() * 0.82))
        self.setMouseTracking(True)
        self.hidden_count = 0  # stripes that did not fit at the last layout

    # --- geometry ------------------------------------------------------------------------------

    def bar_columns(self) -> int:
        depth = self.highlighter.index.depth
        return min(max(depth, MIN_COLUMNS), MAX_COLUMNS) if depth else 0

    def lane_left(self) -> int:
        return PAD + self.bar_columns() * COLUMN + 3

    def margin_width(self) -> int:
        if not self.bar_columns():
            return 0  # nothing coded: the text keeps the whole width
        return self.lane_left() + QFontMetrics(self.label_font).averageCharWidth() * LANE_CHARS + PAD

    def stripes(self) -> list[Stripe]:
        """The stripes of the codings in view, with their columns and name labels."""
        extents = self._extents()
        placed: list[tuple[CodingRecord, int, float, float]] = []
        ends: list[float] = []  # ends[c]: bottom of the last stripe in column c
        available = self.bar_columns()
        self.hidden_count = 0
        for coding, top, bottom in sorted(extents, key=lambda e: (e[1], -e[2], e[0].id)):
            # Touching is not overlapping: the bars are painted 1 px short at each end.
            column = next((c for c, end in enumerate(ends) if end <= top + 0.5), len(ends))
            if column == len(ends):
                ends.append(bottom)
            else:
                ends[column] = bottom
            if column < available:
                placed.append((coding, column, top, bottom))
            else:
                self.hidden_count += 1
        line = QFontMetrics(self.label_font).height()
        left, width = self.lane_left(), self.width() - self.lane_left() - PAD
        labels: dict[int, QRectF] = {}
        free_from = float("-inf")  # labels go down the lane without overlapping
        # Shorter codings name themselves first: a long one has room further down its bar.
        for coding, _column, top, bottom in sorted(placed, key=lambda p: (p[2], p[3], p[0].id)):
            y = max(top + 1, 0.0, free_from)
            if y < bottom and width > 20:  # beside its own stripe, or not at all
                labels[coding.id] = QRectF(left, y, width, line)
                free_from = y + line
        stripes = [Stripe(coding, column, top, bottom, labels.get(coding.id)) for coding, column, top, bottom in placed]
        return stripes

    def _extents(self) -> list[list]:
        """[coding, top, bottom] in viewport pixels for each coding touching a visible turn."""
        editor, highlighter = self.editor, self.highlighter
        if not highlighter.index.spans:
            return []
        extents: dict[int, list] = {}
        block = editor.firstVisibleBlock()
        offset = editor.contentOffset()
        bottom_of_view = editor.viewport().height()
        while block.isValid():
            geometry = editor.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom_of_view:
                break
            segment = editor.segment_at_block(block.blockNumber())
            if segment is not None and block.isVisible():
                text, layout = block.text(), block.layout()
                for coding, start, end in highlighter.live_spans(segment.id, text):
                    top = geometry.top() + (_line_top(layout, index_to_qt(text, start))
                                            if coding.start.segment_id == segment.id else 0)
                    bottom = geometry.top() + (_line_bottom(layout, index_to_qt(text, max(start, end - 1)))
                                               if coding.end.segment_id == segment.id else geometry.height())
                    found = extents.get(coding.id)
                    if found is None:
                        extents[coding.id] = [coding, top, bottom]
                    else:
                        found[2] = max(found[2], bottom)
            block = block.next()
        return list(extents.values())

    def stripe_at(self, point: QPoint | QPointF) -> Stripe | None:
        point = QPointF(point)
        for stripe in self.stripes():
            if stripe.bar.contains(point) or (stripe.label is not None and stripe.label.contains(point)):
                return stripe
        return None

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.alternateBase())
        painter.setPen(palette.mid().color())
        painter.drawLine(0, event.rect().top(), 0, event.rect().bottom())
        painter.setFont(self.label_font)
        metrics = QFontMetrics(self.label_font)
        text_colour = palette.text().color()
        stripes = self.stripes()
        for stripe in stripes:  # ticks first, so the bars they pass stay on top
            if stripe.label is not None:
                bar, label = stripe.bar, stripe.label
                painter.fillRect(QRectF(bar.left() + BAR, label.top() + label.height() / 2 - 0.5,
                                        label.left() - bar.left() - BAR - 1, 1), QColor(stripe.coding.color))
        for stripe in stripes:
            bar = stripe.bar
            painter.fillRect(QRectF(bar.left(), bar.top() + 1, BAR, max(2.0, bar.height() - 2)), QColor(stripe.coding.color))
        for stripe in stripes:
            if stripe.label is None:
                continue
            label = stripe.label
            x = label.left()
            if stripe.coding.has_memo:
                _paint_memo_glyph(painter, QRectF(x, label.top() + 2, MEMO_GLYPH - 1, label.height() - 4))
                x += MEMO_GLYPH + 2
            name = metrics.elidedText(stripe.coding.code_name, Qt.TextElideMode.ElideRight, int(label.right() - x))
            painter.setPen(text_colour)
            painter.drawText(QRectF(x, label.top(), label.right() - x, label.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        if self.hidden_count:
            painter.setPen(text_colour)
            painter.drawText(QRect(0, self.height() - metrics.height() - 2, self.width() - 4, metrics.height()),
                             Qt.AlignmentFlag.AlignRight, f"+{self.hidden_count} more")
        painter.end()

    # --- mouse -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        stripe = self.stripe_at(event.position())
        if stripe is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        coding_id = stripe.coding.id
        self.editor.flush_pending()  # saved and re-anchored: the stored ends are the shown ones
        coding = self.highlighter.index.by_id.get(coding_id, stripe.coding)
        self.editor.select_passage(coding.start.segment_id, coding.start.offset, coding.end.segment_id, coding.end.offset)
        self.coding_clicked.emit(coding_id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        on_stripe = self.stripe_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if on_stripe else Qt.CursorShape.ArrowCursor)

    def tooltip_at(self, point: QPoint) -> str:
        """The code name(s) at `point`, with the memo text of a coding that has one."""
        stripe = self.stripe_at(point)
        stripes = [stripe] if stripe is not None else [s for s in self.stripes() if s.top <= point.y() <= s.bottom]
        parts = []
        for found in stripes:
            line = _swatch(found.coding) + f" <b>{html.escape(found.coding.code_name)}</b>"
            if found.coding.has_memo and self.memo_text_for is not None:
                memo = self.memo_text_for(found.coding.id).strip()
                if memo:
                    line += "<br><i>Memo:</i> " + html.escape(_clip(memo, 400)).replace("\n", "<br>")
            parts.append(line)
        if parts and stripe is not None:
            parts.append("<span style='color:gray'>Click to select the passage</span>")
        return "<br>".join(parts)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(event.pos())  # type: ignore[attr-defined]
            if text:
                QToolTip.showText(event.globalPos(), text, self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class CodingDisplay(QObject):
    """Codings on a TranscriptEditor: highlights, underlines, the stripes margin, tooltips on
    coded words, and codes dropped from the codebook onto the selection (`code_dropped`)."""

    coding_clicked = Signal(int)
    code_dropped = Signal(int)

    def __init__(self, editor: TranscriptEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.highlighter = CodingHighlighter(editor)
        self.margin = CodingMargin(editor, self.highlighter)
        self.margin.coding_clicked.connect(self.coding_clicked)
        editor.set_right_margin(self.margin)
        editor.underlay_painter = self.highlighter.paint
        # Drops are accepted for codes only: text dropped into a transcript would bypass the
        # editor's turn rules, so it stays refused (the filter answers every drag event).
        editor.setAcceptDrops(True)
        editor.viewport().setAcceptDrops(True)
        editor.viewport().installEventFilter(self)

    def set_codings(self, codings: Iterable[CodingRecord]) -> None:
        """Show exactly these codings (a transcript opened, or codings changed elsewhere)."""
        self._repainted(self.highlighter.set_codings, codings)

    def add_codings(self, codings: Iterable[CodingRecord]) -> None:
        """Show codings just applied or put back, without re-reading the rest."""
        self._repainted(self.highlighter.add_codings, codings)

    def remove_codings(self, coding_ids: Iterable[int]) -> None:
        self._repainted(self.highlighter.remove_codings, coding_ids)

    def clear(self) -> None:
        self.highlighter.clear()
        self.margin.update()

    def coding(self, coding_id: int) -> CodingRecord | None:
        return self.highlighter.index.by_id.get(coding_id)

    def _repainted(self, change: Callable[[Iterable], set[int]], items: Iterable) -> None:  # type: ignore[type-arg]
        change(items)
        if self.margin.margin_width() != self.editor.viewportMargins().right():
            self.editor.refresh_margins()
        self.margin.update()

    def codings_at_cursor(self) -> list[CodingRecord]:
        """The codings on the editor's selection, or on the character at its cursor."""
        editor = self.editor
        passage = editor.selected_passage()
        if passage is None:
            segment = editor.turn_at_cursor()
            if segment is None:
                return []
            offset = editor.cursor_offset()
            return self.codings_at(segment.id, offset) or self.codings_at(segment.id, offset - 1)
        start_id, start, end_id, end = passage
        first, last = editor.block_of(start_id), editor.block_of(end_id)
        found: dict[int, CodingRecord] = {}
        for number in range(first or 0, (last or 0) + 1):
            segment, text = editor.segment_at_block(number), editor.document().findBlockByNumber(number).text()
            low, high = (start if number == first else 0), (end if number == last else len(text))
            for coding, begin, finish in self.highlighter.live_spans(segment.id, text) if segment else ():
                if begin < high and finish > low:
                    found.setdefault(coding.id, coding)
        return list(found.values())

    def codings_at(self, segment_id: int, offset: int) -> list[CodingRecord]:
        block = self.editor.block_of(segment_id)
        if block is None:
            return []
        text = self.editor.document().findBlockByNumber(block).text()
        return self.highlighter.codings_at(segment_id, text, offset)

    # --- events on the text ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.ToolTip:
            self._show_text_tooltip(event)
            return True
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            mime = event.mimeData()  # type: ignore[attr-defined]
            if mime.hasFormat(MIME_CODE) and (kind == QEvent.Type.DragEnter or self._in_selection(event.position())):  # type: ignore[attr-defined]
                event.acceptProposedAction()  # type: ignore[attr-defined]
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            self._drop(event)
            return True
        return False

    def _drop(self, event: QEvent) -> None:
        mime = event.mimeData()  # type: ignore[attr-defined]
        if not mime.hasFormat(MIME_CODE):
            event.ignore()
            return
        try:
            code_id = int(bytes(mime.data(MIME_CODE).data()).decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            event.ignore()
            return
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if self._in_selection(event.position()):  # type: ignore[attr-defined]
            self.code_dropped.emit(code_id)
        else:
            self.editor.refused.emit("Drop the code on the selected words: select them first, then drag the code onto them.")

    def _in_selection(self, point: QPointF) -> bool:
        selection = self.editor.textCursor()
        if not selection.hasSelection():
            return False
        position = self.editor.cursorForPosition(point.toPoint()).position()
        return selection.selectionStart() <= position <= selection.selectionEnd()

    def _show_text_tooltip(self, event: QEvent) -> None:
        point = event.pos()  # type: ignore[attr-defined]
        codings = self.codings_under(point)
        if codings:
            QToolTip.showText(event.globalPos(), "<br>".join(  # type: ignore[attr-defined]
                f"{_swatch(c)} {html.escape(c.code_name)}" for c in codings), self.editor.viewport())
        else:
            QToolTip.hideText()
            event.ignore()

    def codings_under(self, point: QPoint) -> list[CodingRecord]:
        """The codings of the character under a viewport point (none past a line's end)."""
        editor = self.editor
        cursor = editor.cursorForPosition(point)
        block = cursor.block()
        segment = editor.segment_at_block(block.blockNumber())
        if segment is None:
            return []
        position = cursor.positionInBlock()
        line = block.layout().lineForTextPosition(position)
        if line.isValid():
            left = editor.blockBoundingGeometry(block).translated(editor.contentOffset()).left() + block.layout().position().x()
            if point.x() > left + line.naturalTextWidth() + 2:
                return []
        if position > 0 and editor.cursorRect(cursor).x() > point.x():
            position -= 1  # the boundary is right of the pointer: the character is the one before
        return self.codings_at(segment.id, qt_to_index(block.text(), position))


def _line_top(layout, position: int) -> float:  # noqa: ANN001
    line = layout.lineForTextPosition(position)
    return layout.position().y() + (line.y() if line.isValid() else 0.0)


def _line_bottom(layout, position: int) -> float:  # noqa: ANN001
    line = layout.lineForTextPosition(position)
    if not line.isValid():
        return layout.boundingRect().bottom()
    return layout.position().y() + line.y() + line.height()


def _paint_memo_glyph(painter: QPainter, rect: QRectF) -> None:
    """A note with a folded corner: what NVivo and Word use for an annotation."""
    fold = rect.width() * 0.4
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#7a5c00"), 1))
    painter.setBrush(QColor("#ffe680"))
    painter.drawPolygon(QPolygonF([rect.topLeft(), QPointF(rect.right() - fold, rect.top()),
                                   QPointF(rect.right(), rect.top() + fold), rect.bottomRight(), rect.bottomLeft()]))
    painter.drawPolyline(QPolygonF([QPointF(rect.right() - fold, rect.top()),
                                    QPointF(rect.right() - fold, rect.top() + fold), QPointF(rect.right(), rect.top() + fold)]))
    painter.restore()


def _swatch(coding: CodingRecord) -> str:
    return f"<span style='color:{html.escape(coding.color)}'>■</span>"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
