"""The coding commands as a user runs them: the code tree, a code's passages, auto-coding, and
the one-line errors for a code, speaker or pattern that is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import run
from storage.project import open_project
from storage.retrieval import coded_passages
from tests.conftest import run_earmark
from tests.storage.coding_data import M01, M02, build_study, word_time


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    build_study(path).project.close()
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_codes_as_json_and_as_an_indented_tree(study_path: Path) -> None:
    result = run_earmark("codes", str(study_path), "--json", timeout=60)  # the real command line, once
    assert result.returncode == 0, result.stderr
    codes = json.loads(result.stdout)
    assert [(c["name"], c["depth"], c["count"], c["total"]) for c in codes] == [
        ("Learning", 0, 1, 3), ("Cross-organisational learning", 1, 1, 2),
        ("Reviewing discharge procedures", 2, 1, 1), ("Partnership", 0, 1, 1)]
    assert set(codes[0]) == {"id", "guid", "name", "parent_id", "depth", "color", "description", "count", "total"}
    assert codes[1]["parent_id"] == codes[0]["id"] and codes[0]["parent_id"] is None
    text = run_earmark("codes", str(study_path), timeout=60).stdout.splitlines()
    assert text == ["Learning  1 (3 with sub-codes)", "  Cross-organisational learning  1 (2 with sub-codes)",
                    "    Reviewing discharge procedures  1", "Partnership  1"]


def test_passages_as_json(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "passages", str(study_path), "--code", "learning", "--json")
    assert code == 0, err
    (passage,) = json.loads(out)
    assert passage["transcript"] == "M01 Starting up" and passage["speaker"] == "SW"
    assert passage["text"] == "The learning was huge!" and passage["code"] == "Learning"
    assert (passage["start"], passage["end"]) == pytest.approx((word_time(1, 6)[0], word_time(1, 9)[1]))

    code, out, _ = cli(capsys, "passages", str(study_path), "--code", "Learning", "--with-subcodes", "--json")
    found = json.loads(out)
    assert [p["code"] for p in found] == ["Reviewing discharge procedures", "Learning", "Cross-organisational learning"]
    assert found[0]["text"].count("\n") == 3  # the story over four turns

    code, out, _ = cli(capsys, "passages", str(study_path), "--code", "Learning", "--with-subcodes",
                       "--speaker", "sn1", "--json")
    assert [p["speaker"] for p in json.loads(out)] == ["SN1", "SN1"]


def test_passages_as_text(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "passages", str(study_path), "--code", "Reviewing discharge procedures")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "M01 Starting up  0:00:01-0:00:30  SN1"
    assert lines[1:5] == ["    " + M01[0][1][M01[0][1].index("We had"):], "    " + M01[1][1], "    " + M01[2][1],
                          "    We changed"]
    assert err.strip() == "1 passage coded with Reviewing discharge procedures."


def test_unknown_code_or_speaker_is_one_line_naming_what_there_is(study_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "passages", str(study_path), "--code", "learnin")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(study_path) in err
    assert "no code named 'learnin'" in err and "'Learning'" in err and "'Cross-organisational learning'" in err
    code, _, err = cli(capsys, "passages", str(study_path), "--code", "Learning", "--speaker", "XX")
    assert code == 1 and err.count("\n") == 1 and "no speaker 'XX' (speakers: CG, SN1, SW)" in err
    code, _, err = cli(capsys, "autocode", str(study_path), "--code", "Care", "--match", "(care")
    assert code == 1 and err.count("\n") == 1 and "Not a valid regular expression: '(care'" in err
    with open_project(study_path, read_only=True) as project:  # the bad pattern did not create the code
        from storage.codebook import find_code

        assert find_code(project, "Care") is None


def test_autocode_a_pattern_creates_the_code_and_skips_what_is_coded(study_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "autocode", str(study_path), "--code", "Learning talk", "--match", "learn\\w*",
                         "--scope", "sentence", "--dry-run")
    assert code == 0
    assert out.splitlines() == ["M01 Starting up  SW: The learning was huge!",
                                "M02 Training  SN1: Learning from each other helps.",
                                "M02 Training  SN1: Learning, always."]
    assert "Would code 3 passages" in err and "nothing was written" in err
    code, out, err = cli(capsys, "autocode", str(study_path), "--code", "Learning talk", "--match", "learn\\w*",
                         "--scope", "sentence")
    assert code == 0 and "Created the code Learning talk" in err
    assert out.strip() == "Coded 3 passages matching 'learn\\w*' with Learning talk."
    code, out, err = cli(capsys, "autocode", str(study_path), "--code", "learning TALK", "--match", "learn\\w*",
                         "--scope", "sentence")
    assert code == 0 and out == "" and "Nothing new to code: 3 passages matching" in err and "(3 already coded)" in err
    with open_project(study_path, read_only=True) as project:
        from storage.codebook import find_code

        talk = find_code(project, "Learning talk")
        assert talk is not None and talk.count == 3
        assert [p.text for p in coded_passages(project, [talk.id])][-1] == "Learning, always."


def test_autocode_a_speakers_turns(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "autocode", str(study_path), "--code", "Partnership", "--speaker", "sn1")
    assert code == 0 and out.strip() == "Coded 3 passages of SN1 with Partnership."
    code, out, _ = cli(capsys, "passages", str(study_path), "--code", "Partnership", "--json")
    assert [p["text"] for p in json.loads(out)] == [M01[0][1], M01[2][1], M01[3][1], M02[1][1]]
    code, _, err = cli(capsys, "autocode", str(study_path), "--code", "Partnership", "--speaker", "Chair")
    assert code == 1 and "no speaker 'Chair'" in err


def test_autocode_refuses_a_project_open_elsewhere(study_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_project(study_path):  # as if open in the window
        code, _, err = cli(capsys, "autocode", str(study_path), "--code", "Partnership", "--speaker", "SW")
        assert code == 1 and err.count("\n") == 1 and "read-only" in err and "--dry-run" in err
        code, out, _ = cli(capsys, "autocode", str(study_path), "--code", "Partnership", "--speaker", "SW", "--dry-run")
        assert code == 0 and out.strip() == f"M01 Starting up  SW: {M01[1][1]}"
