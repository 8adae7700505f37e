"""`earmark import FILE SOURCE...`: transcripts made elsewhere (SRT, WebVTT, SBV, NVivo's
timestamped text, "SPEAKER: text" lines in TXT or DOCX), each optionally tied to a recording of the
project so it plays in sync. Every source is read and checked before the first is imported, so a
broken file in the list imports nothing.

`earmark import FILE PROJECT.qdpx` (or CODEBOOK.qdc): a REFI-QDA project or codebook from NVivo,
ATLAS.ti, MAXQDA, QualCoder or Earmark (storage/refi_qda/import_.py), given on its own: it is
imported whole in one transaction, and what could not be imported is listed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli_coding import CommandError
from app.cli_projects import add_project_argument, open_for_command

IMPORT_COMMANDS = ("import",)
SUFFIXES = (".srt", ".vtt", ".sbv", ".txt", ".docx")
REFI_QDA_SUFFIXES = (".qdpx", ".qdc")


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    command = commands.add_parser("import", help="import transcripts made elsewhere (SRT, VTT, SBV, NVivo, TXT, DOCX), "
                                                 "or a REFI-QDA project (.qdpx) or codebook (.qdc)")
    add_project_argument(command)
    command.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="transcript files")
    command.add_argument("--recording", type=int, default=None, metavar="ID",
                         help="tie the transcript to this recording (see `earmark info`) so it plays in sync")
    command.add_argument("--meeting", default=None, metavar="CODE", help="the meeting it belongs to, e.g. M04")
    command.add_argument("--name", default=None, help="the transcript's name (default: the file's name)")
    command.add_argument("--kind", default="document", choices=("document", "minutes", "field_notes", "interview_notes"),
                         help="what a file without times becomes (a text source; default: document)")


def run_command(args: argparse.Namespace) -> int:
    from storage.transcript_formats import read_transcript
    from storage.transcript_import import import_transcript

    if any(source.suffix.lower() in REFI_QDA_SUFFIXES for source in args.sources):
        return _import_refi_qda(args)
    for source in args.sources:
        if source.suffix.lower() not in SUFFIXES:
            raise CommandError(f"{source}: Earmark imports transcripts as {', '.join(SUFFIXES)}, and REFI-QDA "
                               f"projects and codebooks as {', '.join(REFI_QDA_SUFFIXES)}; "
                               f"'{source.suffix or 'no extension'}' is not one of them.")
        read_transcript(source)  # refuses a broken file, naming its line, before anything is written
    if args.name and len(args.sources) > 1:
        raise CommandError("--name names one transcript: give one SOURCE with it.")
    with open_for_command(args) as project:
        if project.read_only:
            raise CommandError(f"{project.path} is open read-only ({project.read_only_reason}); cannot import into it.")
        meeting_id = _meeting_id(project, args.meeting) if args.meeting else None
        for source in args.sources:
            done = import_transcript(project, source, recording_id=args.recording, meeting_id=meeting_id,
                                     name=args.name, untimed_kind=args.kind)
            what = "text source" if done.transcript.kind != "recording" else "transcript"
            turns = done.transcript.segment_count
            print(f"{source}: {what} {done.transcript.id} ({done.format}), {turns} turn{'' if turns == 1 else 's'}.")
            for warning in done.warnings:
                print(f"  note: {warning}", file=sys.stderr)
    return 0


def _import_refi_qda(args: argparse.Namespace) -> int:
    """One .qdpx or .qdc, alone: it is a whole project (or code tree), not a transcript, so the
    transcript options do not apply to it."""
    from storage.refi_qda.import_ import import_qdc, import_qdpx

    if len(args.sources) > 1:
        raise CommandError("Import a REFI-QDA project (.qdpx) or codebook (.qdc) on its own: give it as the only SOURCE.")
    given = [option for option, value in (("--recording", args.recording), ("--meeting", args.meeting),
                                          ("--name", args.name)) if value]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise CommandError(f"{', '.join(given)} {verb} to transcripts, not to a REFI-QDA project or codebook.")
    (source,) = args.sources
    with open_for_command(args) as project:
        if project.read_only:
            raise CommandError(f"{project.path} is open read-only ({project.read_only_reason}); cannot import into it.")
        importer = import_qdpx if source.suffix.lower() == ".qdpx" else import_qdc
        summary = importer(project, source)
    counts = [f"{summary.codes} code{'' if summary.codes == 1 else 's'}"]
    if source.suffix.lower() == ".qdpx":
        counts += [f"{summary.sources} source{'' if summary.sources == 1 else 's'}",
                   f"{summary.codings} coding{'' if summary.codings == 1 else 's'}",
                   f"{summary.notes} memo{'' if summary.notes == 1 else 's'}",
                   f"{summary.cases} participant{'' if summary.cases == 1 else 's'}"]
    print(f"{source}: imported {', '.join(counts)}.")
    for warning in summary.warnings:
        print(f"  note: {warning}", file=sys.stderr)
    return 0


def _meeting_id(project: Any, code: str) -> int:
    from storage.meetings import find_meeting, list_meetings

    found = find_meeting(project, code)
    if found is None:
        known = ", ".join(m.code for m in list_meetings(project)) or "none yet; add them with `earmark meetings FILE --add`"
        raise CommandError(f"{project.path.name} has no meeting {code} (meetings: {known}).")
    return found.id
