"""Speaker labelling against reference speaker turns, and its speed and memory on an hour.

For each clip with a reference (the 4-speaker AMI-style meeting and the 2-speaker sample from
pyannote, Picovoice Falcon's 3-speaker clip, and the bundled sample), once with the count
estimated and once with the reference count given, prints one line:

    clip=… count=auto|N speakers=found/ref der=… der_collar=… words_right=… (n) s_per_min=… rtf=…

der is the diarization error rate without a collar, der_collar with 0.25 s either side of each
reference boundary unscored (audio.diarization_metrics); words_right is the share of Whisper
tiny.en words (word timestamps) whose speaker maps, under the best one-to-one mapping, to the
reference speaker at the word's midpoint. s_per_min is labelling time per audio minute (wall
clock), cpu_s_per_min the CPU time of all threads: on a busy machine the first overstates the
cost and the second is the steadier figure (the encoder runs on one thread).

Then it joins the clips into a 60-minute recording (--minutes), labels it from its path in a
child process, and prints that child's peak resident memory and time. A probe of the machine's
single-precision matrix speed (sgemm_gflops) puts the times in context: the encoder is bound
by matrix products (about 33 GFLOP per minute of speech).

    python tests/benchmarks/diarization.py [--minutes 60] [--skip-long] [--weights PATH]

Needs ../shared/testdata and the speaker weights (`earmark speakers install`, or
EARMARK_SPEAKER_WEIGHTS). Goals (issue 8): mixture der <= 0.25; pyannote sample der_collar
<= 0.10; falcon words_right >= 0.95 with its count given; rtf <= 0.05; peak memory <= 1.2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from audio.decode import WHISPER_RATE  # noqa: E402
from audio.diarization import assign_words, label_speakers, read_mono  # noqa: E402
from audio.diarization_metrics import Turn, der, read_rttm, word_accuracy  # noqa: E402
from audio.speaker_weights import load_weights  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata" / "audio"
SAMPLE = ROOT / "resources" / "sample"


def references() -> dict[str, tuple[Path, list[Turn]]]:
    falcon = json.loads((TESTDATA / "picovoice-falcon" / "test_data.json").read_text())
    segments = falcon["tests"]["diarization_tests"][0]["segments"]
    meeting = json.loads((SAMPLE / "meeting.json").read_text())
    return {
        "mixture": (
            TESTDATA / "pyannote/seriously/mixture.wav",
            read_rttm((TESTDATA / "pyannote/seriously/mixture.rttm").read_text()),
        ),
        "pyannote-sample": (TESTDATA / "pyannote/sample.wav", read_rttm((TESTDATA / "pyannote/sample.rttm").read_text())),
        "falcon": (
            TESTDATA / "picovoice-falcon/test.wav",
            [Turn(s["start_sec"], s["end_sec"], str(s["speaker_tag"])) for s in segments],
        ),
        "bundled-sample": (SAMPLE / "meeting.flac", [Turn(t["start"], t["end"], t["speaker"]) for t in meeting["turns"]]),
    }


def whisper_words(samples: np.ndarray) -> list[tuple[float, float]]:
    from audio.engine import EngineSettings, load_model, whisper_options
    from audio.models import keep_hub_offline, resolve_model

    keep_hub_offline()
    settings = EngineSettings(mode="sequential")
    choice = resolve_model("tiny.en")
    model = load_model(choice, settings)
    segments, _ = model.transcribe(samples, **whisper_options(settings, choice.multilingual))
    return [(w.start, w.end) for segment in segments for w in (segment.words or [])]


def sgemm_gflops() -> float:
    """The encoder's step product, single-threaded as the encoder runs it."""
    from audio.speaker_encoder import blas_threads

    a = np.random.default_rng(0).random((128, 512), dtype=np.float32)
    b = np.random.default_rng(1).random((512, 1024), dtype=np.float32)
    with blas_threads(1):
        a @ b
        started = time.perf_counter()
        for _ in range(50):
            a @ b
        elapsed = time.perf_counter() - started
    return 50 * 2 * 128 * 512 * 1024 / elapsed / 1e9


