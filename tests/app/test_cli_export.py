"""`earmark export` and `earmark pseudonyms` as a user runs them: the pre-export check refuses
and names where a listed real name would leave; --pseudonymise exports without them and leaves
the project unchanged; the list is kept, previewed and applied from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import run
from storage import pseudonyms, transcripts
from storage.models import AuditEntry, Participant, Speaker
from storage.project import create_project, open_project
from tests.conftest import run_earmark
from tests.helpers import add_turns

TURNS = [
    ("SN1", "Sarah Jones rang me about the transfer."),
    ("SW", "Observer's aside: Sarah lives next door."),
    ("CS", "S.J. was upset, says Zoë."),
]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        add_turns(project, "M01 Starting up", TURNS)
        add_turns(project, "M02 Operational", [("CG", "Nothing about anyone here.")])
        with project.write() as session:
            observer = Participant(role_code="SW", consent="observe_only", attributes={})
            session.add(observer)
            session.flush()
            session.scalars(select(Speaker).where(Speaker.label == "SW")).one().participant_id = observer.id
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def names_listed(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "pseudonyms", path, "add", "Sarah Jones", "SN2", "--variant", "Sarah", "--variant", "S.J.")[0] == 0
    assert cli(capsys, "pseudonyms", path, "add", "Zoë Brennan", "CG", "--variant", "Zoë")[0] == 0


def test_export_refuses_and_names_where(study: Path, tmp_path: Path) -> None:
    with open_project(study) as project:
        pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah", "S.J."])
    out = tmp_path / "m01.txt"
    result = run_earmark("export", str(study), "--format", "txt", "--transcript", "1", "-o", str(out), timeout=60)
    assert result.returncode == 1
    assert "Sarah Jones in M01 Starting up, 0:00:00 (turn 1)" in result.stderr
    assert "S.J. (Sarah Jones) in M01 Starting up, 0:00:20 (turn 3)" in result.stderr
    assert "turn 2" not in result.stderr  # the observer's turn is not exported, so it cannot leak
    assert "nothing was written" in result.stderr and "--pseudonymise" in result.stderr
    assert result.stderr.count("earmark: error:") == 1
    assert not out.exists()


def test_export_pseudonymised_has_no_real_names_and_leaves_the_project(study: Path, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    project_bytes = study.read_bytes()
    out = tmp_path / "all.txt"
    code, _out, err = cli(capsys, "export", study, "-o", out, "--pseudonymise")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    for name in ("Sarah", "Jones", "S.J.", "Zoë"):
        assert name not in text
    assert "[0:00:00] SN1: SN2 rang me about the transfer." in text and "says CG." in text
    assert "lives next door" not in text and "turn left out" in text
    assert "M02 Operational" in text  # every transcript by default
    assert "1 left out (consent); names pseudonymised" in err
    assert study.read_bytes() == project_bytes  # the project file itself is untouched
    with open_project(study, read_only=True) as project:
        assert transcripts.segments(project, 1)[0].text == TURNS[0][1]


def test_allow_names_exports_them_with_a_warning(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    out = tmp_path / "m01.txt"
    code, _out, err = cli(capsys, "export", study, "--transcript", "1", "-o", out, "--allow-names", "--no-placeholders")
    assert code == 0 and "Exporting with listed real names in 3 places" in err
    text = out.read_text(encoding="utf-8")
    assert "Sarah Jones rang me" in text and "turn left out" not in text and "next door" not in text


def test_export_errors_name_the_file(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "export", study, "--transcript", "9", "-o", tmp_path / "x.txt")
    assert code == 1 and "has no transcript 9 (it has 1, 2)" in err
    code, _out, err = cli(capsys, "export", study, "-o", study)
    assert code == 1 and "is the project itself" in err
    code, _out, err = cli(capsys, "export", study, "-o", tmp_path / "no" / "such" / "x.txt")
    assert code == 1 and "Cannot write" in err and "does not exist" in err


def test_the_list_from_the_command_line(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "pseudonyms", study)[1].startswith("(no pseudonyms")
    names_listed(study, capsys)
    code, out, _err = cli(capsys, "pseudonyms", study, "--json")
    assert [(e["real_name"], e["replacement"], e["variants"]) for e in json.loads(out)] == [
        ("Sarah Jones", "SN2", ["Sarah", "S.J."]), ("Zoë Brennan", "CG", ["Zoë"])]
    code, out, _err = cli(capsys, "pseudonyms", study, "edit", "s.j.", "--replacement", "SN3", "--variant", "Sarah")
    assert code == 0 and out.strip() == "Changed to Sarah Jones → SN3  (also: Sarah)"
    code, out, _err = cli(capsys, "pseudonyms", study, "remove", "zoë")
    assert code == 0 and "Removed Zoë Brennan → CG" in out
    assert cli(capsys, "pseudonyms", study)[1].strip() == "Sarah Jones → SN3  (also: Sarah)"
    code, _out, err = cli(capsys, "pseudonyms", study, "add", "Mark Lee", "Mr Lee")
    assert code == 1 and "keeps part of “Mark Lee”" in err
    code, _out, err = cli(capsys, "pseudonyms", study, "remove", "Nobody")
    assert code == 1 and "lists no real name 'Nobody' (listed: Sarah Jones)" in err


def test_preview_then_apply(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    code, out, err = cli(capsys, "pseudonyms", study, "preview")
    assert code == 0 and "nothing was changed" in err
    assert out.splitlines() == [
        "Sarah Jones → SN2: 3 matches",
        "    M01 Starting up  0:00:00  SN1:  «Sarah Jones» rang me about the transfer.",
        "    M01 Starting up  0:00:11  SW:  Observer's aside: «Sarah» lives next door.",
        "    M01 Starting up  0:00:20  CS:  «S.J.» was upset, says Zoë.",
        "Zoë Brennan → CG: 1 match",
        "    M01 Starting up  0:00:22  CS:  S.J. was upset, says «Zoë».",
    ]
    code, out, _err = cli(capsys, "pseudonyms", study, "preview", "--json")
    assert [(m["text"], m["segment_id"], m["offset"]) for m in json.loads(out)][0] == ("Sarah Jones", 1, 0)
    code, out, err = cli(capsys, "pseudonyms", study, "apply")
    assert code == 0, err
    assert out.strip() == "Replaced 3 × SN2, 1 × CG in 3 turns of 1 transcript; recorded in the audit."
    with open_project(study, read_only=True) as project:
        assert [t.text for t in transcripts.segments(project, 1)] == [
            "SN2 rang me about the transfer.", "Observer's aside: SN2 lives next door.", "SN2 was upset, says CG."]
        with project.session() as session:
            assert session.scalars(select(AuditEntry.action)).all()[-1] == "pseudonymised"
    assert cli(capsys, "pseudonyms", study, "preview", "--json")[1].strip() == "[]"


def test_apply_says_backups_hold_the_names_and_purges_them_on_request(study: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from storage import backups

    names_listed(study, capsys)
    backups.take_backup(study, "before-names", force=True)
    code, _out, err = cli(capsys, "pseudonyms", study, "apply", "--transcript", "1", "--no-memos")
    assert code == 0 and "still hold the real names; add --purge-backups" in err
    assert backups.existing_backups(study)
    code, out, err = cli(capsys, "pseudonyms", study, "apply", "--purge-backups")
    assert code == 0, err
    assert "that held the real names" in out and not backups.existing_backups(study)
