"""Text sources: minutes, field notes, interview notes and other documents, typed in or imported
from TXT and DOCX, each belonging to a meeting or standing alone.

A text source is a Transcript with no recording and a kind other than "recording". Each paragraph
is one turn (a Segment), so everything that works on transcripts (the editor, coding, retrieval,
search, memos, export) works on it unchanged. Its turns have no times: start = end = 0, and their
words are the text's tokens with zero times, exactly what storage/alignment.py gives a turn after an
edit, so a source reads the same whether it was imported or typed. What knows the difference asks
the kind (records: is_text_source).

A paragraph may start with a speaker, "SN1: I think…", when the label before the colon is a
speaker label or a participant's role code already in the project: the turn then gets that
speaker (and so the consent rule of storage/consent.py applies to it, as in a transcript).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import editing, recordings
from storage.documents import paragraphs_of, read_document
from storage.errors import ProjectError
from storage.models import AuditEntry, Meeting, Participant, Recording, Segment, Speaker, Transcript
from storage.project import Project
from storage.records import SegmentRecord
from storage.source_records import (
    RECORDING_KIND, TEXT_SOURCE_KINDS, MeetingChoice, SourceDetails, SourceRecord, SourceState, kind_label,
)
from storage.transcripts import speaker_for_label

_SPEAKER = re.compile(r"^([^\s:]{1,20})\s*:\s*(\S.*)$")
_MEETING_IN_NAME = re.compile(r"(?<![A-Za-z0-9])(M\d{1,3})(?![0-9])", re.IGNORECASE)
_KIND_WORDS = (("minutes", "minutes"), ("field", "field_notes"), ("interview", "interview_notes"))


class SourceError(ProjectError):
    """A text source cannot be made as asked (no name, an unknown kind or meeting)."""


# --- reading ---------------------------------------------------------------------------------------

def list_sources(project: Project) -> list[SourceRecord]:
    """Every transcript and text source, in the order they were added, with its meeting."""
    with project.session() as session:
        paragraphs = dict(session.execute(select(Segment.transcript_id, func.count()).group_by(Segment.transcript_id)).all())
        rows = session.execute(
            select(Transcript.id, Transcript.name, Transcript.kind, Transcript.recording_id, Transcript.source_file,
                   func.coalesce(Transcript.meeting_id, Recording.meeting_id), Meeting.code)
            .outerjoin(Recording, Recording.id == Transcript.recording_id)
            .outerjoin(Meeting, Meeting.id == func.coalesce(Transcript.meeting_id, Recording.meeting_id))
            .order_by(Transcript.id)
        ).all()
        return [SourceRecord(tid, name, kind, recording_id, meeting_id, code, source_file, int(paragraphs.get(tid, 0)))
                for tid, name, kind, recording_id, source_file, meeting_id, code in rows]


def get_source(project: Project, transcript_id: int) -> SourceRecord:
    found = next((source for source in list_sources(project) if source.transcript_id == transcript_id), None)
    if found is None:
        raise KeyError(f"no transcript {transcript_id}")
    return found


def meeting_choices(project: Project) -> list[MeetingChoice]:
    """The meetings a source can belong to, by date (undated last), then code."""
    with project.session() as session:
        rows = session.execute(select(Meeting.id, Meeting.code, Meeting.date)).all()
    return sorted((MeetingChoice(*row) for row in rows), key=lambda m: (m.date is None, m.date or "", m.code))


def guess_meeting(meetings: Sequence[MeetingChoice], file_name: str) -> int | None:
    """The meeting a file name mentions ("minutes-M04.docx", "M4 field notes.txt"), if any."""
    found = _MEETING_IN_NAME.search(Path(file_name).stem)
    if found is None:
        return None
    number = int(found.group(1)[1:])
    for meeting in meetings:
        code = meeting.code.upper()
        if code == found.group(1).upper() or (code[:1] == "M" and code[1:].isdigit() and int(code[1:]) == number):
            return meeting.id
    return None


def guess_kind(file_name: str) -> str:
    lowered = Path(file_name).stem.lower()
    return next((kind for word, kind in _KIND_WORDS if word in lowered), "document")


def playback_unavailable(project: Project, transcript_id: int) -> str | None:
    """Why the player is off for this transcript or text source (for the player bar), or None
    when its recording's file is there to play."""
    source = get_source(project, transcript_id)
    if source.text_source:
        return f"This is a text source ({kind_label(source.kind).lower()}): there is no audio."
    if source.recording_id is None:
        return "This transcript has no recording: there is no audio."
    return recordings.audio_unavailable(project, source.recording_id)


