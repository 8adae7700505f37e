"""Memos on anything in a project (the project itself, a transcript, a code, a coding, a speaker,
a participant, a meeting) and the research diary: dated entries with a type, which may link to
the codings (passages) they discuss.

Every function returns MemoRecords, never rows; the ones that change something return what undo
needs (the record before, or the deleted record for restore_memo).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.analysis_records import DIARY_ENTRY_TYPES, MEMO_TARGETS, MemoRecord
from storage.models import Coding, Memo, utc_now
from storage.project import Project
from storage.settings import get_setting, set_setting

AUTHOR_SETTING = "author"
DIARY = "diary"


def default_author(project: Project) -> str:
    """Who writes memos in this project: the "author" project setting, else the OS user name."""
    stored = get_setting(project, AUTHOR_SETTING)
    if isinstance(stored, str) and stored.strip():
        return stored.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (some containers, services)
        return ""


def set_default_author(project: Project, author: str) -> None:
    set_setting(project, AUTHOR_SETTING, author.strip())


def add_memo(project: Project, target_kind: str, target_id: int | None, *, title: str = "", body: str = "",
             author: str = "", entry_type: str | None = None, entry_date: str | date | None = None,
             links: Iterable[int] = ()) -> MemoRecord:
    """Write a memo. A diary entry gets a type (default the first of DIARY_ENTRY_TYPES) and a
    date (default today, the researcher's local day); other memos may have neither."""
    if target_kind not in MEMO_TARGETS:
        raise ValueError(f"unknown memo target {target_kind!r}; expected one of {', '.join(MEMO_TARGETS)}")
    if target_kind == DIARY:
        entry_type = _checked_entry_type(entry_type or DIARY_ENTRY_TYPES[0])
        entry_date = _checked_date(entry_date or date.today())
    elif entry_type is not None or entry_date is not None:
        raise ValueError("only diary entries have an entry type and date")
    author = author.strip() or default_author(project)
    with project.write() as session:
        now = utc_now()
        row = Memo(target_kind=target_kind, target_id=target_id, title=title, body=body, author=author,
                   entry_type=entry_type, entry_date=entry_date, links=_checked_links(links),
                   created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        return _records(session, [row])[0]


def get_memo(project: Project, memo_id: int) -> MemoRecord:
    with project.session() as session:
        return _records(session, [_get(session, memo_id)])[0]


def update_memo(project: Project, memo_id: int, *, title: str | None = None, body: str | None = None,
                entry_type: str | None = None, entry_date: str | date | None = None,
                links: Iterable[int] | None = None) -> tuple[MemoRecord, MemoRecord]:
    """Change the given fields (None leaves one as it is). Returns (before, after). updated_at
    moves only when something changed, so an autosave of unchanged text is not an edit."""
    with project.write() as session:
        row = _get(session, memo_id)
        [before] = _records(session, [row])
        if (entry_type is not None or entry_date is not None) and row.target_kind != DIARY:
            raise ValueError("only diary entries have an entry type and date")
        changes = {
            "title": title,
            "body": body,
            "entry_type": None if entry_type is None else _checked_entry_type(entry_type),
            "entry_date": None if entry_date is None else _checked_date(entry_date),
            "links": None if links is None else _checked_links(links),
        }
        changed = False
        for field, value in changes.items():
            if value is not None and value != getattr(row, field):
                setattr(row, field, value)
                changed = True
        if changed:
            # Strictly later than before, even when the clock has not ticked (Windows' clock
            # moves in ~16 ms steps): views sort and refresh by it.
            row.updated_at = max(utc_now(), row.updated_at + timedelta(microseconds=1))
        session.flush()
        return before, _records(session, [row])[0]


def delete_memo(project: Project, memo_id: int) -> MemoRecord:
    """Remove a memo; returns it as it was, for restore_memo (undo)."""
    with project.write() as session:
        row = _get(session, memo_id)
        [removed] = _records(session, [row], keep_all_links=True)
        session.delete(row)
        return removed


def restore_memo(project: Project, record: MemoRecord) -> MemoRecord:
    """Put a deleted memo back under its old id and GUID, with its old timestamps (undo)."""
    with project.write() as session:
        row = Memo(id=record.id, guid=record.guid, target_kind=record.target_kind, target_id=record.target_id,
                   title=record.title, body=record.body, author=record.author, entry_type=record.entry_type,
                   entry_date=record.entry_date, links=list(record.links), created_at=record.created_at,
                   updated_at=record.updated_at)
        session.add(row)
        session.flush()
        return _records(session, [row])[0]


def memos_for(project: Project, target_kind: str, target_id: int | None) -> list[MemoRecord]:
    """The memos on one thing, newest first."""
    with project.session() as session:
        where = Memo.target_id.is_(None) if target_id is None else Memo.target_id == target_id
        rows = session.scalars(
            select(Memo).where(Memo.target_kind == target_kind, where).order_by(Memo.created_at.desc(), Memo.id.desc())
        )
        return _records(session, list(rows))


def diary_entries(project: Project, *, entry_type: str | None = None) -> list[MemoRecord]:
    """The research diary in the order of the days it describes, then in the order written."""
    with project.session() as session:
        query = select(Memo).where(Memo.target_kind == DIARY)
        if entry_type is not None:
            query = query.where(Memo.entry_type == _checked_entry_type(entry_type))
        rows = session.scalars(query.order_by(Memo.entry_date, Memo.created_at, Memo.id))
        return _records(session, list(rows))


def targets_with_memos(project: Project, target_kind: str) -> set[int]:
    """Ids of the things of one kind that have at least one memo (views mark them)."""
    with project.session() as session:
        return set(session.scalars(
            select(Memo.target_id).where(Memo.target_kind == target_kind, Memo.target_id.is_not(None)).distinct()
        ))


def _records(session: Session, rows: list[Memo], *, keep_all_links: bool = False) -> list[MemoRecord]:
    """Records of memo rows. Links to codings that no longer exist are left out: links are ids,
    not foreign keys, so removing a coding need not rewrite every diary entry (and undoing the
    removal brings the link back). `keep_all_links` keeps them for a record meant for undo."""
    linked = {int(link) for row in rows for link in row.links or ()}
    existing = linked if keep_all_links or not linked else set(
        session.scalars(select(Coding.id).where(Coding.id.in_(linked)))
    )
    return [
        MemoRecord(
            id=row.id, guid=row.guid, target_kind=row.target_kind, target_id=row.target_id, title=row.title,
            body=row.body, author=row.author, created_at=row.created_at, updated_at=row.updated_at,
            entry_type=row.entry_type, entry_date=row.entry_date,
            links=tuple(int(link) for link in row.links or () if int(link) in existing),
        )
        for row in rows
    ]


def _get(session: Session, memo_id: int) -> Memo:
    row = session.get(Memo, memo_id)
    if row is None:
        raise KeyError(f"no memo {memo_id}")
    return row


def _checked_entry_type(entry_type: str) -> str:
    if entry_type not in DIARY_ENTRY_TYPES:
        raise ValueError(f"unknown diary entry type {entry_type!r}; expected one of {', '.join(DIARY_ENTRY_TYPES)}")
    return entry_type


def _checked_date(value: str | date) -> str:
    """A day as YYYY-MM-DD (what the column holds and what sorts correctly as text)."""
    if isinstance(value, date):
        return value.isoformat()[:10]
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as error:
        raise ValueError(f"a diary date must be YYYY-MM-DD, not {value!r}") from error


def _checked_links(links: Iterable[int]) -> list[int]:
    """Coding ids, each once, in the order given."""
    return list(dict.fromkeys(int(link) for link in links))
