"""Pitch-preserving time-stretch (WSOLA), streaming, in numpy.

WSOLA (waveform-similarity overlap-add, Verhelst and Roelands 1993) cuts the input into short
Hann-windowed frames and lays them down one synthesis hop apart, while it advances through the
input by `speed` times that hop. Before each frame is laid down it is nudged, within a small
tolerance, to where the input best continues the waveform already written, so periods line up
and the pitch is kept (resampling would shift it by `speed`). It suits speech, which is what
Earmark plays, and costs a few FFTs per hop.

`TimeStretcher` takes the input chunk by chunk, carries its state between chunks, and reports,
for every output sample, the position in the input it stands for. That mapping is what lets the
player count the recording's time exactly while playing slower or faster: output sample i of a
hop stands for input `nominal + (i + 1) * speed` (the nominal analysis position of the hop, not
the nudged one, so positions rise smoothly and never jump back by the search tolerance), centred
on the hop. The sound heard is then within the search tolerance plus half a hop's drift of the
position reported: about 10 ms at 1.5×, 13 ms at 2×.

At speed 1.0 the stretcher passes samples through unchanged, which makes "1×" bit-exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SPEED = 0.5
MAX_SPEED = 2.0
# Frame 24 ms with half overlap: long enough to hold a period of a low male voice (80 Hz is
# 12.5 ms), short enough that syllables are not smeared. Tolerance ±7 ms covers half a period
# of such a voice, so a matching waveform is always in reach, and keeps the delivered sound
# within a few milliseconds of the reported position.
HOP_SECONDS = 0.012
TOLERANCE_SECONDS = 0.007


@dataclass(frozen=True)
class Stretched:
    """Output samples and, for each, the input position (in samples) reached after it."""

    samples: np.ndarray  # float32
    ends: np.ndarray  # float64, same length

    def __len__(self) -> int:
        return len(self.samples)


def check_speed(speed: float) -> float:
    speed = float(speed)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}, not {speed}")
    return speed


class TimeStretcher:
    """Streaming WSOLA for one run of contiguous mono input at a fixed speed.

    `start` is the input position of the first sample given to `process`; the `ends` it returns
    count from the same origin. Call `finish` once the input ends to get the last samples. To
    change speed or jump elsewhere, make a new stretcher (the player does so on every seek).
    """

    def __init__(self, rate: int, speed: float, start: int = 0) -> None:
        self.rate = int(rate)
        self.speed = check_speed(speed)
        self._hop = max(16, round(HOP_SECONDS * rate))  # synthesis hop
        self._frame = 2 * self._hop
        self._tolerance = max(4, round(TOLERANCE_SECONDS * rate))
        # A periodic Hann window at 50% overlap sums to exactly 1, so a steady signal keeps its level.
        n = np.arange(self._frame)
        self._window = (0.5 - 0.5 * np.cos(2 * np.pi * n / self._frame)).astype(np.float32)
        span = self._frame + 2 * self._tolerance
        self._fft_size = 1 << (span - 1).bit_length()
        self._origin = int(start)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = int(start)  # input position of self._buffer[0]
        self._hops = 0  # hops written so far; hop k stands for input origin + k * hop * speed
        self._previous: int | None = None  # input position of the last frame laid down
        self._tail = np.zeros(self._hop, dtype=np.float32)  # its second half, windowed
        self._input_end: int | None = None  # set by finish()

    @property
    def passthrough(self) -> bool:
        return self.speed == 1.0

    def process(self, samples: np.ndarray) -> Stretched:
        """Stretch the next contiguous chunk of input; returns what can be output so far."""
        samples = np.asarray(samples, dtype=np.float32)
        if self.passthrough:
            first = self._buffer_start
            self._buffer_start += len(samples)
            ends = np.arange(first + 1, first + len(samples) + 1, dtype=np.float64)
            return Stretched(samples.copy(), ends)
        self._buffer = np.concatenate([self._buffer, samples]) if len(self._buffer) else samples.copy()
        return self._run()

    def finish(self) -> Stretched:
        """The input has ended: output the rest, up to the input's end."""
        if self.passthrough:
            return Stretched(np.zeros(0, np.float32), np.zeros(0, np.float64))
        self._input_end = end = self._buffer_start + len(self._buffer)
        already = self._hops * self._hop
        # Pad with silence so that the last frames have their full length and search range.
        pad = np.zeros(self._frame + 2 * self._tolerance + 2 * self._hop, dtype=np.float32)
        self._buffer = np.concatenate([self._buffer, pad])
        # Then the last frame's falling half, so the sound fades out rather than clicking; cut
        # so that the whole output lasts exactly input / speed and ends on the input's end.
        body = _join(self._run(), Stretched(self._tail.copy(), self._ends_for_hop(self._hops)))
        keep = max(0, round((end - self._origin) / self.speed) - already)
        ends = np.minimum(body.ends[:keep], end)
        if len(ends):
            ends[-1] = end
        return Stretched(body.samples[:keep], ends)

    # -- internals ---------------------------------------------------------------------------

    def _nominal(self, hop: int) -> float:
        return self._origin + hop * self._hop * self.speed

    def _ends_for_hop(self, hop: int) -> np.ndarray:
        # Within a hop the sound runs at 1× from where its frame was cut, while the positions
        # advance at `speed`: they drift apart by up to hop * |1 - speed|. Centring the positions
        # on the hop halves that worst case (6 ms rather than 12 at 2×).
        centre = (1.0 - self.speed) * self._hop / 2
        ends = self._nominal(hop) + centre + np.arange(1, self._hop + 1, dtype=np.float64) * self.speed
        return np.maximum(ends, self._origin)

    def _run(self) -> Stretched:
        pieces: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        buffer_end = self._buffer_start + len(self._buffer)
        while True:
            nominal = round(self._nominal(self._hops))
            if self._input_end is not None and nominal >= self._input_end:
                break
            needed = nominal + self._tolerance + self._frame
            if self._previous is not None:
                needed = max(needed, self._previous + self._hop + self._frame)
            if needed > buffer_end:
                break
            hop_ends = self._ends_for_hop(self._hops)
            pieces.append(self._next_hop(nominal))
            if self._input_end is not None:
                hop_ends = np.minimum(hop_ends, self._input_end)
            ends.append(hop_ends)
            self._hops += 1
        self._trim()
        if not pieces:
            return Stretched(np.zeros(0, np.float32), np.zeros(0, np.float64))
        return Stretched(np.concatenate(pieces), np.concatenate(ends))

    def _next_hop(self, nominal: int) -> np.ndarray:
        hop, frame = self._hop, self._frame
        if self._previous is None:
            # First frame: output its first half as it is (no fade-in), keep the windowed rest.
            position = nominal
            at = position - self._buffer_start
            out = self._buffer[at : at + hop].copy()
        else:
            position = self._best_match(nominal)
            at = position - self._buffer_start
            out = self._tail + self._buffer[at : at + hop] * self._window[:hop]
        at = position - self._buffer_start
        self._tail = self._buffer[at + hop : at + frame] * self._window[hop:]
        self._previous = position
        return out

    def _best_match(self, nominal: int) -> int:
        """The input position near `nominal` whose frame best continues the previous frame."""
        frame = self._frame
        low = max(nominal - self._tolerance, self._origin, self._buffer_start)
        high = nominal + self._tolerance
        # Where the previous frame would naturally continue: the ideal waveform to match.
        natural = self._previous + self._hop - self._buffer_start  # type: ignore[operator]
        template = self._buffer[natural : natural + frame]
        region = self._buffer[low - self._buffer_start : high - self._buffer_start + frame]
        size = self._fft_size
        correlation = np.fft.irfft(np.fft.rfft(region, size) * np.conj(np.fft.rfft(template, size)), size)
        lags = high - low + 1
        # Normalise by each candidate's energy so a louder stretch does not win just for being loud.
        power = np.concatenate([[0.0], np.cumsum(region.astype(np.float64) ** 2)])
        energy = power[frame : frame + lags] - power[:lags]
        score = correlation[:lags] / np.sqrt(np.maximum(energy, 1e-12))
        return low + int(np.argmax(score))

    def _trim(self) -> None:
        """Drop input that no later frame can reach, so memory stays bounded."""
        keep_from = round(self._nominal(self._hops)) - self._tolerance
        if self._previous is not None:
            keep_from = min(keep_from, self._previous + self._hop)
        drop = keep_from - self._buffer_start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop


def stretch(samples: np.ndarray, rate: int, speed: float) -> Stretched:
    """A whole clip at once (tests, previews): the same result as streaming it chunk by chunk."""
    stretcher = TimeStretcher(rate, speed)
    return _join(stretcher.process(samples), stretcher.finish())


def _join(first: Stretched, second: Stretched) -> Stretched:
    return Stretched(np.concatenate([first.samples, second.samples]), np.concatenate([first.ends, second.ends]))
