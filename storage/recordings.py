"""Recordings in a project: where the media is and what it is, and removing the audio once it is
transcribed (consent forms promise that tapes are destroyed) while keeping everything made from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from datetime import datetime, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.errors import ProjectError
from storage.models import AuditEntry, Coding, Memo, Recording, Segment, Transcript, utc_now
from storage.project import Project
from storage.records import RecordingRecord
from storage.source_records import AudioFacts

REMOVING_SUFFIX = ".earmark-removing"  # the file's name while its removal is being recorded


@dataclass(frozen=True)
class MediaFacts:
    """What the caller measured about a media file before adding it."""

    path: Path
    content_hash: str
    duration: float
    channels: int
    sample_rate: int


def add_recording(project: Project, media: MediaFacts) -> tuple[RecordingRecord, bool]:
    """Add a recording, or find the existing one with the same content. Returns the record
    and whether it was added now."""
    with project.write() as session:
        existing = session.scalars(select(Recording).where(Recording.content_hash == media.content_hash)).first()
        if existing is not None:
            return _record(project, existing), False
        row = Recording(
            media_path=_stored_path(project.path, media.path),
            content_hash=media.content_hash,
            duration=media.duration,
            channels=media.channels,
            sample_rate=media.sample_rate,
        )
        session.add(row)
        session.flush()
        session.add(AuditEntry(action="recording_added", details={"recording": row.guid, "path": row.media_path}))
        return _record(project, row), True


def get_recording(project: Project, recording_id: int) -> RecordingRecord:
    with project.session() as session:
        row = session.get(Recording, recording_id)
        if row is None:
            raise KeyError(f"no recording {recording_id}")
        return _record(project, row)


def list_recordings(project: Project) -> list[RecordingRecord]:
    with project.session() as session:
        return [_record(project, row) for row in session.scalars(select(Recording).order_by(Recording.id))]


def _stored_path(project_path: Path, media_path: Path) -> str:
    media_path = media_path.absolute()
    try:
        return media_path.relative_to(project_path.parent).as_posix()
    except ValueError:
        return str(media_path)


def _record(project: Project, row: Recording) -> RecordingRecord:
    stored = Path(row.media_path)
    resolved = stored if stored.is_absolute() else project.path.parent / stored
    return RecordingRecord(
        id=row.id,
        guid=row.guid,
        media_path=Path(os.path.normpath(resolved)),
        stored_path=row.media_path,
        content_hash=row.content_hash,
        duration=row.duration,
        channels=row.channels,
        sample_rate=row.sample_rate,
        audio_deleted=row.audio_deleted_at is not None,
    )


def remove_recording(project: Project, recording_id: int) -> None:
    """Forget a recording that was added but never transcribed (a failed first attempt)."""
    with project.write() as session:
        row = session.get(Recording, recording_id)
        if row is not None:
            session.delete(row)


# --- removing the audio ----------------------------------------------------------------------------

def audio_facts(project: Project, recording_id: int) -> AudioFacts:
    """The recording's file and what is kept when its audio goes (transcripts, codings, memos)."""
    with project.session() as session:
        return _facts(project, session, _get(session, recording_id))


