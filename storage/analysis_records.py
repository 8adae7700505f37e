"""Frozen data objects for codes, codings, memos and retrieval (what storage/ hands the app).

Offsets are code points in a turn's text (Python string indexes); the editor converts them
to Qt's UTF-16 positions at its boundary (widgets/text_units.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DIARY_ENTRY_TYPES = ("descriptive", "interpretive", "decision")
MEMO_TARGETS = ("project", "transcript", "code", "coding", "speaker", "participant", "meeting", "diary")


@dataclass(frozen=True)
class CodeRecord:
    id: int
    guid: str
    parent_id: int | None
    position: int
    name: str
    color: str
    description: str
    depth: int  # 0 for a top-level code
    count: int  # codings of this code itself
    total: int  # codings of this code and every code below it
    merged_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Anchor:
    """One end of a coded passage: a turn and a code-point offset in its text."""

    segment_id: int
    offset: int


@dataclass(frozen=True)
class CodingState:
    """A coding row exactly as stored: what undo puts back."""

    id: int
    guid: str
    code_id: int
    transcript_id: int
    start: Anchor
    end: Anchor
    author: str
    created_at: datetime


@dataclass(frozen=True)
class CodingRecord:
    """A coding with what the editor needs to paint it."""

    id: int
    code_id: int
    code_name: str
    color: str
    transcript_id: int
    start: Anchor
    end: Anchor
    has_memo: bool = False


@dataclass(frozen=True)
class Passage:
    """A coded passage for retrieval and reports: its text, who said it, where and when."""

    coding_id: int
    code_id: int
    code_name: str
    transcript_id: int
    transcript_name: str
    speaker: str | None
    start_time: float  # from the first word it covers
    end_time: float  # to the end of the last word it covers
    text: str
    context: str  # a line around it, the passage marked with « »
    start: Anchor
    end: Anchor
    timed: bool = True  # False for a text source (minutes, field notes): no times to show or play


@dataclass(frozen=True)
class MemoRecord:
    id: int
    guid: str
    target_kind: str
    target_id: int | None
    title: str
    body: str
    author: str
    created_at: datetime
    updated_at: datetime
    entry_type: str | None = None  # diary entries only
    entry_date: str | None = None  # diary entries only, YYYY-MM-DD
    links: tuple[int, ...] = ()  # diary entries: the codings (passages) they refer to


@dataclass(frozen=True)
class MatrixCell:
    code_id: int
    column: str  # a speaker label or a transcript name
    column_id: int | None  # the speaker or transcript id (None for turns without a speaker)
    count: int


@dataclass(frozen=True)
class Matrix:
    codes: tuple[CodeRecord, ...]
    columns: tuple[str, ...]
    counts: dict[tuple[int, str], int]  # (code id, column) -> passages

    def count(self, code_id: int, column: str) -> int:
        return self.counts.get((code_id, column), 0)

    @property
    def largest(self) -> int:
        return max(self.counts.values(), default=0)


@dataclass(frozen=True)
class SearchHit:
    """A full-text search result: a turn or a memo."""

    kind: str  # "turn" | "memo"
    id: int  # segment id or memo id
    transcript_id: int | None
    title: str  # transcript name or memo title
    snippet: str  # matched words marked with « »
    offset: int  # code-point offset of the first match in the turn (0 for memos)


@dataclass(frozen=True)
class AutocodeMatch:
    transcript_id: int
    transcript_name: str
    speaker: str | None
    start: Anchor
    end: Anchor
    text: str
