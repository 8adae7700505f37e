"""`earmark export` in every format: which export a format and its options ask for, the
pre-export check for exactly what that export would carry, and one line saying what was written.

The rule: --report (or --codes) makes it a report, and csv, xlsx and html are always reports
(passages unless --report says otherwise); qdpx and qdc are REFI-QDA exchange files (the whole
project, or the codebook); docx, txt, srt, vtt, nvivo, maxqda and json without --report are
transcript exports. Every refusal comes before the check, and the check before anything is
written: when a listed real name would leave, nothing is written unless --pseudonymise replaces
the names or --allow-names says to export them anyway.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_coding import CommandError
from app.cli_export import places, plural, print_leaks, transcript_ids
from app.cli_projects import open_for_command

if TYPE_CHECKING:
    from storage.project import Project
    from storage.pseudonym_records import NameLeak

TRANSCRIPT_FORMATS = ("docx", "txt", "srt", "vtt", "nvivo", "maxqda", "json")  # storage.transcript_exports
EXCHANGE_FORMATS = ("qdpx", "qdc")
REPORT_ONLY_FORMATS = ("csv", "xlsx", "html")
ALL_FORMATS = ("qdpx", "qdc", *TRANSCRIPT_FORMATS, *REPORT_ONLY_FORMATS)
REPORT_KINDS = ("passages", "quotes", "codes", "memos", "diary")  # storage.reports.REPORT_KINDS
SUFFIX_FORMATS = {".qdpx": "qdpx", ".qdc": "qdc", ".docx": "docx", ".txt": "txt", ".srt": "srt", ".vtt": "vtt",
                  ".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}
CODES_LISTED = 12


def export_format(args: argparse.Namespace) -> str:
    """--format, or the output file's extension, or plain text."""
    return args.format or SUFFIX_FORMATS.get(args.output.suffix.lower(), "txt")


def run_export(args: argparse.Namespace) -> int:
    fmt = export_format(args)
    with open_for_command(args, read_only=True) as project:  # an export changes nothing in the project
        output = args.output.absolute()
        if output.resolve() == project.path.resolve():
            raise CommandError(f"{output} is the project itself: choose another file to export to.")
        if fmt in EXCHANGE_FORMATS:
            return _exchange(project, args, fmt, output)
        if args.report or args.codes or fmt in REPORT_ONLY_FORMATS:
            return _report(project, args, fmt, output)
        return _transcripts(project, args, fmt, output)


# --- transcripts -----------------------------------------------------------------------------------

def _transcripts(project: Project, args: argparse.Namespace, fmt: str, output: Path) -> int:
    from storage.export_text import leaking_names
    from storage.transcript_exports import ONE_TRANSCRIPT, untimed_refusal, write_transcript_export
    from storage.transcripts import list_transcripts

    ids = transcript_ids(project, args.transcript)
    known = {t.id: t for t in list_transcripts(project)}
    if fmt in ONE_TRANSCRIPT:
        if len(ids) > 1:
            listed = ", ".join(f"{tid} ({known[tid].name})" for tid in ids)
            raise CommandError(f"{ONE_TRANSCRIPT[fmt]} holds one transcript, and {project.path.name} has "
                               f"{len(ids)}: {listed}. Choose one with --transcript ID, and run the command once "
                               "for each you want.")
        if known[ids[0]].kind != "recording":
            raise CommandError(untimed_refusal(known[ids[0]].name))
    _check(project, args, leaking_names(project, ids, pseudonymise=args.pseudonymise))
    written = write_transcript_export(project, output, ids, fmt, pseudonymise=args.pseudonymise,
                                      placeholders=not args.no_placeholders)
    left_out = f", {written.left_out} left out (consent)" if written.left_out else ""
    _wrote(written.path, f"{plural(written.transcripts, 'transcript')}, {plural(written.turns, 'turn')}{left_out}",
           written.pseudonymised)
    return 0


# --- REFI-QDA ----------------------------------------------------------------------------------------

def _exchange(project: Project, args: argparse.Namespace, fmt: str, output: Path) -> int:
    from storage.export_text import leaking_names
    from storage.refi_qda import export as refi  # written by another part of issue 7; loaded only here

    _not_for(f"a .{fmt} file, which holds " + ("the whole project" if fmt == "qdpx" else "the codebook"), fmt, args,
             "report", "codes", "transcript")
    if fmt == "qdc":
        leaks = exchange_leaks(project, pseudonymise=False, whole_project=False)
        if leaks and args.pseudonymise:
            print_leaks(leaks)
            raise CommandError(f"{project.path}: a codebook (.qdc) is written as it is, so --pseudonymise cannot "
                               f"replace the listed real names in {places(len(leaks))} (listed above); nothing was "
                               "written. Rename those codes, or add --allow-names instead to export them as they are.")
        _check(project, args, leaks)
        summary = refi.export_qdc(project, output)
    else:
        leaks = leaking_names(project, refi.qdpx_transcript_ids(project), pseudonymise=args.pseudonymise,
                              include_memos=True)
        _check(project, args, leaks + exchange_leaks(project, pseudonymise=args.pseudonymise, whole_project=True))
        summary = refi.export_qdpx(project, output, pseudonymise=args.pseudonymise)
    counts = [plural(count, word) for count, word in ((summary.codes, "code"), (summary.sources, "source"),
                                                       (summary.codings, "coding"), (summary.notes, "note"),
                                                       (summary.cases, "case")) if count or word == "code"]
    _wrote(summary.path, ", ".join(counts), args.pseudonymise and fmt == "qdpx", summary.warnings)
    return 0


