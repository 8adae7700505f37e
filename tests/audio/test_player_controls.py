"""Seek, skip, loop, rewind on resume, volume, pause and resume, the end: on the real device.

The recording is a ramp, so the value of each delivered sample says which frame of the file it
came from; `heard(i)` turns the i-th delivered frame back into seconds of the recording.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.player import DeliveryTap, Player, PlayerState
from tests.audio.test_player_support import (
    device_rate,
    ramp,
    ramp_index,
    require_output,
    tone,
    wait_until,
    write_wav,
)

SECONDS = 12
CLOSE = 0.002  # seconds: a ramp in a 16-bit file tells the frame to about 0.2 ms


@pytest.fixture(autouse=True)
def _output() -> None:
    require_output()


@pytest.fixture
def rate() -> int:
    return device_rate()


@pytest.fixture
def ramp_file(tmp_path: Path, rate: int) -> Path:
    return write_wav(tmp_path / "ramp.wav", ramp(SECONDS * rate), rate)


@pytest.fixture
def tap(rate: int) -> DeliveryTap:
    return DeliveryTap(capacity=4 * SECONDS * rate)


@pytest.fixture
def player(ramp_file: Path, tap: DeliveryTap):  # noqa: ANN201 - a generator fixture
    states: list[PlayerState] = []
    with Player(on_state_changed=states.append, tap=tap, rewind_on_resume=0) as player:
        player.open(ramp_file)
        player.states = states  # type: ignore[attr-defined]
        yield player


def heard(tap: DeliveryTap, index: int, rate: int) -> float:
    """Seconds into the recording of the `index`-th frame delivered to the device."""
    return float(ramp_index(tap.samples[index], SECONDS * rate)) / rate


def play_until(player: Player, seconds: float) -> None:
    player.play()
    assert wait_until(lambda: player.position() >= seconds or player.state is not PlayerState.PLAYING, 10)
    player.pause()


def test_seek_moves_the_position_at_once_and_the_sound_with_it(player: Player, tap: DeliveryTap, rate: int) -> None:
    player.seek(7.25)
    assert player.position() == pytest.approx(7.25)
    assert player.state is PlayerState.STOPPED
    play_until(player, 7.5)
    assert heard(tap, 0, rate) == pytest.approx(7.25, abs=CLOSE)
    # While playing: the next delivered frame comes from the new place.
    player.play()
    before = tap.count
    player.seek(2.0)
    assert player.position() == pytest.approx(2.0, abs=0.001)
    assert wait_until(lambda: player.position() > 2.2, 10)
    player.pause()
    starts = [heard(tap, i, rate) for i in range(before, tap.count)]
    first_after = next(i for i, t in enumerate(starts) if t < 7)  # at most a block of old sound first
    assert starts[first_after] == pytest.approx(2.0, abs=CLOSE)
    assert player.seek(-3) is None and player.position() == 0.0  # clamped
    player.seek(SECONDS + 10)
    assert player.position() == pytest.approx(SECONDS)


def test_skip_back_and_forward(player: Player) -> None:
    assert player.skip_seconds == 5.0
    player.seek(6.0)
    player.skip_back()
    assert player.position() == pytest.approx(1.0)
    player.skip_forward()
    player.skip_forward()
    assert player.position() == pytest.approx(11.0)
    player.skip_forward()
    assert player.position() == pytest.approx(SECONDS)  # clamped at the end
    player.skip(-2.5)
    assert player.position() == pytest.approx(SECONDS - 2.5)


def test_loop_repeats_a_span_until_cleared(player: Player, tap: DeliveryTap, rate: int) -> None:
    player.set_loop(3.0, 3.5)
    assert player.loop == pytest.approx((3.0, 3.5))
    assert player.position() == pytest.approx(3.0)  # it was outside the span: jumps to its start
    player.play()
    assert wait_until(lambda: tap.count > 5 * 0.5 * rate, 10)  # five rounds or more
    assert player.state is PlayerState.PLAYING
    player.pause()
    times = np.array([heard(tap, i, rate) for i in range(tap.count)])
    assert times.min() == pytest.approx(3.0, abs=CLOSE) and times.max() == pytest.approx(3.5, abs=CLOSE)
    assert np.sum(np.diff(times) < -0.4) >= 4  # it wrapped round
    positions = tap.ends[: tap.count] / rate
    assert positions.min() >= 3.0 - CLOSE and positions.max() <= 3.5 + CLOSE
    # Cleared: playing carries on past the end of the span.
    player.set_loop(None)
    assert player.loop is None
    play_until(player, 4.0)
    assert player.position() >= 4.0
    # A jump out of the span ends the loop.
    player.set_loop(5.0, 6.0)
    player.seek(8.0)
    assert player.loop is None


def test_loop_of_the_current_turn_keeps_the_position_when_inside(player: Player) -> None:
    player.seek(4.2)
    player.set_loop(4.0, 5.0)
    assert player.position() == pytest.approx(4.2)
    with pytest.raises(ValueError, match="end after it starts"):
        player.set_loop(5.0, 4.0)


def test_rewind_on_resume_plays_the_last_seconds_again(player: Player, tap: DeliveryTap, rate: int) -> None:
    player.rewind_on_resume = 2.0
    play_until(player, 5.0)
    paused_at = player.position()
    assert player.state is PlayerState.PAUSED
    resumed_from = tap.count
    play_until(player, paused_at - 1.5)
    assert heard(tap, resumed_from, rate) == pytest.approx(paused_at - 2.0, abs=CLOSE)
    # Not when the user moved the position while paused: play from where they put it.
    player.seek(9.0)
    resumed_from = tap.count
    play_until(player, 9.2)
    assert heard(tap, resumed_from, rate) == pytest.approx(9.0, abs=CLOSE)
    # Never before the start.
    player.seek(1.0)
    play_until(player, 1.5)
    resumed_from = tap.count
    play_until(player, 0.2)
    assert heard(tap, resumed_from, rate) == pytest.approx(0.0, abs=CLOSE)


def test_pause_holds_the_position_and_resume_continues_seamlessly(player: Player, tap: DeliveryTap, rate: int) -> None:
    play_until(player, 3.0)
    held = player.position()
    last = tap.count
    assert wait_until(lambda: False, 0.05) is False  # let time pass
    assert player.position() == held and tap.count == last
    # The position is the end of the last frame delivered.
    assert held == pytest.approx(heard(tap, last - 1, rate) + 1 / rate, abs=CLOSE)
    player.play()
    assert wait_until(lambda: tap.count > last + 1000, 10)
    player.pause()
    steps = np.diff([heard(tap, i, rate) for i in range(last - 100, last + 100)])
    assert np.all(np.abs(steps - 1 / rate) < CLOSE)  # no gap, no repeat


def test_volume_scales_what_reaches_the_device(tmp_path: Path, rate: int) -> None:
    tap = DeliveryTap(capacity=rate)
    signal = tone(0.5, rate)
    with Player(tap=tap) as player:
        player.open(write_wav(tmp_path / "tone.wav", signal, rate))
        player.set_volume(0.25)
        player.play()
        assert wait_until(lambda: player.state is PlayerState.STOPPED, 10)
        assert player.volume == 0.25
        player.set_volume(3.0)
        assert player.volume == 1.0
        player.set_volume(-1)
        assert player.volume == 0.0
    assert np.max(np.abs(tap.samples[: tap.count])) == pytest.approx(0.25 * 0.5, rel=0.01)


def test_speed_change_keeps_the_place(player: Player, tap: DeliveryTap, rate: int) -> None:
    play_until(player, 2.0)
    held = player.position()
    player.set_speed(1.5)  # while paused: the position stays, the sound resumes from it
    assert player.speed == 1.5 and player.position() == held
    resumed_from = tap.count
    play_until(player, 3.0)
    assert heard(tap, resumed_from, rate) == pytest.approx(held, abs=0.015)  # within WSOLA's search
    # While playing: the sound carries on from where it was. At most the block being played
    # when the speed changed is heard again (here the null device plays ~100 times faster
    # than real time, so a few blocks).
    resumed_from = tap.count
    player.play()
    assert wait_until(lambda: player.position() > 3.5, 10)
    player.set_speed(0.5)
    assert wait_until(lambda: player.position() > 4.5, 10)
    player.pause()
    times = np.array([heard(tap, i, rate) for i in range(resumed_from, tap.count)])
    jumps = np.diff(times)
    assert jumps.min() > -0.05 and jumps.max() < 0.02
    with pytest.raises(ValueError):
        player.set_speed(2.5)


def test_the_end_stops_and_play_starts_again(player: Player, tap: DeliveryTap, rate: int) -> None:
    player.seek(SECONDS - 1)
    player.play()
    # on_state_changed runs just after the state changes (outside the player's lock): wait for it.
    assert wait_until(lambda: player.states[-1:] == [PlayerState.STOPPED], 10)  # type: ignore[attr-defined]
    assert player.state is PlayerState.STOPPED and player.position() == pytest.approx(SECONDS)
    assert player.states == [PlayerState.PLAYING, PlayerState.STOPPED]  # type: ignore[attr-defined]
    start = tap.count
    player.play()
    assert wait_until(lambda: tap.count > start + 100, 10)
    player.pause()
    assert heard(tap, start, rate) == pytest.approx(0.0, abs=CLOSE)
    player.stop()
    assert player.state is PlayerState.STOPPED and player.position() == 0.0
    player.toggle()
    assert player.state is PlayerState.PLAYING
    player.toggle()
    assert player.state is PlayerState.PAUSED


def test_a_passage_plays_exactly_its_span_then_goes_on_from_there(player: Player, tap: DeliveryTap, rate: int) -> None:
    player.seek(1.0)
    player.play_span(4.25, 5.5)
    assert wait_until(lambda: player.states[-1:] == [PlayerState.STOPPED], 10)  # type: ignore[attr-defined]
    times = np.array([heard(tap, i, rate) for i in range(tap.count)])
    assert times.min() == pytest.approx(4.25, abs=CLOSE) and times.max() == pytest.approx(5.5, abs=CLOSE)
    assert tap.count == pytest.approx(1.25 * rate, abs=0.003 * rate)  # nothing before or after it
    assert player.position() == pytest.approx(5.5, abs=CLOSE)
    start = tap.count
    player.play()  # goes on after the passage, not from the start of the recording
    assert wait_until(lambda: tap.count > start + 100, 10)
    player.pause()
    assert heard(tap, start, rate) == pytest.approx(5.5, abs=CLOSE)
    with pytest.raises(ValueError):
        player.play_span(3.0, 2.0)
