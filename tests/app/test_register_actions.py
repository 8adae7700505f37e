"""The participant register and the meetings in the real window on the RESEARCH.md study: edits in
place and consent changes undone with the window's undo, a duplicate code refused, attendance
clicked and undone with the quorum warning following, the quorum changed, agenda saved as it is
typed, transcripts linked, matching speakers linked in one click, exports, read-only projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QMessageBox

from app.main_window import MainWindow
from app.register_actions import RegisterController
from storage import meetings, memos, participants
from storage.project import create_project
from tests.helpers import add_turns, held_elsewhere, open_window
from tests.storage.register_data import RegisterDemo, build_register_demo
from widgets.continuous_save import SAVE_SETTLE_MS
from widgets.participant_register import CONSENT, ROLE, SPEAKERS


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, RegisterDemo]:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        demo = build_register_demo(project)
    return path, demo


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch, study: tuple[Path, RegisterDemo]):  # noqa: ANN001, ANN201
    with open_window(qtbot, monkeypatch, study[0]) as opened:
        yield opened


def controller(window: MainWindow) -> RegisterController:
    return next(c for c in window.analysis if isinstance(c, RegisterController))


def row_of(register: RegisterController, code: str) -> int:
    return next(row for row, p in enumerate(register.view.participants()) if p.role_code == code)


def message(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_the_project_menu_opens_the_register_and_the_meetings(window: MainWindow) -> None:
    menu = window.context.menu("&Project")
    titles = [a.text() for a in menu.actions() if a.text()]
    mine = ["Participant &Register…", "&Meetings…", "Export &Roles Table…", "Export Meeting &Time-Plan…"]
    assert [t for t in titles if t in mine] == mine  # other entries of the menu belong to other views
    next(a for a in menu.actions() if a.text() == "Participant &Register…").trigger()
    register = controller(window)
    assert register.dock.isVisible()
    assert [p.role_code for p in register.view.participants()] == ["SN1", "SN2", "CS", "CG", "OT", "SW"]
    assert register.view.table.item(row_of(register, "SN1"), SPEAKERS).text() == "SN1"
    assert "SW (consented to be observed only)" in register.view.excluded.text()
    next(a for a in menu.actions() if a.text() == "&Meetings…").trigger()
    assert register.meetings.dock.isVisible()


def test_an_edit_in_place_is_stored_and_undone(qtbot, window: MainWindow, study: tuple[Path, RegisterDemo]) -> None:  # noqa: ANN001
    register = controller(window)
    register.show_register()
    sn2 = study[1].participants["SN2"]
    register.view.table.item(row_of(register, "SN2"), ROLE).setText("Senior Nurse 2, adult services")  # as typed
    qtbot.waitUntil(lambda: participants.get_participant(window.project, sn2).role == "Senior Nurse 2, adult services")
    assert window.context.stack.undoText() == "Edit participant SN2"
    window.context.stack.undo()
    assert participants.get_participant(window.project, sn2).role == "Senior Nurse 2"
    assert register.view.table.item(row_of(register, "SN2"), ROLE).text() == "Senior Nurse 2"
    window.context.stack.redo()
    assert register.view.table.item(row_of(register, "SN2"), ROLE).text() == "Senior Nurse 2, adult services"


def test_a_duplicate_code_typed_in_place_is_refused_and_the_cell_shows_the_stored_code(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    register = controller(window)
    register.show_register()
    depth = window.context.stack.count()
    register.view.table.item(row_of(register, "SN2"), 0).setText("sn1")
    qtbot.waitUntil(lambda: "already a participant SN1" in message(window))
    assert register.view.table.item(1, 0).text() == "SN2"
    assert window.context.stack.count() == depth  # nothing to undo


def test_a_consent_change_greys_the_row_is_audited_and_undone(qtbot, window: MainWindow,  # noqa: ANN001
                                                              study: tuple[Path, RegisterDemo]) -> None:
    register = controller(window)
    register.show_register()
    combo = register.view.table.cellWidget(row_of(register, "CG"), CONSENT)
    combo.setCurrentIndex(combo.findData("withdrawn"))
    combo.activated.emit(combo.currentIndex())  # what choosing it with the mouse emits
    cg = study[1].participants["CG"]
    qtbot.waitUntil(lambda: participants.get_participant(window.project, cg).consent == "withdrawn")
    assert "CG: withdrawn; their turns are left out of analysis" in message(window)
    item = register.view.table.item(row_of(register, "CG"), ROLE)
    assert item.font().italic() and item.toolTip() == "CG withdrew consent: left out of analysis"
    assert "CG (withdrew consent)" in register.view.excluded.text()
    window.context.stack.undo()
    assert participants.get_participant(window.project, cg).consent == "full"
    assert not register.view.table.item(row_of(register, "CG"), ROLE).font().italic()
    from sqlalchemy import select

    from storage.models import AuditEntry
    with window.project.session() as session:
        changes = [(e.details["from"], e.details["to"]) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consent_changed")) if e.details["participant"] == "CG"]
    assert changes == [("full", "withdrawn"), ("withdrawn", "full")]


def test_adding_a_participant_links_the_matching_speaker_and_undo_removes_it(
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    add_turns(window.project, "M05 recording", [("SW2", "I am the new social worker.")])
    import app.register_actions as actions

    class Typed:  # the dialog, as if SW2 was typed and OK pressed
        def __init__(self, taken, suggested, parent) -> None:  # noqa: ANN001
            assert suggested == "SW2"  # an unlinked speaker label is offered first
        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Accepted
        def values(self) -> tuple[str, str, str, str]:
            return "SW2", "Social worker", "Local authority", "full"

    monkeypatch.setattr(actions, "NewParticipantDialog", Typed)
    register = controller(window)
    register.show_register()
    register.view.add_button.click()
    qtbot.waitUntil(lambda: participants.find_participant(window.project, "SW2") is not None)
    assert participants.find_participant(window.project, "SW2").speakers == ("SW2",)
    assert "Participant SW2 added, linked to the speaker SW2." == message(window)
    window.context.stack.undo()
    assert participants.find_participant(window.project, "SW2") is None
    assert [p.role_code for p in register.view.participants()][-1] == "SW"


def test_matching_speaker_labels_are_linked_in_one_click(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    participants.create_participant(window.project, "M")  # as if added before the transcript arrived
    add_turns(window.project, "M05 recording", [("M", "I am the social worker they mentioned.")])
    window.context.sources_changed.emit()
    register = controller(window)
    register.show_register()
    assert register.view.match_button.isVisible() and "(M)" in register.view.match_button.text()
    register.view.match_button.click()
    qtbot.waitUntil(lambda: participants.find_participant(window.project, "M").speakers == ("M",))
    assert not register.view.match_button.isVisible()
    window.context.stack.undo()
    assert participants.find_participant(window.project, "M").speakers == ()


def test_removing_a_participant_asks_with_numbers_and_undo_brings_everything_back(
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, study: tuple[Path, RegisterDemo]) -> None:  # noqa: ANN001
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes)
    ot = study[1].participants["OT"]
    memos.add_memo(window.project, "participant", ot, body="Joined late.")
    register = controller(window)
    register.show_register()
    register.view.select(ot)
    register.view.remove_button.click()
    qtbot.waitUntil(lambda: participants.find_participant(window.project, "OT") is None)
    assert "1 speaker label(s) unlinked" in asked[0] and "attendance at 4 meeting(s)" in asked[0] and "1 memo(s)" in asked[0]
    window.context.stack.undo()
    restored = participants.get_participant(window.project, ot)
    assert restored.speakers == ("OT",) and len(memos.memos_for(window.project, "participant", ot)) == 1
    assert meetings.get_meeting(window.project, study[1].meetings["M03"]).status_of(ot) == "part"


def show_m03(window: MainWindow, study: tuple[Path, RegisterDemo]):  # noqa: ANN201
    register = controller(window)
    register.meetings.show()
    register.meetings.view.select_meeting(study[1].meetings["M03"])
    return register.meetings.view


def test_m03_shows_the_quorum_warning_and_an_attendance_click_is_undone(qtbot, window: MainWindow,  # noqa: ANN001
                                                                        study: tuple[Path, RegisterDemo]) -> None:
    view = show_m03(window, study)
    assert view.shown().code == "M03" and not view.recorded.isChecked()
    assert view.warning.isVisible() and view.warning.text() == "Below quorum: 3 attended, the quorum is 4"
    m03_row = next(r for r in range(view.list.rowCount()) if view.list.item(r, 0).text() == "M03")
    assert view.list.item(m03_row, 3).text() == "3 of 6 · below quorum"
    sn1 = study[1].participants["SN1"]
    assert view.attendance.button(sn1, "absent").isChecked()
    view.attendance.button(sn1, "present").click()
    m03 = study[1].meetings["M03"]
    qtbot.waitUntil(lambda: meetings.get_meeting(window.project, m03).status_of(sn1) == "present")
    assert not view.warning.isVisible() and view.list.item(m03_row, 3).text() == "4 of 6"
    assert window.context.stack.undoText() == "Attendance at M03"
    window.context.stack.undo()
    assert meetings.get_meeting(window.project, m03).status_of(sn1) == "absent"
    assert view.attendance.button(sn1, "absent").isChecked()
    assert view.warning.isVisible() and view.warning.text() == "Below quorum: 3 attended, the quorum is 4"


def test_the_quorum_setting_moves_the_warnings_and_is_undone(qtbot, window: MainWindow,  # noqa: ANN001
                                                             study: tuple[Path, RegisterDemo]) -> None:
    view = show_m03(window, study)
    view.quorum.setValue(3)
    qtbot.waitUntil(lambda: meetings.quorum(window.project) == 3)
    assert not view.warning.isVisible()
    window.context.stack.undo()
    assert meetings.quorum(window.project) == 4 and view.quorum.value() == 4 and view.warning.isVisible()


def test_fields_are_changed_and_a_bad_date_is_refused(qtbot, window: MainWindow, study: tuple[Path, RegisterDemo]) -> None:  # noqa: ANN001
    view = show_m03(window, study)
    m03 = study[1].meetings["M03"]
    view.recorded.click()
    qtbot.waitUntil(lambda: meetings.get_meeting(window.project, m03).recorded)
    view.date.setText("14/01/2010")
    view.date.editingFinished.emit()
    qtbot.waitUntil(lambda: "YYYY-MM-DD" in message(window))
    assert view.date.text() == "2010-01-14"
    window.context.stack.undo()
    assert not meetings.get_meeting(window.project, m03).recorded and not view.recorded.isChecked()


def test_the_agenda_is_saved_as_it_is_typed(qtbot, window: MainWindow, study: tuple[Path, RegisterDemo]) -> None:  # noqa: ANN001
    view = show_m03(window, study)
    depth = window.context.stack.count()
    view.agenda.setFocus()
    view.agenda.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(view.agenda, " Feedback.")
    m03 = study[1].meetings["M03"]
    qtbot.waitUntil(lambda: meetings.get_meeting(window.project, m03).agenda == "Hot issues; what's working well. Feedback.",
                    timeout=SAVE_SETTLE_MS * 5)
    assert window.context.stack.count() == depth


def test_a_transcript_is_linked_to_a_meeting_and_undone(qtbot, window: MainWindow, study: tuple[Path, RegisterDemo]) -> None:  # noqa: ANN001
    notes_id, _turns = add_turns(window.project, "M03 field notes", [(None, "Only three came.")])
    window.context.sources_changed.emit()
    view = show_m03(window, study)
    view.source_choice.setCurrentIndex(view.source_choice.findData(notes_id))
    changed: list[bool] = []
    window.context.sources_changed.connect(lambda: changed.append(True))
    view.link_button.click()
    m03 = study[1].meetings["M03"]
    qtbot.waitUntil(lambda: [s.name for s in meetings.get_meeting(window.project, m03).sources] == ["M03 field notes"])
    assert changed and view.sources.item(0).text() == "M03 field notes (transcript)"
    window.context.stack.undo()
    assert meetings.get_meeting(window.project, m03).sources == ()


def test_new_meeting_gets_the_next_code_and_delete_is_undone(qtbot, window: MainWindow,  # noqa: ANN001
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    register = controller(window)
    register.meetings.show()
    view = register.meetings.view
    view.new_button.click()
    qtbot.waitUntil(lambda: view.shown() is not None and view.shown().code == "M05")
    view.delete_button.click()
    qtbot.waitUntil(lambda: "M05" not in [m.code for m in meetings.list_meetings(window.project)])
    window.context.stack.undo()
    assert "M05" in [m.code for m in meetings.list_meetings(window.project)]


def test_exports_write_the_file_and_name_a_failure(window: MainWindow, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    register = controller(window)
    assert register.export("roles", tmp_path / "roles.docx") == tmp_path / "roles.docx"
    assert message(window) == f"Roles table written to {tmp_path / 'roles.docx'}."
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    assert register.export("timeplan", tmp_path / "missing" / "plan.csv") is None
    assert warnings == [f"Cannot write {tmp_path / 'missing' / 'plan.csv'}: the folder {tmp_path / 'missing'} does not exist."]


def test_an_export_with_a_listed_real_name_asks_first(window: MainWindow, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import pseudonyms
    import app.register_actions as actions

    pseudonyms.add_pseudonym(window.project, "Jane Smith", "SN1")
    sn1 = participants.find_participant(window.project, "SN1")
    participants.update_participant(window.project, sn1.id, role="Jane Smith, Senior Nurse 1")
    asked: list[list[str]] = []
    answers = iter([None, actions.PSEUDONYMISE])

    def check(leaks, what, parent):  # noqa: ANN001, ANN202 (the pre-export question: cancel, then "Pseudonymise")
        asked.append([leak.place for leak in leaks])
        return next(answers)

    monkeypatch.setattr(actions, "ask_about_names", check)
    register = controller(window)
    out = tmp_path / "roles.docx"
    assert register.export("roles", out) is None and not out.exists()
    assert message(window) == "Export cancelled: nothing was written."
    assert register.export("roles", out) == out
    assert asked == [["Participants and their roles, SN1: role"]] * 2
    from docx import Document
    assert [r.cells[1].text for r in Document(str(out)).tables[0].rows if r.cells[0].text == "SN1"] == [
        "SN1, Senior Nurse 1"]


def test_a_read_only_project_says_why_and_changes_nothing(qtbot, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                                          study: tuple[Path, RegisterDemo]) -> None:
    path, demo = study
    with held_elsewhere(path), open_window(qtbot, monkeypatch) as window:
        assert window.open_project_file(path) and window.project.read_only
        register = controller(window)
        register.show_register()
        view = register.view
        assert view.banner.isVisible() and "read-only" in view.banner.text() and "cannot be changed" in view.banner.text()
        assert not view.add_button.isEnabled() and not view.table.cellWidget(0, CONSENT).isEnabled()
        assert view.table.editTriggers() == view.table.EditTrigger.NoEditTriggers
        register.meetings.show()
        register.meetings.view.select_meeting(demo.meetings["M03"])
        meetings_view = register.meetings.view
        assert meetings_view.banner.isVisible() and not meetings_view.new_button.isEnabled()
        assert not meetings_view.attendance.table.isEnabled() and meetings_view.agenda.isReadOnly()
        register.change_consent(demo.participants["SN1"], "withdrawn")  # as if asked some other way
        assert "read-only" in message(window)
        assert participants.get_participant(window.project, demo.participants["SN1"]).consent == "full"
