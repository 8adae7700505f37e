"""Earmark's transcription pipeline against raw faster-whisper, in one run.

For each mode (sequential, batched) it times raw faster-whisper (load the model, transcribe
the file, consume every segment) and Earmark's full pipeline (probe and hash the file, create
a project, start the engine process, decode, load, transcribe, store every batch), with the
same model, settings and thread count, and prints one line per mode:

    mode=batched raw_s=… earmark_s=… ratio=… rtf=… engine_peak_mb=…

rtf is Earmark's seconds per second of audio; engine_peak_mb is the peak resident memory of
Earmark's engine process (getrusage of finished children).

    python tests/benchmarks/transcribe_overhead.py [MEDIA] [--repeat N] [--threads N] [--modes batched,sequential]
                                                   [--rounds N]

MEDIA defaults to the bundled sample; --repeat N joins it N times over into one longer file
(a 5-minute meeting from the 97-second sample with --repeat 3).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import jobs  # noqa: E402
from audio.decode import WHISPER_RATE, decode  # noqa: E402
from audio.engine import EngineSettings, load_model, thread_count, whisper_options  # noqa: E402
from audio.models import keep_hub_offline, resolve_model  # noqa: E402
from audio.remote import EngineProcess  # noqa: E402
from resources import sample_recording  # noqa: E402
from storage.project import create_project  # noqa: E402


def joined(media: Path, repeat: int, folder: Path) -> Path:
    if repeat <= 1:
        return media
    samples = decode(media)
    gap = np.zeros(WHISPER_RATE, dtype=np.float32)
    parts = [samples]
    for _ in range(repeat - 1):
        parts += [gap, samples]
    path = folder / f"{media.stem}-x{repeat}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(WHISPER_RATE)
        out.writeframes((np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2").tobytes())
    return path


def raw_faster_whisper(media: Path, settings: EngineSettings) -> tuple[float, int]:
    from faster_whisper import BatchedInferencePipeline

    started = time.perf_counter()
    choice = resolve_model(settings.model)
    model = load_model(choice, settings)
    runner = BatchedInferencePipeline(model=model) if settings.mode == "batched" else model
    segments, _ = runner.transcribe(str(media), **whisper_options(settings, choice.multilingual))
    words = sum(len(segment.words or []) for segment in segments)
    return time.perf_counter() - started, words


def earmark_pipeline(media: Path, settings: EngineSettings, folder: Path) -> tuple[float, int]:
    """As `earmark transcribe` runs it: the engine process starts first and warms up while the
    project is created and the recording probed and hashed."""
    started = time.perf_counter()
    engine = EngineProcess()
    with create_project(folder / f"bench-{settings.mode}-{time.monotonic_ns()}.earmark") as project:
        result = jobs.transcribe(project, jobs.prepare(project, media), settings, engine=engine)
    return time.perf_counter() - started, result.word_count


def engine_peak_mb() -> float:
    """The largest resident set of any finished child: Earmark's engine process. (This
    benchmark's own process also holds the raw side's model, so its figure says nothing.)"""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("media", nargs="?", type=Path, default=sample_recording())
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--modes", default="sequential,batched")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per side; the fastest counts")
    args = parser.parse_args()
    keep_hub_offline()
    with tempfile.TemporaryDirectory(prefix="earmark-bench-") as temp:
        folder = Path(temp)
        media = joined(args.media, args.repeat, folder)
        duration = len(decode(media)) / WHISPER_RATE
        print(f"# media={media.name} duration_s={duration:.1f} threads={thread_count(EngineSettings(cpu_threads=args.threads))}")
        for mode in args.modes.split(","):
            settings = EngineSettings(mode=mode, cpu_threads=args.threads)
            # Interleave the two sides and keep each side's fastest round, so a burst of load
            # from elsewhere on the machine does not decide the ratio.
            raw_runs, earmark_runs = [], []
            for _ in range(max(1, args.rounds)):
                raw_runs.append(raw_faster_whisper(media, settings))
                earmark_runs.append(earmark_pipeline(media, settings, folder))
            raw_s, raw_words = min(raw_runs)
            earmark_s, earmark_words = min(earmark_runs)
            print(
                f"mode={mode} raw_s={raw_s:.2f} earmark_s={earmark_s:.2f} ratio={earmark_s / raw_s:.3f} "
                f"rtf={earmark_s / duration:.4f} raw_rtf={raw_s / duration:.4f} words_raw={raw_words} "
                f"words_earmark={earmark_words} engine_peak_mb={engine_peak_mb():.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
