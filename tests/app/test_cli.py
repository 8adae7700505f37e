"""The command line as a user runs it: transcribe, info, show, and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import run_earmark, shared_file


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_transcribe_then_show_json_gives_words_with_times(jfk: Path, project_path: Path) -> None:
    result = run_earmark("transcribe", str(jfk), "--project", str(project_path))
    assert result.returncode == 0, result.stderr
    shown = json.loads(run_earmark("show", str(project_path), "--json").stdout)
    text = " ".join(turn["text"] for turn in shown["turns"])
    assert "ask not what your country can do for you" in text
    words = [w for turn in shown["turns"] for w in turn["words"]]
    assert len(words) == 22 and {"text", "start", "end", "probability"} <= set(words[0])
    info = json.loads(run_earmark("info", str(project_path), "--json").stdout)
    assert info["transcripts"][0]["status"] == "done"
    assert info["transcripts"][0]["words"] == 22
    assert info["recordings"][0]["duration"] == pytest.approx(11.0, abs=0.1)


def test_four_speaker_meeting(project_path: Path) -> None:
    mixture = shared_file("audio/pyannote/seriously/mixture.wav")
    result = run_earmark("transcribe", str(mixture), "--project", str(project_path), "--sequential")
    assert result.returncode == 0, result.stderr
    shown = json.loads(run_earmark("show", str(project_path), "--json").stdout)
    assert len(shown["turns"]) >= 3
    assert shown["turns"][-1]["end"] > 45
    assert sum(len(t["words"]) for t in shown["turns"]) > 80


def test_transcribing_again_does_nothing_new(jfk: Path, project_path: Path) -> None:
    assert run_earmark("transcribe", str(jfk), "--project", str(project_path)).returncode == 0
    again = run_earmark("transcribe", str(jfk), "--project", str(project_path))
    assert again.returncode == 0 and "already transcribed" in again.stderr
    info = json.loads(run_earmark("info", str(project_path), "--json").stdout)
    assert len(info["recordings"]) == 1 and len(info["transcripts"]) == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.wav", None, "does not exist"),
        ("empty.wav", b"", "is empty"),
        ("notes.wav", b"Interview notes, typed up, not audio.\n" * 40, "not a media file"),
        ("corrupt.flac", b"fLaC\x00\x00\x00\x22" + b"\x13" * 5000, "not a media file|could not be decoded|no audio"),
    ],
)
def test_bad_media_is_one_clear_line_and_changes_nothing(
    tmp_path: Path, jfk: Path, project_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    assert run_earmark("transcribe", str(jfk), "--project", str(project_path)).returncode == 0
    before = run_earmark("info", str(project_path), "--json").stdout
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    result = run_earmark("transcribe", str(bad), "--project", str(project_path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0]
    import re

    assert re.search(expected, lines[0])
    assert run_earmark("info", str(project_path), "--json").stdout == before


def test_bad_media_does_not_create_a_project(tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio " * 100)
    project = tmp_path / "new.earmark"
    result = run_earmark("transcribe", str(bad), "--project", str(project))
    assert result.returncode == 1
    assert not project.exists()


@pytest.mark.parametrize("content", [b"plain text, not a project\n" * 30, b"SQLite format 3\x00" + b"\xff" * 3000])
def test_project_that_is_not_sqlite_or_damaged_is_not_overwritten(tmp_path: Path, jfk: Path, content: bytes) -> None:
    project = tmp_path / "thesis.earmark"
    project.write_bytes(content)
    result = run_earmark("transcribe", str(jfk), "--project", str(project))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and str(project) in result.stderr
    assert project.read_bytes() == content
    for command in (["info", str(project)], ["show", str(project)]):
        shown = run_earmark(*command)
        assert shown.returncode == 1 and str(project) in shown.stderr and "Traceback" not in shown.stderr


def test_unknown_model_is_explained(jfk: Path, project_path: Path) -> None:
    result = run_earmark("transcribe", str(jfk), "--project", str(project_path), "--model", "nonsense-model")
    assert result.returncode == 1 and "Unknown model" in result.stderr
    assert not project_path.exists()


def test_vocabulary_is_kept_in_the_project_and_used(tmp_path: Path, project_path: Path) -> None:
    clip = shared_file("audio/faster-whisper/hotwords.mp3")
    from storage.project import create_project

    create_project(project_path).close()
    listed = run_earmark("vocabulary", str(project_path), "ComfyUI", "Community of Practice")
    assert listed.returncode == 0 and listed.stdout.split("\n")[:2] == ["ComfyUI", "Community of Practice"]
    assert run_earmark("transcribe", str(clip), "--project", str(project_path)).returncode == 0
    shown = json.loads(run_earmark("show", str(project_path), "--json").stdout)
    assert "comfyui" in " ".join(t["text"] for t in shown["turns"]).lower()
