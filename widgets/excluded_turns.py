"""Turns left out of analysis, shown greyed in the transcript editor: the words of a participant
who consented to be observed only, or withdrew, stay in the transcript (it is the record of the
meeting) but must read as "not part of the analysis" at a glance.

How they look, and why:
- the turn's background is grey, and its text, its coding tints and code lines are painted
  faded: a translucent layer of that grey goes over what the editor drew. Painted, not set as
  text formats, for the reason widgets/coding_highlighter.py gives (a format change re-lays out
  the whole view); and faded rather than hidden for codings, because codings made before the
  consent changed are kept (they count again if consent is restored) and the researcher must
  still see them to remove them;
- in the left margin, a grey bar beside the turn, the marker (e.g. "observe only") under the
  time and speaker when the turn has a second line, and the reason as the tooltip.
The app says which turns and why (set_excluded_turns); this widget never decides consent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QTextBlock

    from widgets.transcript_editor import TranscriptEditor

DEFAULT_MARKER = "left out"
BAR = 3  # px: the grey bar at the margin's edge
PADDING = 8  # as widgets/transcript_view.MARGIN_PADDING


def mixed(base: QColor, ink: QColor, amount: float, alpha: int = 255) -> QColor:
    """`amount` of the way from `base` to `ink` (so it suits a light and a dark palette alike)."""
    return QColor(round(base.red() + (ink.red() - base.red()) * amount),
                  round(base.green() + (ink.green() - base.green()) * amount),
                  round(base.blue() + (ink.blue() - base.blue()) * amount), alpha)


class ExcludedTurns(QObject):
    """Greys an editor's excluded turns and explains them in its left margin."""

    def __init__(self, editor: TranscriptEditor, margin: QWidget) -> None:
        super().__init__(editor)
        self.editor, self.margin = editor, margin
        self.reasons: dict[int, str] = {}
        self.markers: dict[int, str] = {}
        margin.installEventFilter(self)

    def set(self, reasons: Mapping[int, str], markers: Mapping[int, str] | None = None) -> None:
        reasons, markers = dict(reasons), dict(markers or {})
        if reasons == self.reasons and markers == self.markers:
            return  # asked again after every change: repaint only when something differs
        self.reasons, self.markers = reasons, markers
        self.editor.viewport().update()
        self.margin.update()

    def marker(self, segment_id: int) -> str | None:
        if segment_id not in self.reasons:
            return None
        return self.markers.get(segment_id, DEFAULT_MARKER)

    def reason_at_margin(self, y: int) -> str | None:
        """The reason of the excluded turn at height `y` of the margin (its tooltip), if any."""
        segment = self.editor.segment_at_block(self.editor.cursorForPosition(QPoint(0, y)).blockNumber())
        return None if segment is None else self.reasons.get(segment.id)

    # --- painting the text --------------------------------------------------------------------

    def _colours(self) -> tuple[QColor, QColor, QColor]:
        palette = self.editor.palette()
        base, ink = palette.base().color(), palette.text().color()
        # The grey under the turn, the layer that fades what is drawn over it, and the hatching.
        return mixed(base, ink, 0.07), mixed(base, ink, 0.07, 150), mixed(base, ink, 0.3)

    def paint_under(self, exposed: QRect) -> None:
        if not self.reasons:
            return
        painter = QPainter(self.editor.viewport())
        painter.setClipRect(exposed)
        grey = self._colours()[0]
        for _, rect in self._excluded_blocks(exposed):
            painter.fillRect(rect, grey)
        painter.end()

    def paint_over(self, exposed: QRect) -> None:
        if not self.reasons:
            return
        painter = QPainter(self.editor.viewport())
        painter.setClipRect(exposed)
        _, veil, hatch = self._colours()
        hatching = QBrush(QColor(hatch.red(), hatch.green(), hatch.blue(), 110), Qt.BrushStyle.BDiagPattern)
        for _, rect in self._excluded_blocks(exposed):
            painter.fillRect(rect, veil)
            painter.fillRect(rect, hatching)
        painter.end()

    def _excluded_blocks(self, exposed: QRect) -> Iterator[tuple[QTextBlock, QRectF]]:
        editor = self.editor
        block = editor.firstVisibleBlock()
        offset = editor.contentOffset()
        width = editor.viewport().width()
        while block.isValid():
            geometry = editor.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > exposed.bottom():
                return
            segment = editor.segment_at_block(block.blockNumber())
            if segment is not None and segment.id in self.reasons and geometry.bottom() >= exposed.top():
                yield block, QRectF(0, geometry.top(), width, geometry.height())
            block = block.next()

    # --- the margin ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is not self.margin:
            return False
        if event.type() == QEvent.Type.Paint and self.reasons:
            self.editor.paint_margin(event)  # type: ignore[arg-type]  # what the margin paints itself
            self._paint_margin_marks(event)  # type: ignore[arg-type]
            return True
        if event.type() == QEvent.Type.ToolTip:
            help_event: QHelpEvent = event  # type: ignore[assignment]
            reason = self.reason_at_margin(help_event.pos().y())
            if reason is not None:
                QToolTip.showText(help_event.globalPos(), reason, self.margin)
                return True
        return False

    def _paint_margin_marks(self, event: QPaintEvent) -> None:
        editor = self.editor
        painter = QPainter(self.margin)
        painter.setClipRect(event.rect())
        palette = editor.palette()
        hatch = self._colours()[2]
        small = QFont(editor.font())
        small.setPointSizeF(editor.font().pointSizeF() * 0.85)
        small.setItalic(True)
        painter.setFont(small)
        line = editor.fontMetrics().height()
        # On the line under the time (or number) and speaker: the whole margin's width, as the
        # speaker column alone is often narrower than the marker.
        left, width = PADDING, self.margin.width() - 2 * PADDING - BAR
        exposed = QRect(0, event.rect().top(), editor.viewport().width(), event.rect().height())
        for block, rect in self._excluded_blocks(exposed):
            segment = editor.segment_at_block(block.blockNumber())
            assert segment is not None
            painter.fillRect(QRectF(self.margin.width() - BAR, rect.top(), BAR, rect.height()), hatch)
            if rect.height() >= 2 * line:  # room under the label (a one-line turn has its tooltip)
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                text = painter.fontMetrics().elidedText(self.marker(segment.id) or "", Qt.TextElideMode.ElideRight, width)
                painter.drawText(QRectF(left, rect.top() + line, width, line), Qt.AlignmentFlag.AlignLeft, text)
        painter.end()
