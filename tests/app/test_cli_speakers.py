"""The speaker commands as a user runs them: `earmark transcribe --speakers`, `earmark speakers`
(list, then --apply), `earmark speakers install`, and `earmark show --json` with each word's
speaker. Real tiny.en, real weights (skipped when not installed), real project files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from audio.speaker_weights import WEIGHTS_ENV
from resources import sample_recording
from tests.conftest import installed_speaker_weights, run_earmark, shared_file


@pytest.fixture(scope="session")
def weights_env() -> dict[str, str]:
    """The environment naming the installed speaker model; skips without one (asked for before
    the module's transcription, so a skip costs nothing)."""
    return {**os.environ, WEIGHTS_ENV: str(installed_speaker_weights())}


def without_weights(tmp_path: Path, content: bytes | None = None) -> tuple[dict[str, str], Path]:
    path = tmp_path / "no-model" / "resemblyzer-0.1.4-encoder.npz"
    if content is not None:
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    return {**os.environ, WEIGHTS_ENV: str(path)}, path


def shown(project: Path) -> dict:
    result = run_earmark("show", str(project), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample transcribed by the command line, without speakers."""
    path = tmp_path_factory.mktemp("cli-speakers") / "template.earmark"
    result = run_earmark("transcribe", str(sample_recording()), "--project", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def project(transcribed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "study.earmark"
    shutil.copy(transcribed, copy)
    return copy


def test_transcribe_with_speakers_labels_every_word(weights_env: dict[str, str], project_path: Path) -> None:
    env = weights_env
    result = run_earmark("transcribe", str(sample_recording()), "--project", str(project_path), "--speakers", "4",
                         env=env)
    assert result.returncode == 0, result.stderr
    assert "meeting.flac speakers [" in result.stderr and "left" in result.stderr  # its own progress, time left
    assert "meeting.flac: speakers Speaker 1, Speaker 2, Speaker 3, Speaker 4 (" in result.stderr
    data = shown(project_path)
    words = [w for turn in data["turns"] for w in turn["words"]]
    assert words and all(w["speaker"] == turn["speaker"] for turn in data["turns"] for w in turn["words"])
    assert {w["speaker"] for w in words} == {"Speaker 1", "Speaker 2", "Speaker 3", "Speaker 4"}
    assert not any(turn["speaker_by_hand"] for turn in data["turns"])


def test_without_the_model_transcription_finishes_and_says_how_to_get_speakers(tmp_path: Path, project_path: Path) -> None:
    jfk = shared_file("audio/faster-whisper/jfk.flac")
    env, missing = without_weights(tmp_path)
    result = run_earmark("transcribe", str(jfk), "--project", str(project_path), "--speakers", "auto", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stderr.splitlines() if "without speaker labels" in line)
    assert str(missing) in line and "earmark speakers install" in line
    data = shown(project_path)
    assert data["transcript"]["status"] == "done" and "ask not what your country" in data["turns"][0]["text"]
    assert all(turn["speaker"] is None for turn in data["turns"])


def test_a_damaged_model_is_one_line_naming_the_file(project: Path, tmp_path: Path) -> None:
    env, damaged = without_weights(tmp_path, b"PK\x03\x04 half a download")
    before = hashlib.sha256(project.read_bytes()).hexdigest()
    result = run_earmark("speakers", str(project), "--apply", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("earmark: error: The speaker model at " + str(damaged))
    assert "damaged" in result.stderr and "earmark speakers install" in result.stderr
    assert hashlib.sha256(project.read_bytes()).hexdigest() == before


def test_speakers_lists_the_changes_then_applies_them_and_leaves_hand_set_turns(weights_env: dict[str, str],
                                                                                project: Path) -> None:
    env = weights_env
    before = hashlib.sha256(project.read_bytes()).hexdigest()
    listed = run_earmark("speakers", str(project), "--count", "4", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "turn 1 at 00:00: no speaker → Speaker 1" in listed.stdout
    assert "split into 2" in listed.stdout and "Nothing was changed: run again with --apply" in listed.stdout
    assert "Labelling speakers in meeting (transcript 1)" in listed.stderr and "meeting speakers [" in listed.stderr
    assert hashlib.sha256(project.read_bytes()).hexdigest() == before

    applied = run_earmark("speakers", str(project), "--count", "4", "--apply", env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Applied:" in applied.stdout and "splits" in applied.stdout
    turns = shown(project)["turns"]
    assert all(turn["speaker"] for turn in turns)

    # A person names the first turn's speaker; re-running leaves that turn and changes nothing else.
    from storage import editing, transcripts
    from storage.project import open_project

    with open_project(project) as opened:
        first = transcripts.segments(opened, 1)[0]
        editing.set_turn_speaker(opened, first.id, "SN1")
    again = run_earmark("speakers", str(project), "--count", "4", "--apply", env=env)
    assert again.returncode == 0, again.stderr
    assert "No changes" in again.stdout and "1 turns whose speaker a person set are left as they are" in again.stdout
    after = shown(project)["turns"]
    assert after[0]["speaker"] == "SN1" and after[0]["speaker_by_hand"]
    assert [t["speaker"] for t in after[1:]] == [t["speaker"] for t in turns[1:]]


def test_stereo_one_speaker_per_channel(project_path: Path) -> None:
    clip = shared_file("audio/faster-whisper/stereo_diarization.wav")
    result = run_earmark("transcribe", str(clip), "--project", str(project_path), "--speakers", "channels")
    assert result.returncode == 0, result.stderr
    turns = shown(project_path)["turns"]
    by_speaker = {turn["speaker"]: turn["text"] for turn in turns}
    assert len(turns) == 2 and set(by_speaker) == {"Speaker 1", "Speaker 2"}
    assert "wizard" in by_speaker["Speaker 1"] and "horizon" in by_speaker["Speaker 2"]
    listed = run_earmark("speakers", str(project_path), "--count", "channels")
    assert listed.returncode == 0 and "No changes" in listed.stdout


def test_channels_on_a_one_channel_recording_keeps_the_transcript(project: Path) -> None:
    result = run_earmark("transcribe", str(sample_recording()), "--project", str(project), "--speakers", "channels")
    assert result.returncode == 0, result.stderr
    assert "already transcribed" in result.stderr
    assert "meeting.flac: transcribed without speaker labels. meeting.flac has one channel" in result.stderr
    listed = run_earmark("speakers", str(project), "--count", "channels")
    assert listed.returncode == 1 and "one channel" in listed.stderr and "Traceback" not in listed.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["--count", "lots"], "is not a speaker count: give auto, channels, or a number from 1 to 30"),
    (["--transcript", "7"], "has no transcribed recording with transcript id 7 (it has 1)"),
])
def test_bad_arguments_are_one_clear_line(project: Path, args: list[str], expected: str) -> None:
    result = run_earmark("speakers", str(project), *args)
    assert result.returncode in (1, 2) and expected in result.stderr and "Traceback" not in result.stderr


def test_a_project_without_recordings(project_path: Path) -> None:
    from storage.project import create_project

    create_project(project_path).close()
    result = run_earmark("speakers", str(project_path))
    assert result.returncode == 1 and "has no transcribed recordings: transcribe one first" in result.stderr


def test_install_when_installed_uses_no_network(weights_env: dict[str, str]) -> None:
    env = weights_env
    result = run_earmark("speakers", "install", env={**env, "https_proxy": "http://127.0.0.1:9",
                                                     "HTTPS_PROXY": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("The speaker model is installed: ")


def test_install_without_network_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import run

    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "speakers" / "resemblyzer-0.1.4-encoder.npz"))
    monkeypatch.setattr("audio.speaker_weights.WHEEL_URL", "http://127.0.0.1:9/Resemblyzer-0.1.4-py3-none-any.whl")
    assert run(["speakers", "install"]) == 1
    err = capsys.readouterr().err
    assert "earmark: error: Cannot download the speaker model" in err and "earmark speakers install" in err
    assert not (tmp_path / "speakers" / "resemblyzer-0.1.4-encoder.npz").exists()


def test_a_mono_recording_saved_as_stereo_is_transcribed_once(tmp_path: Path, project_path: Path) -> None:
    import wave

    import numpy as np

    from audio.decode import decode

    samples = (np.clip(decode(shared_file("audio/faster-whisper/jfk.flac")), -1, 1) * 32767).astype("<i2")
    stereo = tmp_path / "both-channels.wav"
    with wave.open(str(stereo), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(np.repeat(samples, 2).tobytes())
    result = run_earmark("transcribe", str(stereo), "--project", str(project_path), "--speakers", "channels")
    assert result.returncode == 0, result.stderr
    assert "both-channels.wav: transcribing without speaker labels. both-channels.wav's two channels carry the same sound" \
        in result.stderr
    text = " ".join(turn["text"] for turn in shown(project_path)["turns"])
    assert text.count("ask not what your country") == 1
