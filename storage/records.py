"""Plain, frozen data objects that storage/ services return. No ORM object leaves storage/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Word(NamedTuple):
    """A timed word. A named tuple, not a dataclass: a three-hour meeting has 30,000 of them
    and they are built on the way to the first painted page."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class NewSegment:
    """A speaker turn to append to a transcript."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    speaker: str | None = None


@dataclass(frozen=True)
class SegmentRecord:
    id: int
    transcript_id: int
    position: int
    start: float
    end: float
    speaker: str | None
    text: str
    words: tuple[Word, ...]
    # A person set this turn's speaker; automatic speaker labelling leaves it alone (issue 8).
    speaker_by_hand: bool = False


@dataclass(frozen=True)
class RecordingRecord:
    id: int
    guid: str
    media_path: Path
    stored_path: str
    content_hash: str
    duration: float
    channels: int
    sample_rate: int
    audio_deleted: bool


@dataclass(frozen=True)
class TranscriptRecord:
    id: int
    guid: str
    recording_id: int | None
    name: str
    kind: str
    language: str | None
    model: str | None
    status: str
    transcribed_until: float
    error: str | None
    segment_count: int
    word_count: int | None  # None when not counted (storage.transcripts.list_transcripts)


@dataclass(frozen=True)
class ProjectSummary:
    path: Path
    schema_revision: str
    read_only: bool
    recordings: tuple[RecordingRecord, ...]
    transcripts: tuple[TranscriptRecord, ...]
    speakers: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