def remove_audio(project: Project, recording_id: int) -> AudioFacts:
    """Delete the recording's media file from disk and record it (Recording.audio_deleted_at and
    an "audio_removed" audit entry with the file's name, content hash, duration and the time).
    Transcripts, codings and memos stay. A file that is already gone is recorded as removed.

    Refused, changing nothing, when the project is read-only, the audio was removed already, or
    another recording plays the same file. If the file cannot be deleted (permissions, a locked
    file), a ProjectError says so and the project is unchanged. The file is first renamed aside,
    then the change is committed, then the renamed file is deleted: a failure to write the
    project puts the file back."""
    if project.read_only:
        raise ProjectError(f"{project.path} is open read-only ({project.read_only_reason}): the audio cannot be removed.")
    facts = audio_facts(project, recording_id)
    if facts.removed_on is not None:
        raise ProjectError(f"The audio of {facts.file_name} was already removed on {facts.removed_on}.")
    if facts.shared_with:
        raise ProjectError(
            f"{facts.file_name} is also the audio of {', '.join(facts.shared_with)}: Earmark removes a file only when "
            "no other recording plays it. Remove the audio of that recording first, then of this one.")
    path = Path(facts.path)
    aside = path.with_name(path.name + REMOVING_SUFFIX)
    if facts.exists:
        try:
            os.replace(path, aside)
        except OSError as error:
            raise ProjectError(
                f"Cannot delete {path}: {error.strerror or error}. Nothing was changed. Check that you may change "
                "files in that folder and that no other program has the file open, then try again.") from error
    try:
        with project.write() as session:
            row = _get(session, recording_id)
            row.audio_deleted_at = utc_now()
            session.add(AuditEntry(action="audio_removed", details={
                "recording": row.guid, "file": facts.file_name, "path": row.media_path,
                "content_hash": row.content_hash, "duration": row.duration,
                "when": row.audio_deleted_at.replace(tzinfo=timezone.utc).isoformat(timespec="seconds"),
                "file_was_missing": not facts.exists, "transcripts": list(facts.transcripts),
            }))
    except BaseException:
        if facts.exists:
            os.replace(aside, path)  # the project is unchanged: so is the disk
        raise
    if facts.exists:
        try:
            aside.unlink()
        except OSError as error:
            raise ProjectError(
                f"The audio is recorded as removed, but {aside} could not be deleted ({error.strerror or error}). "
                "Delete that file yourself.") from error
    return audio_facts(project, recording_id)


def audio_unavailable(project: Project, recording_id: int) -> str | None:
    """Why this recording cannot be played, for the player bar; None when its file is there."""
    facts = audio_facts(project, recording_id)
    if facts.removed_on is not None:
        return f"Audio removed on {facts.removed_on} (recorded in the audit). The transcript, codings and memos are kept."
    if not facts.exists:
        return (f"The recording file {facts.file_name} is missing: {facts.path}. "
                "Put it back there to listen; editing and coding work as usual.")
    return None


def removed_audio_at(project: Project, media: Path) -> AudioFacts | None:
    """The recording at `media` whose audio was removed, if there is one (so transcription can
    refuse to start on it)."""
    wanted = os.path.normpath(Path(media).absolute())
    for recording in list_recordings(project):
        if recording.audio_deleted and os.path.normpath(recording.media_path) == wanted:
            return audio_facts(project, recording.id)
    return None


def _get(session: Session, recording_id: int) -> Recording:
    row = session.get(Recording, recording_id)
    if row is None:
        raise KeyError(f"no recording {recording_id}")
    return row


def _facts(project: Project, session: Session, row: Recording) -> AudioFacts:
    record = _record(project, row)
    transcripts = session.execute(select(Transcript.id, Transcript.name).where(Transcript.recording_id == row.id)
                                  .order_by(Transcript.id)).all()
    ids = [tid for tid, _ in transcripts]
    turns = session.scalar(select(func.count()).select_from(Segment).where(Segment.transcript_id.in_(ids)))
    codings = session.scalar(select(func.count()).select_from(Coding).where(Coding.transcript_id.in_(ids)))
    coding_ids = select(Coding.id).where(Coding.transcript_id.in_(ids)).scalar_subquery()
    memos = session.scalar(select(func.count()).select_from(Memo).where(or_(
        (Memo.target_kind == "transcript") & Memo.target_id.in_(ids),
        (Memo.target_kind == "coding") & Memo.target_id.in_(coding_ids))))
    shared = [other.media_path.name + f" (recording {other.id})"
              for other in (_record(project, o) for o in session.scalars(select(Recording).where(Recording.id != row.id)))
              if not other.audio_deleted and os.path.normpath(other.media_path) == os.path.normpath(record.media_path)]
    removed = row.audio_deleted_at
    return AudioFacts(
        recording_id=row.id, file_name=record.media_path.name, path=str(record.media_path),
        exists=record.media_path.is_file(), content_hash=row.content_hash, duration=row.duration,
        removed_on=None if removed is None else _local_day(removed),
        transcripts=tuple(name for _, name in transcripts), turns=int(turns or 0), codings=int(codings or 0),
        memos=int(memos or 0), shared_with=tuple(shared),
    )


def _local_day(utc: datetime) -> str:
    return utc.replace(tzinfo=timezone.utc).astimezone().date().isoformat()
