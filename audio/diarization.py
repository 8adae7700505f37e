"""Who spoke when: speaker labels for a recording, offline, as a plain function.

`label_speakers` finds speech with the Silero VAD that faster-whisper bundles, embeds 1.5 s
windows (0.75 s apart) of it with Resemblyzer's voice encoder (audio.speaker_encoder), groups
the windows into speakers (audio.speaker_clustering) and returns labelled spans, "Speaker 1..n"
in order of first appearance. It reports progress and stops when asked, in the Orange style:
the caller wraps it in a worker. Memory stays flat in the recording's length apart from the
samples themselves: the VAD and the spectrograms run a chunk or a speech region at a time, and
only the embeddings (1 KB per window) are kept.

`channel_speakers` is the exact alternative for recordings with one microphone per channel.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.speaker_clustering import cluster_speakers
from audio.speaker_encoder import HOP, SAMPLE_RATE, SpeakerEncoder, mel_spectrogram
from audio.speaker_weights import SpeakerWeights

WINDOW_SECONDS = 1.5
STEP_SECONDS = 0.75
RELIABLE_SECONDS = 1.0  # shorter windows (short speech regions) are labelled but not clustered on
VAD_FRAME = 512  # Silero's window: 32 ms at 16 kHz
VAD_CHUNK = VAD_FRAME * 1875  # 60 s per VAD call: bounded memory, state reset is negligible
SPEECH_ON, SPEECH_OFF = 0.5, 0.35  # hysteresis on Silero's speech probability
MIN_SILENCE = 0.3  # a pause shorter than this does not split a speech region
MIN_SPEECH = 0.2  # shorter bursts are dropped
PAD = 0.05  # seconds added either side of a region (Silero's frames start late)
JOIN_PAUSE = 1.0  # one speaker's spans closer than this become one turn, pause included
BATCH_WINDOWS = 128

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class SpeakerSpan:
    start: float
    end: float
    label: str


class DiarizationCancelled(Exception):
    """The caller's `cancelled()` returned True; nothing was labelled."""


