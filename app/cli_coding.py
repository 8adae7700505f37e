"""The coding commands of the command line: `earmark codes`, `earmark passages`, `earmark autocode`.

Kept apart from app/cli.py, which wires them in: they share its rule that every failure is one
line naming the file and what to do (a CommandError, printed by app.cli.run).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import TYPE_CHECKING, Any

from app.cli_format import hms
from app.cli_projects import add_project_argument, open_for_command

if TYPE_CHECKING:  # storage (and SQLAlchemy) load only when a coding command runs
    from storage.analysis_records import AutocodeMatch, CodeRecord, Passage
    from storage.project import Project

CODING_COMMANDS = ("codes", "passages", "autocode")


class CommandError(Exception):
    """Input the command cannot act on (an unknown code or speaker, a bad pattern). The message
    is for the user."""


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    codes = commands.add_parser("codes", help="the code tree with how many passages each code has")
    add_project_argument(codes)
    codes.add_argument("--json", action="store_true", help="machine-readable output")

    passages = commands.add_parser("passages", help="every passage coded with a code")
    add_project_argument(passages)
    passages.add_argument("--code", required=True, help="the code's name (case does not matter)")
    passages.add_argument("--with-subcodes", action="store_true", help="also the passages of every code below it")
    passages.add_argument("--speaker", default=None, help="only passages begun by this speaker label, e.g. SN1")
    passages.add_argument("--json", action="store_true", help="machine-readable output (times in seconds)")

    autocode = commands.add_parser("autocode", help="code every passage that matches a pattern, or a speaker's turns")
    add_project_argument(autocode)
    autocode.add_argument("--code", required=True, help="the code to apply (created if there is none of that name)")
    source = autocode.add_mutually_exclusive_group(required=True)
    source.add_argument("--match", metavar="REGEX", help="a regular expression; matches whole words unless --partial")
    source.add_argument("--speaker", metavar="LABEL", help="code every turn of this speaker")
    autocode.add_argument("--scope", choices=("word", "sentence", "turn"), default="word",
                          help="what a match codes: its words (default), its sentence or its whole turn")
    autocode.add_argument("--match-case", action="store_true", help="upper and lower case must match")
    autocode.add_argument("--partial", action="store_true", help="also match inside words (the whole word is coded)")
    autocode.add_argument("--dry-run", action="store_true", help="list what would be coded; change nothing")


def run_coding_command(args: argparse.Namespace) -> int:
    if args.command == "autocode" and not args.dry_run:
        with open_for_command(args) as project:
            if project.read_only:
                raise CommandError(f"{project.path} is open read-only ({project.read_only_reason}); "
                                   "cannot code it. Close it in Earmark, or add --dry-run to only look.")
            return _autocode(project, args)
    with open_for_command(args, read_only=True) as project:
        if args.command == "codes":
            return _codes(project, args)
        if args.command == "passages":
            return _passages(project, args)
        return _autocode(project, args)


def _codes(project: Project, args: argparse.Namespace) -> int:
    from storage.codebook import codes_tree

    tree = codes_tree(project)
    if args.json:
        print(json.dumps([
            {"id": c.id, "guid": c.guid, "name": c.name, "parent_id": c.parent_id, "depth": c.depth, "color": c.color,
             "description": c.description, "count": c.count, "total": c.total}
            for c in tree
        ], indent=2, ensure_ascii=False))
        return 0
    if not tree:
        print("(no codes)")
    for code in tree:
        below = f" ({code.total} with sub-codes)" if code.total != code.count else ""
        print(f"{'  ' * code.depth}{code.name}  {code.count}{below}")
    return 0


def _passages(project: Project, args: argparse.Namespace) -> int:
    from storage.retrieval import coded_passages, with_subcodes

    code = _known_code(project, args.code)
    speaker = _known_speaker(project, args.speaker) if args.speaker is not None else None
    code_ids = with_subcodes(project, [code.id]) if args.with_subcodes else [code.id]
    found = coded_passages(project, code_ids, speaker=speaker)
    if args.json:
        print(json.dumps([_passage_json(p) for p in found], indent=2, ensure_ascii=False))
        return 0
    for passage in found:
        tag = f"  [{passage.code_name}]" if args.with_subcodes else ""
        print(f"{passage.transcript_name}  {hms(passage.start_time)}-{hms(passage.end_time)}  "
              f"{passage.speaker or '-'}{tag}")
        for line in passage.text.splitlines() or [""]:
            print(f"    {line}")
        print()
    what = f"{code.name}{' and its sub-codes' if args.with_subcodes else ''}"
    who = f" begun by {speaker}" if speaker else ""
    print(f"{len(found)} passage{'s' if len(found) != 1 else ''} coded with {what}{who}.", file=sys.stderr)
    return 0


def _passage_json(passage: Passage) -> dict[str, Any]:
    return {"coding_id": passage.coding_id, "code_id": passage.code_id, "code": passage.code_name,
            "transcript_id": passage.transcript_id, "transcript": passage.transcript_name, "speaker": passage.speaker,
            "start": passage.start_time, "end": passage.end_time, "text": passage.text, "context": passage.context}


def _autocode(project: Project, args: argparse.Namespace) -> int:
    from storage.autocode import apply_autocode, find_matches, new_matches, speaker_turns
    from storage.codebook import create_code, find_code

    # Find first: a bad pattern or an unknown speaker must change nothing, not even add the code.
    if args.match is not None:
        try:
            matches = find_matches(project, args.match, regex=True, whole_words=not args.partial,
                                   match_case=args.match_case, scope=args.scope)
        except ValueError as error:
            raise CommandError(str(error)) from None
        source = f"matching '{args.match}'"
    else:
        label = _known_speaker(project, args.speaker)
        matches, source = speaker_turns(project, label), f"of {label}"
    code = find_code(project, args.code)
    fresh = new_matches(project, code.id, matches) if code is not None else matches
    name = code.name if code is not None else " ".join(args.code.split())
    already = len(matches) - len(fresh)
    note = f" ({already} already coded)" if already else ""
    if args.dry_run:
        for match in fresh:
            print(_match_line(match))
        created = " (a new code)" if code is None and fresh else ""
        print(f"Would code {_count(fresh)} {source} with {name}{created}{note}; nothing was written (dry run).",
              file=sys.stderr)
        return 0
    if not fresh:
        print(f"Nothing new to code: {_count(matches)} {source}{note}.", file=sys.stderr)
        return 0
    if code is None:
        code = create_code(project, name)
        print(f"Created the code {code.name}.", file=sys.stderr)
    from storage.memos import default_author

    ids = apply_autocode(project, code.id, fresh, author=default_author(project))
    print(f"Coded {_count(ids)} {source} with {code.name}{note}.")
    return 0


def _match_line(match: AutocodeMatch) -> str:
    return f"{match.transcript_name}  {match.speaker or '-'}: {' / '.join(match.text.splitlines())}"


def _count(items: list[Any]) -> str:
    return f"{len(items)} passage{'s' if len(items) != 1 else ''}"


def _known_code(project: Project, name: str) -> CodeRecord:
    """The code of that name (any case); else an error naming the closest names there are."""
    from storage.codebook import codes_tree, find_code

    code = find_code(project, name)
    if code is not None:
        return code
    names = [c.name for c in codes_tree(project)]
    if not names:
        raise CommandError(f"{project.path} has no codes yet, so none named {name!r}.")
    wanted = name.strip().casefold()
    near = [n for n in names if wanted in n.casefold()]
    near += [n for n in difflib.get_close_matches(name.strip(), names, n=5, cutoff=0.5) if n not in near]
    hint = f"did you mean {', '.join(repr(n) for n in near[:5])}?" if near else "`earmark codes` lists them."
    raise CommandError(f"{project.path} has no code named {name!r}; {hint}")


def _known_speaker(project: Project, label: str) -> str:
    from storage.editing import speaker_labels

    labels = speaker_labels(project)
    wanted = label.strip().casefold()
    found = next((known for known in labels if known.casefold() == wanted), None)
    if found is None:
        there = ", ".join(labels) if labels else "none"
        raise CommandError(f"{project.path} has no speaker {label!r} (speakers: {there}).")
    return found