# --- making sources --------------------------------------------------------------------------------

def create_text_source(project: Project, kind: str, name: str, *, meeting_id: int | None = None, text: str = "",
                       paragraphs: Sequence[str] | None = None, source_file: str | None = None) -> SourceRecord:
    """A new text source holding `paragraphs` (or `text`, one paragraph per line), in one
    transaction. With no text it gets one empty paragraph, for the editor to type into."""
    kind, name = _checked(kind, name)
    texts = list(paragraphs) if paragraphs is not None else paragraphs_of(text)
    with project.write() as session:
        _check_meeting(session, meeting_id)
        row = Transcript(name=name, kind=kind, recording_id=None, meeting_id=meeting_id, source_file=source_file,
                         status="done", transcribed_until=0.0)
        session.add(row)
        session.flush()
        known = _known_speakers(session)
        cache: dict[str, Speaker] = {}
        for position, paragraph in enumerate(texts or [""]):
            label, body = split_speaker(paragraph, known)
            session.add(Segment(transcript_id=row.id, position=position, start=0.0, end=0.0, text=body,
                                words=untimed_words(body),
                                speaker=speaker_for_label(session, label, cache) if label else None))
        session.add(AuditEntry(action="source_added", details={
            "transcript": row.guid, "name": name, "kind": kind, "file": source_file, "paragraphs": len(texts)}))
        session.flush()
        source_id = row.id
    return get_source(project, source_id)


def import_document(project: Project, path: Path, kind: str, *, name: str | None = None,
                    meeting_id: int | None = None) -> SourceRecord:
    """Import a .txt or .docx file as a text source. The file is read whole before anything is
    written, and written in one transaction: a refused or failed import leaves no trace.
    Raises SourceImportError (storage.documents) with a message for the user."""
    path = Path(path)
    paragraphs = read_document(path)
    return create_text_source(project, kind, name or path.stem, meeting_id=meeting_id, paragraphs=paragraphs,
                              source_file=path.name)


def split_speaker(paragraph: str, known: dict[str, str]) -> tuple[str | None, str]:
    """("SN1", "text") for "SN1: text" when SN1 is a known label (matched case-insensitively,
    given back as the project spells it); (None, paragraph) otherwise."""
    found = _SPEAKER.match(paragraph)
    if found is not None and found.group(1).casefold() in known:
        return known[found.group(1).casefold()], found.group(2)
    return None, paragraph


def untimed_words(text: str) -> list[list[object]]:
    return [[token, 0.0, 0.0, 1.0] for token in text.split()]


def add_paragraph(project: Project, transcript_id: int, position: int, *, segment_id: int = 0) -> SegmentRecord:
    """An empty paragraph at `position` (the turns from there move down one). `segment_id`
    reuses an id (redo after undo)."""
    return editing.insert_turn(project, SegmentRecord(segment_id, transcript_id, position, 0.0, 0.0, None, "", ()))


# --- changing and removing -------------------------------------------------------------------------

def set_source_details(project: Project, transcript_id: int, *, name: str, kind: str,
                       meeting_id: int | None) -> SourceDetails:
    """Rename a source, change its kind (text sources only; a transcript stays one) and the
    meeting it belongs to; a transcript's recording moves to that meeting with it, as
    storage.meetings.link_transcript does. Returns the details before, for restore_details."""
    with project.write() as session:
        row = _get(session, transcript_id)
        kind, name = (RECORDING_KIND, _checked_name(name)) if row.kind == RECORDING_KIND else _checked(kind, name)
        _check_meeting(session, meeting_id)
        recording = session.get(Recording, row.recording_id) if row.recording_id is not None else None
        before = SourceDetails(row.name, row.kind, row.meeting_id, recording.meeting_id if recording else None)
        row.name, row.kind, row.meeting_id = name, kind, meeting_id
        if recording is not None:
            recording.meeting_id = meeting_id
        return before