def label_speakers(
    samples: np.ndarray | str | Path,
    weights: SpeakerWeights,
    *,
    count: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[SpeakerSpan]:
    """Speaker spans of a recording (16 kHz mono float32 samples, or a media file's path).
    `count` fixes the number of speakers; None estimates it. `progress(fraction)` is called as
    work advances; `cancelled()` is polled and True raises DiarizationCancelled."""
    report = progress or (lambda _fraction: None)
    audio = read_mono(samples) if isinstance(samples, (str, Path)) else np.asarray(samples, dtype=np.float32)
    regions = speech_regions(audio, progress=lambda f: report(0.15 * f), cancelled=cancelled)
    windows, owned = _windows(regions)
    if not windows:
        report(1.0)
        return []
    encoder = SpeakerEncoder(weights, batch_size=BATCH_WINDOWS)
    embeddings = _embed(audio, regions, windows, encoder, lambda f: report(0.15 + 0.8 * f), cancelled)
    _check(cancelled)
    lengths = np.array([(w[1] - w[0]) / SAMPLE_RATE for w in windows])
    durations = np.array([b - a for a, b in owned])
    labels = cluster_speakers(embeddings, count=count, durations=durations, reliable=lengths >= RELIABLE_SECONDS)
    report(1.0)
    return _named_spans(owned, labels)


def speech_regions(
    audio: np.ndarray, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> list[tuple[int, int]]:
    """Speech as (start, end) sample ranges, from Silero's per-frame speech probability with
    hysteresis, short pauses bridged and short bursts dropped."""
    from faster_whisper.vad import get_vad_model

    model = get_vad_model()
    probabilities = []
    for start in range(0, len(audio), VAD_CHUNK):
        _check(cancelled)
        # A copy, padded to whole frames: faster-whisper's model writes zeros into the last
        # frame of the array it is given, which here would be the caller's samples.
        chunk = np.zeros(-(-min(VAD_CHUNK, len(audio) - start) // VAD_FRAME) * VAD_FRAME, dtype=np.float32)
        chunk[: min(VAD_CHUNK, len(audio) - start)] = audio[start : start + VAD_CHUNK]
        probabilities.append(np.asarray(model(chunk), dtype=np.float32).reshape(-1))
        if progress:
            progress(min(1.0, (start + VAD_CHUNK) / max(len(audio), 1)))
    if not probabilities:
        return []
    speech = _hysteresis(np.concatenate(probabilities))
    return _runs_to_regions(speech, len(audio))


def assign_words(words: Sequence[tuple[float, float]], spans: Sequence[SpeakerSpan]) -> list[str | None]:
    """Each word's speaker: the label overlapping most of it, else the nearest span's label
    (Whisper's word times often fall in the gaps the VAD leaves); None only without spans.
    Spans may overlap (one speaker per channel)."""
    ordered = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    # reach[i]: the latest end among spans 0..i, and which span has it; monotonic, so the first
    # span that can overlap a word is found by bisection even when spans overlap each other.
    reach, latest = [], []
    for index, span in enumerate(ordered):
        if not reach or span.end > reach[-1]:
            reach.append(span.end)
            latest.append(index)
        else:
            reach.append(reach[-1])
            latest.append(latest[-1])
    labels: list[str | None] = []
    for start, end in words:
        if not ordered:
            labels.append(None)
            continue
        first = bisect.bisect_right(reach, start)
        overlap: dict[str, float] = {}
        for span in ordered[first:]:
            if span.start >= end:
                break
            shared = min(end, span.end) - max(start, span.start)
            if shared > 0:
                overlap[span.label] = overlap.get(span.label, 0.0) + shared
        if overlap:
            labels.append(max(overlap, key=lambda label: overlap[label]))
            continue
        # No overlap: a zero-length word (Whisper makes some) or one in a gap. The nearest span
        # is the one reaching furthest before it, the first one that can contain it, or the next.
        middle = (start + end) / 2
        after = bisect.bisect_left(starts, end)
        nearby = [ordered[i] for i in (first, after) if i < len(ordered)]
        nearby += [ordered[latest[first - 1]]] if first > 0 else []
        labels.append(min(nearby, key=lambda s: max(s.start - middle, middle - s.end, 0.0)).label)
    return labels


def channel_speakers(stereo: np.ndarray | str | Path, *, relative_db: float = 15.0) -> list[SpeakerSpan]:
    """One speaker per channel ("Speaker 1" is the first channel): a channel speaks where Silero
    hears speech in it and it is not more than `relative_db` quieter than the loudest channel,
    which drops the other microphones' bleed. Spans of different channels may overlap."""
    channels = read_channels(stereo) if isinstance(stereo, (str, Path)) else np.asarray(stereo, dtype=np.float32)
    if channels.ndim != 2:
        raise ValueError("channel_speakers needs samples shaped (channels, samples)")
    if channels.shape[0] > channels.shape[1]:
        channels = channels.T
    frames = channels.shape[1] // VAD_FRAME
    framed = channels[:, : frames * VAD_FRAME].reshape(len(channels), frames, VAD_FRAME)
    power = np.einsum("cfs,cfs->cf", framed, framed, dtype=np.float64) / VAD_FRAME  # no squared copy
    # Compare levels over about half a second: frame by frame, the gaps between words are
    # equally silent on every channel and would each count as "not quieter".
    kernel = np.ones(15) / 15
    smooth = np.array([np.convolve(row, kernel, mode="same") for row in power])
    level = 10 * np.log10(smooth + 1e-12)
    loudest = level.max(axis=0)
    spans: list[SpeakerSpan] = []
    for index, channel in enumerate(channels):
        regions = speech_regions(np.ascontiguousarray(channel))
        heard = np.zeros(frames + 1, dtype=bool)
        for start, end in regions:
            heard[start // VAD_FRAME : -(-end // VAD_FRAME)] = True
        dominant = np.append(level[index] >= loudest - relative_db, False)
        for start, end in _runs_to_regions(heard & dominant, channels.shape[1]):
            spans.append(SpeakerSpan(start / SAMPLE_RATE, end / SAMPLE_RATE, f"Speaker {index + 1}"))
    return sorted(spans, key=lambda s: (s.start, s.label))


def read_mono(path: str | Path) -> np.ndarray:
    """A media file as 16 kHz mono float32, decoded into one preallocated array (faster-whisper's
    decoder holds the file three times over while converting; this holds it once)."""
    return _decode(Path(path), "mono")[0]


def read_channels(path: str | Path) -> np.ndarray:
    """A stereo media file as (2, samples) float32 at 16 kHz."""
    return _decode(Path(path), "stereo")


def _decode(path: Path, layout: str) -> np.ndarray:
    import av

    from audio.decode import check_file, first_line, probe
    from audio.errors import MediaError

    check_file(path)
    width = 1 if layout == "mono" else 2
    buffer = np.empty((int(probe(path).duration * SAMPLE_RATE) + SAMPLE_RATE) * width, dtype=np.float32)
    used = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            resampler = av.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)
            for frame in itertools.chain(container.decode(audio=0), [None]):  # None flushes
                for out in resampler.resample(frame):
                    data = out.to_ndarray().reshape(-1)
                    if used + len(data) > len(buffer):  # the header under-stated the duration
                        buffer = np.concatenate([buffer[:used], np.empty(max(len(data), len(buffer) // 2), np.float32)])
                    buffer[used : used + len(data)] = data
                    used += len(data)
    except Exception as error:  # PyAV raises many types
        raise MediaError(f"{path} could not be decoded ({first_line(error)}).") from error
    return buffer[:used].reshape(-1, width).T


def _hysteresis(probabilities: np.ndarray) -> np.ndarray:
    speech = np.zeros(len(probabilities) + 1, dtype=bool)
    active = False
    for index, value in enumerate(probabilities):
        active = value >= SPEECH_ON or (active and value >= SPEECH_OFF)
        speech[index] = active
    return speech


def _runs_to_regions(frames: np.ndarray, total: int) -> list[tuple[int, int]]:
    """Sample ranges of the True runs of a per-VAD-frame mask, after bridging short pauses,
    dropping short bursts and padding."""
    edges = np.flatnonzero(np.diff(np.concatenate([[False], frames, [False]]).astype(np.int8)))
    runs = [[int(a) * VAD_FRAME, int(b) * VAD_FRAME] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    merged: list[list[int]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] < MIN_SILENCE * SAMPLE_RATE:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    pad = int(PAD * SAMPLE_RATE)
    return [
        (max(0, a - pad), min(total, b + pad)) for a, b in merged if b - a >= MIN_SPEECH * SAMPLE_RATE and a < total
    ]


def _windows(regions: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[float, float]]]:
    """Embedding windows (sample ranges) over the speech regions, and the time each one labels:
    the part of its region nearer its centre than any other window's."""
    size, step = int(WINDOW_SECONDS * SAMPLE_RATE), int(STEP_SECONDS * SAMPLE_RATE)
    windows: list[tuple[int, int]] = []
    owned: list[tuple[float, float]] = []
    for start, end in regions:
        if end - start <= size:
            starts = [start]
        else:
            starts = list(range(start, end - size, step)) + [end - size]
        centres = [min(s + size // 2, (s + end) // 2) for s in starts]
        for index, first in enumerate(starts):
            windows.append((first, min(first + size, end)))
            left = start if index == 0 else (centres[index - 1] + centres[index]) // 2
            right = end if index == len(starts) - 1 else (centres[index] + centres[index + 1]) // 2
            owned.append((left / SAMPLE_RATE, right / SAMPLE_RATE))
    return windows, owned


def _embed(
    audio: np.ndarray,
    regions: list[tuple[int, int]],
    windows: list[tuple[int, int]],
    encoder: SpeakerEncoder,
    progress: Progress,
    cancelled: Cancelled | None,
) -> np.ndarray:
    """Embeddings of every window, one region's spectrogram at a time, in batches."""
    frames_per_window = int(WINDOW_SECONDS * SAMPLE_RATE) // HOP
    embeddings = np.empty((len(windows), 256), dtype=np.float32)
    batch = np.zeros((BATCH_WINDOWS, frames_per_window, 40), dtype=np.float32)
    lengths = np.zeros(BATCH_WINDOWS, dtype=int)
    filled, done = 0, 0
    window_index = 0
    for start, end in regions:
        _check(cancelled)
        mel = mel_spectrogram(audio[start:end])
        while window_index < len(windows) and windows[window_index][0] < end:
            first, last = windows[window_index]
            offset = (first - start) // HOP
            length = min(frames_per_window, max(1, (last - first) // HOP), len(mel) - offset)
            batch[filled, :length] = mel[offset : offset + length]
            batch[filled, length:] = 0.0
            lengths[filled] = length
            filled += 1
            window_index += 1
            if filled == BATCH_WINDOWS:
                _check(cancelled)
                embeddings[done : done + filled] = encoder.embed_mels(batch[:filled], lengths[:filled])
                done += filled
                filled = 0
                progress(done / len(windows))
    if filled:
        embeddings[done : done + filled] = encoder.embed_mels(batch[:filled], lengths[:filled])
    progress(1.0)
    return embeddings


def _named_spans(owned: list[tuple[float, float]], labels: np.ndarray) -> list[SpeakerSpan]:
    """Join neighbouring windows of one speaker, across pauses under JOIN_PAUSE (a turn holds its
    pauses, as people annotate turns: on the AMI-style meeting clip this cut DER from 24.7% to
    20.9%), and name speakers by first appearance."""
    names: dict[int, str] = {}
    spans: list[SpeakerSpan] = []
    for (start, end), label in zip(owned, labels, strict=True):
        name = names.setdefault(int(label), f"Speaker {len(names) + 1}")
        if spans and spans[-1].label == name and start - spans[-1].end < JOIN_PAUSE:
            spans[-1] = SpeakerSpan(spans[-1].start, end, name)
        else:
            spans.append(SpeakerSpan(start, end, name))
    return spans


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise DiarizationCancelled()
