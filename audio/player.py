"""The playback engine for "listen and correct": Qt-free, on sounddevice (PortAudio).

Three threads take part:
- the caller (the GUI) calls the methods below; they are quick and never wait on the device;
- a producer thread decodes the file a chunk at a time (audio/stream_source.py), time-stretches
  it (audio/timestretch.py) and writes the result into a ring (audio/playback_feed.py,
  audio/playback_ring.py);
- PortAudio's audio callback only copies from the ring, scales by the volume and counts. It
  allocates no buffers and takes no locks, so a busy GUI or a slow decode cannot make it stutter.

The position is the source position of the last frame handed to the device, carried through
the ring with every frame, so the transcript follows the sound exactly at any speed. (The
speaker sounds it the device's output latency later, tens of milliseconds: below what a
highlight polled every 30 ms can show.) Seeking,
a speed change or a new loop flushes the ring and refills it from the new place.

Errors from the device (none connected, unplugged while playing) become a `PlaybackError` that
`error()` returns and `on_error` receives; the player pauses and stays usable. `on_state_changed`
and `on_error` may be called from the producer thread: a Qt caller should only emit a signal
from them (a queued connection brings it to the GUI thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from audio.output_devices import (
    DeviceStream,
    OutputDevice,
    PlaybackError,
    device_info,
    device_name,
    device_rate,
    output_devices,
)
from audio.playback_feed import Feed
from audio.playback_ring import DeliveryTap
from audio.stream_source import StreamSource
from audio.timestretch import check_speed

__all__ = ["DeliveryTap", "OutputDevice", "PlaybackError", "Player", "PlayerState"]

STALL_SECONDS = 3.0  # a device that takes no sound this long while playing is treated as gone

Notifications = list[Callable[[], None]]


class PlayerState(str, Enum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"


class Player:
    """Plays one recording at a time. All times are seconds of the recording."""

    def __init__(
        self,
        on_state_changed: Callable[[PlayerState], None] | None = None,
        on_error: Callable[[PlaybackError], None] | None = None,
        *,
        device: int | None = None,
        rewind_on_resume: float = 2.0,
        skip_seconds: float = 5.0,
        tap: DeliveryTap | None = None,
        stream_factory: Callable[..., Any] | None = None,
    ) -> None:
        """`device`: a PortAudio output index, None for the system default. `tap` records what
        reaches the device (tests). `stream_factory` replaces sounddevice.OutputStream (tests)."""
        if device is not None:
            device_info(device)  # a clear PlaybackError now rather than at the first play
        self.on_state_changed = on_state_changed
        self.on_error = on_error
        self.rewind_on_resume = float(rewind_on_resume)
        self.skip_seconds = float(skip_seconds)
        self.rate = device_rate(device)  # the device's rate; recordings are decoded to it
        self._device = device
        self._tap = tap
        self._lock = threading.RLock()  # caller and producer; never the audio callback
        # Callers waiting for the lock. Python's locks are not fair: a producer with work to do
        # would take the lock back chunk after chunk while a pause() waits (for hundreds of ms
        # when the device drains as fast as it is fed), so it steps aside while this is nonzero.
        self._callers_waiting = 0
        self._callers_count_lock = threading.Lock()
        self._state = PlayerState.STOPPED
        self._error: PlaybackError | None = None
        self._speed = 1.0
        self._gain = 1.0
        self._feed: Feed | None = None  # the open recording
        self._moved_since_pause = False
        self._output = DeviceStream(self._fill, stream_factory)
        # (ring.read, when it last moved, when last checked): to notice a device that stalls.
        self._progress = (0, 0.0, 0.0)
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._produce_forever, name="earmark-playback", daemon=True)
        self._thread.start()

    # -- reading -----------------------------------------------------------------------------

    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def duration(self) -> float:
        feed = self._feed
        return feed.frames / feed.rate if feed else 0.0

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def volume(self) -> float:
        return self._gain

    @property
    def loop(self) -> tuple[float, float] | None:
        feed = self._feed
        if feed is None or feed.loop is None:
            return None
        return feed.loop[0] / feed.rate, feed.loop[1] / feed.rate

    def error(self) -> PlaybackError | None:
        """The last device error, until playback next starts successfully."""
        return self._error

    def position(self) -> float:
        """Seconds of the recording delivered to the device so far (or the target of a seek
        whose first sound has not been delivered yet). Cheap: poll it from a GUI timer."""
        feed = self._feed
        return feed.position() / feed.rate if feed else 0.0

    @staticmethod
    def devices() -> list[OutputDevice]:
        """The output devices to offer; pass one's `index` to set_device."""
        return output_devices()

    # -- commands ----------------------------------------------------------------------------

    def open(self, path: Path) -> None:
        """Load a recording, stopped at its start. Raises MediaError if it cannot be read."""
        source = StreamSource(Path(path), device_rate(self._device))  # MediaError: nothing changes
        with self._control():
            changes = self._set_state(PlayerState.STOPPED)
            self._install(source, 0)
        self._notify(changes)

    def play(self) -> None:
        """Start or resume. Resuming from a pause first rewinds `rewind_on_resume` seconds
        (unless the position was moved meanwhile). A device failure is not raised: it is
        reported through error() and on_error."""
        with self._control():
            feed = self._feed
            if feed is None or self._state is PlayerState.PLAYING:
                return
            floor = feed.loop[0] if feed.loop else 0
            if self._state is PlayerState.PAUSED and not self._moved_since_pause and self.rewind_on_resume > 0:
                self._reposition(max(floor, self._frame_now() - round(self.rewind_on_resume * self.rate)))
            elif self._state is PlayerState.STOPPED and feed.stop_at is not None and feed.ended():
                self._reposition(self._frame_now())  # after a passage: go on from where it ended
            elif self._state is PlayerState.STOPPED and (feed.ended() or self._frame_now() >= feed.frames):
                self._reposition(floor)  # played to the end: start again
            try:
                self._progress = (feed.ring.read, time.monotonic(), time.monotonic())
                self._output.start(self._device, self.rate)
            except PlaybackError as error:
                failure: PlaybackError | None = error
                changes: Notifications = []
            else:
                self._error = failure = None
                changes = self._set_state(PlayerState.PLAYING)
        if failure is not None:
            self._report(failure)
        self._notify(changes)

    def pause(self) -> None:
        with self._control():
            if self._state is not PlayerState.PLAYING:
                return
            changes = self._set_state(PlayerState.PAUSED)  # first, so the watcher sees no failure
            self._output.halt()
            self._moved_since_pause = False
        self._notify(changes)

    def toggle(self) -> None:
        if self._state is PlayerState.PLAYING:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Stop and go back to the start."""
        with self._control():
            changes = self._set_state(PlayerState.STOPPED)
            self._output.halt()
            if self._feed is not None:
                self._reposition(0)
        self._notify(changes)

    def seek(self, seconds: float) -> None:
        """Jump to `seconds` (clamped to the recording). A jump out of the loop ends the loop."""
        with self._control():
            feed = self._feed
            if feed is None:
                return
            frame = max(0, min(round(seconds * self.rate), feed.frames))
            if feed.loop and not feed.loop[0] <= frame < feed.loop[1]:
                feed.loop = None
            self._reposition(frame)
            self._moved_since_pause = True

    def skip(self, seconds: float) -> None:
        """Move by `seconds`, back if negative."""
        self.seek(self.position() + seconds)

    def skip_back(self) -> None:
        self.skip(-self.skip_seconds)

    def skip_forward(self) -> None:
        self.skip(self.skip_seconds)

    def set_speed(self, speed: float) -> None:
        """0.5 to 2.0; the pitch stays. Takes effect at once (the ring is refilled)."""
        speed = check_speed(speed)
        with self._control():
            if speed == self._speed:
                return
            self._speed = speed
            if self._feed is not None:
                self._feed.speed = speed
                self._reposition(self._frame_now())

    def set_volume(self, volume: float) -> None:
        """0.0 to 1.0, applied by the callback, so it takes effect with the next block."""
        self._gain = float(min(1.0, max(0.0, volume)))

    def play_span(self, start: float, end: float) -> None:
        """Play exactly `start`..`end` seconds once, then stop there (a coded passage). Any loop
        ends; a later seek or play goes on normally."""
        with self._control():
            feed = self._feed
            if feed is None:
                return
            if end <= start:
                raise ValueError(f"a passage must end after it starts ({start} to {end})")
            feed.loop = None
            self._feed.reposition(round(start * self.rate), consumer_running=self._state is PlayerState.PLAYING,  # type: ignore[union-attr]
                                  stop_at=round(end * self.rate))
            self._wake.set()
            self._moved_since_pause = True
        self.play()

    def set_loop(self, start: float | None, end: float | None = None) -> None:
        """Play `start`..`end` over and over; `set_loop(None)` ends the loop. If the position is
        outside the span it jumps to `start`."""
        with self._control():
            feed = self._feed
            if feed is None:
                return
            if start is None or end is None:
                feed.loop = None
            else:
                first = max(0, min(round(start * self.rate), feed.frames))
                last = max(0, min(round(end * self.rate), feed.frames))
                if last <= first:
                    raise ValueError(f"a loop must end after it starts ({start} to {end})")
                feed.loop = (first, last)
            now = self._frame_now()
            inside = feed.loop is None or feed.loop[0] <= now < feed.loop[1]
            # Refill even when inside: the ring may already hold sound from past the loop's end.
            self._reposition(now if inside or feed.loop is None else feed.loop[0])

    def set_device(self, index: int | None) -> None:
        """Play through output device `index` (None: the system default). Raises PlaybackError
        for a device that does not exist or cannot play. Playback continues on the new device."""
        if index is not None:
            device_info(index)
        rate = device_rate(index)
        with self._control():
            self._device = index
            was_playing = self._state is PlayerState.PLAYING
            changes = self._set_state(PlayerState.PAUSED) if was_playing else []
            self._output.close()
            if self._feed is not None and rate != self.rate:
                # Decode at the new device's own rate, from the same place, keeping the loop.
                loop, frame = self.loop, self._frame_now() * rate // self.rate
                self._install(StreamSource(self._feed.source.path, rate), frame)
                if loop is not None:
                    self._feed.loop = (round(loop[0] * rate), round(loop[1] * rate))
            self.rate = rate
            self._moved_since_pause = True  # no rewind: carry on where it was
        self._notify(changes)
        if was_playing:
            self.play()

    def close(self) -> None:
        """Stop playing and release the device, the file and the producer thread."""
        self._closing.set()
        self._wake.set()
        with self._control():
            self._set_state(PlayerState.STOPPED)
            self._output.close()
            if self._feed is not None:
                self._feed.close()
                self._feed = None
        if threading.current_thread() is not self._thread:  # close() from a callback on it
            self._thread.join(timeout=2)

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the audio callback (PortAudio's thread): copy, scale, count -------------------------

    def _fill(self, out: np.ndarray) -> None:
        self._feed.ring.pull(out, self._gain, self._tap)  # type: ignore[union-attr]

    # -- producer thread ---------------------------------------------------------------------

    def _produce_forever(self) -> None:
        while not self._closing.is_set():
            if self._callers_waiting:  # a caller first: at most one chunk's work delays it
                time.sleep(0.0005)
                continue
            with self._lock:
                busy = self._feed.produce_once() if self._feed else False
                changes, failure = self._watch()
            if failure is not None:
                self._report(failure)
            self._notify(changes)
            if not busy:
                self._wake.wait(0.01)
                self._wake.clear()

    def _watch(self) -> tuple[Notifications, PlaybackError | None]:
        """While playing: notice a device that failed or vanished, and the end of the recording."""
        feed = self._feed
        if self._state is not PlayerState.PLAYING or feed is None:
            return [], None
        reason = self._output.failure()
        read, since, watched = self._progress
        now = time.monotonic()
        if feed.ring.read != read or feed.ring.buffered() == 0 or now - watched > 0.5:
            # Moving, starved by the producer, or this thread itself did not run for a while
            # (a long GIL hold, a suspended machine): none of these says the device is gone.
            self._progress = (feed.ring.read, now, now)
        elif now - since > STALL_SECONDS and reason is None:
            # Some host APIs just stop calling back when a device goes away.
            reason = f"it has taken no sound for {STALL_SECONDS:.0f} s"
        else:
            self._progress = (read, since, now)
        if reason is not None:
            changes = self._set_state(PlayerState.PAUSED)
            self._output.close()
            self._moved_since_pause = True  # resume where the sound broke off
            return changes, PlaybackError(
                f"Playback stopped: the output device {device_name(self._device)} is no longer available "
                f"({reason}). Reconnect it or choose another output device, then press play."
            )
        if feed.ended():
            changes = self._set_state(PlayerState.STOPPED)
            self._output.halt()
            return changes, None
        return [], None

    # -- the control lock, for callers ----------------------------------------------------------

    @contextmanager
    def _control(self) -> Iterator[None]:
        """Hold the control lock, ahead of the producer thread (see `_callers_waiting`)."""
        with self._callers_count_lock:
            self._callers_waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._callers_count_lock:
                self._callers_waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    # -- helpers (the lock held) -------------------------------------------------------------

    def _install(self, source: StreamSource, frame: int) -> None:
        """Make `source` the recording, positioned at `frame`; the device stream is closed."""
        self._output.close()
        if self._feed is not None:
            self._feed.close()
        self.rate = source.rate
        self._feed = Feed(source, self._speed)
        self._reposition(frame)

    def _reposition(self, frame: int) -> None:
        self._feed.reposition(frame, consumer_running=self._state is PlayerState.PLAYING)  # type: ignore[union-attr]
        self._wake.set()

    def _frame_now(self) -> int:
        return round(self.position() * self.rate)

    def _set_state(self, state: PlayerState) -> Notifications:
        if state is self._state:
            return []
        self._state = state
        callback = self.on_state_changed
        return [lambda: callback(state)] if callback else []

    # -- notifications (called without the lock held) ---------------------------------------

    def _notify(self, changes: Notifications) -> None:
        for change in changes:
            change()

    def _report(self, error: PlaybackError) -> None:
        self._error = error
        if self.on_error:
            self.on_error(error)
