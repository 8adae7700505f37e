"""The producer side of playback: decode, time-stretch, and fill the ring.

`Feed` owns one recording's decoder (audio/stream_source.py), the current stretcher
(audio/timestretch.py) and the ring the audio callback reads (audio/playback_ring.py). It is not
thread-safe by itself: the player calls it only with its control lock held, from the producer
thread or from a caller doing a seek, which makes it the ring's single producer.
"""

from __future__ import annotations

import numpy as np

from audio.playback_ring import SampleRing
from audio.stream_source import StreamSource
from audio.timestretch import Stretched, TimeStretcher

AHEAD_SECONDS = 0.5  # prepared sound ahead of the device: rides out a busy GIL for half a second
PRIME_SECONDS = 0.05  # prepared at once after a jump, so it is heard without a gap


class Feed:
    def __init__(self, source: StreamSource, speed: float) -> None:
        self.source = source
        self.rate = source.rate
        # Twice what is kept ahead: after a flush the stale frames hold their slots until the
        # callback skips them, and the new place must still find room to be primed at once.
        self._ahead = round(AHEAD_SECONDS * source.rate)
        self.ring = SampleRing(2 * self._ahead)
        self.speed = speed
        self.loop: tuple[int, int] | None = None  # frames; set it, then reposition
        self.stop_at: int | None = None  # frames: playing a passage ends here (reposition sets it)
        self._stretcher = TimeStretcher(self.rate, speed)
        self._pending: tuple[Stretched, int] | None = None  # output not yet in the ring, and how much is
        self._source_done = False
        self._flush_position = 0  # where the last flush restarted, reported until a frame plays

    @property
    def frames(self) -> int:
        return self.source.frames

    def position(self) -> float:
        """Source frames delivered to the device; safe to call from any thread without the lock."""
        ring = self.ring
        if ring.delivered_since_flush():
            return ring.delivered_position()
        return self._flush_position

    def ended(self) -> bool:
        """The recording has run out and its last frame has been delivered."""
        return self.ring.drained()

    def reposition(self, frame: int, *, consumer_running: bool, stop_at: int | None = None) -> None:
        """Flush the ring and restart decoding and stretching at `frame`; with `stop_at`, the
        sound ends there (a coded passage played exactly)."""
        ring = self.ring
        frame = max(0, min(int(frame), self.frames))
        self.stop_at = None if stop_at is None else max(frame, min(int(stop_at), self.frames))
        self._flush_position = frame  # before the flush: position() switches to it at the flush
        ring.flush()
        if not consumer_running:
            # The callback is not running (the stream is stopped), so this side may skip the
            # stale frames for it; otherwise they would fill the ring until the next play.
            ring.skip_flushed()
        self._pending = None
        self._source_done = False
        self.source.seek(frame)
        self._stretcher = TimeStretcher(self.rate, self.speed, start=frame)
        while ring.buffered() < PRIME_SECONDS * self.rate and self.produce_once():
            pass

    def produce_once(self) -> bool:
        """Move one chunk towards the ring; True if there is more to do right away."""
        if self._pending is None:
            if self._source_done:
                return False
            self._pending = (self._next_output(), 0)
        output, done = self._pending
        room = max(0, self._ahead - self.ring.buffered())
        done += self.ring.write(output.samples[done : done + room], output.ends[done : done + room])
        if done < len(output):
            self._pending = (output, done)
            return False  # enough is prepared
        self._pending = None
        if self._source_done:
            self.ring.mark_end()
            return False
        return True

    def close(self) -> None:
        self.source.close()

    def _next_output(self) -> Stretched:
        """Decode and stretch the next chunk, wrapping round a loop and finishing at the end."""
        source, stretcher, loop = self.source, self._stretcher, self.loop
        before = source.position
        chunk = source.read()
        if loop is not None and before < loop[1] and (chunk is None or source.position >= loop[1]):
            # The loop's end: finish this run (it fades out over a few ms rather than clicking)
            # and start again at the loop's start. Positions in the ring jump back with it.
            part = stretcher.process(chunk[: loop[1] - before]) if chunk is not None else _EMPTY
            tail = stretcher.finish()
            source.seek(loop[0])
            self._stretcher = TimeStretcher(self.rate, self.speed, start=loop[0])
            return Stretched(np.concatenate([part.samples, tail.samples]), np.concatenate([part.ends, tail.ends]))
        stop_at = self.stop_at
        if stop_at is not None and before < stop_at and (chunk is None or source.position >= stop_at):
            # The passage's end: the same fade-out as the end of the recording.
            part = stretcher.process(chunk[: stop_at - before]) if chunk is not None else _EMPTY
            tail = stretcher.finish()
            self._source_done = True
            return Stretched(np.concatenate([part.samples, tail.samples]), np.concatenate([part.ends, tail.ends]))
        if chunk is None:
            self._source_done = True
            return stretcher.finish()
        return stretcher.process(chunk)


_EMPTY = Stretched(np.zeros(0, np.float32), np.zeros(0, np.float64))
