"""Memory added by playing a three-hour recording: the player must stream it, not decode it whole.

    python tests/benchmarks/playback_memory.py [--hours 3] [--codec flac|opus] [--play 3] [--max 250]

Writes a recording of tone and noise (16 kHz mono, FLAC by default) into a temporary folder,
a minute at a time. Then, in this process: imports and warms up the player on a short file,
takes the resident memory (VmRSS) as the baseline, opens the long recording, plays it for
--play seconds on the default output device, jumps ten seconds before the end and plays to the
end (or stops after --play seconds more), sampling VmRSS every 5 ms throughout. Prints the
peak above the baseline as `rss_added_mb=…` and, for scale, what decoding the whole file at
the device's rate would take. Goal: 250 MB or less (it is a few MB). With --max, exits 1 above it.

Linux only (reads /proc/self/status). On a machine without a sound card, point ALSA's default
device at the null device (see .ci/run); that device takes sound faster than real time, so
"three seconds of playing" decodes minutes of the recording, which is a harder test.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
GOAL_MB = 250.0
FILE_RATE = 16_000


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


def write_recording(path: Path, hours: float, codec: str) -> Path:
    """Tone plus noise, encoded a minute at a time, so writing it needs little memory too."""
    import av

    rng = np.random.default_rng(0)
    rate = 48_000 if codec == "opus" else FILE_RATE  # libopus takes 48 kHz
    minute = np.arange(60 * rate)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libopus" if codec == "opus" else "flac", rate=rate, layout="mono")
        sample_format = stream.codec_context.format.name
        pts = 0
        for index in range(round(hours * 60)):
            frequency = 180 + 40 * (index % 7)  # changes each minute, so a seek lands somewhere audible
            signal = 0.3 * np.sin(2 * np.pi * frequency * minute / rate) + rng.normal(0, 0.03, len(minute))
            if sample_format.startswith("s16"):
                data = np.round(np.clip(signal, -1, 1) * 32767).astype(np.int16)
            else:
                data = signal.astype(np.float32)
            step = 960 if codec == "opus" else 4096
            for start in range(0, len(data), step):
                frame = av.AudioFrame.from_ndarray(data[np.newaxis, start : start + step], format=sample_format, layout="mono")
                frame.sample_rate, frame.pts = rate, pts
                pts += frame.samples
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@dataclass(frozen=True)
class Measurement:
    baseline_mb: float
    peak_mb: float
    played_at_start_s: float
    decoded_whole_mb: float
    device_rate: int
    error: str | None


def measure(folder: Path, hours: float, codec: str, play_seconds: float) -> Measurement:
    """Baseline and peak VmRSS around opening and playing a long recording written in `folder`."""
    from audio.player import Player, PlayerState

    started = time.monotonic()
    long_file = write_recording(folder / f"long.{codec}", hours, codec)
    size_mb = long_file.stat().st_size / 2**20
    print(f"wrote {long_file.name}: {hours:g} h, {size_mb:.0f} MB in {time.monotonic() - started:.0f} s")
    short_file = write_recording(folder / f"short.{codec}", 1 / 60, codec)

    with Player() as warm_up:  # load PortAudio, PyAV's codecs and numpy's FFT before the baseline
        warm_up.open(short_file)
        warm_up.set_speed(1.5)
        warm_up.play()
        time.sleep(0.5)
    baseline = rss_mb()
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with Player() as player:
            player.open(long_file)
            player.play()
            time.sleep(play_seconds)
            played = player.position()
            player.seek(player.duration - 10)
            deadline = time.monotonic() + play_seconds
            while player.state is PlayerState.PLAYING and time.monotonic() < deadline:
                time.sleep(0.01)
            error = player.error()
            return Measurement(
                baseline_mb=baseline, peak_mb=peak[0], played_at_start_s=played,
                decoded_whole_mb=player.duration * player.rate * 4 / 2**20, device_rate=player.rate,
                error=str(error) if error else None,
            )
    finally:
        done.set()
        sampler.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--codec", choices=("flac", "opus"), default="flac")
    parser.add_argument("--play", type=float, default=3.0, help="seconds of playing at the start, and at most at the end")
    parser.add_argument("--max", type=float, default=None, help="exit 1 if rss_added_mb is above this")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="earmark-playback-memory-"))
    try:
        result = measure(folder, args.hours, args.codec, args.play)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the recording is hundreds of MB
    added = result.peak_mb - result.baseline_mb
    print(f"duration_h={args.hours:g} played_at_start_s={result.played_at_start_s:.1f} "
          f"device_rate={result.device_rate} error={result.error}")
    print(f"baseline_mb={result.baseline_mb:.1f} peak_mb={result.peak_mb:.1f} "
          f"decoded_whole_would_be_mb={result.decoded_whole_mb:.0f}")
    print(f"rss_added_mb={added:.1f}")
    print(f"goal_mb={GOAL_MB:g} {'met' if added <= GOAL_MB else 'MISSED'}")
    if args.max is not None and added > args.max:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
