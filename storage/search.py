"""Finding (and preparing replacements of) text in transcripts: one transcript or all."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Segment, Transcript
from storage.project import Project

CONTEXT = 40


@dataclass(frozen=True)
class TextMatch:
    transcript_id: int
    transcript_name: str
    segment_id: int
    position: int  # the turn's position in its transcript
    start: int  # code-point offsets in the turn's text
    end: int
    context: str  # the match with some text either side, for a results list


def pattern(needle: str, *, match_case: bool = False, whole_words: bool = False, regex: bool = False) -> re.Pattern[str]:
    """The search as a compiled expression: `needle` literally, or as a regular expression. A
    bad regular expression is a ValueError whose message the user can act on."""
    body = needle if regex else re.escape(needle)
    if whole_words:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    try:
        return re.compile(body, 0 if match_case else re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"Not a valid regular expression: '{needle}' ({error})") from None


def find_text(project: Project, needle: str, *, match_case: bool = False, whole_words: bool = False,
              transcript_id: int | None = None) -> list[TextMatch]:
    if not needle:
        return []
    compiled = pattern(needle, match_case=match_case, whole_words=whole_words)
    query = (
        select(Segment.transcript_id, Transcript.name, Segment.id, Segment.position, Segment.text)
        .join(Transcript, Transcript.id == Segment.transcript_id)
        .order_by(Segment.transcript_id, Segment.position)
    )
    if transcript_id is not None:
        query = query.where(Segment.transcript_id == transcript_id)
    if match_case:
        query = query.where(Segment.text.contains(needle, autoescape=True))
    else:  # SQLite's LIKE folds ASCII case only; the regex below decides for the rest
        query = query.where(Segment.text.ilike(f"%{_like_escape(needle)}%", escape="\\")) if needle.isascii() else query
    matches = []
    with project.session() as session:
        for tid, name, segment_id, position, text in session.execute(query):
            for found in compiled.finditer(text):
                left, right = max(0, found.start() - CONTEXT), min(len(text), found.end() + CONTEXT)
                context = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
                matches.append(TextMatch(tid, name, segment_id, position, found.start(), found.end(), context))
    return matches


def replaced_text(text: str, needle: str, replacement: str, *, match_case: bool = False, whole_words: bool = False) -> str:
    return pattern(needle, match_case=match_case, whole_words=whole_words).sub(lambda _: replacement, text)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
