"""The participant register: role codes, roles, organisations, consent and free attributes, and
which transcript speaker labels stand for whom.

Names never enter the register (RESEARCH.md: each participant gets a role code; names never appear
in the analysis): the role code is the identity, unique and never empty. A speaker label links to
at most one participant (Speaker.participant_id); a participant may have several labels ("SN1",
"Senior Nurse 1"). Creating a participant whose code equals an unlinked speaker label links that
speaker at once, and matching_speakers() offers the same link for labels that appear later.

Every function that changes something returns what undo needs. Consent changes and deletions
are written to the audit table: an ethics committee may ask who was excluded, and since when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.consent import CONSENT_LEVELS
from storage.errors import ProjectError
from storage.models import Attendance, AuditEntry, Meeting, Memo, Participant, Speaker
from storage.project import Project
from storage.register_records import DeletedParticipant, ParticipantRecord, SpeakerLink


class RegisterError(ProjectError):
    """A change the register refuses (a duplicate or empty role code, an unknown consent level).
    A ProjectError, so the command line prints it as one line and the app reports it."""


# --- reading ---------------------------------------------------------------------------------------

def list_participants(project: Project) -> list[ParticipantRecord]:
    """Every participant in the order they were entered (the researcher's own order)."""
    with project.session() as session:
        return _records(session, session.scalars(select(Participant).order_by(Participant.id)).all())


def get_participant(project: Project, participant_id: int) -> ParticipantRecord:
    with project.session() as session:
        return _records(session, [_get(session, participant_id)])[0]


def find_participant(project: Project, role_code: str) -> ParticipantRecord | None:
    """The participant with this role code (case does not matter), if any."""
    with project.session() as session:
        row = _by_code(session, role_code)
        return None if row is None else _records(session, [row])[0]


def speaker_links(project: Project) -> list[SpeakerLink]:
    """Every speaker label in the project and the participant it stands for."""
    with project.session() as session:
        rows = session.execute(select(Speaker.id, Speaker.label, Speaker.participant_id).order_by(Speaker.label)).all()
    return [SpeakerLink(row.id, row.label, row.participant_id) for row in rows]


def matching_speakers(project: Project) -> list[tuple[SpeakerLink, ParticipantRecord]]:
    """Unlinked speaker labels that equal a participant's role code (case aside): the links the
    register offers to make in one click."""
    by_code = {p.role_code.casefold(): p for p in list_participants(project)}
    return [(link, by_code[link.label.strip().casefold()]) for link in speaker_links(project)
            if link.participant_id is None and link.label.strip().casefold() in by_code]


# --- changing --------------------------------------------------------------------------------------

def create_participant(project: Project, role_code: str, *, role: str = "", organisation: str = "",
                       consent: str = "full", attributes: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()
                       ) -> ParticipantRecord:
    """Add a participant. An unlinked speaker label equal to the role code is linked to it."""
    code = _checked_code(role_code)
    consent = _checked_consent(consent)
    values = _checked_attributes(attributes)
    with project.write() as session:
        _refuse_duplicate(session, code, None)
        row = Participant(role_code=code, role=role.strip(), organisation=organisation.strip(), consent=consent,
                          attributes=values)
        session.add(row)
        session.flush()
        speaker = session.scalars(select(Speaker).where(func.lower(func.trim(Speaker.label)) == code.lower(),
                                                        Speaker.participant_id.is_(None))).first()
        if speaker is not None:
            speaker.participant_id = row.id
        if consent != "full":
            session.add(AuditEntry(action="consent_changed", details=_consent_details(row, None, consent)))
        return _records(session, [row])[0]


def update_participant(project: Project, participant_id: int, *, role_code: str | None = None, role: str | None = None,
                       organisation: str | None = None) -> tuple[ParticipantRecord, ParticipantRecord]:
    """Change the given fields (None leaves one as it is). Returns (before, after)."""
    code = None if role_code is None else _checked_code(role_code)
    with project.write() as session:
        row = _get(session, participant_id)
        [before] = _records(session, [row])
        if code is not None and code != row.role_code:
            _refuse_duplicate(session, code, row.id)
            row.role_code = code
        if role is not None:
            row.role = role.strip()
        if organisation is not None:
            row.organisation = organisation.strip()
        session.flush()
        return before, _records(session, [row])[0]


def set_consent(project: Project, participant_id: int, consent: str) -> tuple[ParticipantRecord, ParticipantRecord]:
    """Change a participant's consent level, and record the change in the audit. Returns (before, after)."""
    consent = _checked_consent(consent)
    with project.write() as session:
        row = _get(session, participant_id)
        [before] = _records(session, [row])
        if row.consent != consent:
            session.add(AuditEntry(action="consent_changed", details=_consent_details(row, row.consent, consent)))
            row.consent = consent
        return before, _records(session, [row])[0]


def set_attributes(project: Project, participant_id: int, attributes: Mapping[str, Any] | Iterable[tuple[str, Any]]
                   ) -> tuple[ParticipantRecord, ParticipantRecord]:
    """Replace a participant's free attributes (name -> value). Returns (before, after)."""
    values = _checked_attributes(attributes)
    with project.write() as session:
        row = _get(session, participant_id)
        [before] = _records(session, [row])
        row.attributes = values
        session.flush()
        return before, _records(session, [row])[0]


def link_speaker(project: Project, speaker_id: int, participant_id: int | None) -> int | None:
    """Link a speaker label to a participant (None: unlink it). A label stands for one participant
    at most, so linking moves it. Returns the participant it was linked to before, for undo."""
    with project.write() as session:
        speaker = session.get(Speaker, speaker_id)
        if speaker is None:
            raise KeyError(f"no speaker {speaker_id}")
        if participant_id is not None:
            _get(session, participant_id)
        before = speaker.participant_id
        speaker.participant_id = participant_id
        return before


def link_speakers(project: Project, links: Iterable[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """Several links in one transaction: (speaker id, participant id or None). Returns the links
    as they were before, in the same shape, so passing them back undoes this."""
    with project.write() as session:
        before = []
        for speaker_id, participant_id in links:
            speaker = session.get(Speaker, speaker_id)
            if speaker is None:
                raise KeyError(f"no speaker {speaker_id}")
            if participant_id is not None:
                _get(session, participant_id)
            before.append((speaker_id, speaker.participant_id))
            speaker.participant_id = participant_id
        return before


def delete_participant(project: Project, participant_id: int) -> DeletedParticipant:
    """Remove a participant, their attendance and the memos on them; their speaker labels stay,
    unlinked. Recorded in the audit. Returns what restore_participant needs."""
    with project.write() as session:
        row = _get(session, participant_id)
        [record] = _records(session, [row])
        speaker_ids = tuple(session.scalars(select(Speaker.id).where(Speaker.participant_id == row.id)))
        attendance = tuple((a.meeting_id, a.status) for a in
                           session.scalars(select(Attendance).where(Attendance.participant_id == row.id)))
        memo_rows = session.scalars(select(Memo).where(Memo.target_kind == "participant", Memo.target_id == row.id)).all()
        memos = tuple({column.key: getattr(memo, column.key) for column in Memo.__table__.columns} for memo in memo_rows)
        session.execute(update(Speaker).where(Speaker.participant_id == row.id).values(participant_id=None))
        session.execute(delete(Attendance).where(Attendance.participant_id == row.id))
        for memo in memo_rows:
            session.delete(memo)
        session.delete(row)
        session.add(AuditEntry(action="participant_deleted", details={
            "participant": record.role_code, "guid": record.guid, "consent": record.consent,
            "speakers": list(record.speakers), "attendance": len(attendance), "memos": len(memos)}))
        return DeletedParticipant(record, speaker_ids, attendance, memos)


def restore_participant(project: Project, deleted: DeletedParticipant) -> ParticipantRecord:
    """Undo delete_participant: the participant under its old id and GUID, its links, attendance and memos."""
    record = deleted.record
    with project.write() as session:
        if session.get(Participant, record.id) is not None or _by_code(session, record.role_code) is not None:
            raise RegisterError(f"Cannot bring back participant {record.role_code}: another participant now has "
                                "that code. Rename or remove it first.")
        row = Participant(id=record.id, guid=record.guid, role_code=record.role_code, role=record.role,
                          organisation=record.organisation, consent=record.consent, attributes=record.attribute_dict())
        session.add(row)
        session.flush()
        session.execute(update(Speaker).where(Speaker.id.in_(deleted.speaker_ids), Speaker.participant_id.is_(None))
                        .values(participant_id=row.id))
        # Only meetings that still exist get their attendance back.
        live = set(session.scalars(select(Meeting.id).where(Meeting.id.in_([m for m, _ in deleted.attendance]))))
        session.add_all(Attendance(meeting_id=meeting_id, participant_id=row.id, status=status)
                        for meeting_id, status in deleted.attendance if meeting_id in live)
        session.add_all(Memo(**values) for values in deleted.memos)
        session.add(AuditEntry(action="participant_restored", details={"participant": record.role_code,
                                                                       "guid": record.guid}))
        session.flush()
        return _records(session, [row])[0]


# --- inside ----------------------------------------------------------------------------------------

def _checked_code(role_code: str) -> str:
    code = " ".join(str(role_code).split())
    if not code:
        raise RegisterError("A participant needs a role code, such as SN1 or CS.")
    if len(code) > 50:
        raise RegisterError(f"The role code {code[:20]}… is too long: use at most 50 characters.")
    return code


def _checked_consent(consent: str) -> str:
    if consent not in CONSENT_LEVELS:
        raise RegisterError(f"Unknown consent level {consent!r}: use one of {', '.join(CONSENT_LEVELS)}.")
    return consent


def _checked_attributes(attributes: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, str]:
    pairs = attributes.items() if isinstance(attributes, Mapping) else attributes
    values: dict[str, str] = {}
    for name, value in pairs:
        key = str(name).strip()
        if not key:
            raise RegisterError("An attribute needs a name (such as 'years in post').")
        if key in values:
            raise RegisterError(f"The attribute {key!r} is given twice: attribute names must be unique.")
        values[key] = "" if value is None else str(value).strip()
    return values


def _consent_details(row: Participant, before: str | None, after: str) -> dict[str, Any]:
    return {"participant": row.role_code, "guid": row.guid, "from": before, "to": after}


def _refuse_duplicate(session: Session, code: str, own_id: int | None) -> None:
    other = _by_code(session, code)
    if other is not None and other.id != own_id:
        raise RegisterError(f"There is already a participant {other.role_code}: role codes must be unique "
                            "(case does not matter).")


def _by_code(session: Session, role_code: str) -> Participant | None:
    return session.scalars(select(Participant).where(func.lower(Participant.role_code) == role_code.strip().lower())).first()


def _get(session: Session, participant_id: int) -> Participant:
    row = session.get(Participant, participant_id)
    if row is None:
        raise KeyError(f"no participant {participant_id}")
    return row


def _records(session: Session, rows: Iterable[Participant]) -> list[ParticipantRecord]:
    rows = list(rows)
    labels: dict[int, list[str]] = {}
    for participant_id, label in session.execute(select(Speaker.participant_id, Speaker.label).where(
            Speaker.participant_id.in_([row.id for row in rows])).order_by(Speaker.label)):
        labels.setdefault(participant_id, []).append(label)
    return [ParticipantRecord(row.id, row.guid, row.role_code, row.role or "", row.organisation or "",
                              row.consent or "full", tuple((str(k), str(v)) for k, v in (row.attributes or {}).items()),
                              tuple(labels.get(row.id, ()))) for row in rows]
