"""Meetings: code (M01…), date, phase, whether it was recorded, agenda, notes, who attended, and
the recordings, transcripts and text sources that belong to each.

A quorum (project setting "quorum", default 4) marks meetings that too few attended: the study in
RESEARCH.md recorded and analysed only meetings with four or more there. below_quorum() says
which counts (present and part-time attenders).

Every function that changes something returns what undo needs; deleting a meeting is recorded
in the audit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date as Date

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.errors import ProjectError
from storage.models import Attendance, AuditEntry, Meeting, Memo, Participant, Recording, Segment, Transcript
from storage.project import Project
from storage.register_records import (
    ATTENDANCE_STATUSES, DEFAULT_QUORUM, PHASES, QUORUM_SETTING, AttendanceRecord, DeletedMeeting, LinkedSource,
    MeetingRecord, TranscriptLink, below_quorum, quorum_warning,
)
from storage.settings import get_setting, set_setting

__all__ = ["PHASES", "below_quorum", "quorum_warning"]  # re-exported: callers need not know where they live

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBERED = re.compile(r"^M(\d+)$", re.IGNORECASE)


class MeetingError(ProjectError):
    """A change refused: a duplicate or empty code, a date that is not YYYY-MM-DD, an unknown status."""


# --- reading ---------------------------------------------------------------------------------------

def list_meetings(project: Project) -> list[MeetingRecord]:
    """Every meeting by date (undated ones last), then by code."""
    with project.session() as session:
        rows = session.scalars(select(Meeting)).all()
        rows = sorted(rows, key=lambda m: (m.date is None, m.date or "", _code_key(m.code)))
        return _records(session, rows)


def get_meeting(project: Project, meeting_id: int) -> MeetingRecord:
    with project.session() as session:
        return _records(session, [_get(session, meeting_id)])[0]


def find_meeting(project: Project, code: str) -> MeetingRecord | None:
    """The meeting with this code (case does not matter), if any."""
    with project.session() as session:
        row = _by_code(session, code)
        return None if row is None else _records(session, [row])[0]


def suggest_code(project: Project) -> str:
    """The code after the highest numbered one (M01, M02… → M03), two digits at least."""
    with project.session() as session:
        codes = session.scalars(select(Meeting.code)).all()
    numbers = [int(found.group(1)) for found in map(_NUMBERED.match, codes) if found]
    return f"M{max(numbers, default=0) + 1:02d}"


def sources(project: Project) -> list[LinkedSource]:
    """Every transcript and text source, with the meeting it belongs to (None: stands alone)."""
    with project.session() as session:
        rows = session.execute(select(Transcript.id, Transcript.name, Transcript.kind, Transcript.recording_id,
                                      Transcript.meeting_id).order_by(Transcript.name, Transcript.id)).all()
    return [LinkedSource(row.id, row.name, row.kind or "recording", row.recording_id, row.meeting_id) for row in rows]


def first_turn(project: Project, transcript_id: int) -> int | None:
    """The id of a transcript's first turn (to open it there), or None when it has none."""
    with project.session() as session:
        return session.scalar(select(Segment.id).where(Segment.transcript_id == transcript_id)
                              .order_by(Segment.position).limit(1))


def quorum(project: Project) -> int:
    value = get_setting(project, QUORUM_SETTING, DEFAULT_QUORUM)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else DEFAULT_QUORUM


