"""Plain data about pseudonyms, for the window's dialog as well as storage/: the listed names,
the places a listed name occurs, and the places it would leave the project in an export."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PseudonymRecord:
    """A real name, what replaces it, and further spellings of the same person (initials,
    a first name alone) that are matched like the name itself."""

    id: int
    real_name: str
    replacement: str
    variants: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.real_name, *self.variants)


@dataclass(frozen=True)
class PseudonymMatch:
    """One occurrence of a listed name (or a variant) in a turn or a memo.

    `offset` and `length` are code points in the turn's text (kind "turn") or in the memo's
    title or body (kind "memo_title" / "memo_body"); `text` is what the offsets cover, so
    applying can check that nothing changed since the preview."""

    pseudonym_id: int
    real_name: str
    replacement: str
    kind: str  # "turn" | "memo_title" | "memo_body"
    transcript_id: int | None  # turns only
    source_id: int  # the segment (turn) id, or the memo id
    where: str  # the transcript's name, or "memo “title”"
    speaker: str | None
    start_time: float | None  # of the first word it covers, when the turn has word times
    offset: int
    length: int
    text: str
    before: str  # a few words of context either side, for the preview
    after: str

    @property
    def segment_id(self) -> int | None:
        return self.source_id if self.kind == "turn" else None

    @property
    def memo_id(self) -> int | None:
        return None if self.kind == "turn" else self.source_id

    @property
    def context(self) -> str:
        return f"{self.before}{self.text}{self.after}"


@dataclass(frozen=True)
class NameLeak:
    """A listed real name (or a variant) that an export would carry out of the project."""

    real_name: str
    text: str  # as written where it was found
    place: str  # "M01 steering group, 0:03:12 (turn 14)" or "memo “Reflections”"
