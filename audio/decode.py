"""Decoding audio and video containers with PyAV (the decoder faster-whisper itself uses)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.errors import MediaError

WHISPER_RATE = 16_000


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    channels: int
    sample_rate: int


def probe(path: Path) -> MediaInfo:
    """Check that `path` is readable media with an audio stream, and describe it."""
    import av

    path = Path(path)
    check_file(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise MediaError(f"{path} has no audio track. Choose an audio or video file with sound.")
            stream = streams[0]
            duration = _duration(container, stream)
            channels = stream.codec_context.channels or stream.channels or 1
            rate = stream.codec_context.sample_rate or stream.rate or 0
    except MediaError:
        raise
    except Exception as error:  # PyAV raises many types (InvalidDataError, ValueError...)
        raise MediaError(f"{path} is not a media file Earmark can read ({first_line(error)}).") from error
    if duration <= 0:
        # Some containers (raw streams) give no duration in the header: decode to measure.
        duration = len(decode(path)) / WHISPER_RATE
    if duration <= 0:
        raise MediaError(f"{path} contains no audio samples.")
    return MediaInfo(path=path, duration=float(duration), channels=int(channels), sample_rate=int(rate))


def decode(path: Path, sample_rate: int = WHISPER_RATE) -> np.ndarray:
    """The whole file as mono float32 samples at `sample_rate`."""
    from faster_whisper.audio import decode_audio

    path = Path(path)
    check_file(path)
    try:
        samples = decode_audio(str(path), sampling_rate=sample_rate)
    except Exception as error:
        raise MediaError(f"{path} could not be decoded ({first_line(error)}).") from error
    if samples.size == 0:
        raise MediaError(f"{path} contains no audio samples.")
    return samples


def content_hash(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: Path) -> None:
    """Refuse a path that is missing, a folder or empty, with a message naming it."""
    if not path.exists():
        raise MediaError(f"{path} does not exist. Check the name and try again.")
    if path.is_dir():
        raise MediaError(f"{path} is a folder, not a media file.")
    if path.stat().st_size == 0:
        raise MediaError(f"{path} is empty (0 bytes). Choose the full recording.")


def _duration(container: object, stream: object) -> float:
    if getattr(stream, "duration", None) and getattr(stream, "time_base", None):
        return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]
    if getattr(container, "duration", None):
        return float(container.duration) / 1_000_000  # type: ignore[attr-defined]
    return 0.0


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
