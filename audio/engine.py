"""The transcription engine around faster-whisper, as a plain function.

`transcribe_samples` runs in the engine process (audio/worker.py) but has no process or
thread logic of its own, so tests drive it directly. It yields batches of turns with how far
into the recording they reach; the caller stores each batch as it arrives.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from audio.decode import WHISPER_RATE
from audio.models import ModelChoice, keep_hub_offline
from audio.turns import SENTENCE_END, TimedWord, Turn, split_into_turns

MODES = ("batched", "sequential")
HOLD_AT_MOST_SECONDS = 60.0  # a turn still open after this long is sent anyway
# "auto" picks sequential below this length: it streams a turn at a time, and on a short
# recording batching saves only seconds; longer recordings go batched (about twice as fast).
AUTO_SEQUENTIAL_BELOW_SECONDS = 300.0


def resolve_mode(mode: str, duration: float) -> str:
    if mode == "auto":
        return "sequential" if duration < AUTO_SEQUENTIAL_BELOW_SECONDS else "batched"
    if mode not in MODES:
        raise ValueError(f"mode must be auto or one of {MODES}, not {mode!r}")
    return mode


@dataclass(frozen=True)
class EngineSettings:
    model: str = "tiny.en"
    language: str | None = None  # None: detect
    mode: str = "batched"
    vocabulary: tuple[str, ...] = ()  # names and terms of the project, passed as hotwords
    vad: bool = True
    beam_size: int = 5
    batch_size: int = 8
    cpu_threads: int = 0  # 0: as many as the machine has cores
    compute_type: str = "int8"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["vocabulary"] = list(self.vocabulary)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineSettings:
        data = dict(data)
        data["vocabulary"] = tuple(data.get("vocabulary", ()))
        return cls(**data)


@dataclass(frozen=True)
class Batch:
    turns: tuple[Turn, ...]
    covered_until: float  # seconds from the start of the recording


@dataclass
class Started:
    language: str
    language_probability: float
    duration: float
    model: str
    extra: dict[str, Any] = field(default_factory=dict)


def thread_count(settings: EngineSettings) -> int:
    return settings.cpu_threads or os.cpu_count() or 1


def load_model(choice: ModelChoice, settings: EngineSettings) -> Any:
    keep_hub_offline()
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(choice.path),
        device="cpu",
        compute_type=settings.compute_type,
        cpu_threads=thread_count(settings),
        local_files_only=True,
    )


def whisper_options(settings: EngineSettings, multilingual: bool) -> dict[str, Any]:
    """The keyword arguments for faster-whisper's transcribe, shared with the benchmark so
    that both sides of a comparison run the same settings."""
    options: dict[str, Any] = {
        "language": settings.language if multilingual else (settings.language or "en"),
        "beam_size": settings.beam_size,
        "word_timestamps": True,
        "vad_filter": settings.vad,
        # Loop and hallucination guards: no conditioning on the previous window, and skip
        # silent stretches over 2 s where Whisper tends to invent text.
        "condition_on_previous_text": False,
        "hallucination_silence_threshold": 2.0,
    }
    if settings.vocabulary:
        terms = ", ".join(settings.vocabulary)
        options["hotwords"] = terms
        options["initial_prompt"] = f"Glossary: {terms}."
    if settings.mode == "batched":
        options["batch_size"] = settings.batch_size
    return options


def transcribe_samples(
    model: Any,
    samples: np.ndarray,
    settings: EngineSettings,
    *,
    multilingual: bool,
    offset: float = 0.0,
    on_start: Callable[[Started], None] | None = None,
) -> Iterator[Batch]:
    """Transcribe `samples` (16 kHz mono), which begin `offset` seconds into the recording.
    Yields one batch per Whisper segment, split into turns, with times from the recording's start."""
    if settings.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    start_sample = int(round(offset * WHISPER_RATE))
    remaining = samples[start_sample:]
    total = len(samples) / WHISPER_RATE
    if remaining.size < WHISPER_RATE // 10:  # less than 0.1 s left: nothing to hear
        if on_start is not None:
            on_start(Started(settings.language or "en", 1.0, total, settings.model))
        yield Batch((), total)
        return
    if settings.mode == "batched":
        from faster_whisper import BatchedInferencePipeline

        runner: Any = BatchedInferencePipeline(model=model)
    else:
        runner = model
    segments, info = runner.transcribe(remaining, **whisper_options(settings, multilingual))
    if on_start is not None:
        on_start(Started(info.language, float(info.language_probability), total, settings.model))
    # Whisper's segment boundaries often fall mid-sentence, so a segment's last turn that ends
    # without a full stop is held back and joined with the next segment's words (a boundary
    # after a full stop is kept: it is where speakers change most often). Resuming from `covered_until` re-hears the held words, never skips them.
    held: list[TimedWord] = []
    for segment in segments:
        words = held + [
            TimedWord(w.word, round(w.start + offset, 3), round(w.end + offset, 3), round(w.probability, 4))
            for w in (segment.words or [])
        ]
        turns = split_into_turns(words) if words else []
        segment_end = min(total, round(segment.end + offset, 3))
        open_sentence = bool(turns) and not turns[-1].text.endswith(SENTENCE_END)
        if open_sentence and turns[-1].end - turns[-1].start < HOLD_AT_MOST_SECONDS:
            held = words[len(words) - len(turns[-1].words):]
            turns = turns[:-1]
            covered = held[0].start
        else:
            held, covered = [], segment_end
        yield Batch(tuple(turns), covered)
    yield Batch(tuple(split_into_turns(held)) if held else (), total)
