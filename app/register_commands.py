"""Undo commands for the participant register and the meetings: adding, editing, consent,
attributes, speaker links and removing participants; adding, editing, attendance, linking
transcripts and removing meetings; the quorum.

Each redo()/undo() changes the project through storage.participants / storage.meetings and then
broadcasts register_changed (and sources_changed when transcripts moved between meetings,
memos_changed when a removal took memos with it). Consent changes reach the audit table through
the service, on undo as well: the audit is what happened, and an undo happened.

Not here, on purpose: a meeting's agenda and notes. They save themselves as they are typed, like
memos, each text box keeping its own undo (app/memo_commands.py says why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand, reason
from storage import meetings, participants
from storage.project import Project
from storage.register_records import (
    CONSENT_LABELS, DeletedMeeting, DeletedParticipant, MeetingRecord, ParticipantRecord, TranscriptLink,
)

QUORUM_COMMAND_ID = 6101  # consecutive quorum changes (spin box clicks) merge into one step


class _RegisterCommand(ProjectCommand):
    moves_sources = False  # transcripts changed meeting: the project panel shows them by meeting
    moves_memos = False  # a removal took memos with it (and undo brings them back)

    def __init__(self, text: str, project: Project, context: AnalysisContext) -> None:
        super().__init__(text, context.report)
        self.project, self.context = project, context

    def broadcast(self) -> None:
        self.context.register_changed.emit()
        if self.moves_sources:
            self.context.sources_changed.emit()
        if self.moves_memos:
            self.context.memos_changed.emit()

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        text = reason(error)
        self.report(text[:1].upper() + text[1:] if text else "The register could not be changed.")
        # The views may show what was typed but refused (a duplicate code): show what is stored.
        self.context.register_changed.emit()


# --- participants ----------------------------------------------------------------------------------

class AddParticipantCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, role_code: str, role: str = "",
                 organisation: str = "", consent: str = "full") -> None:
        super().__init__(f"Add participant {role_code}", project, context)
        self.values = dict(role_code=role_code, role=role, organisation=organisation, consent=consent)
        self.record: ParticipantRecord | None = None
        self._deleted: DeletedParticipant | None = None

    def apply(self) -> None:
        self.record = participants.create_participant(self.project, **self.values)

    def reapply(self) -> None:
        assert self._deleted is not None
        self.record = participants.restore_participant(self.project, self._deleted)  # same id, same links

    def revert(self) -> None:
        assert self.record is not None
        self._deleted = participants.delete_participant(self.project, self.record.id)


class ParticipantFieldsCommand(_RegisterCommand):
    """Role code, role or organisation."""

    def __init__(self, project: Project, context: AnalysisContext, participant_id: int, role_code: str,
                 fields: Mapping[str, str]) -> None:
        super().__init__(f"Edit participant {role_code}", project, context)
        self.participant_id, self.fields = participant_id, dict(fields)
        self.before: ParticipantRecord | None = None

    def apply(self) -> bool:
        self.before, after = participants.update_participant(self.project, self.participant_id, **self.fields)
        return after != self.before

    def revert(self) -> None:
        assert self.before is not None
        participants.update_participant(self.project, self.participant_id, role_code=self.before.role_code,
                                        role=self.before.role, organisation=self.before.organisation)


class ConsentCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, participant_id: int, role_code: str,
                 consent: str) -> None:
        super().__init__(f"Consent of {role_code}: {CONSENT_LABELS.get(consent, consent).lower()}", project, context)
        self.participant_id, self.consent = participant_id, consent
        self.before: ParticipantRecord | None = None

    def apply(self) -> bool:
        self.before, after = participants.set_consent(self.project, self.participant_id, self.consent)
        return after.consent != self.before.consent

    def revert(self) -> None:
        assert self.before is not None
        participants.set_consent(self.project, self.participant_id, self.before.consent)


class AttributesCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, participant_id: int, role_code: str,
                 attributes: Sequence[tuple[str, str]]) -> None:
        super().__init__(f"Attributes of {role_code}", project, context)
        self.participant_id, self.attributes = participant_id, list(attributes)
        self.before: ParticipantRecord | None = None

    def apply(self) -> bool:
        self.before, after = participants.set_attributes(self.project, self.participant_id, self.attributes)
        return after.attributes != self.before.attributes

    def revert(self) -> None:
        assert self.before is not None
        participants.set_attributes(self.project, self.participant_id, self.before.attributes)


class LinkSpeakersCommand(_RegisterCommand):
    """Link speaker labels to participants (or unlink them): [(speaker id, participant id or None)]."""

    def __init__(self, project: Project, context: AnalysisContext, text: str,
                 links: Sequence[tuple[int, int | None]]) -> None:
        super().__init__(text, project, context)
        self.links = list(links)
        self.before: list[tuple[int, int | None]] = []

    def apply(self) -> bool:
        self.before = participants.link_speakers(self.project, self.links)
        return self.before != self.links

    def revert(self) -> None:
        participants.link_speakers(self.project, self.before)


class DeleteParticipantCommand(_RegisterCommand):
    moves_memos = True

    def __init__(self, project: Project, context: AnalysisContext, participant: ParticipantRecord) -> None:
        super().__init__(f"Remove participant {participant.role_code}", project, context)
        self.participant_id = participant.id
        self.deleted: DeletedParticipant | None = None

    def apply(self) -> None:
        self.deleted = participants.delete_participant(self.project, self.participant_id)

    def revert(self) -> None:
        assert self.deleted is not None
        participants.restore_participant(self.project, self.deleted)


# --- meetings --------------------------------------------------------------------------------------

class AddMeetingCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, code: str | None = None, **values: Any) -> None:
        super().__init__(f"Add meeting {code}" if code else "Add meeting", project, context)
        self.code, self.values = code, values
        self.record: MeetingRecord | None = None
        self._deleted: DeletedMeeting | None = None

    def apply(self) -> None:
        self.record = meetings.create_meeting(self.project, self.code, **self.values)
        self.setText(f"Add meeting {self.record.code}")

    def reapply(self) -> None:
        assert self._deleted is not None
        self.record = meetings.restore_meeting(self.project, self._deleted)

    def revert(self) -> None:
        assert self.record is not None
        self._deleted = meetings.delete_meeting(self.project, self.record.id)


class MeetingFieldsCommand(_RegisterCommand):
    """Code, date, phase or recorded (date "" clears it)."""

    def __init__(self, project: Project, context: AnalysisContext, meeting: MeetingRecord, fields: Mapping[str, Any]) -> None:
        super().__init__(f"Edit meeting {meeting.code}", project, context)
        self.meeting_id, self.fields = meeting.id, dict(fields)
        self.before: MeetingRecord | None = None

    def apply(self) -> bool:
        self.before, after = meetings.update_meeting(self.project, self.meeting_id, **self.fields)
        return after != self.before

    def revert(self) -> None:
        before = self.before
        assert before is not None
        meetings.update_meeting(self.project, self.meeting_id, code=before.code, date=before.date or "",
                                phase=before.phase, recorded=before.recorded)


class AttendanceCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, meeting: MeetingRecord,
                 statuses: Mapping[int, str | None]) -> None:
        super().__init__(f"Attendance at {meeting.code}", project, context)
        self.meeting_id, self.statuses = meeting.id, dict(statuses)
        self.before: dict[int, str | None] = {}

    def apply(self) -> bool:
        self.before = meetings.set_attendance(self.project, self.meeting_id, self.statuses)
        return self.before != self.statuses

    def revert(self) -> None:
        meetings.set_attendance(self.project, self.meeting_id, self.before)


class DeleteMeetingCommand(_RegisterCommand):
    moves_sources = moves_memos = True

    def __init__(self, project: Project, context: AnalysisContext, meeting: MeetingRecord) -> None:
        super().__init__(f"Delete meeting {meeting.code}", project, context)
        self.meeting_id = meeting.id
        self.deleted: DeletedMeeting | None = None

    def apply(self) -> None:
        self.deleted = meetings.delete_meeting(self.project, self.meeting_id)

    def revert(self) -> None:
        assert self.deleted is not None
        meetings.restore_meeting(self.project, self.deleted)


class LinkTranscriptCommand(_RegisterCommand):
    moves_sources = True

    def __init__(self, project: Project, context: AnalysisContext, text: str, transcript_id: int,
                 meeting_id: int | None) -> None:
        super().__init__(text, project, context)
        self.transcript_id, self.meeting_id = transcript_id, meeting_id
        self.before: TranscriptLink | None = None

    def apply(self) -> bool:
        self.before = meetings.link_transcript(self.project, self.transcript_id, self.meeting_id)
        moved_recording = self.before.recording_id is not None and self.before.recording_meeting_id != self.meeting_id
        return self.before.meeting_id != self.meeting_id or moved_recording

    def revert(self) -> None:
        assert self.before is not None
        meetings.restore_link(self.project, self.before)


class QuorumCommand(_RegisterCommand):
    def __init__(self, project: Project, context: AnalysisContext, value: int) -> None:
        super().__init__(f"Quorum {value}", project, context)
        self.value = value
        self.before: int | None = None

    def id(self) -> int:  # noqa: A003 (QUndoCommand's name)
        return QUORUM_COMMAND_ID

    def mergeWith(self, other: Any) -> bool:  # noqa: N802
        if not isinstance(other, QuorumCommand) or other.project is not self.project:
            return False
        self.value = other.value
        self.setText(f"Quorum {other.value}")
        return True

    def apply(self) -> bool:
        self.before = meetings.set_quorum(self.project, self.value)
        return self.before != self.value

    def reapply(self) -> None:
        meetings.set_quorum(self.project, self.value)

    def revert(self) -> None:
        assert self.before is not None
        meetings.set_quorum(self.project, self.before)
