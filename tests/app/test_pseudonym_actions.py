"""Pseudonyms in the real window: the list is edited through the dialog with undo, the preview
lists every match grouped by name, replacing the ticked ones is one undo step that keeps codings
on their (renamed) words, and File ▸ Export Transcript as Text… runs the pre-export check."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from app.main_window import MainWindow
from app.pseudonym_actions import PseudonymController
from storage import backups, pseudonyms, transcripts
from storage.coding import coded_text, codings_in_transcript
from storage.models import AuditEntry, Participant, Speaker
from storage.project import create_project, open_project
from tests.helpers import add_turns, open_window
from tests.storage.coding_data import add_code, add_coding
from widgets.name_check_dialog import NameCheckDialog
from widgets.pseudonym_dialog import PseudonymDialog

TURNS = [
    ("SN1", "Sarah Jones rang me about the transfer."),
    ("SN2", "I spoke to Sarah afterwards; S.J. was upset."),
    ("SW", "Observer's aside: Sarah is my neighbour."),
    ("CS", "Dr Okafor wants the pathway reviewed."),
]


@pytest.fixture
def study(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        transcript_id, rows = add_turns(project, "M01 Starting up", TURNS)
        code = add_code(project, "Partnership")
        name_end = len("Sarah Jones")
        coding = add_coding(project, code, transcript_id, (rows[0].id, 0), (rows[0].id, name_end))
        with project.write() as session:
            observer = Participant(role_code="SW", consent="observe_only", attributes={})
            session.add(observer)
            session.flush()
            session.scalars(select(Speaker).where(Speaker.label == "SW")).one().participant_id = observer.id
    return {"path": path, "transcript": transcript_id, "turns": [r.id for r in rows], "coding": coding}


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch, study: dict[str, object]):  # noqa: ANN001, ANN201
    with open_window(qtbot, monkeypatch, study["path"]) as opened:  # type: ignore[arg-type]
        opened.show_transcript(study["transcript"])  # type: ignore[arg-type]
        yield opened


def controller(window: MainWindow) -> PseudonymController:
    return next(c for c in window.analysis if isinstance(c, PseudonymController))


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question would wait for a click that never comes; tests that care answer it."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.No)


def open_dialog(window: MainWindow) -> PseudonymDialog:
    action = next(a for a in window.context.menu("&Project").actions() if a.text() == "&Pseudonyms…")
    action.trigger()
    dialog = controller(window).dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def add_entry(qtbot, dialog: PseudonymDialog, real: str, replacement: str, variants: str = "") -> None:  # noqa: ANN001
    for field, text in ((dialog.real_field, real), (dialog.replacement_field, replacement),
                        (dialog.variants_field, variants)):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.keyClick(dialog.real_field, Qt.Key.Key_Return)  # Return adds (and never presses Replace)


def table_rows(dialog: PseudonymDialog) -> list[tuple[str, ...]]:
    return [tuple(dialog.table.item(row, column).text() for column in range(3)) for row in range(dialog.table.rowCount())]


def test_list_edits_are_undoable(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    dialog = open_dialog(window)
    add_entry(qtbot, dialog, "Sarah Jones", "SN1", "Sarah, S.J.")
    add_entry(qtbot, dialog, "Ngozi Okafor", "CS", "Dr Okafor")
    assert table_rows(dialog) == [("Ngozi Okafor", "CS", "Dr Okafor"), ("Sarah Jones", "SN1", "Sarah, S.J.")]
    assert dialog.real_field.text() == ""  # saved: the form is cleared for the next name

    dialog.table.selectRow(1)
    assert dialog.replacement_field.text() == "SN1" and not dialog.add_button.isEnabled()
    dialog.replacement_field.setText("SN3")
    dialog.save_button.click()
    dialog.table.selectRow(0)
    dialog.remove_button.click()
    assert table_rows(dialog) == [("Sarah Jones", "SN3", "Sarah, S.J.")]

    stack = window.context.stack
    stack.undo()  # the removal
    stack.undo()  # the edit
    assert table_rows(dialog) == [("Ngozi Okafor", "CS", "Dr Okafor"), ("Sarah Jones", "SN1", "Sarah, S.J.")]
    stack.undo()
    stack.undo()
    assert table_rows(dialog) == []
    stack.redo()
    assert table_rows(dialog) == [("Sarah Jones", "SN1", "Sarah, S.J.")]


def test_a_refused_entry_says_why_and_keeps_what_was_typed(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    dialog = open_dialog(window)
    add_entry(qtbot, dialog, "Sarah Jones", "Ms Jones")
    assert "keeps part of “Sarah Jones”" in dialog.message.text()
    assert dialog.real_field.text() == "Sarah Jones" and table_rows(dialog) == []
    assert window.context.stack.count() == 0


def test_preview_then_replace_is_one_undo_step(window: MainWindow, qtbot, study: dict[str, object],  # noqa: ANN001
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, title, *_args: asked.append(title) or QMessageBox.StandardButton.No)
    project = window.project
    backups.take_backup(project.path, "before-names", force=True)
    transcript_id, turns = study["transcript"], study["turns"]
    dialog = open_dialog(window)
    add_entry(qtbot, dialog, "Sarah Jones", "SN1", "Sarah, S.J.")
    add_entry(qtbot, dialog, "Ngozi Okafor", "CS", "Dr Okafor")
    groups = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert groups == ["Sarah Jones → SN1   (4 matches)", "Ngozi Okafor → CS   (1 match)"]
    assert [m.text for m in dialog.all_matches()] == ["Sarah Jones", "Sarah", "S.J.", "Sarah", "Dr Okafor"]
    observer_aside = next(m for m in dialog.all_matches() if m.speaker == "SW")
    dialog.set_ticked(observer_aside, False)
    assert dialog.summary.text() == "5 matches of 2 names; 4 ticked"
    assert dialog.apply_button.text() == "Replace 4 Matches"
    before_turns = transcripts.segments(project, transcript_id)
    before_codings = codings_in_transcript(project, transcript_id)
    commands_before = window.context.stack.count()

    dialog.apply_button.click()

    assert controller(window).dialog is None or not dialog.isVisible()
    texts = [t.text for t in transcripts.segments(project, transcript_id)]
    assert texts == ["SN1 rang me about the transfer.", "I spoke to SN1 afterwards; SN1 was upset.",
                     TURNS[2][1], "CS wants the pathway reviewed."]
    assert window.view.toPlainText().splitlines()[:2] == texts[:2]  # the editor shows it
    assert coded_text(project, study["coding"]) == "SN1"  # the coded name stays coded
    assert window.context.stack.count() == commands_before + 1
    assert "Replaced 1 × CS, 3 × SN1 in 3 turns" in window.statusBar().currentMessage()
    assert asked == ["Backups still hold the real names"] and backups.existing_backups(project.path)  # kept: "No"
    with project.session() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "pseudonymised")).one()
    assert audit.details["total"] == 4 and "Sarah" not in repr(audit.details)

    window.context.stack.undo()
    assert transcripts.segments(project, transcript_id) == before_turns
    assert codings_in_transcript(project, transcript_id) == before_codings
    assert window.view.toPlainText().splitlines()[0] == TURNS[0][1]
    window.context.stack.redo()
    assert transcripts.segments(project, transcript_id)[0].text == "SN1 rang me about the transfer."
    del turns


def test_read_only_project_can_be_previewed_not_changed(qtbot, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                                        study: dict[str, object]) -> None:
    with open_project(study["path"]) as project:  # type: ignore[arg-type]
        pseudonyms.add_pseudonym(project, "Sarah Jones", "SN1", ["Sarah"])
        with open_window(qtbot, monkeypatch, study["path"]) as window:  # type: ignore[arg-type]
            assert window.project.read_only  # the other "instance" holds the lock
            window.show_transcript(study["transcript"])  # type: ignore[arg-type]
            dialog = open_dialog(window)
            assert len(dialog.all_matches()) == 3
            assert not dialog.apply_button.isEnabled() and "read-only" in dialog.message.text()


# --- export ------------------------------------------------------------------------------------------

def answer_check(qtbot, button: str, seen: list[str]) -> None:  # noqa: ANN001
    """Press a button of the pre-export check's dialog once it is up (it runs modally)."""
    def press() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, NameCheckDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, press)
            return
        seen.extend(dialog.places.topLevelItem(i).text(2) for i in range(dialog.places.topLevelItemCount()))
        getattr(dialog, button).click()
    QTimer.singleShot(0, press)


