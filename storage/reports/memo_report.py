"""Memos and the research diary as Word documents.

Memos come grouped by what they are on (the project, codes, transcripts and sources, coded
passages, speakers, participants, meetings), in the order those appear in the project (codes in
tree order, meetings by date), then oldest first; each with its title, author, dates and body. A
memo on a coded passage quotes the passage with its citation. Memos are the researcher's own
writing and are not filtered for consent (storage/consent.py), but a quoted passage is: one
wholly in turns left out of analysis is named, not quoted.

The diary comes in the order of the days it describes, each entry with its type and the
passages it links to, quoted with their citations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from storage import meetings, memos
from storage.analysis_records import MemoRecord
from storage.codebook import codes_tree
from storage.models import Code, Coding, Memo, Speaker, Transcript
from storage.participants import list_participants
from storage.project import Project
from storage.reports import docx_parts
from storage.reports.passages import PassageItem, code_paths, passage_items, plural, today
from storage.retrieval import coded_passages

GROUPS = (("project", "The project"), ("code", "Codes"), ("transcript", "Transcripts and sources"),
          ("coding", "Coded passages"), ("speaker", "Speakers"), ("participant", "Participants"),
          ("meeting", "Meetings"))
LEFT_OUT = "its words are left out of analysis"


@dataclass(frozen=True)
class MemoItem:
    on: str  # what it is on, as a reader knows it: "code Learning / Peer support", "meeting M03 (2009-11-12)"
    title: str
    author: str
    written: str
    changed: str  # "" when never changed after it was written
    body: str
    passage: PassageItem | None = None  # a memo on a coded passage: the passage

    @property
    def where(self) -> str:
        return f"memo “{self.title or 'untitled'}” on {self.on}"


@dataclass(frozen=True)
class MemoGroup:
    title: str
    memos: tuple[MemoItem, ...]


@dataclass(frozen=True)
class MemoReport:
    title: str
    subtitle: str
    groups: tuple[MemoGroup, ...]

    @property
    def rows(self) -> int:
        return sum(len(group.memos) for group in self.groups)


@dataclass(frozen=True)
class DiaryItem:
    day: str  # "12 November 2009"
    entry_type: str
    title: str
    author: str
    body: str
    passages: tuple[PassageItem, ...]
    left_out: int  # linked passages not quoted: wholly in turns left out of analysis

    @property
    def where(self) -> str:
        return f"diary entry of {self.day} “{self.title or 'untitled'}”"


@dataclass(frozen=True)
class DiaryReport:
    title: str
    subtitle: str
    entries: tuple[DiaryItem, ...]

    @property
    def rows(self) -> int:
        return len(self.entries)


# --- building ------------------------------------------------------------------------------------

def build_memo_report(project: Project) -> MemoReport:
    with project.session() as session:
        ids = list(session.scalars(select(Memo.id).where(Memo.target_kind != memos.DIARY)))
    records = [memos.get_memo(project, memo_id) for memo_id in ids]
    passages = _linked_passages(project, [r.target_id for r in records if r.target_kind == "coding" and r.target_id])
    names, order = _targets(project, records, passages)
    groups = []
    for kind, label in GROUPS:
        mine = sorted((r for r in records if r.target_kind == kind),
                      key=lambda r: (order.get((kind, r.target_id), len(order)), r.created_at, r.id))
        items = tuple(MemoItem(names.get((kind, r.target_id), _missing(kind)), r.title.strip(), r.author,
                               _when(r.created_at), _changed(r), r.body,
                               passages.get(r.target_id or 0) if kind == "coding" else None) for r in mine)
        if items:
            groups.append(MemoGroup(label, items))
    count = sum(len(group.memos) for group in groups)
    return MemoReport("Memos", f"{plural(count, 'memo')} · {today()}", tuple(groups))


def build_diary_report(project: Project) -> DiaryReport:
    entries = memos.diary_entries(project)
    passages = _linked_passages(project, [link for entry in entries for link in entry.links])
    items = tuple(DiaryItem(_day(entry.entry_date), entry.entry_type or "", entry.title.strip(), entry.author, entry.body,
                            tuple(passages[link] for link in entry.links if link in passages),
                            sum(1 for link in entry.links if link not in passages))
                  for entry in entries)
    return DiaryReport("Research diary", f"{plural(len(items), 'entry').replace('entrys', 'entries')} · {today()}",
                       items)


def _linked_passages(project: Project, coding_ids: Sequence[int]) -> dict[int, PassageItem]:
    """The passages of these codings as reports show them, by coding id. A coding wholly in
    turns left out of analysis has none (coded_passages leaves it out)."""
    if not coding_ids:
        return {}
    with project.session() as session:
        code_ids = sorted(set(session.scalars(select(Coding.code_id).where(Coding.id.in_(set(coding_ids))))))
    wanted = set(coding_ids)
    found = [passage for passage in coded_passages(project, code_ids) if passage.coding_id in wanted]
    items = passage_items(project, found, code_paths(codes_tree(project)))
    return {item.coding_id: item for item in items}


def _targets(project: Project, records: Sequence[MemoRecord], passages: dict[int, PassageItem]
             ) -> tuple[dict[tuple[str, int | None], str], dict[tuple[str, int | None], int]]:
    """What each memo is on, as a reader knows it, and the order those things come in."""
    names: dict[tuple[str, int | None], str] = {("project", None): "the project"}
    order: dict[tuple[str, int | None], int] = {}
    paths = code_paths(codes_tree(project))
    for rank, (code_id, path) in enumerate(paths.items()):
        names[("code", code_id)], order[("code", code_id)] = f"code {path}", rank
    for rank, meeting in enumerate(meetings.list_meetings(project)):
        key = ("meeting", meeting.id)
        names[key], order[key] = f"meeting {meeting.code}" + (f" ({meeting.date})" if meeting.date else ""), rank
    role_codes = {}
    for rank, person in enumerate(list_participants(project)):
        key = ("participant", person.id)
        names[key], order[key] = f"participant {person.role_code}" + (f", {person.role}" if person.role else ""), rank
        role_codes.update({label: person.role_code for label in person.speakers})
    coding_ids = {r.target_id for r in records if r.target_kind == "coding" and r.target_id}
    with project.session() as session:
        for rank, (tid, name) in enumerate(session.execute(select(Transcript.id, Transcript.name).order_by(Transcript.id))):
            names[("transcript", tid)], order[("transcript", tid)] = name, rank
        for speaker_id, label in session.execute(select(Speaker.id, Speaker.label).order_by(Speaker.label)):
            names[("speaker", speaker_id)] = f"speaker {role_codes.get(label, label)}"
        codings = session.execute(select(Coding.id, Code.name, Transcript.name).join(Code, Code.id == Coding.code_id)
                                  .join(Transcript, Transcript.id == Coding.transcript_id)
                                  .where(Coding.id.in_(coding_ids))).all()
    for rank, (coding_id, code_name, transcript_name) in enumerate(sorted(codings, key=lambda row: row[0])):
        item = passages.get(coding_id)
        if item is not None:
            who = f"{item.speaker} " if item.speaker else ""
            names[("coding", coding_id)] = f"a passage coded {item.code_path}, {who}{item.citation}"
        else:
            names[("coding", coding_id)] = f"a passage coded {code_name} in {transcript_name} ({LEFT_OUT})"
        order[("coding", coding_id)] = rank
    return names, order


def _missing(kind: str) -> str:
    return "the project" if kind == "project" else f"a {kind} no longer in the project"


def _when(moment: datetime) -> str:
    """A stored UTC time in the researcher's own time zone: "12 Nov 2009 14:02"."""
    local = moment.replace(tzinfo=timezone.utc).astimezone()
    return f"{local.day} {local:%b %Y %H:%M}"


