"""Playback in the window: the Qt-free player, the player bar, and the editor's word highlight.

A 30 ms timer polls the player's position (counted in samples delivered to the device) and
moves the highlight; the player's own callbacks only emit signals, which Qt queues onto the
GUI thread. Without a sound device, or with a recording that is gone, the bar says why it is
off and editing goes on.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app import settings
from audio.errors import MediaError
from audio.output_devices import PlaybackError
from audio.player import Player, PlayerState
from storage.records import RecordingRecord
from widgets.player_bar import PlayerBar
from widgets.transcript_editor import TranscriptEditor

POLL_MS = 30
SPEED_STEP = 0.1


class PlaybackController(QObject):
    state_changed = Signal(object)
    error_raised = Signal(object)

    def __init__(self, bar: PlayerBar, editor: TranscriptEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar, self.editor = bar, editor
        self.player: Player | None = None
        self._last_shown = -1.0
        self._unavailable = ""  # why playback is off for the shown transcript ("" while it is on)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._tick)
        self.state_changed.connect(self._show_state)
        self.error_raised.connect(self._show_error)
        bar.toggle_requested.connect(self.toggle)
        bar.seek_requested.connect(self.seek)
        bar.skip_requested.connect(self.skip)
        bar.speed_requested.connect(self.set_speed)
        bar.volume_requested.connect(lambda volume: self.player and self.player.set_volume(volume))
        bar.loop_toggled.connect(self.loop_current_turn)
        bar.follow_toggled.connect(self._set_follow)
        editor.seek_requested.connect(self.seek)

    # --- opening ---------------------------------------------------------------------------

    def open_recording(self, recording: RecordingRecord | None) -> None:
        self.stop()
        if recording is None:
            self.show_unavailable("This transcript has no recording: there is no audio.")
            return
        if recording.audio_deleted:
            self.show_unavailable("The audio of this recording was deleted (recorded in the audit); the transcript is kept.")
            return
        if not recording.media_path.exists():
            self.show_unavailable(f"The recording file {recording.media_path.name} is missing: {recording.media_path}. "
                                  "Put it back there to listen; editing works as usual.")
            return
        try:
            player = self._ensure_player()
            player.open(recording.media_path)
        except (PlaybackError, MediaError) as error:
            self.show_unavailable(f"Playback is off: {error} Editing works as usual.")
            return
        self._unavailable = ""
        self.bar.set_available(True)
        self.bar.show_error("")
        self.bar.show_position(0.0, player.duration)
        self.timer.start()

    def show_unavailable(self, reason: str) -> None:
        """Turn playback off for the shown transcript and say why (a text source, audio removed
        on a date, a missing file): the sources controller knows more than the recording row."""
        self.stop()
        self._unavailable = reason
        self.bar.set_available(False, reason)
        self.bar.show_position(0.0, 0.0)

    def unavailable_reason(self) -> str:
        return self._unavailable

    def _ensure_player(self) -> Player:
        if self.player is None:
            device = settings.OUTPUT_DEVICE.get()
            try:
                self.player = self._make_player(None if device < 0 else device)
            except PlaybackError:
                settings.OUTPUT_DEVICE.set(-1)  # the chosen device is gone: fall back to the default
                self.player = self._make_player(None)
        return self.player

    def _make_player(self, device: int | None) -> Player:
        return Player(on_state_changed=self.state_changed.emit, on_error=self.error_raised.emit, device=device,
                      rewind_on_resume=settings.REWIND_ON_RESUME.get(), skip_seconds=settings.SKIP_SECONDS.get())

    def configure(self, parent) -> None:  # noqa: ANN001
        """Playback → Settings: output device, rewind on resume, skip length."""
        from widgets.playback_settings import PlaybackSettingsDialog

        try:
            devices = [(None, "System default")] + [(d.index, f"{d.name} ({d.host_api})") for d in Player.devices()]
        except PlaybackError as error:
            devices = [(None, f"System default ({error})")]
        current = settings.OUTPUT_DEVICE.get()
        dialog = PlaybackSettingsDialog(devices, None if current < 0 else current, settings.REWIND_ON_RESUME.get(),
                                        settings.SKIP_SECONDS.get(), parent)
        if not dialog.exec():
            return
        device, rewind, skip = dialog.choices()
        settings.REWIND_ON_RESUME.set(rewind)
        settings.SKIP_SECONDS.set(skip)
        if self.player is not None:
            self.player.rewind_on_resume, self.player.skip_seconds = rewind, skip
            try:
                self.player.set_device(device)
            except PlaybackError as error:
                self.bar.show_error(f"{error} Playback stays on the previous device.")
                return
        settings.OUTPUT_DEVICE.set(-1 if device is None else device)

    # --- intents -----------------------------------------------------------------------------

    def available(self) -> bool:
        return self.player is not None and self.player.duration > 0 and self.bar.play.isEnabled()

    def toggle(self) -> None:
        if self.available():
            self.player.toggle()  # type: ignore[union-attr]

    def seek(self, seconds: float) -> None:
        if self.available():
            self.player.seek(seconds)  # type: ignore[union-attr]
            self._tick(force=True)

    def play_span(self, start: float, end: float) -> None:
        """Play a coded passage: exactly its words' time span, then stop."""
        if not self.available():
            self.bar.show_error(f"Cannot play this passage. {self._unavailable or 'There is no recording to play.'}")
            return
        if end > start:
            self.player.play_span(start, end)  # type: ignore[union-attr]
            self._tick(force=True)

    def skip(self, direction: int) -> None:
        if self.available():
            (self.player.skip_forward if direction > 0 else self.player.skip_back)()  # type: ignore[union-attr]
            self._tick(force=True)

    def set_speed(self, speed: float) -> None:
        if self.available():
            self.player.set_speed(min(2.0, max(0.5, round(speed, 2))))  # type: ignore[union-attr]
            self.bar.show_speed(self.player.speed)  # type: ignore[union-attr]

    def slower(self) -> None:
        if self.available():
            self.set_speed(self.player.speed - SPEED_STEP)  # type: ignore[union-attr]

    def faster(self) -> None:
        if self.available():
            self.set_speed(self.player.speed + SPEED_STEP)  # type: ignore[union-attr]

    def loop_current_turn(self, on: bool) -> None:
        if not self.available():
            return
        turn = self.editor.turn_at_cursor()
        if on and turn is not None and turn.end > turn.start:
            self.player.set_loop(turn.start, turn.end)  # type: ignore[union-attr]
        else:
            self.player.set_loop(None)  # type: ignore[union-attr]
        if self.bar.loop.isChecked() != (on and turn is not None):
            self.bar.loop.blockSignals(True)
            self.bar.loop.setChecked(on and turn is not None)
            self.bar.loop.blockSignals(False)

    def toggle_loop(self) -> None:
        self.loop_current_turn(not self.bar.loop.isChecked())

    def toggle_follow(self) -> None:
        self.bar.follow.setChecked(not self.bar.follow.isChecked())

    def position(self) -> float:
        return self.player.position() if self.player is not None else 0.0

    def stop(self) -> None:
        self.timer.stop()
        if self.player is not None and self.player.state != PlayerState.STOPPED:
            self.player.stop()
        self.editor.clear_highlight()

    def close(self) -> None:
        self.stop()
        if self.player is not None:
            self.player.close()
            self.player = None

    # --- display -------------------------------------------------------------------------------

    def _set_follow(self, on: bool) -> None:
        self.editor.follow_playback = on

    def _tick(self, force: bool = False) -> None:
        if self.player is None:
            return
        position = self.player.position()
        if force or abs(position - self._last_shown) > 1e-3:
            self._last_shown = position
            self.bar.show_position(position, self.player.duration)
            self.editor.highlight_time(position)

    def _show_state(self, state: PlayerState) -> None:
        self.bar.show_playing(state == PlayerState.PLAYING)

    def _show_error(self, error: PlaybackError) -> None:
        self.bar.show_playing(False)
        self.bar.show_error(f"{error} Editing goes on; press play to try again.")
