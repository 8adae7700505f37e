"""The register commands of the command line: `earmark participants`, `earmark meetings` (with
quorum warnings), and the write-up tables `earmark roles` and `earmark timeplan` (DOCX or CSV).

participants and meetings can also add (--add) and change consent or the quorum, so a register
can be typed in from a script. Every failure is one line naming the file and what to do
(a CommandError or ProjectError, printed by app.cli.run).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli_coding import CommandError
from app.cli_projects import add_project_argument, open_for_command

if TYPE_CHECKING:  # storage loads only when a register command runs
    from storage.project import Project
    from storage.register_records import MeetingRecord, ParticipantRecord

REGISTER_COMMANDS = ("participants", "meetings", "roles", "timeplan")
LEAKS_LISTED = 20
CONSENT_CHOICES = ("full", "observe_only", "withdrawn")  # storage.consent.CONSENT_LEVELS (a test keeps them equal)


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    people = commands.add_parser("participants", help="the participant register: role codes, consent, speakers")
    add_project_argument(people)
    people.add_argument("--json", action="store_true", help="machine-readable output")
    people.add_argument("--add", metavar="CODE", help="add a participant with this role code (never a name)")
    people.add_argument("--role", default="", help="with --add: the role, e.g. 'Senior Nurse 2'")
    people.add_argument("--organisation", default="", help="with --add: e.g. 'NHS trust'")
    people.add_argument("--consent", choices=CONSENT_CHOICES, default=None,
                        help="with --add: the new participant's consent; with --set: change it")
    people.add_argument("--set", metavar="CODE", help="change this participant's --consent (recorded in the audit)")

    meets = commands.add_parser("meetings", help="meetings with date, phase, attendance and quorum warnings")
    add_project_argument(meets)
    meets.add_argument("--json", action="store_true", help="machine-readable output")
    meets.add_argument("--add", metavar="CODE", nargs="?", const="", default=None,
                       help="add a meeting (without a code: the next free one, e.g. M05)")
    meets.add_argument("--date", default=None, help="with --add: YYYY-MM-DD")
    meets.add_argument("--phase", default="", help="with --add: e.g. 'Starting up'")
    meets.add_argument("--not-recorded", action="store_true", help="with --add: the meeting was not recorded")
    for status in ("present", "part", "absent"):
        meets.add_argument(f"--{status}", default="", metavar="CODES", help=f"with --add: role codes {status}, e.g. SN1,CS")
    meets.add_argument("--quorum", type=int, default=None, help="set how many must attend (default 4)")

    for name, what in (("roles", "the roles table (code, role, organisation)"),
                       ("timeplan", "the meeting time-plan (date, phase, attendance, recorded, notes)")):
        table = commands.add_parser(name, help=f"write {what} as DOCX or CSV")
        add_project_argument(table)
        table.add_argument("-o", "--output", required=True, type=Path, help="OUT.docx or OUT.csv")
        names = table.add_mutually_exclusive_group()
        names.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                           help="replace listed real names with their pseudonyms in the file (the project is not changed)")
        names.add_argument("--allow-names", action="store_true", help="write listed real names as they are")


def run_command(args: argparse.Namespace) -> int:
    from storage import writeup

    if args.command in ("roles", "timeplan"):
        with open_for_command(args, read_only=True) as project:  # an export changes nothing in the project
            table = (writeup.roles_table if args.command == "roles" else writeup.timeplan_table)(project)
            leaks = writeup.leaking_names(project, table)
            if leaks and not (args.pseudonymise or args.allow_names):
                print("Listed real names in what would be written:", file=sys.stderr)
                for leak in leaks[:LEAKS_LISTED]:
                    print(f"  {leak.text} ({leak.real_name}) in {leak.place}", file=sys.stderr)
                raise CommandError(f"{project.path}: listed real names would leave the project in {len(leaks)} "
                                   "place(s) (listed above); nothing was written. Add --pseudonymise to replace "
                                   "them with their pseudonyms, or --allow-names to write them as they are.")
            written = writeup.write_table(writeup.pseudonymised(project, table) if args.pseudonymise else table,
                                          args.output)
        print(f"{written}: written" + ("; names pseudonymised." if args.pseudonymise and leaks else "."))
        return 0
    changing = args.add is not None or (args.command == "participants" and args.set) or \
        (args.command == "meetings" and args.quorum is not None)
    with open_for_command(args, read_only=not changing) as project:
        if changing and project.read_only:
            raise CommandError(f"{project.path} is open read-only ({project.read_only_reason}); cannot change it. "
                               "Close it in Earmark first.")
        if args.command == "participants":
            _change_participants(project, args)
            return _participants(project, args.json)
        _change_meetings(project, args)
        return _meetings(project, args.json)


# --- participants --------------------------------------------------------------------------------

def _change_participants(project: Project, args: argparse.Namespace) -> None:
    from storage import participants

    if args.add is not None:
        participants.create_participant(project, args.add, role=args.role, organisation=args.organisation,
                                        consent=args.consent or "full")
    if args.set:
        if args.consent is None:
            raise CommandError("--set needs --consent full, observe_only or withdrawn.")
        participants.set_consent(project, _participant(project, args.set).id, args.consent)


def _participant(project: Project, code: str) -> ParticipantRecord:
    from storage import participants

    found = participants.find_participant(project, code)
    if found is None:
        known = ", ".join(p.role_code for p in participants.list_participants(project)) or "none yet"
        raise CommandError(f"{project.path} has no participant {code!r} (it has {known}).")
    return found


def _participants(project: Project, as_json: bool) -> int:
    from storage import participants

    register = participants.list_participants(project)
    if as_json:
        print(json.dumps([{"id": p.id, "guid": p.guid, "role_code": p.role_code, "role": p.role,
                           "organisation": p.organisation, "consent": p.consent, "excluded": p.excluded,
                           "speakers": list(p.speakers), "attributes": p.attribute_dict()} for p in register],
                         indent=2, ensure_ascii=False))
        return 0
    if not register:
        print("(no participants)")
        return 0
    width = max(len(p.role_code) for p in register)
    for p in register:
        line = f"{p.role_code.ljust(width)}  {p.role or '-'}  [{p.organisation or '-'}]  consent: {p.consent}"
        line += f"  speakers: {', '.join(p.speakers) or 'none'}"
        if p.attributes:
            line += "  " + "; ".join(f"{name}={value}" for name, value in p.attributes)
        print(line)
        if p.excluded:
            print(f"{' ' * width}  ! {p.exclusion_reason}")
    return 0


# --- meetings ------------------------------------------------------------------------------------

def _change_meetings(project: Project, args: argparse.Namespace) -> None:
    from storage import meetings

    if args.quorum is not None:
        meetings.set_quorum(project, args.quorum)
    if args.add is None:
        return
    statuses: dict[int, str] = {}
    for status in ("present", "part", "absent"):
        for code in filter(None, (c.strip() for c in getattr(args, status).split(","))):
            statuses[_participant(project, code).id] = status
    meeting = meetings.create_meeting(project, args.add or None, date=args.date, phase=args.phase,
                                      recorded=not args.not_recorded)
    if statuses:
        meetings.set_attendance(project, meeting.id, statuses)


def _meetings(project: Project, as_json: bool) -> int:
    from storage import meetings

    quorum = meetings.quorum(project)
    listed = meetings.list_meetings(project)
    if as_json:
        print(json.dumps({"quorum": quorum, "meetings": [_meeting_json(m, quorum) for m in listed]},
                         indent=2, ensure_ascii=False))
        return 0
    print(f"quorum: {quorum} (present and part-time attenders count)")
    if not listed:
        print("(no meetings)")
    for m in listed:
        attendance = m.attendance_text() if m.attendance else "attendance not taken"
        print(f"{m.code}  {m.date or '(no date)'}  {m.phase or '-'}  {'recorded' if m.recorded else 'not recorded'}"
              f"  {attendance}")
        warning = meetings.quorum_warning(m, quorum)
        if warning:
            print(f"  ! {warning}")
        for source in m.sources:
            print(f"  - {source.name} ({source.kind})")
    return 0


def _meeting_json(m: MeetingRecord, quorum: int) -> dict[str, Any]:
    from storage import meetings

    return {"id": m.id, "guid": m.guid, "code": m.code, "date": m.date, "phase": m.phase, "recorded": m.recorded,
            "agenda": m.agenda, "notes": m.notes, "attendance": {a.role_code: a.status for a in m.attendance},
            "attending": m.attending, "below_quorum": meetings.below_quorum(m, quorum),
            "warning": meetings.quorum_warning(m, quorum) or None,
            "transcripts": [{"id": s.transcript_id, "name": s.name, "kind": s.kind} for s in m.sources]}
