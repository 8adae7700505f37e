"""Writing REFI-QDA: the whole project as a .qdpx (a zip of project.qde and Sources/), and the
code tree alone as a .qdc codebook.

What goes where (the details live in the modules named):
- Users: every author of a coding or memo, and the project's default author (export_context.py);
- CodeBook: the code tree with colours and descriptions, GUID = Code.guid (export_project.py);
- Variables and Cases: participants with role, organisation, consent and their attributes;
- Sources: text sources as TextSource + PlainTextSelection, transcribed recordings as
  AudioSource + Transcript + SyncPoint + TranscriptSelection (export_sources.py), their text in
  Sources/<guid>.txt, positions in code points (export_layout.py);
- Notes: memos and diary entries, tied by NoteRefs to what they are on.

Privacy: every transcript goes through storage.export_text.export_transcript, so observe-only
and withdrawn participants' words never leave (their turns are marker lines, their codings are
cut back or left out, their voices stay out: the audio of such a recording is not included), and
with `pseudonymise` the pseudonym list is applied to every piece of free text written. The check
for listed real names before writing is the caller's: run storage.export_text.leaking_names on
qdpx_transcript_ids(project) with include_memos=True, as for every export.

Stable: every GUID is the project's own or derived from stable things (writer_xml.derived_guid),
dates are the project's, and the archive's entries carry the project's last change as their
time, so exporting an unchanged project twice gives the same bytes.

The file is written beside its final name and renamed into place: a failure leaves no half
archive and keeps an earlier file of that name.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from storage.atomic_files import fill_atomically
from storage.models import AuditEntry, Code, Coding, Memo, Recording, Transcript
from storage.project import Project
from storage.refi_qda import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, ExchangeError
from storage.refi_qda.export_context import ExportContext
from storage.refi_qda.export_project import (PROJECT_TARGET, cases_element, code_rows, codebook_element,
                                             codes_element, notes_element)
from storage.refi_qda.export_sources import sources_element
from storage.refi_qda.summary import ExchangeSummary
from storage.refi_qda.writer_xml import Builder, date_time, serialised

PROJECT_ENTRY = "project.qde"
_OLDEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Already compressed (or nearly so): stored as they are, which is also faster.
_STORED_SUFFIXES = {".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".wma", ".mp4", ".m4v", ".mov", ".mkv", ".webm"}


def qdpx_transcript_ids(project: Project) -> list[int]:
    """The transcripts a .qdpx carries: all of them. Run the pre-export name check on these,
    with include_memos=True (the notes carry every memo)."""
    with project.session() as session:
        return list(session.scalars(select(Transcript.id).order_by(Transcript.id)))


def export_qdpx(project: Project, path: Path, *, pseudonymise: bool = False) -> ExchangeSummary:
    """Write the whole project to `path` as a REFI-QDA project (.qdpx). ExchangeError, naming
    the file, when it cannot be written; nothing is left behind then."""
    path = Path(path)
    context = ExportContext.start(project, pseudonymise=pseudonymise)
    notes, note_count = notes_element(context)  # first: the elements below carry NoteRefs to them
    codebook, code_count = codebook_element(context)
    sources, out = sources_element(context)
    cases, case_count = cases_element(context, out.sources_of_participant)
    created, modified = _project_times(project)
    root = context.builder.root(
        "Project", name=context.clean(Path(project.path).stem), origin=origin(),
        creatingUserGUID=context.default_user_guid, creationDateTime=date_time(created),
        modifyingUserGUID=context.default_user_guid, modifiedDateTime=date_time(modified))
    for element in (context.users_element(), codebook, context.variables_element(), cases, sources, notes):
        if element is not None:
            root.append(element)
    context.add_note_refs(root, PROJECT_TARGET)
    if out.left_out:
        context.warnings.append(f"{out.left_out} coding(s) not exported: they lie wholly in turns whose words are "
                                "left out of analysis (observe-only or withdrawn consent).")
    if out.clipped:
        context.warnings.append(f"{out.clipped} coding(s) cut back to the turns whose words may be analysed "
                                "(they reached into turns left out for consent).")
    files: dict[str, bytes | Path] = {PROJECT_ENTRY: serialised(root, PROJECT_NAMESPACE), **out.files}
    write_archive(path, files, modified)
    return ExchangeSummary(Path(path), codes=code_count, sources=out.sources, codings=out.selections,
                           notes=note_count, cases=case_count, warnings=tuple(context.warnings))


def export_qdc(project: Project, path: Path) -> ExchangeSummary:
    """Write the code tree to `path` as a REFI-QDA codebook (.qdc), names and descriptions as
    they are (the caller checks them for listed real names first)."""
    path = Path(path)
    rows = code_rows(project)
    if not rows:
        raise ExchangeError(f"{project.path.name} has no codes, so there is no codebook to write to {path}. "
                            "Make some codes first.")
    builder = Builder(CODEBOOK_NAMESPACE)
    root = builder.root("CodeBook", origin=origin())
    root.append(codes_element(builder, rows))
    data = serialised(root, CODEBOOK_NAMESPACE)
    _write_atomically(path, lambda handle: handle.write(data))
    return ExchangeSummary(path, codes=len(rows))


def origin() -> str:
    """"Earmark 0.1.0": the installed package's version (storage may not import app/)."""
    try:
        return f"Earmark {metadata.version('earmark')}"
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "Earmark"


def _project_times(project: Project) -> tuple[datetime | None, datetime | None]:
    """When the project was begun (its first stored row) and last changed, from its own rows:
    the same in every export of an unchanged project."""
    columns = (Recording.created_at, Transcript.created_at, Transcript.updated_at, Code.created_at,
               Coding.created_at, Memo.created_at, Memo.updated_at, AuditEntry.at)
    firsts, lasts = [], []
    with project.session() as session:
        for column in columns:
            first, last = session.execute(select(func.min(column), func.max(column))).one()
            firsts += [first] if first is not None else []
            lasts += [last] if last is not None else []
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


# --- writing the archive -----------------------------------------------------------------------------

def write_archive(path: Path, files: dict[str, bytes | Path], changed: datetime | None) -> None:
    """A zip of `files` (project.qde first, then the rest by name), every entry dated `changed`."""
    stamp = max(_OLDEST_ZIP_TIME, changed.timetuple()[:6]) if changed is not None else _OLDEST_ZIP_TIME
    names = [PROJECT_ENTRY] + sorted(name for name in files if name != PROJECT_ENTRY)

    def fill(handle: BinaryIO) -> None:
        with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
            for name in names:
                content = files[name]
                info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
                info.external_attr = 0o644 << 16
                if isinstance(content, bytes):
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, content)
                else:
                    _copy_media(archive, info, content)

    _write_atomically(path, fill)


def _copy_media(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: Path) -> None:
    info.compress_type = zipfile.ZIP_STORED if source.suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
    try:
        media = open(source, "rb")
    except OSError as error:
        raise ExchangeError(f"Cannot read the recording {source}: {error.strerror or error}. Nothing was exported. "
                            "Check the file, or remove its audio from the project, and export again.") from error
    with media, archive.open(info, "w", force_zip64=source.stat().st_size > 2**31 - 1) as entry:
        shutil.copyfileobj(media, entry, 1024 * 1024)


def _write_atomically(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    fill_atomically(path, fill, error=ExchangeError)
