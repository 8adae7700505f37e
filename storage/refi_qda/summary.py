"""What a REFI-QDA import or export did: counts for the status bar and the warnings the app
shows (what was left out and why)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExchangeSummary:
    """The outcome of one .qdpx/.qdc import or export.

    warnings: what was not imported/exported and why, one sentence each, e.g.
    "3 <Set> elements not imported (sets are not supported yet)".
    """

    path: Path
    codes: int = 0
    sources: int = 0
    codings: int = 0
    notes: int = 0
    cases: int = 0
    warnings: tuple[str, ...] = ()
