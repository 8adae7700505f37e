"""REFI-QDA exchange (https://www.qdasoftware.org): the project format (.qdpx, a zip holding
project.qde and the sources) and the codebook format (.qdc) that NVivo, ATLAS.ti, MAXQDA,
QualCoder and others read and write.

export.py writes them, import_.py reads them; archive.py and safe_xml.py are the only doors
through which another tool's file comes in, and they refuse hostile input before anything is
written.
"""

from __future__ import annotations

from storage.errors import ProjectError

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"


class ExchangeError(ProjectError):
    """A REFI-QDA file that cannot be read or written; the message names the file and says what
    to do. Nothing has been written to the project when this is raised."""
