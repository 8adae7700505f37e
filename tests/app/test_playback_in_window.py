"""Playback in the real window on the real sound path (the ALSA null device in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor

from app import jobs
from app.main_window import MainWindow
from widgets.clock import clock
from audio.output_devices import PlaybackError
from storage import transcripts
from storage.project import create_project
from tests.conftest import require_output
from tests.helpers import open_window, turn_segments


@pytest.fixture
def window_with_sample(qtbot, tmp_path: Path, sample: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    require_output()
    path = tmp_path / "listen.earmark"
    with create_project(path) as project:
        prepared = jobs.prepare(project, sample)
        turns = turn_segments([("SN1", f"turn {t} words here") for t in range(9)], spacing=2.0, word_length=1.5,
                              probability=0.9)
        transcripts.append_segments(project, prepared.transcript.id, turns, 90.0)
    with open_window(qtbot, monkeypatch, path) as window:
        yield window


def test_play_moves_the_highlight_and_seek_jumps(window_with_sample: MainWindow, qtbot) -> None:  # noqa: ANN001
    window = window_with_sample
    assert window.player_bar.play.isEnabled()
    window.playback.seek(20.5)
    qtbot.waitUntil(lambda: bool(window.view.extraSelections()), timeout=2000)
    selection = window.view.extraSelections()[0]
    highlighted = QTextCursor(selection.cursor)
    assert highlighted.selectedText() == "turn" and highlighted.blockNumber() == 2
    window.playback.toggle()
    qtbot.waitUntil(lambda: window.playback.position() > 22.5, timeout=10_000)
    window.playback.toggle()
    # The null device plays far faster than real time, so where it stopped varies; the bar must
    # show where the player is.
    qtbot.wait(2 * 30)
    paused_at = window.playback.position()
    assert paused_at > 22.5

    assert window.player_bar.time.text().startswith(clock(paused_at))


def test_device_error_is_shown_and_editing_goes_on(window_with_sample: MainWindow, qtbot) -> None:  # noqa: ANN001
    window = window_with_sample
    window.playback.error_raised.emit(PlaybackError("The sound device was disconnected."))
    qtbot.waitUntil(lambda: "disconnected" in window.player_bar.message.text(), timeout=2000)
    assert window.player_bar.message.isVisible()
    window.view.setFocus()
    qtbot.keyClicks(window.view, "x")
    assert window.view.pending_edits()


def test_playback_settings_apply_to_the_player(window_with_sample: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import settings
    from widgets.playback_settings import PlaybackSettingsDialog

    def choose(dialog: PlaybackSettingsDialog) -> int:
        assert dialog.device.count() >= 2, "the system default and at least one real device"
        dialog.device.setCurrentIndex(1)
        dialog.rewind.setValue(3.5)
        dialog.skip.setValue(10.0)
        return 1

    monkeypatch.setattr(PlaybackSettingsDialog, "exec", choose)
    window_with_sample.playback.configure(window_with_sample)
    player = window_with_sample.playback.player
    assert (player.rewind_on_resume, player.skip_seconds) == (3.5, 10.0)
    assert settings.SKIP_SECONDS.get() == 10.0 and settings.OUTPUT_DEVICE.get() >= 0
    player.seek(30.0)
    window_with_sample.playback.skip(-1)
    assert abs(player.position() - 20.0) < 0.05
