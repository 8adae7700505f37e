"""The buffer between the player's producer thread and the audio callback.

A single-producer single-consumer ring of prepared output samples, with a parallel ring that
holds, for each output frame, the source position (in samples of the recording) reached once
that frame has played. The callback copies samples out and records the position of the last
frame it handed to the device, so the player's clock is exact even while time-stretching.

Why no lock is needed, and why it is safe under CPython's GIL:
- `written` is only ever stored by the producer side, `read` only by the consumer (the audio
  callback). Both are ever-increasing Python ints (no wrap-around); a slot is `counter % size`.
- The producer fills the slots first and publishes them by storing `written` afterwards; the
  consumer loads `written` first and only then reads the slots below it. Each thread runs its
  bytecode in program order, and every hand-over of the GIL is a full memory barrier, so once
  the consumer sees the new `written`, the samples stored before it are visible too. Stores of
  an attribute are atomic under the GIL: a reader sees the old or the new int, never a torn one.
- Symmetrically the consumer stores `read` after copying, and the producer never writes more
  than `size - (written - read)` frames, so it cannot overwrite slots not yet copied.
- A flush (seek) is a producer-side act: it stores `discard_before = written`. The consumer
  skips ahead to it at its next callback. If the consumer read the old value, it merely plays
  one more block of stale sound; the producer's new samples go to slots after `written`,
  which never overlap the stale slots still being read.
(A free-threaded CPython without the GIL would need real atomics here.)

"Producer side" means whoever holds the player's control lock: its producer thread, or a caller
thread doing a seek. The callback never takes that lock.
"""

from __future__ import annotations

import numpy as np


class DeliveryTap:
    """Test hook: records the frames the callback delivered, into preallocated arrays (no
    allocation in the callback). Frames beyond `capacity` are counted but not stored."""

    def __init__(self, capacity: int) -> None:
        self.samples = np.zeros(capacity, dtype=np.float32)
        self.ends = np.zeros(capacity, dtype=np.float64)
        self.count = 0  # frames delivered from the ring (underrun silence is not counted)
        self.silent_frames = 0  # frames of silence given to the device because the ring was empty

    def record(self, samples: np.ndarray, ends: np.ndarray) -> None:
        start = self.count
        room = max(0, min(len(samples), len(self.samples) - start))
        self.samples[start : start + room] = samples[:room]
        self.ends[start : start + room] = ends[:room]
        self.count = start + len(samples)


class SampleRing:
    def __init__(self, size: int) -> None:
        self.size = int(size)
        self._samples = np.zeros(self.size, dtype=np.float32)
        self._ends = np.zeros(self.size, dtype=np.float64)
        self.written = 0
        self.read = 0
        self.discard_before = 0
        self.end_mark = -1  # `written` when the source ran out (no loop); -1 while it has not
        # Source position reached by the last frame delivered. Stored in an array so the
        # callback updates it in place; stored before `read`, so whoever sees `read` move sees it.
        self._delivered = np.zeros(1, dtype=np.float64)

    # -- producer side (control lock held) ---------------------------------------------------

    def free(self) -> int:
        return self.size - (self.written - self.read)

    def write(self, samples: np.ndarray, ends: np.ndarray) -> int:
        """Copy as many frames as fit; returns how many."""
        count = min(len(samples), self.free())
        if count <= 0:
            return 0
        start = self.written % self.size
        first = min(count, self.size - start)
        self._samples[start : start + first] = samples[:first]
        self._ends[start : start + first] = ends[:first]
        if count > first:
            self._samples[: count - first] = samples[first:count]
            self._ends[: count - first] = ends[first:count]
        self.written += count  # publish last (see the module docstring)
        return count

    def flush(self) -> None:
        """Drop everything written so far; the consumer skips it at its next callback."""
        self.end_mark = -1
        self.discard_before = self.written

    def skip_flushed(self) -> None:
        """Only while the consumer is known not to run (the stream is stopped): drop the
        flushed frames now, making their room free for new ones."""
        if self.read < self.discard_before:
            self.read = self.discard_before

    def mark_end(self) -> None:
        self.end_mark = self.written

    # -- either side -------------------------------------------------------------------------

    def buffered(self) -> int:
        return self.written - max(self.read, self.discard_before)

    def delivered_since_flush(self) -> bool:
        return self.read > self.discard_before

    def delivered_position(self) -> float:
        return float(self._delivered[0])

    def drained(self) -> bool:
        """The source has ended and the consumer has delivered its last frame."""
        mark = self.end_mark
        return mark >= 0 and self.read >= mark

    # -- consumer side (audio callback) ------------------------------------------------------

    def pull(self, out: np.ndarray, gain: float, tap: DeliveryTap | None) -> int:
        """Fill `out` (a 1-D view) with the next frames times `gain`, silence for any shortfall."""
        read = self.read
        discard = self.discard_before
        if read < discard:
            read = discard
        count = min(self.written - read, len(out))
        done = 0
        while done < count:  # at most two parts: up to the end of the ring, then from its start
            start = (read + done) % self.size
            part = min(count - done, self.size - start)
            np.multiply(self._samples[start : start + part], gain, out=out[done : done + part])
            if tap is not None:
                tap.record(out[done : done + part], self._ends[start : start + part])
            done += part
        if count > 0:
            self._delivered[0] = self._ends[(read + count - 1) % self.size]
        if count < len(out):
            out[count:] = 0.0
            if tap is not None:
                tap.silent_frames += len(out) - count
        self.read = read + count  # publish last
        return count
