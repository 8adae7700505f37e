"""Helpers for the player tests (no tests here): signals whose content tells where in the
recording they came from, a WAV writer, and the real-device skip/require rule of test_portaudio."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.conftest import require_output  # noqa: F401 (the player tests import it from here)

RAMP_TOP = 0.9  # a ramp rises from 0 to this over the file: each sample's value says where it is


def device_rate() -> int:
    from audio.output_devices import device_rate as rate

    return rate(None)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def tone(seconds: float, rate: int, frequency: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * frequency * np.arange(round(seconds * rate)) / rate)).astype(np.float32)


def ramp(frames: int) -> np.ndarray:
    return (RAMP_TOP * np.arange(frames) / frames).astype(np.float32)


def ramp_index(values: np.ndarray | float, frames: int) -> np.ndarray | float:
    """Which frame of a `ramp(frames)` file a delivered value came from (16-bit WAV: the file
    holds round(v * 32767), which decodes as that over 32768)."""
    return np.asarray(values, dtype=np.float64) * 32768 / 32767 / RAMP_TOP * frames


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency, refined between FFT bins by a parabola through the log peak."""
    size = 1 << 21
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), size))
    peak = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[peak - 1 : peak + 2])
    return (peak + 0.5 * (a - c) / (a - 2 * b + c)) * rate / size


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return condition()


def vm_rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found")
