"""Encrypted projects in the real window: the password dialog on opening (again after a wrong
password, Cancel changes nothing), File ▸ New Project encrypted, Encrypt / Remove Encryption /
Change Password from the File menu, and transcription streaming into an encrypted project."""

from __future__ import annotations

import hashlib
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QFileDialog

from app import settings
from app.main_window import MainWindow
from storage import encryption, transcripts
from storage.encryption import WrongPasswordError
from storage.project import create_project, open_project
from tests.helpers import add_turns, open_window, use_test_settings
from widgets.password_dialog import PasswordDialog

PASSWORD = "observe-only means observe only"
Step = Callable[[PasswordDialog], int]


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


class Script:
    """Stands in for the user at each password dialog: one step per dialog shown (exec)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.steps: list[Step] = []
        self.seen: list[str] = []  # the dialog's message line each time it was shown
        self.warnings: list[str] = []  # its lost-password warning, when shown
        script = self

        def run(dialog: PasswordDialog) -> int:
            assert script.steps, "a password dialog nobody expected"
            script.seen.append(dialog.message.text())
            if dialog.warning.isVisibleTo(dialog) or dialog.encrypt_box is not None:
                script.warnings.append(dialog.warning.text())
            return script.steps.pop(0)(dialog)

        monkeypatch.setattr(PasswordDialog, "exec", run)

    def then(self, *steps: Step) -> Script:
        self.steps.extend(steps)
        return self


def type_current(password: str) -> Step:
    def step(dialog: PasswordDialog) -> int:
        assert dialog.current is not None
        dialog.current.setText(password)
        assert dialog.ok_button.isEnabled()
        return 1
    return step


def type_new(password: str, *, current: str | None = None, tick: bool = False) -> Step:
    def step(dialog: PasswordDialog) -> int:
        if tick:
            assert dialog.encrypt_box is not None and not dialog.new.isEnabled()
            dialog.encrypt_box.setChecked(True)
        if current is not None:
            dialog.current.setText(current)
        dialog.new.setText(password)
        dialog.repeat.setText(password + "x")
        assert not dialog.ok_button.isEnabled() and "differ" in dialog.message.text()
        dialog.repeat.setText(password)
        assert dialog.ok_button.isEnabled()
        return 1
    return step


def cancel(_dialog: PasswordDialog) -> int:
    return 0


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    warnings: list[str] = []
    with open_window(qtbot, monkeypatch, warnings=warnings) as shown:
        shown.warnings = warnings  # type: ignore[attr-defined]
        yield shown


@pytest.fixture
def encrypted(project_path: Path) -> Path:
    with create_project(project_path, PASSWORD) as project:
        add_turns(project, "M01 Starting up", [("SN1", "Hot issues first."), ("CS", "The learning was huge.")])
    return project_path


def test_opening_asks_for_the_password_and_again_after_a_wrong_one(window: MainWindow, encrypted: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script(monkeypatch).then(type_current("wrong guess"), type_current(PASSWORD))
    assert window.open_project_file(encrypted)
    assert script.seen[0] == "" and "wrong" in script.seen[1], "the second time, the dialog says why"
    assert window.project is not None and window.project.encrypted
    assert "[encrypted]" in window.windowTitle()
    assert window.view.toPlainText().splitlines() == ["Hot issues first.", "The learning was huge."]
    assert window.warnings == []  # type: ignore[attr-defined]


def test_cancel_opens_nothing_and_changes_nothing(window: MainWindow, encrypted: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = folder_state(encrypted.parent)
    Script(monkeypatch).then(type_current("wrong guess"), cancel)
    assert not window.open_project_file(encrypted)
    assert window.project is None and window.windowTitle() == "Earmark"
    assert folder_state(encrypted.parent) == before, "no lock, no WAL, no backup"
    assert "Nothing was changed" in window.statusBar().currentMessage()


def test_new_project_can_be_encrypted_with_the_warning_up_front(window: MainWindow, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "Study.earmark"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    script = Script(monkeypatch).then(type_new(PASSWORD, tick=True))
    window.choose_new_project()
    assert "cannot be recovered" in script.warnings[0]
    assert window.project is not None and window.project.encrypted and encryption.is_encrypted(target)
    with pytest.raises(WrongPasswordError):
        open_project(target, "not it")


def test_new_project_stays_plain_unless_asked(window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "Plain.earmark"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    Script(monkeypatch).then(lambda dialog: 1)
    window.choose_new_project()
    assert window.project is not None and not window.project.encrypted and not encryption.is_encrypted(target)
    assert "[encrypted]" not in window.windowTitle()


class Marker(QUndoCommand):
    """Something on the undo stack, to see it cleared."""


def test_encrypt_change_password_and_remove_from_the_file_menu(window: MainWindow, project_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with create_project(project_path) as project:
        add_turns(project, "M01", [("SN1", "Hot issues first.")])
    assert window.open_project_file(project_path)
    actions = window.encryption
    assert actions.encrypt_action.isEnabled() and not actions.decrypt_action.isEnabled()
    window.editing.stack.push(Marker("an edit"))

    script = Script(monkeypatch).then(type_new("first"))
    actions.encrypt_action.trigger()
    assert "cannot be recovered" in script.warnings[-1]
    assert window.project.encrypted and encryption.is_encrypted(project_path)
    assert window.editing.stack.count() == 0 and "undo history was cleared" in window.statusBar().currentMessage()
    assert "[encrypted]" in window.windowTitle()
    assert actions.password_action.isEnabled() and not actions.encrypt_action.isEnabled()
    assert window.view.toPlainText() == "Hot issues first."

    script.then(type_new("second", current="wrong"), type_new("second", current="first"))
    actions.password_action.trigger()
    assert "wrong" in script.seen[-1]
    assert window.project.encrypted
    with pytest.raises(WrongPasswordError):
        encryption.check_password(project_path, "first")
    encryption.check_password(project_path, "second")

    script.then(cancel)
    actions.decrypt_action.trigger()  # cancelled: still encrypted, still open
    assert window.project is not None and window.project.encrypted
    script.then(type_current("second"))
    actions.decrypt_action.trigger()
    assert not window.project.encrypted and not encryption.is_encrypted(project_path)
    assert "[encrypted]" not in window.windowTitle()
    assert window.view.toPlainText() == "Hot issues first."
    assert window.warnings == []  # type: ignore[attr-defined]


def test_a_failed_conversion_reopens_the_project_as_it_was(window: MainWindow, project_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    create_project(project_path).close()
    assert window.open_project_file(project_path)

    def refuse(*_args: object) -> None:
        raise encryption.ProjectError("the converted copy does not hold the same tables and rows as the project")

    monkeypatch.setattr(encryption, "_verify", refuse)
    Script(monkeypatch).then(type_new("first"))
    window.encryption.encrypt_action.trigger()
    assert window.project is not None and not window.project.encrypted
    assert not encryption.is_encrypted(project_path)
    assert "left as it was" in window.warnings[-1]  # type: ignore[attr-defined]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    from audio.decode import decode
    from resources import sample_recording

    samples = decode(sample_recording())[: 12 * 16_000]
    path = tmp_path / "opening.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((samples.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_transcription_streams_into_an_encrypted_project(window: MainWindow, encrypted: Path, clip: Path, qtbot,  # noqa: ANN001
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_settings()
    settings.MODE.set("sequential")
    Script(monkeypatch).then(type_current(PASSWORD))
    assert window.open_project_file(encrypted)
    received: list[int] = []
    window.transcribe(clip)
    window.worker.segments_received.connect(lambda rows: received.append(len(rows)))
    with qtbot.waitSignal(window.worker.finished, timeout=180_000):
        pass
    qtbot.waitUntil(lambda: window.worker is None, timeout=10_000)
    assert received, "turns arrived while it ran"
    transcript_id = window.panel.selected_transcript()
    stored = transcripts.segments(window.project, transcript_id)
    assert stored and window.view.segment_count() == len(stored)
    assert transcripts.get_transcript(window.project, transcript_id).status == "done"
    window.close()
    assert encryption.is_encrypted(encrypted)
    with open_project(encrypted, PASSWORD) as project:
        assert len(transcripts.list_transcripts(project)) == 2
