"""Frozen data objects for sources: transcripts of recordings and text sources (minutes, field
notes, interview notes, other documents), with the meeting each belongs to. What storage/sources.py
hands the app and what the project panel and the source dialog show."""

from __future__ import annotations

from dataclasses import dataclass

RECORDING_KIND = "recording"
TEXT_SOURCE_KINDS = ("minutes", "field_notes", "interview_notes", "document")
KIND_LABELS = {
    RECORDING_KIND: "Transcript",
    "minutes": "Minutes",
    "field_notes": "Field notes",
    "interview_notes": "Interview notes",
    "document": "Document",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def is_text_source(kind: str) -> bool:
    """A source typed in or imported, with no recording behind it (so no times and no audio)."""
    return kind != RECORDING_KIND


@dataclass(frozen=True)
class MeetingChoice:
    """A meeting a source can belong to, as a list offers it."""

    id: int
    code: str
    date: str | None

    @property
    def label(self) -> str:
        return f"{self.code} · {self.date}" if self.date else self.code


@dataclass(frozen=True)
class SourceRecord:
    """A transcript or a text source with its meeting: the transcript's own link, or else the
    link of the recording it was made from."""

    transcript_id: int
    name: str
    kind: str
    recording_id: int | None
    meeting_id: int | None
    meeting_code: str | None
    source_file: str | None  # the imported file's name; None when typed in or transcribed
    paragraphs: int

    @property
    def text_source(self) -> bool:
        return is_text_source(self.kind)

    @property
    def label(self) -> str:
        """"Minutes — M04", "Field notes — Notes on the away day", "Transcript — M04"."""
        return f"{kind_label(self.kind)} — {self.meeting_code or self.name}"


@dataclass(frozen=True)
class SourceDetails:
    """A source's name, kind and meeting, and its recording's meeting: what undo puts back."""

    name: str
    kind: str
    meeting_id: int | None
    recording_meeting_id: int | None = None


@dataclass(frozen=True)
class SourceState:
    """A text source exactly as stored (its transcript row and turns): what undoing its
    creation removes and redoing puts back under the same ids, so later commands on the undo
    stack still find its turns."""

    transcript_id: int
    guid: str
    name: str
    kind: str
    meeting_id: int | None
    source_file: str | None
    turns: tuple[tuple[int, int, str | None, str], ...]  # (segment id, position, speaker label, text)


@dataclass(frozen=True)
class AudioFacts:
    """A recording's audio and what hangs on it: what the Remove Audio confirmation shows, and
    what remove_audio did."""

    recording_id: int
    file_name: str
    path: str  # where the file is (or was)
    exists: bool  # the file is on disk now
    content_hash: str
    duration: float
    removed_on: str | None  # YYYY-MM-DD (local) when the audio was removed; None while it is kept
    transcripts: tuple[str, ...]  # names of the transcripts made from it (all kept)
    turns: int
    codings: int
    memos: int  # on those transcripts and on their codings
    shared_with: tuple[str, ...] = ()  # other recordings whose audio is the same file
