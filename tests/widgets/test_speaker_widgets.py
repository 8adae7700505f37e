"""The speaker widgets on their own: colours that stay the same per label (in another process
too) and read on white, the editor's margin painting them, and the Label Speakers dialog's
choice, progress, preview with tick boxes and Cancel, and the missing-model message."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtWidgets import QMessageBox

from storage.records import SegmentRecord
from tests.conftest import ROOT
from tests.helpers import timed_words
from widgets.speaker_colours import PALETTE, contrast_on_white, palette_index, speaker_colour
from widgets.speaker_label_dialog import (
    CHOOSE, PREVIEW, RUNNING, SpeakerChangeRow, SpeakerLabelDialog, SpeakerPreview, missing_model_box,
)
from widgets.transcript_view import SPEAKER_BAR, TranscriptView

LABELS = ["Speaker 1", "Speaker 2", "SN1", "SW", "CG", "OT", "Dr Ngozi Adeyemi", "Speaker 12"]


# --- colours -----------------------------------------------------------------------------------

def test_every_palette_colour_reads_on_white() -> None:
    for colour in PALETTE:
        assert contrast_on_white(QColor(colour)) >= 4.5, colour


def test_numbered_speakers_take_the_palette_in_order_so_the_first_ones_never_share() -> None:
    colours = [speaker_colour(f"Speaker {n}").name() for n in range(1, len(PALETTE) + 1)]
    assert colours == [QColor(c).name() for c in PALETTE]
    assert speaker_colour(f"Speaker {len(PALETTE) + 1}") == speaker_colour("Speaker 1")  # wraps


def test_a_label_keeps_its_colour_whatever_else_is_there_and_in_another_process() -> None:
    here = [palette_index(label) for label in LABELS]
    assert [palette_index(label) for label in reversed(LABELS)] == list(reversed(here))
    assert palette_index("  speaker   2 ") == palette_index("Speaker 2")
    assert palette_index("sn1") == palette_index("SN1")
    # Python's hash() is salted per process: a colour from it would change at the next start.
    script = f"from widgets.speaker_colours import palette_index; print([palette_index(l) for l in {LABELS!r}])"
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert other.stdout.strip() == str(here)


def test_no_speaker_has_no_colour() -> None:
    assert speaker_colour(None) is None and speaker_colour("  ") is None


# --- the editor's margin -------------------------------------------------------------------------

def _turn(number: int, speaker: str | None, text: str) -> SegmentRecord:
    return SegmentRecord(number + 1, 1, number, number * 10.0, number * 10.0 + 9, speaker, text,
                         timed_words(text, number * 10.0))


def test_the_margin_draws_each_turn_in_its_speakers_colour(qtbot) -> None:  # noqa: ANN001
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.set_segments([_turn(0, "Speaker 1", "good morning everyone"), _turn(1, "Speaker 2", "morning to you"),
                       _turn(2, None, "and to you")])
    view.show()
    qtbot.waitExposed(view)
    image = view._margin.grab().toImage()
    for number, expected in ((0, speaker_colour("Speaker 1")), (1, speaker_colour("Speaker 2"))):
        block = view.document().findBlockByNumber(number)
        top = round(view.blockBoundingGeometry(block).translated(view.contentOffset()).top())
        assert QColor(image.pixel(SPEAKER_BAR // 2, top + 2)).name() == expected.name()
    third = view.document().findBlockByNumber(2)
    top = round(view.blockBoundingGeometry(third).translated(view.contentOffset()).top())
    assert QColor(image.pixel(SPEAKER_BAR // 2, top + 2)).name() == view.palette().alternateBase().color().name()


def test_a_right_click_in_the_margin_asks_for_that_turns_speaker_menu(qtbot) -> None:  # noqa: ANN001
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(700, 300)
    turns = [_turn(0, "Speaker 1", "good morning everyone"), _turn(1, "Speaker 2", "morning to you")]
    view.set_segments(turns)
    view.show()
    qtbot.waitExposed(view)
    second = view.document().findBlockByNumber(1)
    y = round(view.blockBoundingGeometry(second).translated(view.contentOffset()).top()) + 3
    seeks: list[float] = []
    view.seek_requested.connect(seeks.append)
    with qtbot.waitSignal(view.margin_menu_requested) as asked:
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(10, y), view._margin.mapToGlobal(QPoint(10, y)))
        view._margin.contextMenuEvent(event)
    assert asked.args[0] == turns[1].id
    qtbot.mouseClick(view._margin, Qt.MouseButton.RightButton, pos=QPoint(10, y))
    assert seeks == []  # a right click does not play
    qtbot.mouseClick(view._margin, Qt.MouseButton.LeftButton, pos=QPoint(10, y))
    assert seeks == [10.0]


# --- the dialog ----------------------------------------------------------------------------------

ROWS = (
    SpeakerChangeRow(11, 0.4, None, ("Speaker 1",), "Good morning, and welcome.", "relabel"),
    SpeakerChangeRow(12, 10.6, "Speaker 1", ("Speaker 2", "Speaker 3"), "Our main issue… The medication chart…", "split"),
    SpeakerChangeRow(13, 27.2, "OT", (), "She also arrived without her walking frame.", "by_hand"),
    SpeakerChangeRow(14, 31.0, None, ("Speaker 1",), "Thank you.", "relabel"),
)


def dialog(qtbot, channels: int = 1) -> SpeakerLabelDialog:  # noqa: ANN001
    shown = SpeakerLabelDialog("Team meeting", channels=channels)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def test_the_count_is_auto_a_number_or_one_per_channel_for_stereo_only(qtbot) -> None:  # noqa: ANN001
    mono = dialog(qtbot)
    assert mono.page() == CHOOSE and mono.count() is None
    assert not mono.channel_choice.isEnabled() and "one channel" in mono.channel_choice.toolTip()
    mono.count_spin.setValue(4)  # choosing a number picks "exactly"
    assert mono.count() == 4
    with qtbot.waitSignal(mono.start_requested) as started:
        mono.start_button.click()
    assert started.args == [4]
    stereo = dialog(qtbot, channels=2)
    stereo.channel_choice.setChecked(True)
    assert stereo.count() == "channels"


def test_progress_shows_time_left_and_cancel_stops(qtbot) -> None:  # noqa: ANN001
    shown = dialog(qtbot)
    shown.show_running("Listening for speakers…")
    assert shown.page() == RUNNING and shown.progress.maximum() == 0  # busy until the first figure
    shown.set_progress(0.25, "0:24 of 1:37 · 6 s left")
    assert shown.progress.value() == 250 and shown.detail.text() == "0:24 of 1:37 · 6 s left"
    with qtbot.waitSignal(shown.cancel_requested):
        shown.cancel_button.click()
    assert not shown.cancel_button.isEnabled() and shown.detail.text() == "stopping…"
    shown.show_failure("Stopped: nothing was changed.")
    assert shown.page() == CHOOSE and shown.error.text() == "Stopped: nothing was changed."


def test_closing_while_it_runs_cancels(qtbot) -> None:  # noqa: ANN001
    shown = dialog(qtbot)
    shown.show_running("Listening for speakers…")
    with qtbot.waitSignal(shown.cancel_requested):
        shown.reject()


def test_the_preview_ticks_every_change_and_never_a_turn_set_by_hand(qtbot) -> None:  # noqa: ANN001
    shown = dialog(qtbot)
    shown.show_preview(SpeakerPreview("3 speakers heard.", ROWS))
    assert shown.page() == PREVIEW and shown.summary.text() == "3 speakers heard."
    table = shown.table
    assert [table.topLevelItem(i).text(2) for i in range(4)] == [
        "Speaker 1", "Speaker 2 → Speaker 3", "left alone: set by hand", "Speaker 1"]
    assert table.topLevelItem(1).text(1) == "Speaker 1" and table.topLevelItem(0).text(1) == "(none)"
    by_hand = table.topLevelItem(2)
    assert not by_hand.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert shown.ticked() == (11, 12, 14)
    assert shown.apply_button.text() == "Apply 3 Changes"
    table.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert shown.apply_button.text() == "Apply 2 Changes"
    with qtbot.waitSignal(shown.apply_requested) as applied:
        shown.apply_button.click()
    assert applied.args == [(12, 14)]
    shown.tick_none.click()
    assert shown.ticked() == () and not shown.apply_button.isEnabled()
    assert shown.apply_button.text() == "Nothing to Apply"
    shown.tick_all.click()
    assert shown.ticked() == (11, 12, 14)


def test_a_preview_without_changes_offers_nothing_to_apply(qtbot) -> None:  # noqa: ANN001
    shown = dialog(qtbot)
    shown.show_preview(SpeakerPreview("No changes.", (ROWS[2],)))
    assert shown.ticked() == () and not shown.apply_button.isEnabled()


def test_the_missing_model_message_says_how_to_get_it_and_offers_the_download(qtbot) -> None:  # noqa: ANN001
    box = missing_model_box("The speaker model is not installed (/x/y.npz is missing). Run `earmark speakers "
                            "install` once (needs internet) to label speakers; transcription works without it.")
    qtbot.addWidget(box)
    assert "earmark speakers install" in box.text() and "/x/y.npz" in box.text()
    assert box.download_button.text() == "Download Speaker Model…"
    assert "Transcription works without it" in box.informativeText()
    assert box.standardButtons() == QMessageBox.StandardButton.Close
