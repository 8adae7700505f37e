"""The coded-passages report (and the quote boxes, which show the same passages): its records,
built from storage.retrieval.coded_passages, and its CSV.

Which passages: those of the chosen codes and of every code below them (a theme's report holds
its sub-codes' passages too: storage.retrieval.with_subcodes); no codes chosen means every code.
Each passage appears under the code it was coded with, codes in code-tree order, so a sub-code's
passages sit under their own heading below their parent's rather than twice. A chosen code with
no passages of its own still gets its heading when a code below it has some: the tree stays
readable. Consent is already applied by coded_passages (no words of a participant who was only
observed, or withdrew; "[…]" where such turns sat inside a passage).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.analysis_records import CodeRecord, Passage
from storage.codebook import codes_tree
from storage.project import Project
from storage.reports.citations import Citer
from storage.retrieval import coded_passages, with_subcodes

PASSAGE_COLUMNS = ("Code", "Code path", "Speaker", "Source", "Meeting", "Start", "End", "Citation", "Text")
PATH_SEPARATOR = " / "
NOTHING_CODED = "No coded passages for the chosen codes"
# What a spreadsheet would run as a formula when a cell begins with it (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PassageItem:
    code: str
    code_path: str
    speaker: str  # role code or label; "" when the turn has no speaker
    source: str
    meeting: str
    start: str
    end: str
    citation: str
    text: str
    turns: tuple[tuple[str, str], ...] = ()  # (speaker, line) when several people speak in it
    coding_id: int = 0

    @property
    def where(self) -> str:
        who = f"{self.speaker} " if self.speaker else ""
        return f"{self.code_path}, {who}{self.citation}"

    @property
    def shown_text(self) -> str:
        """The text as tables write it: each line with its speaker when several people speak."""
        if not self.turns:
            return self.text
        return "\n".join(f"{speaker}: {line}" if speaker else line for speaker, line in self.turns)


@dataclass(frozen=True)
class CodeSection:
    code_id: int
    name: str
    path: str
    description: str
    color: str
    level: int  # 0 for the highest code in the report
    passages: tuple[PassageItem, ...]

    @property
    def where(self) -> str:
        return f"code {self.path}"


@dataclass(frozen=True)
class PassageReport:
    title: str
    subtitle: str
    sections: tuple[CodeSection, ...]

    @property
    def rows(self) -> int:
        return sum(len(section.passages) for section in self.sections)

    @property
    def items(self) -> list[PassageItem]:
        return [item for section in self.sections for item in section.passages]


def code_paths(codes: Sequence[CodeRecord]) -> dict[int, str]:
    """"Parent / Child" for every code (codes parents-first, as codes_tree gives them)."""
    paths: dict[int, str] = {}
    for code in codes:
        parent = paths.get(code.parent_id) if code.parent_id is not None else None
        paths[code.id] = f"{parent}{PATH_SEPARATOR}{code.name}" if parent else code.name
    return paths


def chosen_codes(project: Project, code_ids: Sequence[int] | None) -> list[CodeRecord]:
    """The chosen codes and all below them, in code-tree order (every code when None)."""
    tree = codes_tree(project)
    if code_ids is None:
        return tree
    wanted = set(with_subcodes(project, code_ids))
    return [code for code in tree if code.id in wanted]


def passage_items(project: Project, passages: Sequence[Passage], paths: dict[int, str]) -> list[PassageItem]:
    citer = Citer(project, passages)
    items = []
    for passage in passages:
        located = citer.locate(passage)
        items.append(PassageItem(
            passage.code_name, paths.get(passage.code_id, passage.code_name), citer.speaker(passage.speaker),
            located.source, located.meeting, located.start, located.end, located.citation, passage.text,
            located.turns, passage.coding_id))
    return items


def build_passage_report(project: Project, code_ids: Sequence[int] | None, *,
                         title: str = "Coded passages") -> PassageReport:
    codes = chosen_codes(project, code_ids)
    paths = code_paths(codes_tree(project) if code_ids is not None else codes)
    passages = coded_passages(project, [code.id for code in codes])
    by_code: dict[int, list[PassageItem]] = {}
    for item, passage in zip(passage_items(project, passages, paths), passages):
        by_code.setdefault(passage.code_id, []).append(item)
    # A code shows when it or a code below it (in the report) has passages.
    shown: set[int] = set()
    parents = {code.id: code.parent_id for code in codes}
    for code_id in by_code:
        while code_id is not None and code_id in parents and code_id not in shown:
            shown.add(code_id)
            code_id = parents[code_id]  # type: ignore[assignment]
    kept = [code for code in codes if code.id in shown]
    top = min((code.depth for code in kept), default=0)
    sections = tuple(CodeSection(code.id, code.name, paths[code.id], code.description.strip(), code.color,
                                 code.depth - top, tuple(by_code.get(code.id, ())))
                     for code in kept)
    count = sum(len(items) for items in by_code.values())
    coded = sum(1 for items in by_code.values() if items)
    subtitle = f"{plural(count, 'passage')} coded with {plural(coded, 'code')} · {today()}"
    return PassageReport(title, subtitle, sections)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def today() -> str:
    """"10 May 2026": the day a report was written, as its first lines say."""
    day = date.today()
    return f"{day.day} {day:%B %Y}"


# --- CSV ---------------------------------------------------------------------------------------------

def passage_rows(report: PassageReport) -> list[tuple[str, ...]]:
    return [(item.code, item.code_path, item.speaker, item.source, item.meeting, item.start, item.end, item.citation,
             item.shown_text) for item in report.items]


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will show, not run: one that begins like a formula (= + - @, or a tab
    or carriage return before one) gets an apostrophe in front. A CSV has no cell types, so a
    passage such as "=HYPERLINK(...)" or "-1 for that idea" would otherwise be a formula when
    the file is opened in Excel or LibreOffice; Excel hides the apostrophe and shows the text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """UTF-8 text with a byte-order mark (which Excel needs to read accents and ¶ correctly),
    CRLF line ends as RFC 4180 has them, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()
