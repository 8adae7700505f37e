"""The register commands as a user runs them: participants and meetings as text and JSON (with
the quorum warning), adding from the command line, the roles table and time-plan files, an
encrypted project opened with --password-file, and the one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from docx import Document

from app.cli import run
from storage import participants
from storage.project import create_project, open_project
from tests.conftest import run_earmark
from tests.storage.register_data import build_register_demo


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        build_register_demo(project)
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_participants_as_json(study_path: Path) -> None:
    result = run_earmark("participants", str(study_path), "--json", timeout=60)  # the real command line, once
    assert result.returncode == 0, result.stderr
    people = json.loads(result.stdout)
    assert [(p["role_code"], p["organisation"], p["consent"], p["excluded"]) for p in people] == [
        ("SN1", "NHS trust", "full", False), ("SN2", "NHS trust", "full", False), ("CS", "NHS trust", "full", False),
        ("CG", "NHS trust", "full", False), ("OT", "NHS trust", "full", False),
        ("SW", "Local authority", "observe_only", True)]
    assert people[0]["speakers"] == ["SN1"] and people[1]["speakers"] == []
    assert people[0]["attributes"] == {"profession": "nursing", "years in post": "12"}
    assert set(people[0]) == {"id", "guid", "role_code", "role", "organisation", "consent", "excluded", "speakers",
                              "attributes"}


def test_participants_as_text_say_who_is_left_out(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "participants", str(study_path))
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("SN1  Senior Nurse 1") and "speakers: SN1" in lines[0]
    assert lines[-1].strip() == "! SW consented to be observed only: left out of analysis"


def test_meetings_as_json_with_the_quorum(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "meetings", str(study_path), "--json")
    data = json.loads(out)
    assert code == 0 and data["quorum"] == 4
    rows = {m["code"]: m for m in data["meetings"]}
    assert list(rows) == ["M01", "M02", "M03", "M04"]
    assert rows["M03"]["below_quorum"] and rows["M03"]["warning"] == "Below quorum: 3 attended, the quorum is 4"
    assert rows["M03"]["attendance"] == {"SN1": "absent", "SN2": "absent", "CS": "present", "CG": "present",
                                         "OT": "part", "SW": "absent"}
    assert (rows["M03"]["recorded"], rows["M03"]["attending"]) == (False, 3)
    assert not rows["M04"]["below_quorum"] and rows["M04"]["warning"] is None
    assert [t["name"] for t in rows["M04"]["transcripts"]] == ["M04 recording"]


def test_meetings_as_text_flag_the_one_below_quorum(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = cli(capsys, "meetings", str(study_path))
    lines = out.splitlines()
    m03 = lines.index(next(line for line in lines if line.startswith("M03")))
    assert lines[0].startswith("quorum: 4")
    assert "not recorded" in lines[m03] and "CS, CG, OT (part); absent: SN1, SN2, SW" in lines[m03]
    assert lines[m03 + 1].strip() == "! Below quorum: 3 attended, the quorum is 4"
    assert sum("Below quorum" in line for line in lines) == 1
    _code, out, _err = cli(capsys, "meetings", str(study_path), "--quorum", "6")
    assert sum("Below quorum" in line for line in out.splitlines()) == 2  # M03 and M04 (five there)


def test_adding_a_participant_and_a_meeting_with_attendance(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "participants", str(study_path), "--add", "OT2", "--role", "Occupational therapist",
                          "--organisation", "NHS trust", "--consent", "withdrawn")
    assert code == 0, err
    code, out, err = cli(capsys, "meetings", str(study_path), "--add", "--date", "2010-04-08", "--phase",
                         "Fully operational", "--present", "SN1,SN2,CS", "--part", "OT", "--absent", "SW,CG",
                         "--not-recorded")
    assert code == 0, err
    assert "M05  2010-04-08  Fully operational  not recorded  SN1, SN2, CS, OT (part); absent: CG, SW" in out
    with open_project(study_path, read_only=True) as project:
        assert participants.find_participant(project, "OT2").consent == "withdrawn"


def test_consent_is_changed_from_the_command_line(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "participants", str(study_path), "--set", "cg", "--consent", "withdrawn")
    assert code == 0 and "CG consented" not in out and "CG withdrew consent: left out of analysis" in out
    code, _out, err = cli(capsys, "participants", str(study_path), "--set", "CG")
    assert code == 1 and "--set needs --consent" in err


@pytest.mark.parametrize("argv, message", [
    (("participants", "{path}", "--add", "sn1"), "There is already a participant SN1"),
    (("participants", "{path}", "--set", "XX", "--consent", "full"), "has no participant 'XX' (it has SN1, SN2, CS"),
    (("meetings", "{path}", "--add", "M06", "--date", "14/01/2010"), "is not a date written YYYY-MM-DD"),
    (("meetings", "{path}", "--add", "M06", "--present", "ZZ"), "has no participant 'ZZ'"),
    (("meetings", "{path}", "--quorum", "0"), "The quorum must be a whole number of at least 1"),
    (("roles", "{path}", "-o", "{dir}/roles.pdf"), "roles.pdf: choose a file name ending in .docx"),
    (("timeplan", "{path}", "-o", "{dir}/missing/tp.csv"), "the folder"),
    (("meetings", "{dir}/absent.earmark"), "absent.earmark does not exist"),
])
def test_errors_are_one_line_and_change_nothing(study_path: Path, capsys: pytest.CaptureFixture[str],
                                                argv: tuple[str, ...], message: str) -> None:
    args = [a.format(path=study_path, dir=study_path.parent) for a in argv]
    code, _out, err = cli(capsys, *args)
    assert code == 1 and err.startswith("earmark: error: ") and message in err and err.count("\n") == 1
    with open_project(study_path, read_only=True) as project:
        assert [p.role_code for p in participants.list_participants(project)] == ["SN1", "SN2", "CS", "CG", "OT", "SW"]
    assert "M06" not in cli(capsys, "meetings", str(study_path))[1]


def test_roles_and_timeplan_files(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = study_path.parent
    assert cli(capsys, "roles", str(study_path), "-o", str(out_dir / "roles.docx"))[0] == 0
    assert cli(capsys, "timeplan", str(study_path), "-o", str(out_dir / "timeplan.csv"))[0] == 0
    table = Document(str(out_dir / "roles.docx")).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["Code", "Role", "Organisation"]
    assert [row.cells[0].text for row in table.rows[1:]] == ["CG", "CS", "OT", "SN1", "SN2", "SW"]
    with (out_dir / "timeplan.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert [(r[1], r[4]) for r in rows[1:]] == [("M01", "yes"), ("M02", "yes"), ("M03", "no"), ("M04", "yes")]


def test_an_encrypted_project_is_read_with_the_password_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "secret.earmark"
    with create_project(path, "correct horse") as project:
        build_register_demo(project)
    secret = tmp_path / "password.txt"
    secret.write_text("correct horse\n")
    code, out, err = cli(capsys, "meetings", str(path), "--password-file", str(secret), "--json")
    assert code == 0, err
    assert [m["code"] for m in json.loads(out)["meetings"]] == ["M01", "M02", "M03", "M04"]
    code, _out, err = cli(capsys, "roles", str(path), "--password-file", str(secret), "-o", str(tmp_path / "r.csv"))
    assert code == 0, err
    assert (tmp_path / "r.csv").exists()


def test_a_listed_real_name_stops_the_table_until_pseudonymised_or_allowed(study_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from storage import pseudonyms

    with open_project(study_path) as project:
        pseudonyms.add_pseudonym(project, "Jane Smith", "SN1")
        sn1 = participants.find_participant(project, "SN1")
        participants.update_participant(project, sn1.id, role="Senior Nurse 1 (Jane Smith)")
    out = study_path.parent / "roles.csv"
    code, _out, err = cli(capsys, "roles", str(study_path), "-o", str(out))
    assert code == 1 and not out.exists()
    assert "Jane Smith (Jane Smith) in Participants and their roles, SN1: role" in err
    assert "nothing was written. Add --pseudonymise" in err
    code, printed, err = cli(capsys, "roles", str(study_path), "-o", str(out), "--pseudonymise")
    assert code == 0 and "names pseudonymised" in printed
    with out.open(encoding="utf-8-sig", newline="") as stream:
        assert [r[1] for r in csv.reader(stream) if r[0] == "SN1"] == ["Senior Nurse 1 (SN1)"]
    assert cli(capsys, "roles", str(study_path), "-o", str(out), "--allow-names")[0] == 0
    assert "Jane Smith" in out.read_text(encoding="utf-8-sig")
