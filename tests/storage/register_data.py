"""The RESEARCH.md register and meetings, for tests and demos: six participants (SW consented to
be observed only), meetings M01-M04 with their attendance (M03 below the quorum of four, not
recorded), and a transcript of M04 whose speakers are linked by their role codes."""

from __future__ import annotations

from dataclasses import dataclass

from storage import meetings, participants
from storage.project import Project
from tests.helpers import add_turns

PEOPLE = (
    ("SN1", "Senior Nurse 1, overall accountability for professional practice", "NHS trust", "full"),
    ("SN2", "Senior Nurse 2", "NHS trust", "full"),
    ("CS", "Children's services professional lead (the researcher, also a participant)", "NHS trust", "full"),
    ("CG", "Clinical governance lead", "NHS trust", "full"),
    ("OT", "Occupational therapist, allied health professions lead", "NHS trust", "full"),
    ("SW", "Social work professional lead", "Local authority", "observe_only"),
)
ALL = ("SN1", "SN2", "CS", "CG", "OT", "SW")
MEETINGS = (
    ("M01", "2009-11-12", "Starting up", True, {code: "present" for code in ALL},
     "Agreed standing agenda items: hot issues, what's working well, feedback.", ""),
    ("M02", "2009-12-10", "Starting up", True, {code: "present" for code in ALL},
     "Statutory and mandatory training.", ""),
    ("M03", "2010-01-14", "Operational", False,
     {"SN1": "absent", "SN2": "absent", "CS": "present", "CG": "present", "OT": "part", "SW": "absent"},
     "Hot issues; what's working well.", "Below quorum: not recorded or analysed."),
    ("M04", "2010-03-11", "Operational", True,
     {"SN1": "present", "SN2": "present", "CS": "present", "CG": "present", "OT": "present", "SW": "absent"},
     "An unexpected death during transfer between units; leadership and culture.", ""),
)
M04_TURNS = [("SN1", "We had an unexpected death during transfer between units."),
             ("CG", "We need to review the transfer policy together."),
             ("OT", "Leadership and culture made the difference here."),
             ("CS", "What would have helped the ward staff on the night?")]


@dataclass(frozen=True)
class RegisterDemo:
    participants: dict[str, int]  # role code -> id
    meetings: dict[str, int]  # meeting code -> id
    transcript_id: int  # M04's transcript


def build_register_demo(project: Project) -> RegisterDemo:
    transcript_id, _turns = add_turns(project, "M04 recording", M04_TURNS)
    people = {code: participants.create_participant(project, code, role=role, organisation=organisation,
                                                    consent=consent).id
              for code, role, organisation, consent in PEOPLE}
    participants.set_attributes(project, people["SN1"], {"profession": "nursing", "years in post": "12"})
    participants.set_attributes(project, people["OT"], {"profession": "occupational therapy"})
    made = {}
    for code, day, phase, recorded, attendance, agenda, notes in MEETINGS:
        meeting = meetings.create_meeting(project, code, date=day, phase=phase, recorded=recorded, agenda=agenda,
                                          notes=notes)
        meetings.set_attendance(project, meeting.id, {people[who]: status for who, status in attendance.items()})
        made[code] = meeting.id
    meetings.link_transcript(project, transcript_id, made["M04"])
    return RegisterDemo(people, made, transcript_id)
