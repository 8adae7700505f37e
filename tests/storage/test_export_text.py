"""The transcript text export and the pre-export check: observe-only and withdrawn participants'
words never leave the project; pseudonymising on the way out changes nothing inside it; every
place a listed name would leave is named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import memos, pseudonyms, transcripts
from storage.errors import ProjectError
from storage.export_text import export_transcript, leaking_names, write_text_export
from storage.models import Participant, Speaker, Transcript
from storage.project import Project, create_project
from tests.helpers import add_turns

TURNS = [
    ("SN1", "Welcome everyone. Sarah Jones sends her apologies."),
    ("SW", "I only observe; my secret words about Sarah stay here."),
    ("CS", "Zoë's report is late, says S.J."),
    ("OT", "I withdraw, forget my withdrawn remark."),
    (None, "(The participants chorused) Yes."),
]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with create_project(tmp_path / "study.earmark") as opened:
        yield opened


def _study(project: Project) -> int:
    transcript_id, _rows = add_turns(project, "M01 Starting up", TURNS)
    pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah", "S.J."])
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "CG", ["Zoë"])
    with project.write() as session:  # the register, written plainly (the register's services are elsewhere)
        for code, consent in (("SW", "observe_only"), ("OT", "withdrawn"), ("SN1", "full")):
            participant = Participant(role_code=code, role="", organisation="", consent=consent, attributes={})
            session.add(participant)
            session.flush()
            session.scalars(select(Speaker).where(Speaker.label == code)).one().participant_id = participant.id
    return transcript_id


def test_left_out_turns_have_no_words(project: Project) -> None:
    transcript_id = _study(project)
    exported = export_transcript(project, transcript_id, pseudonymise=False)
    by_speaker = {turn.speaker: turn for turn in exported.turns}
    assert by_speaker["SW"].text == "" and "observed only" in (by_speaker["SW"].left_out or "")
    assert by_speaker["OT"].text == "" and "withdrew" in (by_speaker["OT"].left_out or "")
    assert by_speaker["SN1"].left_out is None and by_speaker[None].text == TURNS[4][1]
    assert exported.timed and by_speaker["CS"].start == 20.0


def test_text_export_leaves_out_excluded_words_and_marks_the_gap(project: Project, tmp_path: Path) -> None:
    transcript_id = _study(project)
    out = tmp_path / "m01.txt"
    summary = write_text_export(project, out, [transcript_id], pseudonymise=False)
    text = out.read_text(encoding="utf-8")
    assert "secret words" not in text and "withdrawn remark" not in text
    assert "[0:00:10] [SW consented to be observed only; turn left out]" in text
    assert "[0:00:00] SN1: Welcome everyone. Sarah Jones sends her apologies." in text
    assert "[0:00:40] (The participants chorused) Yes." in text
    assert text.startswith("M01 Starting up\n\n")
    assert (summary.turns, summary.left_out) == (3, 2)
    write_text_export(project, out, [transcript_id], pseudonymise=False, placeholders=False)
    assert "turn left out" not in out.read_text(encoding="utf-8")


def test_pseudonymised_export_has_no_real_names_and_the_project_is_unchanged(project: Project, tmp_path: Path) -> None:
    transcript_id = _study(project)
    before = transcripts.segments(project, transcript_id)
    out = tmp_path / "m01.txt"
    write_text_export(project, out, [transcript_id], pseudonymise=True)
    text = out.read_text(encoding="utf-8")
    for name in ("Sarah", "Jones", "Zoë", "S.J."):
        assert name not in text
    assert "SN2 sends her apologies" in text and "CG's report is late, says SN2." in text
    assert "(names pseudonymised)" in text
    assert transcripts.segments(project, transcript_id) == before
    assert pseudonyms.find_matches(project)  # the names are still in the project


def test_text_sources_have_no_times(project: Project, tmp_path: Path) -> None:
    transcript_id, _rows = add_turns(project, "M01 minutes", [(None, "Apologies: Sarah."), ("SN1", "Item 1 agreed.")])
    with project.write() as session:
        session.get(Transcript, transcript_id).kind = "minutes"
    out = tmp_path / "minutes.txt"
    write_text_export(project, out, [transcript_id], pseudonymise=False)
    assert out.read_text(encoding="utf-8") == "M01 minutes\n\nApologies: Sarah.\n\nSN1: Item 1 agreed.\n"


def test_leaking_names_names_every_place(project: Project) -> None:
    transcript_id = _study(project)
    leaks = leaking_names(project, [transcript_id], pseudonymise=False)
    assert [(leak.real_name, leak.text, leak.place) for leak in leaks] == [
        ("Sarah Jones", "Sarah Jones", "M01 Starting up, 0:00:00 (turn 1)"),
        ("Zoë Brennan", "Zoë", "M01 Starting up, 0:00:20 (turn 3)"),
        ("Sarah Jones", "S.J", "M01 Starting up, 0:00:20 (turn 3)"),  # its full stop ends the sentence
    ]  # not the "Sarah" in SW's turn: those words do not leave the project
    assert leaking_names(project, [transcript_id], pseudonymise=True) == []


def test_leaking_names_in_names_labels_and_memos(project: Project) -> None:
    transcript_id, _rows = add_turns(project, "Interview with Sarah", [("Sarah", "Hello.")])
    pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah"])
    memos.add_memo(project, "project", None, title="Reflections", body="Sarah seemed tired.")
    places = [leak.place for leak in leaking_names(project, [transcript_id], pseudonymise=False, include_memos=True)]
    assert places == ["Interview with Sarah (its name)", "Interview with Sarah, 0:00:00 (turn 1)", "memo “Reflections”"]
    assert leaking_names(project, [transcript_id], pseudonymise=True, include_memos=True) == []
    exported = export_transcript(project, transcript_id, pseudonymise=True)
    assert exported.name == "Interview with SN2" and exported.turns[0].speaker == "SN2"


def test_no_list_no_leaks(project: Project) -> None:
    transcript_id, _rows = add_turns(project, "M01", [("SN1", "Sarah Jones was there.")])
    assert leaking_names(project, [transcript_id], pseudonymise=False) == []


def test_written_whole_or_not_at_all(project: Project, tmp_path: Path) -> None:
    transcript_id = _study(project)
    out = tmp_path / "m01.txt"
    out.write_text("an earlier export\n", encoding="utf-8")
    os.chmod(out, 0o640)
    write_text_export(project, out, [transcript_id], pseudonymise=True)
    assert out.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    with pytest.raises(ProjectError, match="does not exist"):
        write_text_export(project, tmp_path / "missing" / "m01.txt", [transcript_id], pseudonymise=True)
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        os.chmod(locked, 0o500)
        with pytest.raises(ProjectError, match="Cannot write"):
            write_text_export(project, locked / "m01.txt", [transcript_id], pseudonymise=True)
