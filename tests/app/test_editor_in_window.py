"""Editing a transcript in the real window: typing saves itself, Enter splits, Backspace at a
turn's start merges, and every change undoes and redoes in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.main_window import MainWindow
from storage import transcripts
from storage.project import create_project, open_project
from tests.helpers import add_turns, open_window

TURNS = [("SN1", "Good morning everyone. Hot issues first."), ("SW", "A discharge went wrong on Friday."),
         ("CG", "We need to review the transfer policy.")]


def make_project(path: Path) -> int:
    with create_project(path) as project:
        transcript_id, _ = add_turns(project, "M01", TURNS)
        return transcript_id


def stored(path: Path, transcript_id: int) -> list[str]:
    with open_project(path, read_only=True) as project:
        return [s.text for s in transcripts.segments(project, transcript_id)]


@pytest.fixture
def editor_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    path = tmp_path / "edit.earmark"
    transcript_id = make_project(path)
    with open_window(qtbot, monkeypatch, path) as window:
        window.path, window.transcript_id = path, transcript_id
        yield window


def put_cursor(window: MainWindow, block: int, offset: int) -> None:
    cursor = QTextCursor(window.view.document().findBlockByNumber(block))
    cursor.movePosition(QTextCursor.MoveOperation.Right, n=offset)
    window.view.setTextCursor(cursor)
    window.view.setFocus()


def test_typing_reaches_the_file_within_a_second(editor_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    put_cursor(editor_window, 1, len("A discharge"))
    qtbot.keyClicks(editor_window.view, " between units")
    qtbot.waitUntil(lambda: stored(editor_window.path, editor_window.transcript_id)[1]
                    == "A discharge between units went wrong on Friday.", timeout=1500)
    with open_project(editor_window.path, read_only=True) as project:
        turn = transcripts.segments(project, editor_window.transcript_id)[1]
    assert turn.words[0].start == 10.0 and turn.words[-1].text == "Friday."
    assert turn.words[-1].start == 12.5, "an unchanged word keeps its time"


def test_enter_splits_backspace_merges_and_undo_redo_in_order(editor_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view, path, tid = editor_window.view, editor_window.path, editor_window.transcript_id
    put_cursor(editor_window, 0, len("Good morning everyone. "))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert stored(path, tid)[:2] == ["Good morning everyone.", "Hot issues first."]
    assert view.document().blockCount() == 4
    assert view.segment_at_block(1).speaker == "SN1"

    put_cursor(editor_window, 2, 0)
    qtbot.keyClick(view, Qt.Key.Key_Backspace)  # SW's turn merges into the previous one
    assert stored(path, tid)[1] == "Hot issues first. A discharge went wrong on Friday."
    assert view.document().blockCount() == 3

    put_cursor(editor_window, 2, 0)
    qtbot.keyClicks(view, "So ")
    view.flush_pending()
    assert stored(path, tid)[2] == "So We need to review the transfer policy."

    expected_history = [
        ["Good morning everyone.", "Hot issues first. A discharge went wrong on Friday.", "We need to review the transfer policy."],
        ["Good morning everyone.", "Hot issues first.", "A discharge went wrong on Friday.", "We need to review the transfer policy."],
        [text for _, text in TURNS],
    ]
    for expected in expected_history:
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert stored(path, tid) == expected
        assert view.toPlainText().split("\n") == expected
    for expected in reversed(expected_history[:-1]):
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert stored(path, tid) == expected
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(path, tid)[2] == "So We need to review the transfer policy."
    with open_project(path, read_only=True) as project:
        ids = [s.id for s in transcripts.segments(project, tid)]
    assert len(set(ids)) == 3 and ids[0] == 1, "the first turn keeps its id through split, merge, undo and redo"


def test_speaker_change_and_rename_undo(editor_window: MainWindow) -> None:
    actions = editor_window.editing
    first = editor_window.view.segment_at_block(0)
    actions.set_speaker(first.id, "SN2")
    assert editor_window.view.segment_at_block(0).speaker == "SN2"
    actions.rename_speaker("SW", "CG")  # merge SW into CG everywhere
    assert [editor_window.view.segment_at_block(i).speaker for i in range(3)] == ["SN2", "CG", "CG"]
    actions.stack.undo()
    actions.stack.undo()
    assert [editor_window.view.segment_at_block(i).speaker for i in range(3)] == ["SN1", "SW", "CG"]


def test_edit_across_turns_is_refused(editor_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = editor_window.view
    cursor = QTextCursor(view.document())
    cursor.setPosition(5)
    cursor.setPosition(view.document().findBlockByNumber(1).position() + 3, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    with qtbot.waitSignal(view.refused):
        qtbot.keyClick(view, Qt.Key.Key_X)
    assert view.toPlainText().split("\n") == [text for _, text in TURNS]


def test_notes_and_emoji_keep_positions_right(editor_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = editor_window.view
    put_cursor(editor_window, 1, len("A discharge went wrong"))
    view.insert_at_cursor(" 😟 (pause)")
    view.flush_pending()
    text = stored(editor_window.path, editor_window.transcript_id)[1]
    assert text == "A discharge went wrong 😟 (pause) on Friday."
    put_cursor(editor_window, 1, 0)
    cursor = view.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    view.setTextCursor(cursor)
    assert view.cursor_offset() == len(text)


def test_find_and_replace_all_is_one_undo_step(editor_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    editor_window.start_find(everywhere=False)
    panel = editor_window.find_panel
    panel.needle.setText("the")
    panel.replacement.setText("THE")
    panel.whole_words.setChecked(True)
    first = editor_window.find.find_next(panel.options())
    assert first is not None and editor_window.view.selected_text() == "the"
    assert editor_window.find.replace_all(panel.options()) == 1
    assert stored(editor_window.path, editor_window.transcript_id)[2] == "We need to review THE transfer policy."
    editor_window.editing.stack.undo()
    assert stored(editor_window.path, editor_window.transcript_id) == [text for _, text in TURNS]


def test_no_sound_device_is_explained_and_editing_goes_on(editor_window: MainWindow, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from storage.records import RecordingRecord

    missing = RecordingRecord(1, "g", tmp_path / "gone.wav", "gone.wav", "0" * 64, 10.0, 1, 16000, False)
    editor_window.playback.open_recording(missing)
    assert not editor_window.player_bar.play.isEnabled()
    assert "missing" in editor_window.player_bar.message.text()
    deleted = RecordingRecord(1, "g", tmp_path / "gone.wav", "gone.wav", "0" * 64, 10.0, 1, 16000, True)
    editor_window.playback.open_recording(deleted)
    assert "deleted" in editor_window.player_bar.message.text()
    put_cursor(editor_window, 0, 0)
    qtbot.keyClicks(editor_window.view, "Well, ")
    editor_window.view.flush_pending()
    assert stored(editor_window.path, editor_window.transcript_id)[0].startswith("Well, Good morning")
