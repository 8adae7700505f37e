"""The register's widgets on their own, with records made by hand: greyed rows with the reason,
what each edit emits, the dialogs' checks, and the meetings view keeping typed text through a
refresh."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from storage.register_records import AttendanceRecord, LinkedSource, MeetingRecord, ParticipantRecord, SpeakerLink
from tests.helpers import show_sized
from widgets.meeting_editor import MeetingsView
from widgets.participant_register import ATTRIBUTES, CODE, ROLE, SPEAKERS, ParticipantRegister
from widgets.register_dialogs import AttributesDialog, NewParticipantDialog, SpeakerLinkDialog


def person(id_: int, code: str, consent: str = "full", speakers: tuple[str, ...] = (),
           attributes: tuple[tuple[str, str], ...] = ()) -> ParticipantRecord:
    return ParticipantRecord(id_, f"guid-{id_}", code, f"role of {code}", "NHS trust", consent, attributes, speakers)


PEOPLE = [person(1, "SN1", speakers=("SN1",), attributes=(("profession", "nursing"),)), person(2, "CS"),
          person(3, "SW", "observe_only")]


def meeting(id_: int, code: str, statuses: dict[int, str], **fields: object) -> MeetingRecord:
    codes = {p.id: p.role_code for p in PEOPLE}
    values = dict(date="2010-01-14", phase="Operational", recorded=True, agenda="Hot issues", notes="")
    values.update(fields)
    return MeetingRecord(id_, f"m-{id_}", code, values["date"], values["phase"], values["recorded"],  # type: ignore[arg-type]
                         values["agenda"], values["notes"],  # type: ignore[arg-type]
                         tuple(AttendanceRecord(p, codes[p], s) for p, s in statuses.items()))


def test_the_register_greys_excluded_rows_and_says_why(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, ParticipantRegister(), 900, 300)
    view.set_read_only(None)
    view.show_participants(PEOPLE, ["OT"])
    assert view.table.item(0, SPEAKERS).text() == "SN1" and view.table.item(1, SPEAKERS).text() == "none linked"
    assert view.table.item(0, ATTRIBUTES).text() == "profession: nursing"
    sw = view.table.item(2, ROLE)
    assert sw.font().italic() and sw.toolTip() == "SW consented to be observed only: left out of analysis"
    assert not view.table.item(0, ROLE).font().italic()
    assert view.excluded.isVisible() and view.excluded.text().startswith("Left out of analysis: SW (consented")
    assert view.match_button.isVisible() and view.match_button.text() == "Link Matching Speakers (OT)"
    view.show_participants([])
    assert view.empty.isVisible() and not view.excluded.isVisible()


def test_edits_emit_requests_and_read_only_emits_none(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, ParticipantRegister(), 900, 300)
    view.set_read_only(None)
    view.show_participants(PEOPLE)
    edits: list[tuple[int, str, str]] = []
    view.field_edited.connect(lambda *args: edits.append(args))
    view.table.item(1, CODE).setText("CS1")
    assert edits == [(2, "role_code", "CS1")]
    view.show_participants(PEOPLE)  # showing again is not an edit
    assert len(edits) == 1
    view.set_read_only("opened read-only on request")
    view.table.item(1, ROLE).setText("typed anyway")
    assert len(edits) == 1 and "cannot be changed" in view.banner.text()


def test_the_new_participant_dialog_waits_for_a_free_code(qtbot) -> None:  # noqa: ANN001
    dialog = NewParticipantDialog(["SN1", "CS"], "OT")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled() and dialog.values() == ("OT", "", "", "full")
    dialog.code.setText("sn1")
    assert not ok.isEnabled() and dialog.problem.text() == "There is already a participant sn1."
    dialog.code.setText("  ")
    assert not ok.isEnabled() and "role code" in dialog.problem.text()


def test_the_attributes_dialog_needs_unique_names(qtbot) -> None:  # noqa: ANN001
    dialog = AttributesDialog("SN1", [("profession", "nursing")])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.add_row("years in post", "12")
    dialog.add_row("", "")  # an empty row is dropped, not refused
    assert ok.isEnabled() and dialog.attributes() == [("profession", "nursing"), ("years in post", "12")]
    dialog.add_row("profession", "midwifery")
    assert not ok.isEnabled() and "once" in dialog.problem.text()


def test_the_speaker_dialog_shows_who_a_label_stands_for_now(qtbot) -> None:  # noqa: ANN001
    links = [SpeakerLink(10, "SN1", 1), SpeakerLink(11, "Senior Nurse", None), SpeakerLink(12, "CS", 2)]
    dialog = SpeakerLinkDialog(PEOPLE[0], links, {1: "SN1", 2: "CS"})
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(3)] == ["SN1", "Senior Nurse", "CS   (now CS)"]
    assert dialog.chosen() == {10}


def test_attendance_clicks_emit_only_changes(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, MeetingsView(), 1300, 400)
    view.set_read_only(None)
    m03 = meeting(7, "M03", {2: "present", 3: "absent"})
    view.show_meetings([m03], PEOPLE, [], 4)
    view.select_meeting(7)
    assert view.warning.text() == "Below quorum: 1 attended, the quorum is 4"
    asked: list[tuple[int, dict]] = []
    view.attendance_requested.connect(lambda meeting_id, statuses: asked.append((meeting_id, statuses)))
    view.attendance.button(1, "part").click()
    view.attendance.button(2, "present").click()  # already so: nothing asked
    view.attendance.all_present.click()
    assert asked == [(7, {1: "part"}), (7, {1: "present", 3: "present"})]


def test_typed_notes_survive_a_refresh_and_are_saved_for_their_meeting(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, MeetingsView(), 1300, 400)
    view.set_read_only(None)
    first, second = meeting(1, "M01", {}), meeting(2, "M02", {})
    view.show_meetings([first, second], PEOPLE, [LinkedSource(5, "M01 recording", "recording", None, None)], 4)
    view.select_meeting(1)
    assert "(attendance not taken yet)" in view.warning.text()
    saved: list[tuple[int, str, str]] = []
    view.text_edited.connect(lambda *args: saved.append(args))
    view.notes.setFocus()
    qtbot.keyClicks(view.notes, "Tense.")
    view.show_meetings([first, second], PEOPLE, [], 4)  # another change arrives while typing
    assert view.notes.toPlainText() == "Tense."
    view.select_meeting(2)  # leaving the meeting saves what was typed, for that meeting
    assert saved == [(1, "Hot issues", "Tense.")]
    assert view.notes.toPlainText() == ""
