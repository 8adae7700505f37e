"""The command line's export and privacy commands: `earmark export` (transcripts, REFI-QDA
exchange files and reports in every format, with the pre-export check; app/cli_export_formats.py
runs it) and `earmark pseudonyms` (the list of real names and their replacements: list, add,
edit, remove, preview, apply).

The pre-export check is the same as the window's (storage.export_text.leaking_names): when a
listed real name would leave the project, `export` writes nothing and lists where, unless
--pseudonymise replaces the names on the way out or --allow-names says to export them anyway.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli_coding import CommandError
from app.cli_format import hms
from app.cli_projects import add_project_argument, open_for_command

if TYPE_CHECKING:  # storage (and SQLAlchemy) load only when one of these commands runs
    from storage.project import Project
    from storage.pseudonym_records import NameLeak, PseudonymMatch, PseudonymRecord

EXPORT_COMMANDS = ("export", "pseudonyms")
LEAKS_LISTED = 20  # places printed before "… and N more"


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    from app.cli_export_formats import ALL_FORMATS, REPORT_KINDS

    export = commands.add_parser(
        "export", help="export transcripts, REFI-QDA files or reports (checks first that no listed real name leaves)",
        description="--report or --codes makes a report (csv, xlsx and html are always reports); qdpx and qdc are "
                    "REFI-QDA exchange files; docx, txt, srt, vtt, nvivo, maxqda and json are transcript exports.")
    add_project_argument(export)
    export.add_argument("--format", choices=ALL_FORMATS, default=None,
                        help="default: from the output file's extension, else txt")
    export.add_argument("--report", choices=REPORT_KINDS, default=None,
                        help="a report instead of transcripts (with --format docx, html, xlsx or csv)")
    export.add_argument("--codes", nargs="+", metavar="NAME",
                        help="the codes a report covers, by name (makes it a passages report unless --report says)")
    export.add_argument("--transcript", type=int, action="append", metavar="ID",
                        help="a transcript id (repeat for more; default: every transcript)")
    export.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    names = export.add_mutually_exclusive_group()
    names.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                       help="replace listed real names with their pseudonyms in the export (the project is not changed)")
    names.add_argument("--allow-names", action="store_true",
                       help="export even though listed real names are in it")
    export.add_argument("--no-placeholders", action="store_true",
                        help="leave turns of participants left out of analysis out silently (default: a marker)")

    names = commands.add_parser("pseudonyms", help="the list of real names and their pseudonyms; preview, apply")
    add_project_argument(names)
    names.add_argument("--json", action="store_true", help="machine-readable output")
    actions = names.add_subparsers(dest="pseudonyms_command", metavar="ACTION",
                                   help="add, edit, remove, preview or apply (none: list them)")
    add = _action(actions, "add", "list a real name and what replaces it")
    add.add_argument("real_name", metavar="REAL")
    add.add_argument("replacement", metavar="REPLACEMENT", help="as it should appear, e.g. SN1 or 'M (social worker)'")
    add.add_argument("--variant", action="append", default=[], metavar="V",
                     help="another spelling of the same person, e.g. a first name or initials (repeatable)")
    edit = _action(actions, "edit", "change an entry's replacement or variants")
    edit.add_argument("real_name", metavar="REAL", help="the entry's real name (or one of its variants)")
    edit.add_argument("--replacement", default=None)
    edit.add_argument("--real-name", dest="new_real_name", default=None, help="correct the real name itself")
    edit.add_argument("--variant", action="append", default=None, metavar="V", help="the variants (replace the old ones)")
    edit.add_argument("--no-variants", action="store_true", help="remove every variant")
    remove = _action(actions, "remove", "take an entry off the list (text already replaced stays so)")
    remove.add_argument("real_name", metavar="REAL")
    for name, text in (("preview", "every match, grouped by name; changes nothing"),
                       ("apply", "replace every match in the project's transcripts (and memos)")):
        action = _action(actions, name, text)
        action.add_argument("--transcript", type=int, action="append", metavar="ID",
                            help="only this transcript (repeatable; memos are then left alone)")
        action.add_argument("--no-memos", action="store_true", help="leave memos as they are")
        if name == "preview":
            action.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
        else:
            action.add_argument("--purge-backups", action="store_true",
                                help="then delete the project's rolling backups, which still hold the real names")


def _action(actions: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    # SUPPRESS: an option given before the action (on `pseudonyms`) is not reset by this parser.
    parser.add_argument("--password-file", type=Path, default=argparse.SUPPRESS,
                        help="read an encrypted project's password from this file (or set EARMARK_PASSWORD)")
    return parser


def run_command(args: argparse.Namespace) -> int:
    if args.command == "export":
        from app.cli_export_formats import run_export

        return run_export(args)
    action = args.pseudonyms_command
    with open_for_command(args, read_only=action in (None, "preview")) as project:
        if action in ("add", "edit", "remove", "apply") and project.read_only:
            raise CommandError(f"{project.path} is open read-only ({project.read_only_reason}); cannot change it. "
                               "Close it in Earmark and run the command again.")
        if action == "add":
            return _add(project, args)
        if action == "edit":
            return _edit(project, args)
        if action == "remove":
            return _remove(project, args)
        if action in ("preview", "apply"):
            return _preview_or_apply(project, args)
        return _list(project, args)


# --- export --------------------------------------------------------------------------------------

def print_leaks(leaks: Sequence[NameLeak]) -> None:
    print("Listed real names in what would be exported:", file=sys.stderr)
    for leak in leaks[:LEAKS_LISTED]:
        print(f"  {leak.text!s} ({leak.real_name}) in {leak.place}" if leak.text != leak.real_name
              else f"  {leak.real_name} in {leak.place}", file=sys.stderr)
    if len(leaks) > LEAKS_LISTED:
        print(f"  … and {len(leaks) - LEAKS_LISTED} more", file=sys.stderr)


def transcript_ids(project: Project, wanted: list[int] | None) -> list[int]:
    from storage.transcripts import list_transcripts

    available = [t.id for t in list_transcripts(project)]
    if not available:
        raise CommandError(f"{project.path} has no transcripts to export.")
    if not wanted:
        return available
    unknown = [tid for tid in wanted if tid not in available]
    if unknown:
        raise CommandError(f"{project.path} has no transcript {unknown[0]} (it has {', '.join(map(str, available))}); "
                           "`earmark info` lists them.")
    return list(dict.fromkeys(wanted))


# --- the list ------------------------------------------------------------------------------------

def _list(project: Project, args: argparse.Namespace) -> int:
    from storage.pseudonyms import list_pseudonyms

    entries = list_pseudonyms(project)
    if args.json:
        print(json.dumps([_entry_json(p) for p in entries], indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print("(no pseudonyms; add one with `earmark pseudonyms FILE add 'Real Name' SN1`)")
    for entry in entries:
        print(_entry_line(entry))
    return 0


def _add(project: Project, args: argparse.Namespace) -> int:
    from storage.pseudonyms import add_pseudonym

    entry = _checked(lambda: add_pseudonym(project, args.real_name, args.replacement, args.variant))
    print(f"Added {_entry_line(entry)}")
    return 0


def _edit(project: Project, args: argparse.Namespace) -> int:
    from storage.pseudonyms import update_pseudonym

    entry = _known(project, args.real_name)
    variants = [] if args.no_variants else (args.variant if args.variant is not None else list(entry.variants))
    _before, after = _checked(lambda: update_pseudonym(project, entry.id, args.new_real_name or entry.real_name,
                                                       args.replacement or entry.replacement, variants))
    print(f"Changed to {_entry_line(after)}")
    return 0


def _remove(project: Project, args: argparse.Namespace) -> int:
    from storage.pseudonyms import remove_pseudonym

    removed = remove_pseudonym(project, _known(project, args.real_name).id)
    print(f"Removed {_entry_line(removed)} (text already replaced keeps its replacement)")
    return 0


def _known(project: Project, name: str) -> PseudonymRecord:
    from storage.pseudonyms import find_pseudonym, list_pseudonyms

    entry = find_pseudonym(project, name)
    if entry is None:
        listed = ", ".join(p.real_name for p in list_pseudonyms(project)) or "none"
        raise CommandError(f"{project.path} lists no real name {name!r} (listed: {listed}).")
    return entry


def _checked(call: Any) -> Any:
    try:
        return call()
    except ValueError as error:
        raise CommandError(str(error)) from None


def _entry_line(entry: PseudonymRecord) -> str:
    variants = f"  (also: {', '.join(entry.variants)})" if entry.variants else ""
    return f"{entry.real_name} → {entry.replacement}{variants}"


def _entry_json(entry: PseudonymRecord) -> dict[str, Any]:
    return {"id": entry.id, "real_name": entry.real_name, "replacement": entry.replacement,
            "variants": list(entry.variants)}


# --- preview and apply ---------------------------------------------------------------------------

def _preview_or_apply(project: Project, args: argparse.Namespace) -> int:
    from storage.pseudonyms import apply_matches, find_matches

    ids = transcript_ids(project, args.transcript) if args.transcript else None
    matches = find_matches(project, ids, include_memos=ids is None and not args.no_memos)
    if args.pseudonyms_command == "preview":
        return _preview(matches, json_output=args.json)
    if not matches:
        print("Nothing to replace: no listed name occurs.", file=sys.stderr)
        _about_backups(project, purge=args.purge_backups)
        return 0
    result = _checked(lambda: apply_matches(project, matches))
    counts = ", ".join(f"{count} × {replacement}" for replacement, count in result.counts)
    memos = f" and {plural(len(result.memos_before), 'memo')}" if result.memos_before else ""
    print(f"Replaced {counts} in {plural(len(result.turn_changes), 'turn')} of "
          f"{plural(len(result.transcript_names), 'transcript')}{memos}; recorded in the audit.")
    _about_backups(project, purge=args.purge_backups)
    return 0


def _about_backups(project: Project, *, purge: bool) -> None:
    """Backups taken before the replacement still hold the real names: delete them on request,
    otherwise say where they are."""
    from storage import backups

    held = backups.existing_backups(project.path)
    if not held:
        return
    folder = backups.backup_dir(project.path)
    if purge:
        try:
            print(f"Deleted {plural(backups.remove_backups(project.path), 'backup')} that held the real names.")
        except OSError as error:
            raise CommandError(f"Could not delete the backups in {folder}: {error.strerror}.") from error
        return
    print(f"Note: {plural(len(held), 'backup')} in {folder} still hold the real names; "
          "add --purge-backups to delete them.", file=sys.stderr)


def _preview(matches: Sequence[PseudonymMatch], *, json_output: bool) -> int:
    if json_output:
        print(json.dumps([_match_json(m) for m in matches], indent=2, ensure_ascii=False))
        return 0
    groups: dict[int, list[PseudonymMatch]] = {}
    for match in matches:
        groups.setdefault(match.pseudonym_id, []).append(match)
    for found in groups.values():
        print(f"{found[0].real_name} → {found[0].replacement}: {plural(len(found), 'match', 'matches')}")
        for match in found:
            time = f"  {hms(match.start_time)}" if match.start_time is not None else ""
            speaker = f"  {match.speaker}:" if match.speaker else ""
            line = f"{match.before}«{match.text}»{match.after}".replace("\n", " ")
            print(f"    {match.where}{time}{speaker}  {line}")
    print(f"{plural(len(matches), 'match', 'matches')}; nothing was changed (preview). "
          "`earmark pseudonyms FILE apply` replaces them.", file=sys.stderr)
    return 0


def _match_json(match: PseudonymMatch) -> dict[str, Any]:
    return {"real_name": match.real_name, "replacement": match.replacement, "kind": match.kind,
            "transcript_id": match.transcript_id, "segment_id": match.segment_id, "memo_id": match.memo_id,
            "where": match.where, "speaker": match.speaker, "start": match.start_time, "offset": match.offset,
            "length": match.length, "text": match.text, "context": match.context}


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def places(count: int) -> str:
    return plural(count, "place")
