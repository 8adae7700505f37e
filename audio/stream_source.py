"""A media file as a stream of mono float32 chunks, decoded on demand with PyAV.

The player must not hold a whole recording in memory: three hours at 48 kHz is 2 GB as float32.
`StreamSource` keeps one container open and decodes a packet or so at a time, resampled to the
output device's rate, and seeks with the container's index (`container.seek`) instead of
decoding from the start. Memory stays at the codec's working set, whatever the file's length.

Positions are sample indexes at `rate` (the device rate), counted from the start of the file.
After a seek the container lands on a packet at or before the target; the samples before the
target are decoded and dropped, so reading resumes on the exact sample asked for (as exactly as
the file's timestamps allow).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from audio.decode import check_file, first_line
from audio.errors import MediaError


class StreamSource:
    """Sequential reads and seeks over one file's first audio track; not thread-safe (the
    player's producer thread is its only user)."""

    def __init__(self, path: Path, rate: int) -> None:
        import av

        self.path = Path(path)
        self.rate = int(rate)
        check_file(self.path)
        try:
            self._container: Any = av.open(str(self.path), metadata_errors="ignore")
        except Exception as error:  # PyAV raises many types (InvalidDataError, ValueError...)
            raise MediaError(f"{self.path} is not a media file Earmark can read ({first_line(error)}).") from error
        if not self._container.streams.audio:
            self._container.close()
            raise MediaError(f"{self.path} has no audio track. Choose an audio or video file with sound.")
        self._stream = self._container.streams.audio[0]
        self._stream.thread_type = "AUTO"
        self.frames = self._count_frames()  # length at `rate`
        if self.frames <= 0:
            self._container.close()
            raise MediaError(f"{self.path} contains no audio samples.")
        self.position = 0  # sample index (at `rate`) of the next sample read() returns
        self._skip_to = 0
        self._restart(0)

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def seek(self, frame: int) -> None:
        """Make the next read start at sample `frame` (clamped to the file)."""
        frame = max(0, min(int(frame), self.frames))
        stream = self._stream
        if frame > 0:
            try:
                self._container.seek(int(Fraction(frame, self.rate) / stream.time_base), stream=stream, backward=True)
                self._decoder = self._container.decode(stream)
                first = next(self._decoder, None)
            except Exception:  # noqa: BLE001 - no index or no timestamps: decode from the start
                first = None
            if first is not None and first.pts is not None and first.time_base is not None:
                self._resampler = self._new_resampler()
                self._pending = first
                self.position = max(0, round(first.pts * first.time_base * self.rate))
                self._skip_to = frame
                return
        self._restart(0)
        self._skip_to = frame

    def read(self) -> np.ndarray | None:
        """The next chunk of samples (a decoded frame's worth), or None at the end of the file."""
        while True:
            chunk = self._next_chunk()
            if chunk is None:
                return None
            if len(chunk):
                self.position += len(chunk)
                return chunk

    def close(self) -> None:
        self._container.close()

    # -- internals ---------------------------------------------------------------------------

    def _restart(self, frame: int) -> None:
        self._container.seek(0)
        self._decoder = self._container.decode(self._stream)
        self._resampler = self._new_resampler()
        self._pending: Any = None  # a frame decoded by seek() to learn where it landed
        self.position = frame
        self._skip_to = frame

    def _new_resampler(self) -> Any:
        import av

        # A fresh resampler after every seek: the old one holds samples from before the jump.
        return av.AudioResampler(format="flt", layout="mono", rate=self.rate)

    def _next_chunk(self) -> np.ndarray | None:
        frame, self._pending = (self._pending, None) if self._pending is not None else (next(self._decoder, None), None)
        if frame is None:
            flushed = self._resampler.resample(None) if self._resampler is not None else []
            self._resampler = None
            return self._after_target(_samples(flushed)) if flushed else None
        return self._after_target(_samples(self._resampler.resample(frame)))

    def _after_target(self, samples: np.ndarray) -> np.ndarray:
        """Drop what lies before the seek target."""
        behind = self._skip_to - self.position
        if behind <= 0:
            return samples
        if behind >= len(samples):
            self.position += len(samples)
            return samples[:0]
        self.position += behind
        return samples[behind:]

    def _count_frames(self) -> int:
        stream, container = self._stream, self._container
        if stream.duration and stream.time_base:
            seconds = float(stream.duration * stream.time_base)
        elif container.duration:
            seconds = container.duration / 1_000_000
        else:
            # No length in the header (raw streams): add up packet durations without decoding.
            ticks = sum(packet.duration or 0 for packet in container.demux(stream))
            seconds = float(ticks * stream.time_base) if stream.time_base else 0.0
            container.seek(0)
        return round(seconds * self.rate)


def _samples(frames: list[Any]) -> np.ndarray:
    if not frames:
        return np.zeros(0, np.float32)
    if len(frames) == 1:
        return frames[0].to_ndarray()[0]
    return np.concatenate([frame.to_ndarray()[0] for frame in frames])
