"""The paragraphs of a Word document (.docx), in reading order, with python-docx.

Body paragraphs and tables are read in the order they stand in the document; each table row
becomes one paragraph with its cells joined by " | " (minutes often keep their action points in
a table). Headers, footers, comments and text boxes are left out: they are page furniture, not
the notes. No Qt here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

CELL_SEPARATOR = " | "


class DocxError(Exception):
    """The file is not a Word document python-docx can read. The message says why, briefly."""


def docx_paragraphs(path: Path) -> list[str]:
    """Every paragraph's text (table rows included), blank ones kept; the caller tidies them.
    python-docx is imported only when a document is read: it loads lxml."""
    if not zipfile.is_zipfile(path):
        raise DocxError("it is not a .docx file (a .docx is a zip package; this file is not one)")
    return docx_stream_paragraphs(str(path))


def docx_stream_paragraphs(source: str | IO[bytes]) -> list[str]:
    """docx_paragraphs of a file name or an open binary stream (a DOCX held in memory)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(source)
        return list(_texts(document))
    except PackageNotFoundError as error:
        raise DocxError(f"it is not a Word document ({error})") from error
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError) as error:
        raise DocxError(f"it is damaged or not a Word document ({type(error).__name__}: {error})") from error
    except Exception as error:  # lxml's XMLSyntaxError and kin: a broken package, never a traceback
        raise DocxError(f"its contents cannot be read ({type(error).__name__}: {error})") from error


def _texts(container) -> Iterator[str]:  # noqa: ANN001 (a Document or a table cell)
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_rows(block)
        else:
            yield block.text


def _table_rows(table) -> Iterator[str]:  # noqa: ANN001
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            text = " ".join(" ".join(_texts(cell)).split())
            if text:
                cells.append(text)
        yield CELL_SEPARATOR.join(cells)