def exchange_leaks(project: Project, *, pseudonymise: bool, whole_project: bool) -> list[NameLeak]:
    """Listed real names in what a REFI-QDA file carries besides transcripts and memos: the code
    names and descriptions (.qdc and .qdpx) and, in a .qdpx, the project's name and the
    participants as cases (role code, role, organisation, attributes). With `pseudonymise`, as
    the .qdpx writes them."""
    from storage.codebook import codes_tree
    from storage.participants import list_participants
    from storage.pseudonym_records import NameLeak
    from storage.pseudonyms import load_matcher

    matcher = load_matcher(project)
    if not matcher:
        return []
    places: list[tuple[str, str]] = []
    for code in codes_tree(project):
        places += [(code.name, f"code “{code.name}” (its name)"), (code.description, f"code “{code.name}” (description)")]
    if whole_project:
        places.append((Path(project.path).stem, "the project's name"))
        for person in list_participants(project):
            where = f"participant {person.role_code}"
            places += [(person.role_code, where), (person.role, f"{where} (role)"),
                       (person.organisation, f"{where} (organisation)")]
            for name, value in person.attributes:
                places += [(name, f"{where} (an attribute's name)"), (value, f"{where} (attribute {name})")]
    leaks = []
    for text, place in places:
        shown = matcher.replace(text or "") if pseudonymise else (text or "")
        leaks += [NameLeak(span.pseudonym.real_name, shown[span.start:span.end], place) for span in matcher.spans(shown)]
    return leaks


# --- reports ---------------------------------------------------------------------------------------

def _report(project: Project, args: argparse.Namespace, fmt: str, output: Path) -> int:
    kind = args.report or "passages"
    _not_for(f"a {kind} report, which covers the whole project", fmt, args, "transcript")
    code_ids = code_ids_for(project, args.codes) if args.codes else None
    from storage import reports  # written by another part of issue 7; loaded only here

    allowed = reports.REPORT_FORMATS[kind]
    if fmt not in allowed:
        raise CommandError(f"A {kind} report is written as {' or '.join(allowed)}, not {fmt}: "
                           f"use --format {allowed[0]}.")
    _check(project, args, reports.report_leaks(project, kind, code_ids, args.pseudonymise))
    summary = reports.write_report(project, output, kind, fmt, code_ids=code_ids, pseudonymise=args.pseudonymise)
    _wrote(summary.path, f"{kind} report ({summary.fmt}), {plural(summary.rows, 'row')}", args.pseudonymise)
    return 0


def code_ids_for(project: Project, names: Sequence[str]) -> list[int]:
    """The codes named, in the order given; an unknown name is refused with the names close to it."""
    from storage.codebook import codes_tree, find_code

    ids: list[int] = []
    for name in names:
        code = find_code(project, name)
        if code is None:
            every = [c.name for c in codes_tree(project)]
            close = _close_names(name, every)
            hint = (f"did you mean {', '.join(repr(c) for c in close)}?" if close else
                    f"its codes are {', '.join(every[:CODES_LISTED])}{' …' if len(every) > CODES_LISTED else ''}."
                    if every else "it has no codes yet.")
            raise CommandError(f"{project.path.name} has no code {name!r}: {hint} `earmark codes` lists them.")
        if code.id not in ids:
            ids.append(code.id)
    return ids


def _close_names(name: str, names: Sequence[str]) -> list[str]:
    by_folded = {n.casefold(): n for n in names}
    wanted = name.strip().casefold()
    close = difflib.get_close_matches(wanted, list(by_folded), n=5, cutoff=0.6)
    close += [folded for folded in by_folded if wanted and wanted in folded and folded not in close]
    return [by_folded[folded] for folded in close[:5]]


# --- shared ----------------------------------------------------------------------------------------

def _check(project: Project, args: argparse.Namespace, leaks: Sequence[NameLeak]) -> None:
    """The pre-export check's outcome: refuse and list the places, or say they are exported."""
    if leaks and not args.allow_names:
        print_leaks(leaks)
        raise CommandError(
            f"{project.path}: listed real names would leave the project in {places(len(leaks))} (listed above); "
            f"nothing was written. Add --pseudonymise to replace them with their pseudonyms, or --allow-names "
            "to export them as they are.")
    if leaks:
        print(f"Exporting with listed real names in {places(len(leaks))} (--allow-names).", file=sys.stderr)


def _not_for(what: str, fmt: str, args: argparse.Namespace, *options: str) -> None:
    for option in options:
        if getattr(args, option):
            raise CommandError(f"--{option} does not apply to {what}: leave it out.")
    if args.no_placeholders:
        print(f"Note: --no-placeholders applies to transcript exports only; {fmt} leaves out what consent "
              "excludes in its own way.", file=sys.stderr)


def _wrote(path: Path, counts: str, pseudonymised: bool, warnings: Sequence[str] = ()) -> None:
    names = "; names pseudonymised" if pseudonymised else ""
    print(f"Wrote {path}: {counts}{names}.", file=sys.stderr)
    for warning in warnings:
        print(f"  note: {warning}", file=sys.stderr)


