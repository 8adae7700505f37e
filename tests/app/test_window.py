"""The first window, on a real Qt window (offscreen) with the real engine and model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from app import settings
from app.main_window import MainWindow
from storage import transcripts
from storage.project import create_project, open_project
from tests.helpers import held_elsewhere, open_window, use_test_settings


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN001, ANN201
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "Documents"))  # a fresh sample per test
    use_test_settings()
    settings.MODE.set("sequential")  # streams one window at a time: the live fill is visible
    warnings: list[str] = []
    with open_window(qtbot, monkeypatch, warnings=warnings) as shown:
        shown.warnings = warnings
        yield shown


def test_sample_fills_in_live_and_window_stays_responsive(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    counts: list[int] = []
    fractions: list[float] = []
    ticks = [0]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start(50)

    window.open_sample()
    assert window.worker is not None
    window.worker.segments_received.connect(lambda _: counts.append(window.view.segment_count()))
    window.worker.progress_changed.connect(lambda p: fractions.append(p.fraction))
    assert window.job_bar.isVisible()
    with qtbot.waitSignal(window.worker.finished, timeout=180_000):
        pass
    timer.stop()

    assert len(counts) >= 4 and counts == sorted(counts), "turns appear batch by batch while it runs"
    assert counts[0] < counts[-1]
    assert fractions and fractions[-1] == pytest.approx(1.0, abs=0.01)
    assert "time left" in window.job_bar.detail.text() or "finishing" in window.job_bar.detail.text()
    qtbot.waitUntil(lambda: window.worker is None, timeout=10_000)
    assert not window.job_bar.isVisible()
    stored = transcripts.segments(window.project, window.panel.selected_transcript())
    assert window.view.segment_count() == len(stored) >= 10
    assert window.view.toPlainText().splitlines()[0] == stored[0].text
    # The event loop kept running: the 50 ms timer ticked through the whole job.
    assert ticks[0] >= 20
    assert window.warnings == []


def test_cancel_keeps_what_was_done_and_resume_finishes(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window.open_sample()
    worker = window.worker
    with qtbot.waitSignal(worker.segments_received, timeout=120_000):
        pass
    with qtbot.waitSignal(worker.finished, timeout=60_000):
        window.cancel_transcription()
    qtbot.waitUntil(lambda: window.worker is None, timeout=10_000)
    transcript_id = window.panel.selected_transcript()
    partial = transcripts.get_transcript(window.project, transcript_id)
    assert partial.status == "interrupted" and partial.segment_count >= 1
    assert "resume" in window.panel.currentItem().text(1)

    window.resume_selected()
    with qtbot.waitSignal(window.worker.finished, timeout=180_000):
        pass
    qtbot.waitUntil(lambda: window.worker is None, timeout=10_000)
    done = transcripts.get_transcript(window.project, transcript_id)
    assert done.status == "done" and done.segment_count > partial.segment_count
    texts = [s.text for s in transcripts.segments(window.project, transcript_id)]
    assert len(texts) == len(set(texts)), "nothing transcribed twice"
    assert window.view.segment_count() == done.segment_count


def test_project_open_elsewhere_is_read_only_and_says_so(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "shared.earmark"
    create_project(path).close()
    with held_elsewhere(path):
        assert window.open_project_file(path)
        assert window.project.read_only
        assert window.read_only_banner.isVisible()
        assert "another Earmark" in window.read_only_banner.text()
        assert not window.add_action.isEnabled() and not window.resume_action.isEnabled()


def test_broken_project_shows_a_message_and_is_left_alone(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "thesis.earmark"
    path.write_text("not a project")
    assert not window.open_project_file(path)
    assert window.project is None
    assert len(window.warnings) == 1 and str(path) in window.warnings[0]
    assert path.read_text() == "not a project"


def test_bad_recording_shows_a_message(window: MainWindow, tmp_path: Path, qtbot) -> None:  # noqa: ANN001
    project = tmp_path / "p.earmark"
    create_project(project).close()
    window.open_project_file(project)
    bad = tmp_path / "notes.wav"
    bad.write_text("typed notes " * 100)
    window.transcribe(bad)
    with qtbot.waitSignal(window.worker.finished, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: window.worker is None, timeout=10_000)
    assert len(window.warnings) == 1 and str(bad) in window.warnings[0]
    with open_project(project, read_only=True) as reopened:
        assert transcripts.list_transcripts(reopened) == []


def test_transcription_settings_dialog_saves_choices_and_vocabulary(window: MainWindow, tmp_path: Path, qtbot, monkeypatch) -> None:  # noqa: ANN001
    from storage.settings import vocabulary
    from widgets.transcription_settings import TranscriptionSettingsDialog

    create_project(tmp_path / "v.earmark").close()
    window.open_project_file(tmp_path / "v.earmark")

    def fill_and_accept(dialog: TranscriptionSettingsDialog) -> int:
        dialog.vocabulary.setPlainText("Community of Practice\nSN1\n\nSN1")
        dialog.mode.setCurrentIndex(dialog.mode.findData("batched"))
        dialog.model.setText(str(tmp_path))  # not a model folder: refused, the old model kept
        return 1

    monkeypatch.setattr(TranscriptionSettingsDialog, "exec", fill_and_accept)
    window.edit_transcription_settings()
    assert vocabulary(window.project) == ("Community of Practice", "SN1")
    assert settings.MODE.get() == "batched"
    assert settings.MODEL.get() == "tiny.en"
    assert len(window.warnings) == 1 and "not a CTranslate2 Whisper model folder" in window.warnings[0]
