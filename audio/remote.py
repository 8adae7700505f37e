"""Running the engine in its own process and streaming its results back.

`EngineProcess.transcribe` blocks the calling thread (a worker thread in the app, the main
thread in the command line) and calls back for each message. Cancelling or a crash of the
engine ends that process only; everything already delivered has been handed to the caller.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.engine import EngineSettings, Started
from audio.errors import EngineError
from audio.turns import TimedWord, Turn

WORKER_FLAG = "--transcription-worker"


@dataclass(frozen=True)
class EngineBatch:
    turns: tuple[Turn, ...]
    covered_until: float


class Cancelled(Exception):
    """The user stopped the transcription."""


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        # The frozen app is its own interpreter: its entry point runs audio.worker on this flag.
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "audio.worker"]


class EngineProcess:
    """The engine's child process, started ahead of need: its interpreter and faster-whisper
    import (about a second) while the caller is still probing and hashing the recording.
    One process serves one transcription."""

    def __init__(self) -> None:
        env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_source_root(), env.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=env,
        )
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr_tail: list[str] = []
        threading.Thread(target=_read_messages, args=(self.process, self._messages), daemon=True).start()
        threading.Thread(target=_read_tail, args=(self.process, self._stderr_tail), daemon=True).start()
        self._used = False

    def transcribe(
        self,
        media: Path,
        settings: EngineSettings,
        *,
        offset: float = 0.0,
        on_started: Callable[[Started], None],
        on_batch: Callable[[EngineBatch], None],
        should_stop: Callable[[], bool] = lambda: False,
        poll_seconds: float = 0.1,
    ) -> None:
        """Run one transcription. Raises Cancelled or EngineError; the process ends either way."""
        if self._used:
            raise RuntimeError("an EngineProcess serves one transcription")
        self._used = True
        process = self.process
        try:
            assert process.stdin is not None
            try:
                process.stdin.write(json.dumps({"media": str(media), "offset": offset, "settings": settings.to_dict()}) + "\n")
                process.stdin.close()
            except OSError:
                pass  # the process died before reading: reported below from its exit code
            while True:
                if should_stop():
                    raise Cancelled()
                try:
                    message = self._messages.get(timeout=poll_seconds)
                except queue.Empty:
                    continue
                if message is None:
                    code = process.wait()
                    raise EngineError(_crash_message(media, code, self._stderr_tail))
                kind = message["type"]
                if kind == "started":
                    on_started(Started(message["language"], message["language_probability"], message["duration"], message["model"]))
                elif kind == "batch":
                    on_batch(_batch(message))
                elif kind == "error":
                    raise EngineError(message["message"])
                elif kind == "done":
                    process.wait(timeout=30)
                    return
        finally:
            self.close()

    def close(self) -> None:
        _stop(self.process)


def _read_messages(process: subprocess.Popen[str], messages: queue.Queue[dict[str, Any] | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        try:
            messages.put(json.loads(line))
        except ValueError:
            continue
    messages.put(None)


def _read_tail(process: subprocess.Popen[str], tail: list[str]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        tail.append(line.rstrip())
        del tail[:-20]


def _batch(message: dict[str, Any]) -> EngineBatch:
    turns = tuple(
        Turn(t["start"], t["end"], t["text"], tuple(TimedWord(*w) for w in t["words"])) for t in message["turns"]
    )
    return EngineBatch(turns, float(message["covered_until"]))


def _crash_message(media: Path, code: int, tail: list[str]) -> str:
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    hint = next((line for line in reversed(tail) if line.strip()), "")
    detail = f": {hint}" if hint else ""
    return (
        f"The transcription engine stopped unexpectedly while transcribing {media} ({how}{detail}). "
        "What was transcribed so far is saved; transcribe again to resume."
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _source_root() -> str:
    """The folder holding the audio package, so `-m audio.worker` resolves in a source checkout."""
    return str(Path(__file__).resolve().parent.parent)
