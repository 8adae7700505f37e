"""Auto-coding in the real window on a small coded study (tests/storage/coding_data.py): the
dialog's preview comes from the project, Apply codes the passages as one undo step, and undo and
redo take the codings (and a code made for them) away and back under the same ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.autocode_actions import AutocodeController
from app.main_window import MainWindow
from storage.codebook import find_code
from storage.coding import coded_text, coding_state
from tests.helpers import open_window
from tests.storage.coding_data import build_study
from widgets.autocode_dialog import AutocodeDialog


@pytest.fixture
def study_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    path = tmp_path / "study.earmark"
    study = build_study(path)
    study.project.close()  # the window takes the project's lock
    with open_window(qtbot, monkeypatch, path) as window:
        window.show_transcript(study.m01)
        window.study = study
        yield window


def controller(window: MainWindow) -> AutocodeController:
    return next(c for c in window.analysis if isinstance(c, AutocodeController))


def open_dialog(window: MainWindow) -> AutocodeDialog:
    action = next(a for a in window.context.menu("&Analysis").actions() if a.text() == "Auto-&code…")
    assert action.shortcut().toString() == "Ctrl+Shift+U"
    action.trigger()
    dialog = controller(window).dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def preview_now(dialog: AutocodeDialog) -> None:
    dialog.request_preview()  # the debounced preview, without waiting for the timer


def test_learning_by_sentence_in_all_transcripts_codes_the_sentences(study_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window, study = study_window, study_window.study
    dialog = open_dialog(window)
    qtbot.keyClicks(dialog.pattern, "learning")
    dialog.set_scope("sentence")
    dialog.all_transcripts.setChecked(True)
    dialog.code.setEditText("lessons learnt")
    preview_now(dialog)
    assert dialog.count.text() == "3 passages in 2 transcripts; 0 already coded with this code"
    assert [dialog.model.index(row, 3).data(dialog.model.HTML_ROLE) for row in range(3)] == [
        "That was a shock for everyone. <b>The learning was huge!</b>",
        "<b>Learning from each other helps.</b> Learning, always.",
        "Learning from each other helps. <b>Learning, always.</b>",
    ]
    # "The" is word 6 of turn 1 (10 s): 10 + 6 * 0.5; the others start their turn (M02 turn 1, 10 s)
    assert [dialog.model.index(row, 2).data() for row in range(3)] == ["00:13", "00:10", "00:12"]
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    assert controller(window).dialog is None, "the dialog closes once the passages are coded"
    code = find_code(window.project, "lessons learnt")
    assert code is not None and code.count == 3
    command = window.editing.stack.command(window.editing.stack.index() - 1)
    ids = command.coding_ids
    assert sorted(coded_text(window.project, i) for i in ids) == [
        "Learning from each other helps.", "Learning, always.", "The learning was huge!"]
    assert window.statusBar().currentMessage() == "Coded 3 passages with “lessons learnt”. Undo with Ctrl+Z."
    assert window.context.last_code_id == code.id

    window.editing.stack.undo()
    assert find_code(window.project, "lessons learnt") is None, "undo removes the code it made too"
    for coding_id in ids:
        with pytest.raises(KeyError):
            coding_state(window.project, coding_id)
    window.editing.stack.redo()
    again = find_code(window.project, "lessons learnt")
    assert again is not None and again.id == code.id and again.guid == code.guid
    assert sorted(coded_text(window.project, i) for i in ids) == [
        "Learning from each other helps.", "Learning, always.", "The learning was huge!"]
    assert study.codes["Learning"] != code.id


def test_an_existing_code_skips_what_it_covers_already(study_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window, study = study_window, study_window.study
    dialog = open_dialog(window)
    dialog.pattern.setText("learning")
    dialog.set_scope("sentence")
    dialog.all_transcripts.setChecked(True)
    dialog.code.setEditText("learning")  # the existing "Learning", typed in lower case
    preview_now(dialog)
    assert dialog.count.text() == "3 passages in 2 transcripts; 1 already coded with this code"
    assert dialog.apply_button.text() == "Code 2 passages"
    dialog.apply_button.click()
    assert find_code(window.project, "Learning").count == 3  # noqa: PLR2004 (1 by hand + 2)
    assert window.statusBar().currentMessage().startswith("Coded 2 passages with “Learning”.")
    window.editing.stack.undo()
    learning = find_code(window.project, "Learning")
    assert learning is not None and learning.id == study.codes["Learning"] and learning.count == 1, \
        "undo keeps a code it did not create, and the coding made by hand"


def test_speaker_mode_codes_every_turn_of_sn1_and_undo_redo(study_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window, study = study_window, study_window.study
    changes: list[int] = []
    window.context.codings_changed.connect(changes.append)
    dialog = open_dialog(window)
    dialog.tabs.setCurrentIndex(1)
    dialog.speaker.setCurrentText("SN1")
    preview_now(dialog)
    assert dialog.count.text() == "2 passages in 1 transcript", "this transcript only (M01)"
    dialog.all_transcripts.setChecked(True)
    dialog.code.setEditText("SN1 said")
    preview_now(dialog)
    assert dialog.count.text() == "3 passages in 2 transcripts; 0 already coded with this code"
    dialog.apply_button.click()
    ids = window.editing.stack.command(0).coding_ids
    assert [coded_text(window.project, i) for i in ids] == [
        "Hot issues first. We had an unexpected death during transfer.",
        "We changed the discharge procedure after that.", "Learning from each other helps. Learning, always."]
    assert [coding_state(window.project, i).start.segment_id for i in ids] == [
        study.turns[(study.m01, 0)], study.turns[(study.m01, 3)], study.turns[(study.m02, 1)]]
    assert changes == [-1]
    window.editing.stack.undo()
    assert find_code(window.project, "SN1 said") is None and changes == [-1, -1]
    window.editing.stack.redo()
    assert [coding_state(window.project, i).code_id for i in ids] == [find_code(window.project, "SN1 said").id] * 3


def test_a_bad_regex_is_shown_and_codes_nothing(study_window: MainWindow) -> None:
    window = study_window
    dialog = open_dialog(window)
    dialog.regex.setChecked(True)
    dialog.code.setEditText("Learning")
    dialog.pattern.setText("learn(ing")
    preview_now(dialog)
    assert dialog.error.isVisible() and "Not a valid regular expression" in dialog.error.text()
    assert not dialog.apply_button.isEnabled()
    dialog.pattern.setText("learn(ing|t)")
    preview_now(dialog)
    assert not dialog.error.isVisible() and dialog.count.text().startswith("1 passage in 1 transcript")
    assert window.editing.stack.count() == 0


def test_read_only_project_refuses_with_a_message(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "study.earmark"
    study = build_study(path)  # still open: the window gets the project read-only
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.open_project_file(path) and window.project.read_only
        controller(window).action.trigger()
        assert controller(window).dialog is None
        assert "read-only" in window.statusBar().currentMessage()
    finally:
        window.close()
        study.project.close()


def test_closing_the_project_closes_the_dialog(study_window: MainWindow) -> None:
    dialog = open_dialog(study_window)
    study_window._close_project()
    assert controller(study_window).dialog is None and not dialog.isVisible()
