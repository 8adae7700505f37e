"""Device trouble becomes a PlaybackError the GUI can show; it never kills the process."""

from __future__ import annotations

import threading

from pathlib import Path

import numpy as np
import pytest

from audio.errors import MediaError
from audio.player import DeliveryTap, PlaybackError, Player, PlayerState
from tests.audio.test_player_support import device_rate, require_output, tone, wait_until, write_wav


@pytest.fixture
def tone_file(tmp_path: Path) -> Path:
    rate = device_rate()
    return write_wav(tmp_path / "tone.wav", tone(2.0, rate), rate)


def test_a_device_that_does_not_exist_is_refused_clearly(tone_file: Path) -> None:
    with pytest.raises(PlaybackError, match=r"no sound device number 9999\. (Output devices: .+|No output devices are available)\."):
        Player(device=9999)
    with Player() as player:
        player.open(tone_file)
        with pytest.raises(PlaybackError, match="number 9999"):
            player.set_device(9999)
        assert player.state is PlayerState.STOPPED


def test_devices_lists_outputs_only() -> None:
    require_output()
    devices = Player.devices()
    assert devices and all(d.channels > 0 and d.sample_rate > 0 and d.name for d in devices)
    assert sum(d.is_default for d in devices) == 1


def test_choosing_a_device_plays_through_it(tone_file: Path) -> None:
    require_output()
    tap = DeliveryTap(capacity=5 * device_rate())
    with Player(tap=tap) as player:
        default = next(d for d in player.devices() if d.is_default)
        player.open(tone_file)
        player.set_device(default.index)
        player.play()
        assert wait_until(lambda: player.state is PlayerState.STOPPED, 10)
        assert player.error() is None and tap.count == 2 * device_rate()


def test_no_output_device_is_reported_not_raised(tone_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice as sd

    def no_devices(device: object = None, kind: object = None) -> object:
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_devices)
    errors: list[PlaybackError] = []
    with Player(on_error=errors.append) as player:
        player.open(tone_file)  # a recording still opens without a device
        assert player.duration == pytest.approx(2.0)
        player.play()
        assert player.state is PlayerState.STOPPED
        assert errors and player.error() is errors[0]
        assert "No sound output device was found" in str(player.error())
        assert Player.devices() == []


def test_a_device_that_cannot_be_opened_is_reported(tone_file: Path) -> None:
    require_output()
    import sounddevice as sd

    def busy(**_kwargs: object) -> object:
        raise sd.PortAudioError("Device unavailable [PaErrorCode -9985]")

    with Player(stream_factory=busy) as player:
        player.open(tone_file)
        player.play()
        assert player.state is PlayerState.STOPPED
        assert "Could not open the output device" in str(player.error())
        assert "Device unavailable" in str(player.error())


def test_a_device_that_vanishes_while_playing_pauses_with_an_error(tone_file: Path) -> None:
    require_output()
    import sounddevice as sd

    streams: list[sd.OutputStream] = []
    vanish = threading.Event()

    def remembered(**kwargs: object) -> sd.OutputStream:
        callback = kwargs["callback"]

        def until_the_device_goes(*args: object) -> None:
            if vanish.is_set():
                # What PortAudio does when the device goes: the stream ends under the player, from
                # the audio thread itself (aborting it from this thread can hang in ALSA's join).
                raise sd.CallbackAbort
            callback(*args)  # type: ignore[operator]

        streams.append(sd.OutputStream(**{**kwargs, "callback": until_the_device_goes}))
        return streams[-1]

    errors: list[PlaybackError] = []
    with Player(on_error=errors.append, stream_factory=remembered) as player:
        player.open(tone_file)
        player.set_loop(0.0, 1.0)  # keeps playing however fast the null device runs
        player.play()
        assert wait_until(lambda: player.position() > 0.5, 5)
        vanish.set()
        assert wait_until(lambda: bool(errors), 5)  # on_error comes from the producer thread
        assert player.state is PlayerState.PAUSED
        assert errors == [player.error()]
        assert "is no longer available" in str(player.error()) and "choose another output device" in str(player.error())
        # The player stays usable: play again opens a new stream.
        vanish.clear()
        player.play()
        assert player.state is PlayerState.PLAYING and player.error() is None
        assert len(streams) == 2
        player.pause()


class ExplodingTap(DeliveryTap):
    """Raises inside the audio callback, as a bug would."""

    def record(self, samples: np.ndarray, ends: np.ndarray) -> None:
        if self.count > 10_000:
            raise RuntimeError("bug in the callback")
        super().record(samples, ends)


def test_an_exception_in_the_audio_callback_is_caught_and_reported(tone_file: Path) -> None:
    require_output()
    with Player(tap=ExplodingTap(capacity=100_000)) as player:
        player.open(tone_file)
        player.set_loop(0.0, 1.0)
        player.play()
        assert wait_until(lambda: player.error() is not None, 5)
        assert player.state is PlayerState.PAUSED
        assert "RuntimeError: bug in the callback" in str(player.error())


def test_a_missing_file_raises_media_error_and_changes_nothing(tone_file: Path, tmp_path: Path) -> None:
    with Player() as player:
        player.open(tone_file)
        player.seek(1.0)
        with pytest.raises(MediaError, match="does not exist"):
            player.open(tmp_path / "missing.flac")
        (tmp_path / "junk.mp3").write_bytes(b"not audio at all" * 100)
        with pytest.raises(MediaError, match="not a media file"):
            player.open(tmp_path / "junk.mp3")
        assert player.duration == pytest.approx(2.0) and player.position() == pytest.approx(1.0)


def test_commands_without_a_recording_do_nothing() -> None:
    with Player() as player:
        player.play()
        player.seek(3.0)
        player.set_loop(1.0, 2.0)
        player.set_speed(1.5)
        assert player.state is PlayerState.STOPPED and player.position() == 0.0 and player.duration == 0.0