def listed(window: MainWindow) -> None:
    pseudonyms.add_pseudonym(window.project, "Sarah Jones", "SN1", ["Sarah", "S.J."])


def test_export_menu_entry_sits_in_the_file_menu(window: MainWindow) -> None:
    """Under File ▸ Export (app/exchange_actions.py moves it there), above Quit."""
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    export_menu = next(a.menu() for a in file_menu.actions() if a.text() == "E&xport")
    assert controller(window).export_action in export_menu.actions()
    assert texts.index("E&xport") < texts.index("&Quit")


def test_export_with_listed_names_asks_and_pseudonymises(window: MainWindow, qtbot, tmp_path: Path,  # noqa: ANN001
                                                          study: dict[str, object]) -> None:
    listed(window)
    seen: list[str] = []
    answer_check(qtbot, "pseudonymise_button", seen)
    out = controller(window).export_text(tmp_path / "m01.txt")
    assert out == tmp_path / "m01.txt"
    assert seen == ["M01 Starting up, 0:00:00 (turn 1)", "M01 Starting up, 0:00:10 (turn 2)",
                    "M01 Starting up, 0:00:10 (turn 2)"]  # not the observer's turn: it is not exported
    text = out.read_text(encoding="utf-8")
    assert "Sarah" not in text and "S.J." not in text and "SN1 rang me" in text
    assert "neighbour" not in text and "[SW consented to be observed only; turn left out]" in text
    assert transcripts.segments(window.project, study["transcript"])[0].text == TURNS[0][1]  # project unchanged
    assert "names pseudonymised" in window.statusBar().currentMessage()


