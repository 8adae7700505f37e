"""A small coded study for retrieval, auto-coding and CLI tests: two meetings of the Community of
Practice (tests/../RESEARCH.md), a three-level code tree and four codings, one over four turns.

Every word lasts 0.4 s and starts 0.5 s after the one before, from its turn's start (turn n of a
meeting starts at 10 n seconds), so a passage's expected times can be worked out by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from storage.models import Code, Coding, Memo, Segment, Speaker, Transcript
from storage.project import Project, create_project
from tests.helpers import add_turns

M01 = [
    ("SN1", "Hot issues first. We had an unexpected death during transfer."),
    ("SW", "That was a shock for everyone. The learning was huge!"),
    (None, "(The participants chorused) Yes."),
    ("SN1", "We changed the discharge procedure after that."),
]
M02 = [
    ("CG", "Statutory and mandatory training is behind."),
    ("SN1", "Learning from each other helps. Learning, always."),
]


def word_time(turn_index: int, word_index: int) -> tuple[float, float]:
    start = 10.0 * turn_index + 0.5 * word_index
    return start, start + 0.4


@dataclass
class Study:
    project: Project
    m01: int  # transcript ids
    m02: int
    turns: dict[tuple[int, int], int]  # (transcript id, turn index) -> segment id
    codes: dict[str, int]  # name -> code id
    codings: dict[str, int]  # label -> coding id


def add_transcript(project: Project, name: str, turns: list[tuple[str | None, str]]) -> tuple[int, list[int]]:
    transcript_id, rows = add_turns(project, name, turns, duration=100.0, turn_length=None, probability=0.9)
    return transcript_id, [row.id for row in rows]


def add_code(project: Project, name: str, parent_id: int | None = None, position: int = 0) -> int:
    with project.write() as session:
        row = Code(name=name, parent_id=parent_id, position=position, merged_from=[])
        session.add(row)
        session.flush()
        return row.id


def add_coding(project: Project, code_id: int, transcript_id: int, start: tuple[int, int], end: tuple[int, int]) -> int:
    with project.write() as session:
        row = Coding(code_id=code_id, transcript_id=transcript_id, start_segment_id=start[0], start_offset=start[1],
                     end_segment_id=end[0], end_offset=end[1])
        session.add(row)
        session.flush()
        return row.id


def build_study(path: Path) -> Study:
    project = create_project(path)
    m01, m01_turns = add_transcript(project, "M01 Starting up", M01)
    m02, m02_turns = add_transcript(project, "M02 Training", M02)
    turns = {**{(m01, i): s for i, s in enumerate(m01_turns)}, **{(m02, i): s for i, s in enumerate(m02_turns)}}
    codes: dict[str, int] = {}
    codes["Learning"] = add_code(project, "Learning", None, 0)
    codes["Cross-organisational learning"] = add_code(project, "Cross-organisational learning", codes["Learning"], 0)
    codes["Reviewing discharge procedures"] = add_code(
        project, "Reviewing discharge procedures", codes["Cross-organisational learning"], 0)
    codes["Partnership"] = add_code(project, "Partnership", None, 1)
    learning_at = M01[1][1].index("The learning")
    death_at = M01[0][1].index("We had")
    changed_end = M01[3][1].index(" the discharge")
    codings = {
        # M01 turn 1, SW: "The learning was huge!"
        "learning": add_coding(project, codes["Learning"], m01, (m01_turns[1], learning_at),
                               (m01_turns[1], len(M01[1][1]))),
        # M01 turn 0 "We had ..." to turn 3 "We changed": a story over four turns
        "story": add_coding(project, codes["Reviewing discharge procedures"], m01, (m01_turns[0], death_at),
                            (m01_turns[3], changed_end)),
        # M02 turn 1, SN1: "Learning from each other"
        "cross": add_coding(project, codes["Cross-organisational learning"], m02, (m02_turns[1], 0),
                            (m02_turns[1], len("Learning from each other"))),
        # M01 turn 2, no speaker: the chorus
        "chorus": add_coding(project, codes["Partnership"], m01, (m01_turns[2], 0), (m01_turns[2], len(M01[2][1]))),
    }
    return Study(project, m01, m02, turns, codes, codings)


# --- a large study: what tests/benchmarks/coding_scale.py measures retrieval on -------------------

LARGE_TRANSCRIPTS, LARGE_TURNS, LARGE_CODES, LARGE_CODINGS = 50, 400, 10, 20_000


def build_large_study(project: Project, *, seed: int = 5) -> list[int]:
    """50 meetings of 400 turns (20 words each), 10 codes and 20,000 codings, a fifth of them over
    two to four turns, and a memo per meeting. Written with bulk inserts: building it is not what
    is measured. Returns the code ids."""
    rng = random.Random(seed)
    vocabulary = ("ward team discharge placement family nurse social worker meeting plan handover risk "
                  "consent review agreed concern follow home care community referral").split()
    with project.write() as session:
        session.execute(insert(Speaker), [{"label": label} for label in ("SN1", "SN2", "CS", "CG", "OT", "SW")])
        session.execute(insert(Transcript), [{"id": t + 1, "name": f"M{t + 1:02d}", "kind": "recording",
                                              "status": "done", "transcribed_until": 0.0}
                                             for t in range(LARGE_TRANSCRIPTS)])
        segments = []
        for t in range(LARGE_TRANSCRIPTS):
            for p in range(LARGE_TURNS):
                tokens = [rng.choice(vocabulary) for _ in range(20)]
                segments.append({
                    "id": t * LARGE_TURNS + p + 1, "transcript_id": t + 1, "position": p, "start": 10.0 * p,
                    "end": 10.0 * p + 10, "speaker_id": (p % 7) + 1 if p % 7 < 6 else None, "text": " ".join(tokens),
                    "words": [[w, 10.0 * p + 0.5 * k, 10.0 * p + 0.5 * k + 0.4, 0.9] for k, w in enumerate(tokens)]})
        session.execute(insert(Segment), segments)
        session.execute(insert(Code), [{"id": c + 1, "name": f"code {c + 1}", "position": c, "merged_from": []}
                                       for c in range(LARGE_CODES)])
        rows = []
        for n in range(LARGE_CODINGS):
            t, p = rng.randrange(LARGE_TRANSCRIPTS), rng.randrange(LARGE_TURNS - 4)
            length = rng.choice((0, 0, 0, 0, 1, 2, 3))
            first = t * LARGE_TURNS + p + 1
            rows.append({"code_id": n % LARGE_CODES + 1, "transcript_id": t + 1, "start_segment_id": first,
                         "start_offset": 6, "end_segment_id": first + length, "end_offset": 40 if length == 0 else 20})
        session.execute(insert(Coding), rows)
        session.execute(insert(Memo), [{"target_kind": "transcript", "target_id": t + 1, "title": f"M{t + 1:02d} notes",
                                        "body": f"The team discussed the {rng.choice(vocabulary)} plan.", "links": []}
                                       for t in range(LARGE_TRANSCRIPTS)])
    return list(range(1, LARGE_CODES + 1))
