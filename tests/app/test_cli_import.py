"""`earmark import`: transcripts from other tools, checked before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import run
from storage import meetings, transcripts
from storage.project import create_project, open_project


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        meetings.create_meeting(project, "M04", date="2010-03-11")
    return path


def test_import_into_a_meeting(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vtt = tmp_path / "M04.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:03.000\n<v SN1>Hot issues first.\n", encoding="utf-8")
    code, out, err = cli(capsys, "import", study, vtt, "--meeting", "m04")
    assert code == 0, err
    assert out.strip() == f"{vtt}: transcript 1 (vtt), 1 turn."
    with open_project(study, read_only=True) as project:
        (turn,) = transcripts.segments(project, 1)
        assert (turn.speaker, turn.start, turn.end, turn.text) == ("SN1", 1.0, 3.0, "Hot issues first.")
        assert meetings.sources(project)[0].meeting_id == meetings.list_meetings(project)[0].id


def test_one_broken_file_imports_nothing(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.srt", tmp_path / "bad.srt"
    good.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n", encoding="utf-8")
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\nTwo\n", encoding="utf-8")
    code, _out, err = cli(capsys, "import", study, good, bad)
    assert code == 1 and "bad.srt, line 5: expected the cue's times" in err
    with open_project(study, read_only=True) as project:
        assert transcripts.list_transcripts(project) == []


def test_unknown_formats_and_meetings_are_refused(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "import", study, tmp_path / "project.qdpx")
    assert code == 1 and "'.qdpx' is not one of them" in err
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n", encoding="utf-8")
    code, _out, err = cli(capsys, "import", study, srt, "--meeting", "M09")
    assert code == 1 and "has no meeting M09 (meetings: M04)" in err