def set_quorum(project: Project, value: int) -> int:
    """Set how many must attend for a meeting to count. Returns the quorum before."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MeetingError(f"The quorum must be a whole number of at least 1, not {value!r}.")
    before = quorum(project)
    set_setting(project, QUORUM_SETTING, value)
    return before


# --- changing --------------------------------------------------------------------------------------

def create_meeting(project: Project, code: str | None = None, *, date: str | Date | None = None, phase: str = "",
                   recorded: bool = True, agenda: str = "", notes: str = "") -> MeetingRecord:
    """Add a meeting; without a code it gets the next free one (suggest_code)."""
    code = _checked_code(code if code is not None and code.strip() else suggest_code(project))
    day = _checked_date(date)
    with project.write() as session:
        _refuse_duplicate(session, code, None)
        row = Meeting(code=code, date=day, phase=phase.strip(), recorded=bool(recorded), agenda=agenda, notes=notes)
        session.add(row)
        session.flush()
        return _records(session, [row])[0]


def update_meeting(project: Project, meeting_id: int, *, code: str | None = None, date: str | Date | None = None,
                   phase: str | None = None, recorded: bool | None = None, agenda: str | None = None,
                   notes: str | None = None) -> tuple[MeetingRecord, MeetingRecord]:
    """Change the given fields; None leaves one as it is and date="" clears the date. Returns (before, after)."""
    new_code = None if code is None else _checked_code(code)
    day = None if date is None else _checked_date(date)
    with project.write() as session:
        row = _get(session, meeting_id)
        [before] = _records(session, [row])
        if new_code is not None and new_code != row.code:
            _refuse_duplicate(session, new_code, row.id)
            row.code = new_code
        if date is not None:
            row.date = day
        if phase is not None:
            row.phase = phase.strip()
        if recorded is not None:
            row.recorded = bool(recorded)
        if agenda is not None:
            row.agenda = agenda
        if notes is not None:
            row.notes = notes
        session.flush()
        return before, _records(session, [row])[0]


def set_attendance(project: Project, meeting_id: int, statuses: Mapping[int, str | None]) -> dict[int, str | None]:
    """Set participants' attendance (participant id -> present | part | absent, or None to clear
    the entry). Returns the statuses before in the same shape, so passing them back undoes this."""
    for status in statuses.values():
        if status is not None and status not in ATTENDANCE_STATUSES:
            raise MeetingError(f"Unknown attendance {status!r}: use one of {', '.join(ATTENDANCE_STATUSES)}.")
    with project.write() as session:
        _get(session, meeting_id)
        known = set(session.scalars(select(Participant.id).where(Participant.id.in_(list(statuses)))))
        before: dict[int, str | None] = {}
        for participant_id, status in statuses.items():
            if participant_id not in known:
                raise KeyError(f"no participant {participant_id}")
            row = session.get(Attendance, (meeting_id, participant_id))
            before[participant_id] = None if row is None else row.status
            if status is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(Attendance(meeting_id=meeting_id, participant_id=participant_id, status=status))
            else:
                row.status = status
        return before


def delete_meeting(project: Project, meeting_id: int) -> DeletedMeeting:
    """Remove a meeting, its attendance and the memos on it. Its transcripts and recordings stay,
    standing alone. Recorded in the audit. Returns what restore_meeting needs."""
    with project.write() as session:
        row = _get(session, meeting_id)
        [record] = _records(session, [row])
        transcript_ids = tuple(session.scalars(select(Transcript.id).where(Transcript.meeting_id == row.id)))
        recording_ids = tuple(session.scalars(select(Recording.id).where(Recording.meeting_id == row.id)))
        memo_rows = session.scalars(select(Memo).where(Memo.target_kind == "meeting", Memo.target_id == row.id)).all()
        memos = tuple({column.key: getattr(memo, column.key) for column in Memo.__table__.columns} for memo in memo_rows)
        session.execute(update(Transcript).where(Transcript.meeting_id == row.id).values(meeting_id=None))
        session.execute(update(Recording).where(Recording.meeting_id == row.id).values(meeting_id=None))
        session.execute(delete(Attendance).where(Attendance.meeting_id == row.id))
        for memo in memo_rows:
            session.delete(memo)
        session.delete(row)
        session.add(AuditEntry(action="meeting_deleted", details={
            "meeting": record.code, "guid": record.guid, "date": record.date, "attendance": len(record.attendance),
            "transcripts": len(transcript_ids), "memos": len(memos)}))
        return DeletedMeeting(record, transcript_ids, recording_ids, memos)


def restore_meeting(project: Project, deleted: DeletedMeeting) -> MeetingRecord:
    """Undo delete_meeting: the meeting under its old id and GUID, with its attendance, links and memos."""
    record = deleted.record
    with project.write() as session:
        if session.get(Meeting, record.id) is not None or _by_code(session, record.code) is not None:
            raise MeetingError(f"Cannot bring back meeting {record.code}: another meeting now has that code.")
        row = Meeting(id=record.id, guid=record.guid, code=record.code, date=record.date, phase=record.phase,
                      recorded=record.recorded, agenda=record.agenda, notes=record.notes)
        session.add(row)
        session.flush()
        live = set(session.scalars(select(Participant.id).where(
            Participant.id.in_([a.participant_id for a in record.attendance]))))
        session.add_all(Attendance(meeting_id=row.id, participant_id=a.participant_id, status=a.status)
                        for a in record.attendance if a.participant_id in live)
        session.execute(update(Transcript).where(Transcript.id.in_(deleted.transcript_ids),
                                                 Transcript.meeting_id.is_(None)).values(meeting_id=row.id))
        session.execute(update(Recording).where(Recording.id.in_(deleted.recording_ids),
                                                Recording.meeting_id.is_(None)).values(meeting_id=row.id))
        session.add_all(Memo(**values) for values in deleted.memos)
        session.add(AuditEntry(action="meeting_restored", details={"meeting": record.code, "guid": record.guid}))
        session.flush()
        return _records(session, [row])[0]


def link_transcript(project: Project, transcript_id: int, meeting_id: int | None) -> TranscriptLink:
    """Make a transcript (and its recording, when it has one) belong to a meeting; None: to none.
    Returns where both belonged before, for unlink_transcript."""
    with project.write() as session:
        transcript = session.get(Transcript, transcript_id)
        if transcript is None:
            raise KeyError(f"no transcript {transcript_id}")
        if meeting_id is not None:
            _get(session, meeting_id)
        recording = session.get(Recording, transcript.recording_id) if transcript.recording_id is not None else None
        before = TranscriptLink(transcript.id, transcript.meeting_id, transcript.recording_id,
                                None if recording is None else recording.meeting_id)
        transcript.meeting_id = meeting_id
        if recording is not None:
            recording.meeting_id = meeting_id
        return before


def restore_link(project: Project, link: TranscriptLink) -> None:
    """Undo link_transcript: put the transcript and its recording back where they were."""
    with project.write() as session:
        transcript = session.get(Transcript, link.transcript_id)
        if transcript is None:
            raise KeyError(f"no transcript {link.transcript_id}")
        transcript.meeting_id = link.meeting_id if link.meeting_id is None or session.get(Meeting, link.meeting_id) else None
        if link.recording_id is not None and (recording := session.get(Recording, link.recording_id)) is not None:
            recording.meeting_id = link.recording_meeting_id if (
                link.recording_meeting_id is None or session.get(Meeting, link.recording_meeting_id)) else None


# --- inside ----------------------------------------------------------------------------------------

def _checked_code(code: str) -> str:
    text = " ".join(str(code).split())
    if not text:
        raise MeetingError("A meeting needs a code, such as M01.")
    if len(text) > 50:
        raise MeetingError(f"The meeting code {text[:20]}… is too long: use at most 50 characters.")
    return text


def _checked_date(value: str | Date | None) -> str | None:
    """YYYY-MM-DD, or None for a meeting whose date is not known."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Date):
        return value.isoformat()
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return Date.fromisoformat(text).isoformat()
    except ValueError:
        raise MeetingError(f"The date {text!r} is not a date written YYYY-MM-DD, such as 2009-11-12.") from None


