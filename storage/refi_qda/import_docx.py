"""A source whose text the archive holds only as DOCX (a richTextPath with no plainTextPath),
read as text: its paragraphs, one per line, as storage/docx_text.py reads Word documents.

The DOCX stays in memory: it is checked like the archive itself (archive.check_inner_zip: entry
names, links, the bytes it really unpacks to) before python-docx opens it, and python-docx's
XML parser resolves no entities. Nothing is written to disk.
"""

from __future__ import annotations

import io

from storage.docx_text import _texts  # the reading order and table rows of docx_paragraphs, from a stream
from storage.refi_qda import ExchangeError
from storage.refi_qda.archive import QdpxArchive, check_inner_zip


def docx_text(archive: QdpxArchive, entry: str, what: str) -> str:
    data = archive.read(entry)
    label = f"{archive.path.name}: {entry} (the text of {what})"
    check_inner_zip(data, label)
    import docx  # only rich-text sources need it, and it loads lxml

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_texts(document))
    except Exception as error:  # python-docx and lxml raise many types; never a traceback
        raise ExchangeError(f"{label} cannot be read as a Word document ({type(error).__name__}: {error}). "
                            "Export the project again, with plain text for its sources.") from error
