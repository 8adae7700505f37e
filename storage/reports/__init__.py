"""Reports a thesis needs: coded passages (DOCX, HTML, XLSX, CSV), quote boxes (DOCX, HTML), the
code tree (DOCX outline, CSV), memos and the research diary (DOCX).

Every report is built first as frozen records (passages.py, code_tree.py, memo_report.py), which
then pass through model.finished: with `pseudonymise` the project's pseudonym list is applied
to every text they hold, so no format can forget a field. `report_leaks` runs the pre-export
check on those same records, so it reports exactly the names the report would carry. The
privacy rule of storage/consent.py comes with the passages: storage.retrieval.coded_passages
never returns the words of a participant who was only observed or who withdrew.

An empty report is refused rather than written (a ProjectError that names the file, and nothing
is written): a document that holds nothing is a mistake to hand in, and the message says what
to choose instead. Files are written beside the target and renamed into place.

`code_ids` chooses codes for the passages, quotes and codes reports (each with every code below
it; None: every code). The memos and diary reports hold everything and ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from storage.errors import ProjectError
from storage.export_text import write_atomically
from storage.project import Project
from storage.pseudonym_records import NameLeak
from storage.pseudonyms import load_matcher
from storage.reports import code_tree, memo_report, quotes, xlsx_parts
from storage.reports.model import finished, leaks_in, write_file
from storage.reports.passages import NOTHING_CODED, PASSAGE_COLUMNS, build_passage_report, csv_text, passage_rows

REPORT_KINDS = ("passages", "quotes", "codes", "memos", "diary")
REPORT_FORMATS = {"passages": ("docx", "html", "xlsx", "csv"), "quotes": ("docx", "html"), "codes": ("docx", "csv"),
                  "memos": ("docx",), "diary": ("docx",)}
EMPTY = {"passages": NOTHING_CODED, "quotes": NOTHING_CODED, "codes": "No codes in the chosen part of the codebook",
         "memos": "No memos in this project", "diary": "No entries in the research diary"}


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    kind: str
    fmt: str
    rows: int  # passages (passages, quotes), codes, memos or diary entries written


def write_report(project: Project, path: Path, kind: str, fmt: str, *, code_ids: Sequence[int] | None = None,
                 pseudonymise: bool = False) -> ReportSummary:
    """Write one report to `path`. The pre-export check (report_leaks) is the caller's: it
    decides what to ask. Raises ProjectError for an unknown kind or format, an empty report,
    or a file that cannot be written."""
    path = Path(path)
    _check(kind, fmt)
    report = build_report(project, kind, code_ids, pseudonymise=pseudonymise)
    if not report.rows:
        raise ProjectError(f"{EMPTY[kind]}: nothing was written to {path}. "
                           + ("Choose codes that have coded passages (passages whose words are left out of "
                              "analysis are never reported)." if kind in ("passages", "quotes") else
                              "Choose another report."))
    _WRITERS[(kind, fmt)](report, path)
    return ReportSummary(path, kind, fmt, report.rows)


def report_leaks(project: Project, kind: str, code_ids: Sequence[int] | None = None,
                 pseudonymise: bool = False) -> list[NameLeak]:
    """Every place where a listed real name (or a variant) would leave the project in this
    report, computed from exactly what it would write (in its fullest format: the table's Source
    column and the documents' code descriptions alike). Empty means clean of every listed name."""
    if kind not in REPORT_KINDS:
        _check(kind, "")
    matcher = load_matcher(project)
    if not matcher:
        return []
    return leaks_in(build_report(project, kind, code_ids, pseudonymise=pseudonymise), matcher)


def build_report(project: Project, kind: str, code_ids: Sequence[int] | None, *, pseudonymise: bool) -> Any:
    """The report's records exactly as they will be written."""
    if kind == "passages":
        report: Any = build_passage_report(project, code_ids)
    elif kind == "quotes":
        report = build_passage_report(project, code_ids, title="Quotations")
    elif kind == "codes":
        report = code_tree.build_code_outline(project, code_ids)
    elif kind == "memos":
        report = memo_report.build_memo_report(project)
    else:
        report = memo_report.build_diary_report(project)
    if pseudonymise:
        report = _marked(report)
    return finished(report, load_matcher(project) if pseudonymise else None)


def _marked(report: Any) -> Any:
    """Say on the report itself that its names are pseudonyms, as the text export does."""
    return replace(report, subtitle=f"{report.subtitle} · names pseudonymised")


def _check(kind: str, fmt: str) -> None:
    if kind not in REPORT_FORMATS:
        raise ProjectError(f"There is no {kind!r} report: choose one of {', '.join(REPORT_KINDS)}.")
    if fmt not in REPORT_FORMATS[kind]:
        raise ProjectError(f"The {kind} report is not written as {fmt or 'that format'}: "
                           f"choose {' or '.join(REPORT_FORMATS[kind])}.")


# Every writer goes through one of these two: written beside the target, then renamed into place.
def _text(render: Callable[[Any], str]) -> Callable[[Any, Path], None]:
    return lambda report, path: write_atomically(path, render(report))


def _binary(write: Callable[[Any, Path], None]) -> Callable[[Any, Path], None]:
    return lambda report, path: write_file(path, lambda partial: write(report, partial))


_WRITERS: dict[tuple[str, str], Callable[[Any, Path], None]] = {
    ("passages", "docx"): _binary(quotes.write_passages_docx),
    ("passages", "html"): _text(quotes.passages_html),
    ("passages", "xlsx"): _binary(xlsx_parts.write_passages_xlsx),
    ("passages", "csv"): _text(lambda report: csv_text(PASSAGE_COLUMNS, passage_rows(report))),
    ("quotes", "docx"): _binary(quotes.write_quotes_docx),
    ("quotes", "html"): _text(quotes.quotes_html),
    ("codes", "docx"): _binary(code_tree.write_code_outline_docx),
    ("codes", "csv"): _text(lambda outline: csv_text(code_tree.CODE_TREE_COLUMNS, code_tree.code_rows(outline))),
    ("memos", "docx"): _binary(memo_report.write_memos_docx),
    ("diary", "docx"): _binary(memo_report.write_diary_docx),
}

__all__ = ["REPORT_FORMATS", "REPORT_KINDS", "ReportSummary", "build_report", "report_leaks", "write_report"]