def restore_details(project: Project, transcript_id: int, details: SourceDetails) -> None:
    """Undo set_source_details (a meeting deleted meanwhile leaves the link empty)."""
    with project.write() as session:
        row = _get(session, transcript_id)
        row.name, row.kind = details.name, details.kind
        row.meeting_id = details.meeting_id if details.meeting_id and session.get(Meeting, details.meeting_id) else None
        if row.recording_id is not None and (recording := session.get(Recording, row.recording_id)) is not None:
            wanted = details.recording_meeting_id
            recording.meeting_id = wanted if wanted and session.get(Meeting, wanted) else None


def source_state(project: Project, transcript_id: int) -> SourceState:
    with project.session() as session:
        return _state(session, _get(session, transcript_id))


def remove_text_source(project: Project, transcript_id: int) -> SourceState:
    """Remove a text source with its paragraphs (undo of its creation). Returns it as it was."""
    with project.write() as session:
        row = _get(session, transcript_id)
        if row.kind == RECORDING_KIND:
            raise SourceError(f"{row.name} is the transcript of a recording, not a text source.")
        state = _state(session, row)
        session.delete(row)
        session.add(AuditEntry(action="source_removed", details={"transcript": row.guid, "name": row.name}))
        return state


def restore_text_source(project: Project, state: SourceState) -> SourceRecord:
    """Put a removed text source back under its old ids (redo of its creation)."""
    with project.write() as session:
        _check_meeting(session, state.meeting_id)
        session.add(Transcript(id=state.transcript_id, guid=state.guid, name=state.name, kind=state.kind,
                               recording_id=None, meeting_id=state.meeting_id, source_file=state.source_file,
                               status="done", transcribed_until=0.0))
        session.flush()
        cache: dict[str, Speaker] = {}
        for segment_id, position, label, text in state.turns:
            session.add(Segment(id=segment_id, transcript_id=state.transcript_id, position=position, start=0.0,
                                end=0.0, text=text, words=untimed_words(text),
                                speaker=speaker_for_label(session, label, cache) if label else None))
        session.add(AuditEntry(action="source_added", details={"transcript": state.guid, "name": state.name,
                                                               "kind": state.kind, "file": state.source_file}))
    return get_source(project, state.transcript_id)


# --- inside ----------------------------------------------------------------------------------------

def _checked(kind: str, name: str) -> tuple[str, str]:
    if kind not in TEXT_SOURCE_KINDS:
        choices = ", ".join(kind_label(k).lower() for k in TEXT_SOURCE_KINDS)
        raise SourceError(f"A text source is one of: {choices} (not {kind!r}).")
    return kind, _checked_name(name)


def _checked_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise SourceError("A source needs a name: type one (for example “Minutes of M04”).")
    return name


def _check_meeting(session: Session, meeting_id: int | None) -> None:
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        raise SourceError("That meeting no longer exists: choose another meeting, or none.")


def _known_speakers(session: Session) -> dict[str, str]:
    labels = list(session.scalars(select(Speaker.label))) + list(session.scalars(select(Participant.role_code)))
    return {label.casefold(): label for label in reversed(labels) if label}  # a speaker's own spelling wins


def _get(session: Session, transcript_id: int) -> Transcript:
    row = session.get(Transcript, transcript_id)
    if row is None:
        raise KeyError(f"no transcript {transcript_id}")
    return row


def _state(session: Session, row: Transcript) -> SourceState:
    turns = session.execute(
        select(Segment.id, Segment.position, Speaker.label, Segment.text)
        .outerjoin(Speaker, Speaker.id == Segment.speaker_id)
        .where(Segment.transcript_id == row.id).order_by(Segment.position)
    ).all()
    return SourceState(row.id, row.guid, row.name, row.kind, row.meeting_id, row.source_file,
                       tuple((sid, position, label, text) for sid, position, label, text in turns))
