"""The left margin of a text source (minutes, field notes, interview notes): paragraph numbers
(¶ 1, ¶ 2…) where a transcript shows times, which a text source does not have, and the speaker
when a paragraph has one. The transcript editor calls these instead of the timed margin."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from widgets.speaker_colours import speaker_colour
from widgets.transcript_view import MARGIN_PADDING, SPEAKER_BAR, TranscriptView


def number_label(index: int) -> str:
    return f"¶ {index + 1}"


def paragraph_margin_width(view: TranscriptView) -> int:
    count = view.segment_count()
    if not count:
        return 0
    metrics = view.fontMetrics()
    speakers = [metrics.horizontalAdvance(segment.speaker) for segment in _segments(view) if segment.speaker]
    width = MARGIN_PADDING * 2 + metrics.horizontalAdvance(number_label(count - 1))
    return width + (MARGIN_PADDING + min(max(speakers), 160) if speakers else 0)


def paint_paragraph_margin(view: TranscriptView, margin: QWidget, event: QPaintEvent) -> None:
    painter = QPainter(margin)
    palette = view.palette()
    painter.fillRect(event.rect(), palette.alternateBase())
    small = QFont(view.font())
    small.setPointSizeF(view.font().pointSizeF() * 0.9)
    bold = QFont(small)
    bold.setBold(True)
    line = view.fontMetrics().height()
    number_width = view.fontMetrics().horizontalAdvance(number_label(max(0, view.segment_count() - 1)))
    block = view.firstVisibleBlock()
    top = round(view.blockBoundingGeometry(block).translated(view.contentOffset()).top())
    while block.isValid() and top <= event.rect().bottom():
        height = round(view.blockBoundingRect(block).height())
        segment = view.segment_at_block(block.blockNumber())
        if segment is not None and top + height >= event.rect().top():
            painter.setFont(small)
            painter.setPen(palette.placeholderText().color())
            painter.drawText(MARGIN_PADDING, top, number_width, line, Qt.AlignmentFlag.AlignLeft,
                             number_label(block.blockNumber()))
            colour = speaker_colour(segment.speaker)  # as in the timed margin (widgets/speaker_colours.py)
            if colour is not None:
                painter.fillRect(0, top, SPEAKER_BAR, height, colour)
                painter.setPen(colour)
                painter.setFont(bold)
                x = MARGIN_PADDING * 2 + number_width
                painter.drawText(x, top, margin.width() - x - MARGIN_PADDING, line, Qt.AlignmentFlag.AlignLeft,
                                 segment.speaker)
        block = block.next()
        top += height
    painter.end()


def _segments(view: TranscriptView):  # noqa: ANN202
    return (view.segment_at_block(number) for number in range(view.segment_count()))
