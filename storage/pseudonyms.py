"""The project's pseudonym list, finding its names, and replacing them in the project.

A listed real name (and each of its variants) is replaced by the pseudonym the researcher chose,
written exactly as typed ("SN1", "Nurse A"): the replacement is a label, not a name, so it is
not re-capitalised to follow the text it replaces. Matching rules: storage/name_matching.py.

Applying goes through storage.editing.edit_turn_text with the exact edits, so codings follow
their words (a coded name stays coded, now on its replacement) and word times are re-aligned;
the returned Pseudonymisation is what undo needs to put text, codings and memos back exactly.
Exports that pseudonymise on the fly use the same matcher and leave the project unchanged
(storage/export_text.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from storage import editing, memos, transcripts
from storage.analysis_records import MemoRecord
from storage.anchors import TextEdit
from storage.models import AuditEntry, Memo, Pseudonym, Segment, Speaker, Transcript
from storage.name_matching import NameMatcher, NameSpan, has_word, normalised
from storage.passages import clip_left, clip_right, word_span
from storage.project import Project
from storage.pseudonym_records import PseudonymMatch, PseudonymRecord

CONTEXT_CHARS = 40  # of text shown either side of a match in the preview


@dataclass(frozen=True)
class Pseudonymisation:
    """What apply_matches did: enough for undo, and the counts it reports."""

    turn_changes: tuple[editing.TextChange, ...]
    memos_before: tuple[MemoRecord, ...]
    counts: tuple[tuple[str, int], ...]  # (replacement, how many) in list order
    transcript_names: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(count for _replacement, count in self.counts)


# --- the list ------------------------------------------------------------------------------------

def list_pseudonyms(project: Project) -> list[PseudonymRecord]:
    with project.session() as session:
        return _list(session)


def load_matcher(project: Project) -> NameMatcher:
    return NameMatcher(list_pseudonyms(project))


def find_pseudonym(project: Project, name: str) -> PseudonymRecord | None:
    """The entry whose real name (or a variant) is `name`, in any case."""
    wanted = normalised(name)
    return next((p for p in list_pseudonyms(project) if wanted in {normalised(t) for t in p.terms}), None)


def add_pseudonym(project: Project, real_name: str, replacement: str, variants: Iterable[str] = ()) -> PseudonymRecord:
    with project.write() as session:
        real_name, replacement, kept = _checked(_list(session), None, real_name, replacement, variants)
        row = Pseudonym(real_name=real_name, replacement=replacement, variants=list(kept))
        session.add(row)
        session.flush()
        return _record(row)


def update_pseudonym(project: Project, pseudonym_id: int, real_name: str, replacement: str,
                     variants: Iterable[str] = ()) -> tuple[PseudonymRecord, PseudonymRecord]:
    """Change an entry; returns (before, after) for undo."""
    with project.write() as session:
        row = _get(session, pseudonym_id)
        before = _record(row)
        real_name, replacement, kept = _checked(_list(session), pseudonym_id, real_name, replacement, variants)
        row.real_name, row.replacement, row.variants = real_name, replacement, list(kept)
        session.flush()
        return before, _record(row)


def remove_pseudonym(project: Project, pseudonym_id: int) -> PseudonymRecord:
    """Take an entry off the list; returns it for restore_pseudonym (undo). Text already
    pseudonymised keeps its replacements."""
    with project.write() as session:
        row = _get(session, pseudonym_id)
        removed = _record(row)
        session.delete(row)
        return removed


def restore_pseudonym(project: Project, record: PseudonymRecord) -> PseudonymRecord:
    """Put an entry back under its old id (undo of a removal; redo of an addition)."""
    with project.write() as session:
        row = Pseudonym(id=record.id, real_name=record.real_name, replacement=record.replacement,
                        variants=list(record.variants))
        session.add(row)
        session.flush()
        return _record(row)


def _checked(existing: Sequence[PseudonymRecord], own_id: int | None, real_name: str, replacement: str,
             variants: Iterable[str]) -> tuple[str, str, tuple[str, ...]]:
    """The entry as stored, or a ValueError the user can act on."""
    real_name, replacement = " ".join(real_name.split()), " ".join(replacement.split())
    if not real_name or not has_word(real_name):
        raise ValueError("Type the real name to replace.")
    if not replacement or not has_word(replacement):
        raise ValueError(f"Type what replaces “{real_name}” (a role code such as SN1, or an invented name).")
    kept: dict[str, str] = {normalised(real_name): real_name}
    for variant in variants:
        variant = " ".join(variant.split())
        if variant and has_word(variant) and normalised(variant) not in kept:
            kept[normalised(variant)] = variant
    terms = list(kept.values())
    mine = NameMatcher([PseudonymRecord(0, real_name, replacement, tuple(terms[1:]))])
    if mine.contains(replacement) or _shares_word(terms, replacement):
        raise ValueError(f"The replacement “{replacement}” keeps part of “{real_name}”: choose one that keeps "
                         "nothing of the real name, such as a role code (SN1).")
    others = [p for p in existing if p.id != own_id]
    for other in others:
        taken = {normalised(t) for t in other.terms} & set(kept)
        if taken:
            raise ValueError(f"“{kept[sorted(taken)[0]]}” is listed already (replaced by “{other.replacement}”): "
                             "edit that entry instead.")
        # A replacement that holds another listed name would put a real name back into the text.
        if NameMatcher([other]).contains(replacement):
            raise ValueError(f"The replacement “{replacement}” holds the listed name “{other.real_name}”.")
        if mine.contains(other.replacement):
            raise ValueError(f"“{real_name}” occurs in the replacement “{other.replacement}” of another entry.")
    return real_name, replacement, tuple(terms[1:])


def _shares_word(terms: Sequence[str], replacement: str) -> bool:
    """Whether the replacement repeats a word (two letters or more) of the name or a variant:
    "Sarah Jones" -> "Ms Jones" would still identify her."""
    name_words = {normalised(word) for term in terms for word in _words(term) if len(word) > 1}
    return any(normalised(word) in name_words for word in _words(replacement))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


# --- finding ---------------------------------------------------------------------------------------

def find_matches(project: Project, transcript_ids: Iterable[int] | None = None, *,
                 include_memos: bool = False) -> list[PseudonymMatch]:
    """Every occurrence of a listed name in the transcripts' turns (all transcripts when
    `transcript_ids` is None), in transcript and turn order; then in memos, when asked.
    Turns of participants left out of analysis are searched too: their words stay in the
    project, so the names in them are replaced like any other."""
    with project.session() as session:
        matcher = NameMatcher(_list(session))
        if not matcher:
            return []
        found = _turn_matches(session, matcher, None if transcript_ids is None else list(transcript_ids))
        if include_memos:
            found += _memo_matches(session, matcher)
        return found


def _turn_matches(session: Session, matcher: NameMatcher, transcript_ids: list[int] | None) -> list[PseudonymMatch]:
    query = (
        select(Segment.id, Segment.transcript_id, Transcript.name, Segment.text, Segment.words, Segment.start,
               Segment.speaker_id)
        .join(Transcript, Transcript.id == Segment.transcript_id)
        .order_by(Segment.transcript_id, Segment.position)
    )
    if transcript_ids is not None:
        query = query.where(Segment.transcript_id.in_(transcript_ids))
    labels = _speaker_labels(session)
    found = []
    for segment_id, transcript_id, name, text, words, turn_start, speaker_id in session.execute(query):
        for span in matcher.spans(text):
            times = word_span(text, words, span.start, span.end)
            found.append(_match(span, "turn", transcript_id, segment_id, name, labels.get(speaker_id), text,
                                times[0] if times else (turn_start if words else None)))
    return found


def _memo_matches(session: Session, matcher: NameMatcher) -> list[PseudonymMatch]:
    found = []
    for memo in session.scalars(select(Memo).order_by(Memo.id)):
        where = f"memo “{memo.title or 'untitled'}”"
        for kind, text in (("memo_title", memo.title or ""), ("memo_body", memo.body or "")):
            found += [_match(span, kind, None, memo.id, where, None, text, None) for span in matcher.spans(text)]
    return found


def _match(span: NameSpan, kind: str, transcript_id: int | None, source_id: int, where: str,
           speaker: str | None, text: str, start_time: float | None) -> PseudonymMatch:
    pseudonym = span.pseudonym
    return PseudonymMatch(
        pseudonym_id=pseudonym.id, real_name=pseudonym.real_name, replacement=pseudonym.replacement, kind=kind,
        transcript_id=transcript_id, source_id=source_id, where=where, speaker=speaker, start_time=start_time,
        offset=span.start, length=span.end - span.start, text=text[span.start:span.end],
        before=clip_left(text[:span.start], CONTEXT_CHARS), after=clip_right(text[span.end:], CONTEXT_CHARS),
    )


def _speaker_labels(session: Session) -> dict[int, str]:
    return {speaker_id: label for speaker_id, label in session.execute(select(Speaker.id, Speaker.label))}


# --- applying --------------------------------------------------------------------------------------

def apply_matches(project: Project, matches: Sequence[PseudonymMatch]) -> Pseudonymisation:
    """Replace the chosen matches (the preview's ticked rows) and record it in the audit.

    Each turn is one edit_turn_text with exact edits; if anything fails halfway, what was done
    is undone again, so a run lands whole or not at all. A match whose text is no longer at
    its place (the text changed since the preview) stops the run before anything changes."""
    turns: dict[int, list[PseudonymMatch]] = {}
    memo_matches: dict[int, list[PseudonymMatch]] = {}
    for match in matches:
        (turns if match.kind == "turn" else memo_matches).setdefault(match.source_id, []).append(match)
    # Work out every new text first: a stale preview then changes nothing at all.
    new_turns = {segment_id: _replaced(editing.get_turn(project, segment_id).text, found)
                 for segment_id, found in turns.items()}
    new_memos = {memo_id: _memo_replaced(project, memo_id, found) for memo_id, found in memo_matches.items()}
    counts, names = _counts(project, matches), _transcript_names(project, matches)
    changes: list[editing.TextChange] = []
    memos_before: list[MemoRecord] = []
    try:
        for segment_id, (text, edits) in new_turns.items():
            changes.append(editing.edit_turn_text(project, segment_id, text, edits))
        for memo_id, (title, body) in new_memos.items():
            memos_before.append(memos.update_memo(project, memo_id, title=title, body=body)[0])
        result = Pseudonymisation(tuple(changes), tuple(memos_before), counts, names)
        with project.write() as session:
            session.add(AuditEntry(action="pseudonymised", details=_audit_details(result)))
    except BaseException:
        undo_pseudonymisation(project, Pseudonymisation(tuple(changes), tuple(memos_before), counts, names),
                              audit=False)
        raise
    scrub_replaced_text(project)
    return result


def scrub_replaced_text(project: Project) -> None:
    """Leave no trace of the replaced names in the project file itself. secure_delete (set on
    every connection, storage/project.py) zeroes the old rows' space; the full-text indexes keep
    deleted terms in older segments of their b-trees until merged, so merge them ('optimize');
    and fold the write-ahead log, which holds the pages as they were, into the file. The rolling
    backups are another matter: the user is asked about them (storage.backups.remove_backups)."""
    with project.write() as session:
        for index in ("segments_fts", "memos_fts"):
            session.execute(sql(f"INSERT INTO {index}({index}) VALUES ('optimize')"))
    with project.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def undo_pseudonymisation(project: Project, result: Pseudonymisation, *, audit: bool = True) -> None:
    """Put every changed turn (text, words, codings) and memo back as it was, last first."""
    for before in reversed(result.memos_before):
        memos.update_memo(project, before.id, title=before.title, body=before.body)
    for change in reversed(result.turn_changes):
        editing.undo_text_change(project, change)
    if audit:
        with project.write() as session:
            session.add(AuditEntry(action="pseudonymisation_undone", details=_audit_details(result)))


def _replaced(text: str, found: list[PseudonymMatch]) -> tuple[str, list[TextEdit]]:
    """`text` with the matches replaced, and the edits that did it (last first, so each edit's
    position is still right in the text the previous edits left)."""
    edits: list[TextEdit] = []
    for match in sorted(found, key=lambda m: m.offset, reverse=True):
        if text[match.offset:match.offset + match.length] != match.text:
            raise ValueError(f"The text of {match.where} changed since the preview (“{match.text}” is no longer "
                             "where it was): preview again, then apply.")
        if edits and match.offset + match.length > edits[-1].position:
            raise ValueError(f"Two matches overlap in {match.where}: preview again, then apply.")
        text = text[:match.offset] + match.replacement + text[match.offset + match.length:]
        edits.append(TextEdit(match.offset, match.length, len(match.replacement)))
    return text, edits


def _memo_replaced(project: Project, memo_id: int, found: list[PseudonymMatch]) -> tuple[str, str]:
    memo = memos.get_memo(project, memo_id)
    title, _ = _replaced(memo.title, [m for m in found if m.kind == "memo_title"])
    body, _ = _replaced(memo.body, [m for m in found if m.kind == "memo_body"])
    return title, body


def _counts(project: Project, matches: Sequence[PseudonymMatch]) -> tuple[tuple[str, int], ...]:
    counted = Counter(match.pseudonym_id for match in matches)
    return tuple((p.replacement, counted[p.id]) for p in list_pseudonyms(project) if counted[p.id])


def _transcript_names(project: Project, matches: Sequence[PseudonymMatch]) -> tuple[str, ...]:
    ids = dict.fromkeys(m.transcript_id for m in matches if m.transcript_id is not None)
    return tuple(transcripts.get_transcript(project, transcript_id).name for transcript_id in ids)


def _audit_details(result: Pseudonymisation) -> dict[str, object]:
    # The real names stay out of the audit on purpose. The project holds them anyway (in the
    # list), but the audit is the part a researcher shows others (an ethics committee, a
    # supervisor, an exchange file): it records that names were replaced, by what and how
    # often, and where, without repeating the names it was meant to remove.
    return {"replacements": [{"replacement": replacement, "count": count} for replacement, count in result.counts],
            "total": result.total, "turns": len(result.turn_changes), "memos": len(result.memos_before),
            "transcripts": list(result.transcript_names)}


# --- rows to records -------------------------------------------------------------------------------

def _list(session: Session) -> list[PseudonymRecord]:
    rows = session.scalars(select(Pseudonym).order_by(Pseudonym.id))
    return sorted((_record(row) for row in rows), key=lambda p: p.real_name.casefold())


def _record(row: Pseudonym) -> PseudonymRecord:
    return PseudonymRecord(row.id, row.real_name, row.replacement, tuple(str(v) for v in row.variants or ()))


def _get(session: Session, pseudonym_id: int) -> Pseudonym:
    row = session.get(Pseudonym, pseudonym_id)
    if row is None:
        raise KeyError(f"no pseudonym {pseudonym_id}")
    return row