def _refuse_duplicate(session: Session, code: str, own_id: int | None) -> None:
    other = _by_code(session, code)
    if other is not None and other.id != own_id:
        raise MeetingError(f"There is already a meeting {other.code}: meeting codes must be unique.")


def _by_code(session: Session, code: str) -> Meeting | None:
    return session.scalars(select(Meeting).where(func.lower(Meeting.code) == code.strip().lower())).first()


def _code_key(code: str) -> tuple[str, int, str]:
    found = _NUMBERED.match(code)
    return ("", int(found.group(1)), "") if found else ("~", 0, code)


def _get(session: Session, meeting_id: int) -> Meeting:
    row = session.get(Meeting, meeting_id)
    if row is None:
        raise KeyError(f"no meeting {meeting_id}")
    return row


def _records(session: Session, rows: Iterable[Meeting]) -> list[MeetingRecord]:
    rows = list(rows)
    ids = [row.id for row in rows]
    attendance: dict[int, list[AttendanceRecord]] = {}
    for meeting_id, participant_id, code, status in session.execute(
            select(Attendance.meeting_id, Attendance.participant_id, Participant.role_code, Attendance.status)
            .join(Participant, Participant.id == Attendance.participant_id)
            .where(Attendance.meeting_id.in_(ids)).order_by(Participant.id)):
        attendance.setdefault(meeting_id, []).append(AttendanceRecord(participant_id, code, status))
    linked: dict[int, list[LinkedSource]] = {}
    for row in session.execute(select(Transcript.id, Transcript.name, Transcript.kind, Transcript.recording_id,
                                      Transcript.meeting_id).where(Transcript.meeting_id.in_(ids))
                               .order_by(Transcript.name, Transcript.id)):
        linked.setdefault(row.meeting_id, []).append(
            LinkedSource(row.id, row.name, row.kind or "recording", row.recording_id, row.meeting_id))
    return [MeetingRecord(row.id, row.guid, row.code, row.date, row.phase or "", bool(row.recorded), row.agenda or "",
                          row.notes or "", tuple(attendance.get(row.id, ())), tuple(linked.get(row.id, ())))
            for row in rows]