def test_export_anyway_keeps_names_and_cancel_writes_nothing(window: MainWindow, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    listed(window)
    answer_check(qtbot, "anyway_button", [])
    out = controller(window).export_text(tmp_path / "anyway.txt")
    assert out is not None and "Sarah Jones rang me" in out.read_text(encoding="utf-8")
    answer_check(qtbot, "cancel_button", [])
    assert controller(window).export_text(tmp_path / "cancelled.txt") is None
    assert not (tmp_path / "cancelled.txt").exists()


def test_export_without_listed_names_asks_nothing(window: MainWindow, tmp_path: Path) -> None:
    out = controller(window).export_text(tmp_path / "plain.txt")
    assert out is not None and "Sarah Jones rang me" in out.read_text(encoding="utf-8")


def test_name_check_dialog_lists_every_place(qtbot) -> None:  # noqa: ANN001
    from storage.pseudonym_records import NameLeak

    leaks = [NameLeak("Sarah Jones", "S.J", "M01, 0:00:10 (turn 2)"), NameLeak("Sarah Jones", "Sarah", "memo “Notes”")]
    dialog = NameCheckDialog(leaks, what="Exporting “M01”")
    qtbot.addWidget(dialog)
    assert [dialog.places.topLevelItem(i).text(2) for i in range(2)] == ["M01, 0:00:10 (turn 2)", "memo “Notes”"]
    assert dialog.pseudonymise_button.isDefault()
    dialog.anyway_button.click()
    assert dialog.choice == "anyway"


def test_names_in_memos_are_listed_not_replaced(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    from storage import memos

    memo = memos.add_memo(window.project, "project", None, title="After M01", body="Sarah seemed worried.")
    listed(window)
    dialog = open_dialog(window)
    assert [(m.memo_id, m.text) for m in dialog.memo_matches()] == [(memo.id, "Sarah")]
    assert all(m.kind == "turn" for m in dialog.ticked_matches())
    assert dialog.summary.text() == "4 matches of 1 name; 4 ticked; 1 in memos"
    dialog.memos_box.setChecked(False)
    assert dialog.memo_matches() == []
    dialog.memos_box.setChecked(True)
    dialog.apply_button.click()
    assert memos.get_memo(window.project, memo.id).body == "Sarah seemed worried."


def test_a_memo_match_opens_the_memo_to_edit(window: MainWindow) -> None:
    from app.memo_actions import MemoController
    from storage import memos

    memo = memos.add_memo(window.project, "project", None, title="After M01", body="Sarah seemed worried.")
    listed(window)
    dialog = open_dialog(window)
    memo_group = dialog.tree.topLevelItem(dialog.tree.topLevelItemCount() - 1)
    assert memo_group.text(0).startswith("In memos (1 match): not changed here")
    dialog.tree.itemActivated.emit(memo_group.child(0), 0)
    assert controller(window).dialog is None
    memo_controller = next(c for c in window.analysis if isinstance(c, MemoController))
    assert memo_controller.panel.current_memo() == memo.id


def test_backups_that_hold_the_names_are_deleted_when_the_user_agrees(window: MainWindow, qtbot,  # noqa: ANN001
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    project = window.project
    backups.take_backup(project.path, "before-names", force=True)
    held = len(backups.existing_backups(project.path))
    dialog = open_dialog(window)
    add_entry(qtbot, dialog, "Sarah Jones", "SN1", "Sarah, S.J.")
    dialog.apply_button.click()
    assert not backups.existing_backups(project.path)
    assert f"Deleted {held} backup" in window.statusBar().currentMessage()
