"""A source whose text the archive holds only as DOCX (a richTextPath with no plainTextPath),
read as text: its paragraphs, one per line, as storage/docx_text.py reads Word documents.

The DOCX stays in memory: it is checked like the archive itself (archive.check_inner_zip: entry
names, links, the bytes it really unpacks to) before python-docx opens it, and python-docx's
XML parser resolves no entities. Nothing is written to disk.
"""

from __future__ import annotations

import io

from storage.docx_text import DocxError, docx_stream_paragraphs
from storage.refi_qda import ExchangeError
from storage.refi_qda.archive import QdpxArchive, check_inner_zip


def docx_text(archive: QdpxArchive, entry: str, what: str) -> str:
    data = archive.read(entry)
    label = f"{archive.path.name}: {entry} (the text of {what})"
    check_inner_zip(data, label)
    try:
        return "\n".join(docx_stream_paragraphs(io.BytesIO(data)))
    except DocxError as error:
        raise ExchangeError(f"{label} cannot be read as a Word document ({error}). "
                            "Export the project again, with plain text for its sources.") from error
