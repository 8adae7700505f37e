"""Recordings in a project: where the media is and what it is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storage.models import AuditEntry, Recording
from storage.project import Project
from storage.records import RecordingRecord


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
