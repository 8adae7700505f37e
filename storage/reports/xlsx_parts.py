"""The coded-passages workbook: a "Passages" sheet (one row per passage: bold frozen header,
autofilter, set column widths, wrapped text) and a "Codes" sheet (each code of the report with
its description and how many passages it has here).

Every cell is written as text, never as a formula: openpyxl takes a string beginning with "="
for a formula, so such a passage is stored with the string type instead, exactly as said. Unlike
the CSV, no apostrophe is needed: an XLSX cell has a type."""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from storage.reports.passages import PASSAGE_COLUMNS, PassageReport, passage_rows

SHEET_PASSAGES, SHEET_CODES = "Passages", "Codes"
CODE_COLUMNS = ("Code path", "Code", "Description", "Passages")
PASSAGE_WIDTHS = (22, 34, 10, 24, 10, 10, 10, 22, 80)
CODE_WIDTHS = (40, 24, 60, 10)
EXCEL_CELL_LIMIT = 32_767  # characters Excel shows in one cell
CUT = " … [cut: a spreadsheet cell holds 32,767 characters]"


def write_passages_xlsx(report: PassageReport, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "Earmark"
    workbook.properties.title = report.title
    passages = workbook.active
    passages.title = SHEET_PASSAGES
    _fill(passages, PASSAGE_COLUMNS, passage_rows(report), PASSAGE_WIDTHS, wrapped={1, 7, 8})
    codes = workbook.create_sheet(SHEET_CODES)
    code_rows = [(section.path, section.name, section.description, len(section.passages)) for section in report.sections]
    _fill(codes, CODE_COLUMNS, code_rows, CODE_WIDTHS, wrapped={0, 2})
    workbook.save(str(path))


def _fill(sheet: Any, header: tuple[str, ...], rows: list[tuple[Any, ...]], widths: tuple[int, ...],
          wrapped: set[int]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    # Each column's style is set once, on a model cell, and its style array copied to the cells
    # below: assigning an Alignment to each cell hashes it every time and took most of the time.
    models = []
    for column in range(1, len(header) + 1):
        model = sheet.cell(row=2, column=column)
        model.alignment = Alignment(wrap_text=column - 1 in wrapped, vertical="top")
        models.append(model._style)
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                cell.value = value if len(value) <= EXCEL_CELL_LIMIT else value[:EXCEL_CELL_LIMIT - len(CUT)] + CUT
                cell.data_type = "s"  # text as said, even when it begins with "="
            else:
                cell.value = value
            cell._style = copy(models[column - 1])
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
