"""The transcript view: one text block per speaker turn, with the turn's start time and speaker
in a left margin. A QPlainTextEdit, because it lays out only what is visible and so stays fast
on a three-hour meeting. Turns arrive in batches while transcription runs and are appended
without moving the reader's scroll position unless they are at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from storage.records import SegmentRecord
from widgets.clock import clock
from widgets.speaker_colours import speaker_colour

MARGIN_PADDING = 8
SPEAKER_BAR = 3  # px: the speaker's colour beside each turn


class TranscriptView(QPlainTextEdit):
    """Shows a transcript's turns. Emits `seek_requested(seconds)` when a turn's time is clicked."""

    seek_requested = Signal(float)
    margin_menu_requested = Signal(int, QPoint)  # a right click on a turn's time and speaker: segment id, global point
    IDLE_HINT = "Choose a transcript on the left, or add a recording to transcribe it (Ctrl+Shift+A)."
    RUNNING_HINT = "Transcribing… the turns appear here as they are recognised."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setObjectName("transcriptView")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setPlaceholderText(self.IDLE_HINT)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.setFont(font)
        self._segments: list[SegmentRecord] = []
        self._margin = _TurnMargin(self)
        # Hooks for the coding display (widgets/coding_margin.py): a margin on the right of the
        # text with a `margin_width()`, and a painter that draws under the text before Qt does.
        self._right_margin: QWidget | None = None
        self.underlay_painter: Callable[[QPainter, QRect], None] | None = None
        self.blockCountChanged.connect(self._update_margin_width)
        self.updateRequest.connect(self._update_margin)
        self._update_margin_width()

    # --- content ---------------------------------------------------------------------------

    def set_segments(self, segments: Sequence[SegmentRecord]) -> None:
        self._segments = list(segments)
        self.setPlainText("\n".join(segment.text for segment in self._segments))
        self._update_margin_width()

    def append_segments(self, segments: Sequence[SegmentRecord]) -> None:
        if not segments:
            return
        bar = self.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for segment in segments:
            if self._segments:
                cursor.insertBlock()
            cursor.insertText(segment.text)
            self._segments.append(segment)
        cursor.endEditBlock()
        if follow:
            bar.setValue(bar.maximum())
        self._update_margin_width()

    def set_transcribing(self, running: bool) -> None:
        self.setPlaceholderText(self.RUNNING_HINT if running else self.IDLE_HINT)

    def clear_segments(self) -> None:
        self._segments = []
        self.clear()
        self._update_margin_width()

    def segment_count(self) -> int:
        return len(self._segments)

    def segment_at_block(self, block_number: int) -> SegmentRecord | None:
        return self._segments[block_number] if 0 <= block_number < len(self._segments) else None

    # --- margin ----------------------------------------------------------------------------

    def margin_width(self) -> int:
        if not self._segments:
            return 0  # an empty view shows its hint from the left edge
        metrics = self.fontMetrics()
        labels = {segment.speaker or "" for segment in self._segments}
        widest = max([metrics.horizontalAdvance(label) for label in labels] + [metrics.horizontalAdvance("SPEAKER")])
        return MARGIN_PADDING * 3 + metrics.horizontalAdvance("0:00:00") + min(widest, 160)

    def set_right_margin(self, margin: QWidget) -> None:
        """Show `margin` (a widget with `margin_width() -> int`) to the right of the text."""
        self._right_margin = margin
        margin.setParent(self)
        margin.show()
        self._update_margin_width()

    def refresh_margins(self) -> None:
        """Re-measure both margins (after what they show changed width)."""
        self._update_margin_width()

    def _update_margin_width(self) -> None:
        width = self.margin_width()
        right = self._right_margin.margin_width() if self._right_margin is not None else 0  # type: ignore[attr-defined]
        if self.viewportMargins().left() != width or self.viewportMargins().right() != right:
            self.setViewportMargins(width, 0, right, 0)
        area = self.contentsRect()
        self._margin.setGeometry(QRect(area.left(), area.top(), width, area.height()))
        self._margin.update()
        if self._right_margin is not None:
            text = self.viewport().geometry()
            self._right_margin.setGeometry(QRect(text.right() + 1, text.top(), right, text.height()))
            self._right_margin.update()

    def _update_margin(self, rect: QRect, dy: int) -> None:
        if dy:
            self._margin.scroll(0, dy)
        else:
            self._margin.update(0, rect.y(), self._margin.width(), rect.height())
        if self._right_margin is None:
            return
        if dy:  # stripes span several lines, so a scroll repaints the whole (narrow) margin
            self._right_margin.update()
        else:
            self._right_margin.update(0, rect.y(), self._right_margin.width(), rect.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.underlay_painter is not None:
            # QPlainTextEdit paints no background of its own (the viewport filled it), so what
            # is painted here lies under the text, the selection and the played word.
            painter = QPainter(self.viewport())
            painter.setClipRect(event.rect())
            self.underlay_painter(painter, event.rect())
            painter.end()
        super().paintEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._update_margin_width()

    def paint_margin(self, event: QPaintEvent) -> None:
        painter = QPainter(self._margin)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.alternateBase())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        time_width = self.fontMetrics().horizontalAdvance("0:00:00")
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.9)
        while block.isValid() and top <= event.rect().bottom():
            height = round(self.blockBoundingRect(block).height())
            segment = self.segment_at_block(block.blockNumber())
            if segment is not None and top + height >= event.rect().top():
                line = self.fontMetrics().height()
                painter.setFont(small)
                painter.setPen(palette.placeholderText().color())
                painter.drawText(MARGIN_PADDING, top, time_width, line, Qt.AlignmentFlag.AlignLeft, clock(segment.start))
                colour = speaker_colour(segment.speaker)  # widgets/speaker_colours.py: stable per label
                if colour is not None:  # a bar down the turn's edge: who speaks, at a glance
                    painter.fillRect(0, top, SPEAKER_BAR, height, colour)
                painter.setPen(colour if colour is not None else QColor(palette.text().color()))
                bold = QFont(small)
                bold.setBold(True)
                painter.setFont(bold)
                x = MARGIN_PADDING * 2 + time_width
                painter.drawText(x, top, self._margin.width() - x - MARGIN_PADDING, line,
                                 Qt.AlignmentFlag.AlignLeft, segment.speaker or "")
            block = block.next()
            top += height
        painter.end()

    def time_at_margin(self, y: int) -> float | None:
        cursor = self.cursorForPosition(QPoint(0, y))
        segment = self.segment_at_block(cursor.blockNumber())
        return None if segment is None else segment.start


class _TurnMargin(QWidget):
    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view)
        self._view = view
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a time to play from there")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._view.margin_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._view.paint_margin(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.button() != Qt.MouseButton.LeftButton:
            return  # a right click opens the speaker menu instead of playing
        seconds = self._view.time_at_margin(int(event.position().y()))
        if seconds is not None:
            self._view.seek_requested.emit(seconds)

    def contextMenuEvent(self, event) -> None:  # noqa: N802, ANN001
        segment = self._view.segment_at_block(self._view.cursorForPosition(QPoint(0, event.pos().y())).blockNumber())
        if segment is not None:
            self._view.margin_menu_requested.emit(segment.id, event.globalPos())
