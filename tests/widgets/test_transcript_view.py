"""The transcript view on its own: blocks per turn, the margin, appending while reading."""

from __future__ import annotations

from storage.records import SegmentRecord, Word
from tests.helpers import show_sized
from widgets.transcript_view import TranscriptView


def turn(position: int, text: str, speaker: str | None = None) -> SegmentRecord:
    return SegmentRecord(position + 1, 1, position, position * 5.0, position * 5.0 + 4, speaker, text,
                         (Word(text.split()[0], position * 5.0, position * 5.0 + 1, 0.9),))


def test_one_block_per_turn_and_margin_appears(qtbot) -> None:  # noqa: ANN001
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    assert view.margin_width() == 0
    view.append_segments([turn(0, "Good morning everyone.", "SN1")])
    view.append_segments([turn(1, "Hot issues first.", "SW"), turn(2, "A discharge went wrong 😟 on Friday.")])
    assert view.document().blockCount() == 3 == view.segment_count()
    assert view.toPlainText().splitlines()[2] == "A discharge went wrong 😟 on Friday."
    assert view.margin_width() > 0
    assert view.viewportMargins().left() == view.margin_width()


def test_clicking_the_margin_asks_to_seek(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, TranscriptView(), 600, 400)
    view.set_segments([turn(i, f"Turn number {i}.") for i in range(5)])
    block = view.document().findBlockByNumber(3)
    y = int(view.blockBoundingGeometry(block).translated(view.contentOffset()).top()) + 2
    with qtbot.waitSignal(view.seek_requested) as caught:
        from PySide6.QtCore import QPoint, Qt

        qtbot.mouseClick(view._margin, Qt.MouseButton.LeftButton, pos=QPoint(5, y))
    assert caught.args == [15.0]
