"""A transcription killed part-way (SIGKILL) loses nothing it stored, and the next run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from storage import transcripts
from storage.project import open_project
from tests.conftest import ROOT, run_earmark


def stored_turns(project_path: Path) -> int:
    if not project_path.exists():
        return 0
    try:
        with open_project(project_path, read_only=True) as project:
            found = transcripts.list_transcripts(project)
            return found[0].segment_count if found else 0
    except Exception:  # the file may be mid-creation; just look again
        return 0


def test_sigkill_keeps_stored_turns_and_resume_continues(long_recording: Path, tmp_path: Path) -> None:
    project_path = tmp_path / "killed.earmark"
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "transcribe", str(long_recording), "--project", str(project_path), "--sequential"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while stored_turns(project_path) < 8 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the command and its engine process, with no warning
    process.wait()

    with open_project(project_path) as project:  # opens: the integrity check passed
        [transcript] = transcripts.list_transcripts(project)
        before = transcripts.segments(project, transcript.id)
    assert len(before) >= 8
    assert transcript.status != "done"
    duration = 3 * 96.9
    assert 0 < transcript.transcribed_until < duration * 0.9, "killed part-way, not at the end"

    result = run_earmark("transcribe", str(long_recording), "--project", str(project_path), "--sequential")
    assert result.returncode == 0, result.stderr
    assert "resuming at" in result.stderr

    with open_project(project_path, read_only=True) as project:
        [transcript] = transcripts.list_transcripts(project)
        after = transcripts.segments(project, transcript.id)
    assert transcript.status == "done"
    assert [s.text for s in after[: len(before)]] == [s.text for s in before], "stored turns are kept as they were"
    resumed = after[len(before):]
    assert resumed and resumed[0].start >= before[-1].end - 0.01, "the resumed run starts where the stored turns end"
    starts = [s.start for s in after]
    assert starts == sorted(starts)
    assert after[-1].end > duration - 15
    text = " ".join(s.text for s in after).lower()
    assert text.count("good morning") == 3, "each of the three meetings transcribed exactly once"


def test_engine_crash_is_reported_and_resumable(long_recording: Path, tmp_path: Path) -> None:
    """Killing only the engine process (as a native crash would) gives a clear error, not a traceback."""
    project_path = tmp_path / "crashed.earmark"
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "transcribe", str(long_recording), "--project", str(project_path), "--sequential"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 240
    while stored_turns(project_path) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the engine runs in a child process"
    for child in children:
        os.kill(int(child), signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "stopped unexpectedly" in stderr and "resume" in stderr and "Traceback" not in stderr
    info = json.loads(run_earmark("info", str(project_path), "--json").stdout)
    assert info["transcripts"][0]["status"] == "failed"
    assert info["transcripts"][0]["segments"] >= 3
