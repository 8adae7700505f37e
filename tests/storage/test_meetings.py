"""Meetings on a real project file: codes (suggested, unique), dates (YYYY-MM-DD only), phases,
attendance, the quorum (below, at, a custom one), links to transcripts and recordings, and
deletion that undo can restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage import meetings, memos, participants
from storage.meetings import MeetingError
from storage.models import AuditEntry, Recording, Transcript
from storage.project import Project, create_project
from storage.register_records import PHASES, below_quorum, quorum_warning
from tests.helpers import add_turns
from tests.storage.register_data import build_register_demo


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def people(project: Project, *codes: str) -> dict[str, int]:
    return {code: participants.create_participant(project, code).id for code in codes}


def test_codes_are_suggested_after_the_highest_and_must_be_unique(project: Project) -> None:
    assert meetings.suggest_code(project) == "M01"
    assert meetings.create_meeting(project).code == "M01"
    meetings.create_meeting(project, "M09")
    meetings.create_meeting(project, "Follow-up interview")
    assert meetings.suggest_code(project) == "M10"
    assert meetings.create_meeting(project, "  ").code == "M10"  # blank: the suggestion
    with pytest.raises(MeetingError, match="already a meeting M09"):
        meetings.create_meeting(project, "m09")
    second = meetings.list_meetings(project)[1]
    with pytest.raises(MeetingError, match="already a meeting M01"):
        meetings.update_meeting(project, second.id, code="M01")


@pytest.mark.parametrize("bad", ["12/11/2009", "2009-13-01", "2009-02-30", "20091112", "November 2009"])
def test_a_date_must_be_a_real_day_written_yyyy_mm_dd(project: Project, bad: str) -> None:
    with pytest.raises(MeetingError, match="YYYY-MM-DD"):
        meetings.create_meeting(project, "M01", date=bad)
    meeting = meetings.create_meeting(project, "M01", date="2009-11-12")
    with pytest.raises(MeetingError, match="YYYY-MM-DD"):
        meetings.update_meeting(project, meeting.id, date=bad)
    assert meetings.get_meeting(project, meeting.id).date == "2009-11-12"
    assert meetings.update_meeting(project, meeting.id, date="")[1].date is None  # "" clears it


def test_fields_are_changed_one_at_a_time_and_listed_by_date(project: Project) -> None:
    later = meetings.create_meeting(project, "M02", date="2009-12-10")
    undated = meetings.create_meeting(project, "M03")
    first = meetings.create_meeting(project, "M01", date="2009-11-12", phase=PHASES[0], agenda="Hot issues")
    before, after = meetings.update_meeting(project, undated.id, phase="Operational", recorded=False, notes="Short.")
    assert (before.recorded, after.recorded, after.phase, after.notes, after.agenda) == (True, False, "Operational",
                                                                                        "Short.", "")
    assert meetings.update_meeting(project, first.id, phase="A phase of our own")[1].phase == "A phase of our own"
    assert [m.code for m in meetings.list_meetings(project)] == ["M01", "M02", "M03"]
    assert later.id in {m.id for m in meetings.list_meetings(project)}


def test_attendance_is_set_changed_and_cleared_per_participant(project: Project) -> None:
    ids = people(project, "SN1", "SN2", "CS", "OT")
    meeting = meetings.create_meeting(project, "M04")
    before = meetings.set_attendance(project, meeting.id, {ids["SN1"]: "present", ids["CS"]: "part",
                                                           ids["OT"]: "absent"})
    assert before == {ids["SN1"]: None, ids["CS"]: None, ids["OT"]: None}
    stored = meetings.get_meeting(project, meeting.id)
    assert [(a.role_code, a.status) for a in stored.attendance] == [("SN1", "present"), ("CS", "part"), ("OT", "absent")]
    assert stored.attendance_text() == "SN1, CS (part); absent: OT"
    assert meetings.set_attendance(project, meeting.id, {ids["CS"]: None, ids["SN2"]: "present"}) == {
        ids["CS"]: "part", ids["SN2"]: None}
    assert meetings.get_meeting(project, meeting.id).attendance_text() == "SN1, SN2; absent: OT"
    meetings.set_attendance(project, meeting.id, before)  # passing back what it returned undoes it
    assert meetings.get_meeting(project, meeting.id).attendance_text() == "SN2"
    with pytest.raises(MeetingError, match="Unknown attendance"):
        meetings.set_attendance(project, meeting.id, {ids["SN1"]: "late"})
    with pytest.raises(KeyError):
        meetings.set_attendance(project, meeting.id, {999: "present"})


def test_below_quorum_counts_present_and_part_against_the_default_of_four(project: Project) -> None:
    ids = people(project, "SN1", "SN2", "CS", "CG", "OT", "SW")
    meeting = meetings.create_meeting(project, "M03")
    assert meetings.quorum(project) == 4
    meetings.set_attendance(project, meeting.id, {ids["CS"]: "present", ids["CG"]: "present", ids["OT"]: "part",
                                                  ids["SN1"]: "absent", ids["SN2"]: "absent"})
    three = meetings.get_meeting(project, meeting.id)
    assert three.attending == 3
    assert below_quorum(three, meetings.quorum(project)) and meetings.below_quorum(three)
    assert quorum_warning(three, 4) == "Below quorum: 3 attended, the quorum is 4"
    meetings.set_attendance(project, meeting.id, {ids["SW"]: "part"})  # a fourth, for part of it: at quorum
    four = meetings.get_meeting(project, meeting.id)
    assert four.attending == 4 and not below_quorum(four, 4) and quorum_warning(four, 4) == ""
    assert below_quorum(meetings.create_meeting(project, "M05"), 4)  # attendance not taken: nobody counted


def test_a_custom_quorum_is_a_project_setting(project: Project) -> None:
    ids = people(project, "SN1", "SN2", "CS")
    meeting = meetings.create_meeting(project, "M01")
    meetings.set_attendance(project, meeting.id, {i: "present" for i in ids.values()})
    assert meetings.set_quorum(project, 3) == 4
    assert meetings.quorum(project) == 3
    assert not below_quorum(meetings.get_meeting(project, meeting.id), meetings.quorum(project))
    meetings.set_quorum(project, 5)
    assert quorum_warning(meetings.get_meeting(project, meeting.id), meetings.quorum(project)) == \
        "Below quorum: 3 attended, the quorum is 5"
    for bad in (0, -1, True, "4"):
        with pytest.raises(MeetingError, match="whole number"):
            meetings.set_quorum(project, bad)  # type: ignore[arg-type]


def test_linking_a_transcript_links_its_recording_and_can_be_put_back(project: Project) -> None:
    transcript_id, _turns = add_turns(project, "M04 recording", [("SN1", "We had a death.")])
    notes_id, _turns = add_turns(project, "M04 field notes", [(None, "Tense room.")])
    with project.write() as session:
        recording = Recording(media_path="m04.wav", content_hash="0" * 64, duration=60, channels=1, sample_rate=16000)
        session.add(recording)
        session.flush()
        session.get(Transcript, transcript_id).recording_id = recording.id
        recording_id = recording.id
    m03, m04 = meetings.create_meeting(project, "M03"), meetings.create_meeting(project, "M04")
    first = meetings.link_transcript(project, transcript_id, m03.id)
    moved = meetings.link_transcript(project, transcript_id, m04.id)
    meetings.link_transcript(project, notes_id, m04.id)
    assert (moved.meeting_id, moved.recording_meeting_id) == (m03.id, m03.id)
    stored = meetings.get_meeting(project, m04.id)
    assert [(s.name, s.recording_id) for s in stored.sources] == [("M04 field notes", None),
                                                                  ("M04 recording", recording_id)]
    with project.session() as session:
        assert session.get(Recording, recording_id).meeting_id == m04.id
    meetings.restore_link(project, moved)
    meetings.restore_link(project, first)
    assert meetings.get_meeting(project, m03.id).sources == ()
    with project.session() as session:
        assert session.get(Recording, recording_id).meeting_id is None
    assert {s.transcript_id: s.meeting_id for s in meetings.sources(project)} == {transcript_id: None, notes_id: m04.id}
    assert meetings.first_turn(project, transcript_id) is not None


def test_delete_and_restore_keep_the_transcripts_attendance_and_memos(project: Project) -> None:
    demo = build_register_demo(project)
    m04 = meetings.get_meeting(project, demo.meetings["M04"])
    memos.add_memo(project, "meeting", m04.id, body="The turning point.")
    deleted = meetings.delete_meeting(project, m04.id)
    assert [m.code for m in meetings.list_meetings(project)] == ["M01", "M02", "M03"]
    assert [s.meeting_id for s in meetings.sources(project)] == [None]  # the transcript stays, alone
    with project.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting_deleted")).one()
    assert (entry.details["meeting"], entry.details["attendance"], entry.details["memos"]) == ("M04", 6, 1)
    assert meetings.restore_meeting(project, deleted) == m04
    assert [m.body for m in memos.memos_for(project, "meeting", m04.id)] == ["The turning point."]


def test_the_research_demo_has_m03_below_quorum_and_unrecorded(project: Project) -> None:
    build_register_demo(project)
    listed = {m.code: m for m in meetings.list_meetings(project)}
    assert [code for code, m in listed.items() if below_quorum(m, meetings.quorum(project))] == ["M03"]
    assert not listed["M03"].recorded and all(m.recorded for code, m in listed.items() if code != "M03")
    assert listed["M03"].attendance_text() == "CS, CG, OT (part); absent: SN1, SN2, SW"
