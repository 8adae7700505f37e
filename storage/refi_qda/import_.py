"""Importing a REFI-QDA project (.qdpx) or codebook (.qdc) made by NVivo, ATLAS.ti, MAXQDA,
QualCoder or Earmark into a project.

Two steps, so that a bad file changes nothing: the archive and the XML are read whole and turned
into a Plan (archive.py and safe_xml.py refuse hostile input; import_read.py and
import_sources.py read; nothing is written), then the Plan is written in one transaction
(import_write.py). Any refusal is an ExchangeError naming the file; the project is then exactly
as it was. What could not be imported is said in the summary's warnings, never dropped silently.

What comes in (details in each module): users as the authors of codings and notes; the code tree
with colours and descriptions, keeping GUIDs; text sources (plain text, or DOCX converted) as text
sources; the transcripts of audio and video sources, with times from their sync points, as
transcripts (the media is not imported); the codings of both, at the same text, whichever units
the positions count (import_text.py); notes as memos on what they refer to; cases and their
variables as participants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from storage.errors import ProjectError
from storage.memos import default_author
from storage.models import Participant, Speaker
from storage.project import Project
from storage.refi_qda import ExchangeError
from storage.refi_qda.archive import open_archive
from storage.refi_qda.import_plan import Plan
from storage.refi_qda.import_read import Reader
from storage.refi_qda.import_write import write_plan
from storage.refi_qda.safe_xml import MAX_XML_BYTES, parse_xml
from storage.refi_qda.summary import ExchangeSummary


def import_qdpx(project: Project, path: Path) -> ExchangeSummary:
    """Import the whole project in `path` (see the module doc)."""
    path = Path(path)
    _check_writable(project, path)
    known, author = _known_labels(project), default_author(project)
    with open_archive(path) as archive, _unexpected(path, "read"):
        root = parse_xml(archive.project_xml(), f"{path.name}: project.qde")
        plan = Reader(root, path.name, archive, known).read_project()
    return _write(project, path, plan, author)


def import_qdc(project: Project, path: Path) -> ExchangeSummary:
    """Import the code tree of the codebook in `path`."""
    path = Path(path)
    _check_writable(project, path)
    author = default_author(project)
    data = _read_small_file(path)
    if data.startswith(b"PK\x03\x04"):
        raise ExchangeError(f"{path.name} is a zip archive, not a REFI-QDA codebook (.qdc): if it is a whole project "
                            "(.qdpx), import it as one.")
    with _unexpected(path, "read"):
        plan = Reader(parse_xml(data, path.name), path.name, None).read_codebook()
    return _write(project, path, plan, author)


def _write(project: Project, path: Path, plan: Plan, author: str) -> ExchangeSummary:
    with _unexpected(path, "imported", project):  # the transaction is rolled back: nothing changed
        with project.write() as session:
            written = write_plan(session, plan, author)
    return ExchangeSummary(path=path, codes=written.codes, sources=written.sources, codings=written.codings,
                           notes=written.notes, cases=written.cases, warnings=(*plan.warnings, *written.warnings))


@contextmanager
def _unexpected(path: Path, done: str, project: Project | None = None) -> Iterator[None]:
    """A problem nobody foresaw in another tool's file (or in Earmark) still ends as one clear
    message, never a traceback; the project is unchanged (reading writes nothing, and writing is
    one transaction)."""
    try:
        yield
    except ProjectError:
        raise
    except Exception as error:
        where = f" Nothing was changed in {project.path.name}." if project is not None else " Nothing was changed."
        raise ExchangeError(f"{path.name} could not be {done} ({type(error).__name__}: {error}).{where} If the file "
                            "opens in the program that made it, please report this.") from error


def _check_writable(project: Project, path: Path) -> None:
    if project.read_only:
        raise ExchangeError(f"{project.path.name} is open read-only ({project.read_only_reason}): {path.name} cannot "
                            "be imported into it.")


def _known_labels(project: Project) -> list[str]:
    with project.session() as session:
        return [*session.scalars(select(Speaker.label)), *session.scalars(select(Participant.role_code))]


def _read_small_file(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise ExchangeError(f"{path} does not exist or is not a file. Choose the codebook again.")
        if path.stat().st_size > MAX_XML_BYTES:
            raise ExchangeError(f"{path.name} is refused: it is larger than the {MAX_XML_BYTES // (1024 * 1024)} MB "
                                "a codebook can plausibly be.")
        with path.open("rb") as handle:
            return handle.read(MAX_XML_BYTES + 1)
    except OSError as error:
        raise ExchangeError(f"{path} cannot be read: {error.strerror or error}. Check that you may read it.") from error
