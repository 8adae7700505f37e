"""Frozen data objects for the participant register and the meetings (what storage/participants.py
and storage/meetings.py hand the app and the widgets). Plain Python: widgets import this module,
so it must not import SQLAlchemy or the services.
"""

from __future__ import annotations

from dataclasses import dataclass

# The consent levels as the register shows them. The keys are storage.consent.CONSENT_LEVELS (a
# test keeps the two in step); the rule for what is left out of analysis lives there, not here.
CONSENT_LABELS = {"full": "Full consent", "observe_only": "Observe only", "withdrawn": "Withdrawn"}
EXCLUDED_LABELS = {"observe_only": "consented to be observed only", "withdrawn": "withdrew consent"}

ATTENDANCE_STATUSES = ("present", "part", "absent")
# The phases of a group's life in RESEARCH.md, offered first; any other text is allowed too.
PHASES = ("Starting up", "Operational", "Fully operational", "Winding down", "Shutting down")
DEFAULT_QUORUM = 4
QUORUM_SETTING = "quorum"


@dataclass(frozen=True)
class ParticipantRecord:
    id: int
    guid: str
    role_code: str
    role: str
    organisation: str
    consent: str  # a key of CONSENT_LABELS
    attributes: tuple[tuple[str, str], ...]  # (name, value) in the order they were given
    speakers: tuple[str, ...]  # the transcript speaker labels linked to this participant

    @property
    def excluded(self) -> bool:
        """Whether what this participant says is left out of analysis (storage/consent.py)."""
        return self.consent in EXCLUDED_LABELS

    @property
    def exclusion_reason(self) -> str:
        """"SW consented to be observed only: left out of analysis", or "" with full consent."""
        reason = EXCLUDED_LABELS.get(self.consent)
        return f"{self.role_code} {reason}: left out of analysis" if reason else ""

    def attribute_dict(self) -> dict[str, str]:
        return dict(self.attributes)


@dataclass(frozen=True)
class DeletedParticipant:
    """Everything delete_participant removed, for restore_participant (undo)."""

    record: ParticipantRecord
    speaker_ids: tuple[int, ...]
    attendance: tuple[tuple[int, str], ...]  # (meeting id, status)
    memos: tuple[dict[str, object], ...]  # memo rows on this participant, column -> value


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker label and the participant it is linked to (None: not linked)."""

    speaker_id: int
    label: str
    participant_id: int | None


@dataclass(frozen=True)
class AttendanceRecord:
    participant_id: int
    role_code: str
    status: str  # present | part | absent


@dataclass(frozen=True)
class LinkedSource:
    """A transcript or text source that belongs to a meeting."""

    transcript_id: int
    name: str
    kind: str
    recording_id: int | None
    meeting_id: int | None = None


@dataclass(frozen=True)
class MeetingRecord:
    id: int
    guid: str
    code: str
    date: str | None  # YYYY-MM-DD
    phase: str
    recorded: bool
    agenda: str
    notes: str
    attendance: tuple[AttendanceRecord, ...]  # in register order; participants not listed have no entry
    sources: tuple[LinkedSource, ...] = ()

    def status_of(self, participant_id: int) -> str | None:
        return next((a.status for a in self.attendance if a.participant_id == participant_id), None)

    @property
    def attending(self) -> int:
        """Who was there for the quorum: present AND part-time attenders. Someone who came for part
        of a meeting took part in it (RESEARCH.md lists them in its attendance); an absent
        participant, or one with no attendance entry, does not count."""
        return sum(1 for a in self.attendance if a.status in ("present", "part"))

    def attendance_text(self) -> str:
        """"SN1, SN2, CS (part); absent: OT" as a write-up's time-plan shows it."""
        there = [a.role_code + (" (part)" if a.status == "part" else "") for a in self.attendance if a.status != "absent"]
        absent = [a.role_code for a in self.attendance if a.status == "absent"]
        text = ", ".join(there) if there else "nobody recorded as present"
        return f"{text}; absent: {', '.join(absent)}" if absent else text


@dataclass(frozen=True)
class DeletedMeeting:
    """Everything delete_meeting removed or unlinked, for restore_meeting (undo)."""

    record: MeetingRecord
    transcript_ids: tuple[int, ...]
    recording_ids: tuple[int, ...]
    memos: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class TranscriptLink:
    """Where a transcript (and its recording) belonged before link_transcript moved it."""

    transcript_id: int
    meeting_id: int | None
    recording_id: int | None
    recording_meeting_id: int | None


def below_quorum(meeting: MeetingRecord, quorum: int = DEFAULT_QUORUM) -> bool:
    """Fewer attended (present + part, see MeetingRecord.attending) than the quorum."""
    return meeting.attending < quorum


def quorum_warning(meeting: MeetingRecord, quorum: int = DEFAULT_QUORUM) -> str:
    """"Below quorum: 3 attended, the quorum is 4", or "" when the meeting reached its quorum."""
    if not below_quorum(meeting, quorum):
        return ""
    return f"Below quorum: {meeting.attending} attended, the quorum is {quorum}"
