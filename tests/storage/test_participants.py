"""The participant register on a real project file: unique role codes, consent levels recorded in
the audit, free attributes, speaker links (made on creation, offered for matching labels, one
participant per label) and deletion that undo can restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage import consent, meetings, memos, participants
from storage.models import AuditEntry, Speaker
from storage.participants import RegisterError
from storage.project import Project, create_project
from storage.register_records import CONSENT_LABELS, EXCLUDED_LABELS
from tests.helpers import add_turns


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def audit(project: Project, action: str) -> list[dict]:
    with project.session() as session:
        return [row.details for row in session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                       .order_by(AuditEntry.id))]


def speaker_id(project: Project, label: str) -> int:
    with project.session() as session:
        return session.scalars(select(Speaker.id).where(Speaker.label == label)).one()


def test_consent_labels_follow_the_consent_rule() -> None:
    assert tuple(CONSENT_LABELS) == consent.CONSENT_LEVELS
    assert tuple(EXCLUDED_LABELS) == consent.EXCLUDED_CONSENT


def test_a_participant_is_stored_with_its_fields_in_the_order_entered(project: Project) -> None:
    participants.create_participant(project, " SN2 ", role="Senior Nurse 2", organisation="NHS trust")
    participants.create_participant(project, "CS", role="Children's services lead", organisation="NHS trust",
                                    attributes={"profession": "nursing"})
    listed = participants.list_participants(project)
    assert [(p.role_code, p.role, p.organisation, p.consent) for p in listed] == [
        ("SN2", "Senior Nurse 2", "NHS trust", "full"), ("CS", "Children's services lead", "NHS trust", "full")]
    assert listed[1].attribute_dict() == {"profession": "nursing"}
    assert participants.find_participant(project, "cs") == listed[1]


@pytest.mark.parametrize("code", ["SN1", "sn1", " SN1 "])
def test_a_duplicate_role_code_is_refused_whatever_its_case(project: Project, code: str) -> None:
    participants.create_participant(project, "SN1")
    with pytest.raises(RegisterError, match="already a participant SN1"):
        participants.create_participant(project, code)
    assert [p.role_code for p in participants.list_participants(project)] == ["SN1"]


def test_renaming_onto_a_taken_code_or_to_nothing_is_refused(project: Project) -> None:
    first = participants.create_participant(project, "SN1")
    participants.create_participant(project, "SN2")
    with pytest.raises(RegisterError, match="already a participant SN2"):
        participants.update_participant(project, first.id, role_code="sn2")
    with pytest.raises(RegisterError, match="needs a role code"):
        participants.update_participant(project, first.id, role_code="  ")
    with pytest.raises(RegisterError, match="needs a role code"):
        participants.create_participant(project, "")
    before, after = participants.update_participant(project, first.id, role_code="SN1a", role="Senior Nurse 1")
    assert (before.role_code, after.role_code, after.role) == ("SN1", "SN1a", "Senior Nurse 1")


def test_a_consent_change_is_stored_and_audited_with_both_levels(project: Project) -> None:
    sw = participants.create_participant(project, "SW", role="Social work lead")
    before, after = participants.set_consent(project, sw.id, "observe_only")
    assert (before.consent, after.consent, after.excluded) == ("full", "observe_only", True)
    assert after.exclusion_reason == "SW consented to be observed only: left out of analysis"
    participants.set_consent(project, sw.id, "observe_only")  # no change: nothing more in the audit
    participants.set_consent(project, sw.id, "withdrawn")
    entries = audit(project, "consent_changed")
    assert [(e["participant"], e["from"], e["to"], e["guid"]) for e in entries] == [
        ("SW", "full", "observe_only", sw.guid), ("SW", "observe_only", "withdrawn", sw.guid)]
    with pytest.raises(RegisterError, match="Unknown consent level"):
        participants.set_consent(project, sw.id, "partial")


def test_creating_with_limited_consent_is_audited_too(project: Project) -> None:
    participants.create_participant(project, "SW", consent="observe_only")
    participants.create_participant(project, "SN1")
    assert [(e["participant"], e["from"], e["to"]) for e in audit(project, "consent_changed")] == [
        ("SW", None, "observe_only")]


def test_attributes_are_replaced_whole_and_need_unique_names(project: Project) -> None:
    sn1 = participants.create_participant(project, "SN1", attributes={"profession": "nursing"})
    before, after = participants.set_attributes(project, sn1.id, [("years in post", 12), ("profession", "nursing ")])
    assert before.attributes == (("profession", "nursing"),)
    assert after.attributes == (("years in post", "12"), ("profession", "nursing"))
    with pytest.raises(RegisterError, match="given twice"):
        participants.set_attributes(project, sn1.id, [("a", "1"), ("a", "2")])
    with pytest.raises(RegisterError, match="needs a name"):
        participants.set_attributes(project, sn1.id, {" ": "x"})
    assert participants.get_participant(project, sn1.id).attributes == after.attributes


def test_a_new_participant_links_the_speaker_with_its_code(project: Project) -> None:
    add_turns(project, "M04", [("SN1", "We had a death."), ("sw", "A shock."), ("CG", "Review it.")])
    sn1 = participants.create_participant(project, "SN1")
    sw = participants.create_participant(project, "SW")  # labels match whatever their case
    assert sn1.speakers == ("SN1",) and sw.speakers == ("sw",)
    assert participants.create_participant(project, "OT").speakers == ()


def test_a_later_speaker_label_equal_to_a_role_code_is_offered_and_linked_in_one_step(project: Project) -> None:
    cg = participants.create_participant(project, "CG")
    sn1 = participants.create_participant(project, "SN1")
    add_turns(project, "M04", [("SN1", "We had a death."), ("CG", "Review it."), ("M", "A social worker.")])
    matching = participants.matching_speakers(project)
    assert sorted((link.label, p.role_code) for link, p in matching) == [("CG", "CG"), ("SN1", "SN1")]
    before = participants.link_speakers(project, [(link.speaker_id, p.id) for link, p in matching])
    assert participants.matching_speakers(project) == []
    assert participants.get_participant(project, cg.id).speakers == ("CG",)
    participants.link_speakers(project, before)  # the shape it returns undoes it
    assert participants.get_participant(project, sn1.id).speakers == ()


def test_a_speaker_stands_for_one_participant_at_most(project: Project) -> None:
    add_turns(project, "M04", [("Senior Nurse", "We had a death.")])
    sn1 = participants.create_participant(project, "SN1")
    sn2 = participants.create_participant(project, "SN2")
    label = speaker_id(project, "Senior Nurse")
    assert participants.link_speaker(project, label, sn1.id) is None
    assert participants.link_speaker(project, label, sn2.id) == sn1.id  # moved, not shared
    assert participants.get_participant(project, sn1.id).speakers == ()
    assert participants.get_participant(project, sn2.id).speakers == ("Senior Nurse",)
    assert participants.link_speaker(project, label, None) == sn2.id
    with pytest.raises(KeyError):
        participants.link_speaker(project, label, 999)


def test_linking_an_observe_only_participant_excludes_their_turns(project: Project) -> None:
    add_turns(project, "M01", [("SW", "That was a shock."), ("SN1", "We learnt a lot.")])
    sw = participants.create_participant(project, "SW", consent="observe_only")
    with project.session() as session:
        assert list(consent.excluded_speakers(session)) == [speaker_id(project, "SW")]
    participants.set_consent(project, sw.id, "full")
    with project.session() as session:
        assert consent.excluded_speakers(session) == {}


def test_delete_and_restore_bring_back_links_attendance_memos_and_the_same_id(project: Project) -> None:
    add_turns(project, "M04", [("SN1", "We had a death.")])
    sn1 = participants.create_participant(project, "SN1", role="Senior Nurse 1", consent="withdrawn",
                                          attributes={"profession": "nursing"})
    meeting = meetings.create_meeting(project, "M04")
    meetings.set_attendance(project, meeting.id, {sn1.id: "part"})
    memos.add_memo(project, "participant", sn1.id, body="Quiet in the first meetings.")
    deleted = participants.delete_participant(project, sn1.id)
    assert participants.list_participants(project) == []
    assert meetings.get_meeting(project, meeting.id).attendance == ()
    assert memos.memos_for(project, "participant", sn1.id) == []
    assert participants.speaker_links(project)[0].participant_id is None  # the label and its turns stay
    assert audit(project, "participant_deleted")[0]["participant"] == "SN1"
    restored = participants.restore_participant(project, deleted)
    assert restored == sn1
    assert meetings.get_meeting(project, meeting.id).status_of(sn1.id) == "part"
    assert [m.body for m in memos.memos_for(project, "participant", sn1.id)] == ["Quiet in the first meetings."]
    assert audit(project, "participant_restored")[0]["guid"] == sn1.guid


def test_restore_is_refused_when_the_code_was_taken_meanwhile(project: Project) -> None:
    sn1 = participants.create_participant(project, "SN1")
    deleted = participants.delete_participant(project, sn1.id)
    participants.create_participant(project, "sn1")
    with pytest.raises(RegisterError, match="Cannot bring back participant SN1"):
        participants.restore_participant(project, deleted)
