"""A real PortAudio output stream opens and runs (an ALSA null device in CI, see .ci/run).

The player itself arrives with the listen-and-correct issue; this proves now that the sound
path it will use works on this machine: PortAudio loads, a device opens, callbacks run.
"""

from __future__ import annotations

import threading

import numpy as np

from tests.conftest import require_output


def test_output_stream_runs_callbacks() -> None:
    import sounddevice as sd

    require_output()
    device = sd.query_devices(kind="output")
    frames_played = [0]
    finished = threading.Event()
    tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(4800) / 48_000)).astype(np.float32)

    def callback(outdata: np.ndarray, frames: int, _time: object, _status: object) -> None:
        start = frames_played[0]
        chunk = tone[start : start + frames]
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk) :, 0] = 0
        frames_played[0] += frames
        if frames_played[0] >= len(tone):
            raise sd.CallbackStop

    with sd.OutputStream(samplerate=48_000, channels=1, dtype="float32", callback=callback, finished_callback=finished.set):
        assert finished.wait(timeout=5), f"no callbacks from {device['name']}"
    assert frames_played[0] >= len(tone)
