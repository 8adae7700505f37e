"""Full-text search over every turn and memo of a project, through the SQLite FTS5 indexes that
revision 0003 creates and its triggers keep in sync (storage/migrations/versions/0003_*).

The user types words, not FTS5 syntax: every word becomes a quoted prefix term and the terms are
AND-ed, so "discharg plan" finds "discharge planning" and no input (quotes, brackets, AND, `*`)
can make a syntax error. Results are ranked by bm25 across turns and memos together.

Turns whose words are left out of analysis (storage/consent.py) are never hits. Memos are the
researcher's own writing and are all searched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from sqlalchemy import text

from storage.analysis_records import SearchHit
from storage.consent import EXCLUDED_SPEAKERS_SQL, any_excluded
from storage.project import Project

# The FTS5 tables and their shadow tables (_data, _idx, _docsize, _config): not in the ORM
# metadata, so schema comparisons (tests, Alembic autogenerate) must leave them out.
INDEX_TABLES = ("segments_fts", "memos_fts")
MARK_OPEN, MARK_CLOSE, ELLIPSIS = "«", "»", "…"
SNIPPET_TOKENS = 24
# A pasted paragraph would become hundreds of AND-ed prefix terms; the first few already narrow
# the hits to the passage, and each extra prefix term costs an index scan.
MAX_TERMS = 16

# A word as FTS5's unicode61 tokenizer sees one: letters and digits (underscore separates), with
# any combining marks that follow (remove_diacritics folds them away).
_WORD = re.compile(r"(?:[^\W_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*)+")

# The best `limit` matches are picked inside FTS5 first ("ORDER BY rank LIMIT" is sorted within
# the index, and snippets are made only for the rows kept); joining every match to its turn
# before sorting took ten times as long on a common word.
_TURNS_SQL = f"""
    WITH best AS MATERIALIZED (
        SELECT rowid AS id, rank,
               snippet(segments_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', {SNIPPET_TOKENS}) AS snippet
        FROM segments_fts WHERE segments_fts MATCH :query {{consent}} ORDER BY rank LIMIT :limit
    )
    SELECT s.id, s.transcript_id, t.name, s.text, best.snippet, best.rank
    FROM best
    JOIN segments AS s ON s.id = best.id
    JOIN transcripts AS t ON t.id = s.transcript_id
    ORDER BY best.rank
    """
_TURNS = text(_TURNS_SQL.format(consent=""))
# When someone's words are left out (storage/consent.py), their turns are left out inside the
# index query, so they never take a place among the best `limit`. Listing those turns reads the
# whole segments table, so it is done only when someone is excluded.
_ANALYSABLE_TURNS = text(_TURNS_SQL.format(
    consent=f"AND rowid NOT IN (SELECT id FROM segments WHERE speaker_id IN ({EXCLUDED_SPEAKERS_SQL}))"))
# A word in a memo's title says more about it than one in its body: the title weighs double.
_MEMOS = text(
    f"""
    WITH best AS MATERIALIZED (
        SELECT rowid AS id, rank,
               snippet(memos_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', {SNIPPET_TOKENS}) AS snippet
        FROM memos_fts WHERE memos_fts MATCH :query AND rank MATCH 'bm25(2.0, 1.0)' ORDER BY rank LIMIT :limit
    )
    SELECT m.id,
           CASE m.target_kind WHEN 'transcript' THEN m.target_id WHEN 'coding' THEN c.transcript_id END,
           m.title, best.snippet, best.rank
    FROM best
    JOIN memos AS m ON m.id = best.id
    LEFT JOIN codings AS c ON m.target_kind = 'coding' AND c.id = m.target_id
    ORDER BY best.rank
    """
)


def search(project: Project, query: str, *, limit: int = 200) -> list[SearchHit]:
    """Turns and memos that contain every word of `query` (each as a prefix), best first."""
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    expression = match_expression(terms)
    scored: list[tuple[float, SearchHit]] = []
    with project.session() as session:
        params = {"query": expression, "limit": limit}
        turns = _ANALYSABLE_TURNS if any_excluded(session) else _TURNS
        for segment_id, transcript_id, name, turn_text, snippet, score in session.execute(turns, params):
            offset = first_match_offset(turn_text, terms[0])
            scored.append((score, SearchHit("turn", segment_id, transcript_id, name, snippet, offset)))
        for memo_id, transcript_id, title, snippet, score in session.execute(_MEMOS, params):
            scored.append((score, SearchHit("memo", memo_id, transcript_id, title, snippet, 0)))
    scored.sort(key=lambda pair: pair[0])  # bm25 is lower for better matches; stable for ties
    return [hit for _score, hit in scored[:limit]]


def query_terms(query: str) -> list[str]:
    """The words of a user's query, in order; punctuation and symbols (emoji) separate words,
    as they do for the index's tokenizer."""
    return _WORD.findall(unicodedata.normalize("NFC", query))[:MAX_TERMS]


def match_expression(terms: list[str]) -> str:
    """An FTS5 query that can never be a syntax error: each term double-quoted (terms hold only
    letters, digits and marks, so no quote to escape) with a prefix star, implicitly AND-ed."""
    return " ".join(f'"{term}"*' for term in terms)


def first_match_offset(turn_text: str, term: str) -> int:
    """Code-point offset of the first word in `turn_text` that starts with `term`, compared as
    the tokenizer compares (case and diacritics folded); 0 if none does."""
    wanted = _fold(term)
    for start, word in _words(turn_text):
        if _fold(word).startswith(wanted):
            return start
    return 0


def is_index_table(name: str) -> bool:
    """True for the FTS5 tables and the shadow tables SQLite keeps for them."""
    return any(name == table or name.startswith(f"{table}_") for table in INDEX_TABLES)


def _words(turn_text: str) -> Iterator[tuple[int, str]]:
    for found in _WORD.finditer(turn_text):
        yield found.start(), found.group()


def _fold(word: str) -> str:
    if word.isascii():  # most words of most transcripts: skip the Unicode work
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
