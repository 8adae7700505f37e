"""The write-up tables from the RESEARCH.md register: the roles table and the meeting time-plan,
as DOCX (opened again with python-docx: a heading and a real table with a header row) and as CSV
(read back with csv), and the clear errors for a bad name or a folder that cannot be written."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from docx import Document

from storage import atomic_files, writeup
from storage.errors import ProjectError
from storage.project import Project, create_project
from tests.storage.register_data import build_register_demo

ROLES = [
    ["Code", "Role", "Organisation"],
    ["CG", "Clinical governance lead", "NHS trust"],
    ["CS", "Children's services professional lead (the researcher, also a participant)", "NHS trust"],
    ["OT", "Occupational therapist, allied health professions lead", "NHS trust"],
    ["SN1", "Senior Nurse 1, overall accountability for professional practice", "NHS trust"],
    ["SN2", "Senior Nurse 2", "NHS trust"],
    ["SW", "Social work professional lead", "Local authority"],
]
TIMEPLAN_FIRST_COLUMNS = [
    ["Date", "Meeting", "Phase", "Attendance", "Recorded"],
    ["2009-11-12", "M01", "Starting up", "SN1, SN2, CS, CG, OT, SW", "yes"],
    ["2009-12-10", "M02", "Starting up", "SN1, SN2, CS, CG, OT, SW", "yes"],
    ["2010-01-14", "M03", "Operational", "CS, CG, OT (part); absent: SN1, SN2, SW", "no"],
    ["2010-03-11", "M04", "Operational", "SN1, SN2, CS, CG, OT; absent: SW", "yes"],
]


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        build_register_demo(opened)
        yield opened


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def read_docx(path: Path) -> tuple[list[str], list[list[str]], bool]:
    """The headings, the one table's rows, and whether its first row repeats as a header."""
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    first = table.rows[0]._tr
    repeats = first.trPr is not None and any(child.tag.endswith("tblHeader") for child in first.trPr)
    return headings, rows, repeats


def test_roles_table_as_csv_sorted_by_code(project: Project, tmp_path: Path) -> None:
    out = writeup.export_roles(project, tmp_path / "roles.csv")
    assert read_csv(out) == ROLES
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its byte-order mark


def test_roles_table_as_a_word_table_with_a_header_row(project: Project, tmp_path: Path) -> None:
    headings, rows, repeats = read_docx(writeup.export_roles(project, tmp_path / "Roles.DOCX"))
    assert headings == ["Participants and their roles"]
    assert rows == ROLES and repeats
    header_runs = Document(str(tmp_path / "Roles.DOCX")).tables[0].rows[0].cells[0].paragraphs[0].runs
    assert header_runs[0].bold


def test_timeplan_as_csv(project: Project, tmp_path: Path) -> None:
    rows = read_csv(writeup.export_timeplan(project, tmp_path / "timeplan.csv"))
    assert [row[:5] for row in rows] == TIMEPLAN_FIRST_COLUMNS
    assert rows[0][5:] == ["Agenda", "Notes"]
    assert rows[1][5].startswith("Agreed standing agenda items") and rows[3][6] == "Below quorum: not recorded or analysed."


def test_timeplan_as_a_landscape_word_table_with_readable_dates(project: Project, tmp_path: Path) -> None:
    out = writeup.export_timeplan(project, tmp_path / "timeplan.docx")
    headings, rows, repeats = read_docx(out)
    assert headings == ["Meeting time-plan"] and repeats
    assert [row[:5] for row in rows[1:]] == [
        ["12 Nov 2009", "M01", "Starting up", "SN1, SN2, CS, CG, OT, SW", "yes"],
        ["10 Dec 2009", "M02", "Starting up", "SN1, SN2, CS, CG, OT, SW", "yes"],
        ["14 Jan 2010", "M03", "Operational", "CS, CG, OT (part); absent: SN1, SN2, SW", "no"],
        ["11 Mar 2010", "M04", "Operational", "SN1, SN2, CS, CG, OT; absent: SW", "yes"]]
    section = Document(str(out)).sections[0]
    assert section.page_width > section.page_height


def test_an_existing_file_is_replaced_whole_and_nothing_is_left_beside_it(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "roles.csv"
    out.write_text("old contents that are longer than the new table would be " * 100)
    writeup.export_roles(project, out)
    assert read_csv(out) == ROLES
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".earmark" and "earmark" not in p.name) == ["roles.csv"]


def test_a_name_without_docx_or_csv_is_refused_by_name(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"roles\.pdf: choose a file name ending in \.docx .* or \.csv"):
        writeup.export_roles(project, tmp_path / "roles.pdf")
    assert not (tmp_path / "roles.pdf").exists()


def test_a_missing_folder_is_named(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="the folder .*nowhere does not exist"):
        writeup.export_timeplan(project, tmp_path / "nowhere" / "timeplan.docx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_that_cannot_be_written_is_named_and_left_clean(project: Project, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ProjectError, match=f"Cannot write {locked / 'roles.docx'}"):
            writeup.export_roles(project, locked / "roles.docx")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_target_that_is_a_folder_fails_cleanly(project: Project, tmp_path: Path) -> None:
    """os.replace onto a folder fails after the table was written: the temporary file goes too."""
    (tmp_path / "roles.csv").mkdir()
    with pytest.raises(ProjectError, match="Cannot write .*roles.csv"):
        writeup.export_roles(project, tmp_path / "roles.csv")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".roles")] == []


def test_a_refused_write_is_named_with_what_to_do(project: Project, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_files.os, "replace", refuse)  # as when Word holds the file open on Windows
    with pytest.raises(ProjectError, match=r"Cannot write .*roles\.docx: Permission denied\. If it is open"):
        writeup.export_roles(project, tmp_path / "roles.docx")
    assert [p.name for p in tmp_path.iterdir() if "roles" in p.name] == []


def test_a_listed_real_name_is_found_before_export_and_can_be_pseudonymised(project: Project, tmp_path: Path) -> None:
    from storage import meetings, pseudonyms

    pseudonyms.add_pseudonym(project, "Margaret Jones", "NT", ["MJ"])
    m03 = next(m for m in meetings.list_meetings(project) if m.code == "M03")
    meetings.update_meeting(project, m03.id, notes="Margaret Jones took the minutes; MJ sent them round.")
    table = writeup.timeplan_table(project)
    leaks = writeup.leaking_names(project, table)
    assert [(leak.text, leak.real_name, leak.place) for leak in leaks] == [
        ("Margaret Jones", "Margaret Jones", "Meeting time-plan, M03: notes"),
        ("MJ", "Margaret Jones", "Meeting time-plan, M03: notes")]
    assert writeup.leaking_names(project, writeup.roles_table(project)) == []
    rows = read_csv(writeup.export_timeplan(project, tmp_path / "plan.csv", pseudonymise=True))
    assert rows[3][6] == "NT took the minutes; NT sent them round."
    assert meetings.get_meeting(project, m03.id).notes.startswith("Margaret Jones")  # the project is unchanged
