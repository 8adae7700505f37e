"""Tables a thesis reports (RESEARCH.md, step 10), as DOCX or CSV: the roles table (code, role,
organisation) and the meeting time-plan (date, code, phase, attendance, recorded, agenda, notes).

The format follows the file name's extension. A DOCX holds a heading and a real Word table with a
header row that repeats on every page, so it can be pasted into a thesis as it is; a CSV is UTF-8
with a byte-order mark, which Excel needs to read accents correctly. Either is written to a
temporary file beside the target and renamed over it, so a failure never leaves half a file.

Like every export, these pass the pre-export check first: leaking_names() says where a listed
real name (storage/pseudonyms.py) would leave the project (a role, an organisation, a meeting's
notes), and pseudonymise=True writes the pseudonyms instead. The project is never changed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storage import meetings, participants
from storage.atomic_files import save_atomically
from storage.errors import ProjectError
from storage.project import Project
from storage.pseudonym_records import NameLeak
from storage.pseudonyms import load_matcher

FORMATS = (".docx", ".csv")
ROLES_HEADER = ("Code", "Role", "Organisation")
TIMEPLAN_HEADER = ("Date", "Meeting", "Phase", "Attendance", "Recorded", "Agenda", "Notes")


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    key_column: int = 0  # the column that names a row ("SN1", "M03"), for saying where a name is
    landscape: bool = False  # a wide table (the time-plan) reads better across the page


def natural_key(text: str) -> list[object]:
    """SN2 before SN10: digits compare as numbers."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def roles_table(project: Project) -> Table:
    people = sorted(participants.list_participants(project), key=lambda p: natural_key(p.role_code))
    return Table("Participants and their roles", ROLES_HEADER,
                 tuple((p.role_code, p.role, p.organisation) for p in people))


def timeplan_table(project: Project) -> Table:
    rows = tuple((m.date or "", m.code, m.phase, m.attendance_text() if m.attendance else "",
                  "yes" if m.recorded else "no", m.agenda.strip(), m.notes.strip())
                 for m in meetings.list_meetings(project))
    return Table("Meeting time-plan", TIMEPLAN_HEADER, rows, key_column=1, landscape=True)


def leaking_names(project: Project, table: Table) -> list[NameLeak]:
    """Every cell where a listed real name (or a variant) would leave the project; empty when clean."""
    matcher = load_matcher(project)
    if not matcher:
        return []
    return [NameLeak(span.pseudonym.real_name, text[span.start:span.end],
                     f"{table.title}, {row[table.key_column]}: {table.header[column].lower()}")
            for row in table.rows for column, text in enumerate(row) for span in matcher.spans(text)]


def pseudonymised(project: Project, table: Table) -> Table:
    """The table with every listed real name replaced by its pseudonym (for the file only)."""
    matcher = load_matcher(project)
    if not matcher:
        return table
    rows = tuple(tuple(matcher.replace(text) for text in row) for row in table.rows)
    return Table(table.title, table.header, rows, table.key_column, table.landscape)


def export_roles(project: Project, path: Path, *, pseudonymise: bool = False) -> Path:
    table = roles_table(project)
    return write_table(pseudonymised(project, table) if pseudonymise else table, path)


def export_timeplan(project: Project, path: Path, *, pseudonymise: bool = False) -> Path:
    table = timeplan_table(project)
    return write_table(pseudonymised(project, table) if pseudonymise else table, path)


def write_table(table: Table, path: Path) -> Path:
    """Write `table` to `path` as DOCX or CSV, by its extension. Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ProjectError(f"Cannot write {path}: choose a file name ending in .docx (Word) or .csv (spreadsheet).")
    save_atomically(path, lambda partial: (_write_csv if suffix == ".csv" else _write_docx)(table, partial))
    return path


def _write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(table.header)
        writer.writerows(table.rows)


def _write_docx(table: Table, path: Path) -> None:
    from docx import Document  # loaded only when a Word file is asked for
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document()
    if table.landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(table.title, level=1)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    header = grid.rows[0]
    flag = OxmlElement("w:tblHeader")  # repeat the header row at the top of every page
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for cell, text in zip(header.cells, table.header):
        cell.paragraphs[0].add_run(text).bold = True  # a new cell holds one empty paragraph
    date_column = table.header.index("Date") if "Date" in table.header else None
    for values in table.rows:
        cells = grid.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, values)):
            cell.text = _readable_date(text) if column == date_column else _one_paragraph(text)
    document.save(str(path))


def _readable_date(text: str) -> str:
    """"12 Nov 2009" in the Word table; the CSV keeps YYYY-MM-DD for sorting and other tools."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%b %Y}"


def _one_paragraph(text: str) -> str:
    # Word shows a "\n" in cell.text as a line break; keep the researcher's lines, drop blank runs.
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())