def _changed(record: MemoRecord) -> str:
    return _when(record.updated_at) if (record.updated_at - record.created_at).total_seconds() >= 60 else ""


def _day(entry_date: str | None) -> str:
    try:
        day = datetime.strptime(entry_date or "", "%Y-%m-%d")
    except ValueError:
        return entry_date or "undated"
    return f"{day.day} {day:%B %Y}"


# --- writing --------------------------------------------------------------------------------------

def write_memos_docx(report: MemoReport, path: Path) -> None:
    document, flow = docx_parts.new_document(report.title, report.subtitle)
    for group in report.groups:
        flow.heading(group.title, 1)
        for memo in group.memos:
            flow.heading(memo.title or "Untitled memo", 2)
            dates = f"written {memo.written}" + (f", changed {memo.changed}" if memo.changed else "")
            by = f" · by {memo.author}" if memo.author else ""
            flow.note(f"On {memo.on}{by} · {dates}", italic=False, grey=True, size=9)
            if memo.passage is not None:
                flow.passage(memo.passage)
            flow.body(memo.body)
    docx_parts.save(document, flow, path)


def write_diary_docx(report: DiaryReport, path: Path) -> None:
    document, flow = docx_parts.new_document(report.title, report.subtitle)
    for entry in report.entries:
        flow.heading(f"{entry.day} — {entry.title}" if entry.title else entry.day, 1)
        by = f" · by {entry.author}" if entry.author else ""
        flow.note(f"{entry.entry_type.capitalize()}{by}", italic=False, grey=True, size=9)
        flow.body(entry.body)
        if entry.passages or entry.left_out:
            flow.note("Passages this entry refers to:", keep_with_next=True)
        for item in entry.passages:
            flow.passage(item)
        if entry.left_out:
            flow.note(f"{plural(entry.left_out, 'linked passage')} not quoted: {LEFT_OUT}.", grey=True,
                      indent_cm=1.0, size=9)
    docx_parts.save(document, flow, path)