def score_clips(weights_path: Path | None) -> None:
    weights = load_weights(weights_path)
    for name, (path, reference) in references().items():
        samples = read_mono(path)
        minutes = len(samples) / WHISPER_RATE / 60
        words = whisper_words(samples)
        speakers = len({t.speaker for t in reference})
        for count in (None, speakers):
            started, cpu = time.perf_counter(), time.process_time()
            spans = label_speakers(samples, weights, count=count)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            hypothesis = [Turn(s.start, s.end, s.label) for s in spans]
            plain, collared = der(reference, hypothesis), der(reference, hypothesis, collar=0.25)
            right, scored = word_accuracy(words, assign_words(words, spans), reference)
            print(
                f"clip={name} count={count or 'auto'} speakers={len({s.label for s in spans})}/{speakers} "
                f"der={plain.der:.3f} (missed={plain.missed:.1f}s false_alarm={plain.false_alarm:.1f}s "
                f"confusion={plain.confusion:.1f}s of {plain.scored:.1f}s) der_collar={collared.der:.3f} "
                f"words_right={right:.3f} ({scored}) s_per_min={elapsed / minutes:.2f} cpu_s_per_min={cpu / minutes:.2f} "
                f"rtf={elapsed / minutes / 60:.4f}",
                flush=True,
            )


def write_long(path: Path, minutes: float) -> float:
    """The clips one after another, with a second of silence between, until `minutes` long;
    written a clip at a time. Returns the duration in seconds."""
    clips = [read_mono(p) for p, _ in references().values()]
    gap = np.zeros(WHISPER_RATE, dtype=np.float32)
    target = int(minutes * 60 * WHISPER_RATE)
    written = 0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(WHISPER_RATE)
        index = 0
        while written < target:
            part = np.concatenate([clips[index % len(clips)], gap])[: target - written]
            out.writeframes((np.clip(part, -1, 1) * 32767).astype("<i2").tobytes())
            written += len(part)
            index += 1
    return written / WHISPER_RATE


def long_child(path: str, weights_path: str | None) -> None:
    """Runs in a child process so its peak memory is labelling's alone."""
    weights = load_weights(Path(weights_path) if weights_path else None)
    started, cpu = time.perf_counter(), time.process_time()
    spans = label_speakers(Path(path), weights)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "speakers": len({s.label for s in spans}), "spans": len(spans)}))


def score_long(minutes: float, weights_path: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="earmark-diar-") as folder:
        path = Path(folder) / "hour.wav"
        duration = write_long(path, minutes)
        command = [sys.executable, __file__, "--long-child", str(path)]
        if weights_path:
            command += ["--weights", str(weights_path)]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        print(
            f"long minutes={duration / 60:.1f} seconds={figures['seconds']:.1f} "
            f"s_per_min={figures['seconds'] / duration * 60:.2f} cpu_s_per_min={figures['cpu'] / duration * 60:.2f} "
            f"rtf={figures['seconds'] / duration:.4f} "
            f"speakers={figures['speakers']} (13 voices in the clips, auto count) spans={figures['spans']} "
            f"peak_rss_mb={peak_mb:.0f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--long-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.long_child:
        long_child(args.long_child, str(args.weights) if args.weights else None)
        return 0
    if not TESTDATA.is_dir():
        print(f"{TESTDATA} is missing: the benchmark needs ../shared/testdata", file=sys.stderr)
        return 2
    print(f"# sgemm_gflops={sgemm_gflops():.1f} (128x512 @ 512x1024 float32, one thread, this machine, now)", flush=True)
    score_clips(args.weights)
    if not args.skip_long:
        score_long(args.minutes, args.weights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
