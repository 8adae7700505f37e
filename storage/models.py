"""SQLAlchemy models of the project file.

These ORM classes never leave storage/: services turn them into the frozen dataclasses in
storage/records.py. Every table another tool may see through REFI-QDA carries a GUID that
never changes once written.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_guid() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProjectSetting(Base):
    """Per-project key/value settings (vocabulary for the engine, quorum, author...)."""

    __tablename__ = "project_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Recording(Base):
    __tablename__ = "recordings"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    # Relative to the project file's folder when the media sits beside or below it, so a
    # project folder can be moved or copied whole; absolute otherwise.
    media_path: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    duration: Mapped[float] = mapped_column(Float)
    channels: Mapped[int] = mapped_column(Integer)
    sample_rate: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    audio_deleted_at: Mapped[Optional[datetime]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Transcript(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    recording_id: Mapped[Optional[int]] = mapped_column(ForeignKey("recordings.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text)
    # "recording" for a transcribed recording; otherwise a text source: minutes, field_notes,
    # interview_notes, document (typed in, or imported from source_file).
    kind: Mapped[str] = mapped_column(String(30), default="recording")
    language: Mapped[Optional[str]] = mapped_column(String(16))
    model: Mapped[Optional[str]] = mapped_column(Text)
    # pending | running | interrupted | done | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Seconds of the recording covered by stored segments: where a resumed run starts.
    transcribed_until: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    # Revision 0004.
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    source_file: Mapped[Optional[str]] = mapped_column(Text)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="transcript", order_by="Segment.position", cascade="all, delete-orphan", passive_deletes=True
    )


class Speaker(Base):
    __tablename__ = "speakers"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    label: Mapped[str] = mapped_column(String(100), unique=True)
    participant_id: Mapped[Optional[int]] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))


class Segment(Base):
    """One speaker turn. Its words are stored with it as JSON rows [text, start, end, probability]:
    a turn is read and rewritten whole by the editor, and a three-hour meeting stays one row per
    turn instead of tens of thousands of word rows."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("transcript_id", "position", name="uq_segment_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    speaker_id: Mapped[Optional[int]] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Revision 0005: the user set this turn's speaker; re-running speaker labelling leaves it alone.
    speaker_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    transcript: Mapped[Transcript] = relationship(back_populates="segments")
    speaker: Mapped[Optional[Speaker]] = relationship()


class AuditEntry(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    action: Mapped[str] = mapped_column(String(50))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- Analysis tables (revision 0002). Later issues fill them; the shapes are settled now. ---


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    role_code: Mapped[str] = mapped_column(String(50), unique=True)
    role: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    # full | observe_only | withdrawn
    consent: Mapped[str] = mapped_column(String(20), default="full")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Meeting(Base):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    date: Mapped[Optional[str]] = mapped_column(String(10))
    phase: Mapped[str] = mapped_column(Text, default="")
    recorded: Mapped[bool] = mapped_column(Boolean, default=True)
    agenda: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Attendance(Base):
    __tablename__ = "attendance"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    # present | part | absent
    status: Mapped[str] = mapped_column(String(10), default="present")


class Code(Base):
    __tablename__ = "codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(9), default="#f4c542")
    description: Mapped[str] = mapped_column(Text, default="")
    merged_from: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Coding(Base):
    """A code on a span of a transcript, anchored to (segment, offset) at each end so that an
    edit inside one turn only moves the codings of that turn. Offsets count code points."""

    __tablename__ = "codings"
    __table_args__ = (Index("ix_codings_transcript", "transcript_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    start_segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    start_offset: Mapped[int] = mapped_column(Integer)
    end_segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    end_offset: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Memo(Base):
    __tablename__ = "memos"
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    # project | transcript | code | coding | speaker | participant | meeting | diary
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[Optional[int]] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Diary entries only: descriptive | interpretive | decision, and the day they describe.
    entry_type: Mapped[Optional[str]] = mapped_column(String(20))
    entry_date: Mapped[Optional[str]] = mapped_column(String(10))
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    # Revision 0003: the codings (passages) a diary entry refers to, as a JSON list of ids. Not
    # foreign keys: a removed coding simply drops out when the memo is read (storage/memos.py).
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Pseudonym(Base):
    """A real name and what replaces it (revision 0004). Variants are further spellings of the
    same person (initials, a first name alone), matched like the name itself."""

    __tablename__ = "pseudonyms"
    id: Mapped[int] = mapped_column(primary_key=True)
    real_name: Mapped[str] = mapped_column(Text)
    replacement: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
