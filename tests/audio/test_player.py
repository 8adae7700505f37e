"""The player on the real sound path: PortAudio through sounddevice, on an ALSA null device in CI.

What reaches the device is captured by a DeliveryTap inside the audio callback. The null device
consumes sound much faster than real time, so these tests take a fraction of the clip's length;
the producer thread, not the clock, sets the pace, which is also the harder case for it.
"""

from __future__ import annotations

import time

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.player import DeliveryTap, Player, PlayerState
from tests.audio.test_player_support import (
    device_rate,
    dominant_frequency,
    ramp,
    ramp_index,
    require_output,
    tone,
    vm_rss_mb,
    wait_until,
    write_wav,
)


@pytest.fixture(autouse=True)
def _output() -> None:
    require_output()


def play_to_end(player: Player, timeout: float = 30.0) -> None:
    player.play()
    assert wait_until(lambda: player.state is PlayerState.STOPPED, timeout), "playback did not reach the end"
    assert player.error() is None


@pytest.mark.parametrize("speed", [0.5, 2.0])
def test_tone_keeps_its_pitch_and_lasts_one_over_speed(tmp_path: Path, speed: float) -> None:
    rate = device_rate()
    source = write_wav(tmp_path / "tone.wav", tone(2.0, rate), rate)
    tap = DeliveryTap(capacity=5 * rate)
    with Player(tap=tap) as player:
        player.open(source)
        player.set_speed(speed)
        play_to_end(player)
    delivered = tap.samples[: tap.count]
    duration_error = (len(delivered) / rate) / (2.0 / speed) - 1
    middle = delivered[len(delivered) // 8 : -len(delivered) // 8]
    frequency_error = dominant_frequency(middle, rate) / 440 - 1
    print(f"speed={speed} frequency_error={frequency_error:+.4%} duration_error={duration_error:+.4%}")
    assert abs(frequency_error) < 0.02
    assert abs(duration_error) < 0.02


def test_one_times_delivers_the_file_sample_for_sample(tmp_path: Path) -> None:
    rate = device_rate()
    signal = tone(1.0, rate, 330) + tone(1.0, rate, 1234, 0.2)
    source = write_wav(tmp_path / "two-tones.wav", signal, rate)
    tap = DeliveryTap(capacity=2 * rate)
    with Player(tap=tap) as player:
        player.open(source)
        play_to_end(player)
        assert player.position() == pytest.approx(1.0)
    with wave.open(str(source)) as wav:
        expected = np.frombuffer(wav.readframes(rate), "<i2") / 32768
    assert tap.count == rate
    assert np.array_equal(tap.samples[:rate], expected.astype(np.float32))
    assert np.array_equal(tap.ends[:rate], np.arange(1, rate + 1))


@pytest.mark.parametrize("speed", [1.0, 1.5, 0.5, 2.0])
def test_position_follows_the_delivered_sound(tmp_path: Path, speed: float) -> None:
    """A ramp file: every delivered sample's value says which frame of the recording it came
    from. Compare that with position() while playing, at pauses, and for every frame."""
    rate = device_rate()
    frames = 6 * rate
    source = write_wav(tmp_path / "ramp.wav", ramp(frames), rate)
    tap = DeliveryTap(capacity=round(frames / speed) + 8 * rate)  # all of it once, and the replays
    # 20 ms is the requirement at 1.0x and 1.5x. At 2.0x WSOLA's search window plus half a hop
    # of drift is about 14 ms by itself, so a busy machine's read race can pass 20: allow 25.
    limit = (0.020 if speed in (1.0, 1.5) else 0.025) * rate
    # The stretcher fades the recording's last frame out (TimeStretcher.finish), so in the last
    # few ms a sample's value is the ramp times the window and no longer says where it came from
    # (at 2x the very last one reads 46 ms early). Compare content with position only before.
    fade = frames - round(0.05 * rate)
    worst_while_playing = worst_at_pause = 0.0
    with Player(tap=tap, rewind_on_resume=0) as player:
        player.open(source)
        player.set_speed(speed)
        player.play()
        checked = 0
        while player.state is PlayerState.PLAYING and checked < 2000:
            before = tap.count
            position = player.position()
            if before == tap.count and 0 < before <= len(tap.samples) and tap.ends[before - 1] < fade:
                truth = ramp_index(tap.samples[before - 1], frames) + 1
                worst_while_playing = max(worst_while_playing, abs(position * rate - truth))
                checked += 1
        assert checked > 50
        for stop_at in (2.0, 4.0):
            player.seek(stop_at - 1.0)
            player.play()
            wait_until(lambda: player.position() >= stop_at, 10)  # noqa: B023
            player.pause()
            settled = [-1]  # a callback may still be finishing its block as pause() returns

            def still() -> bool:
                previous, settled[0] = settled[0], tap.count
                time.sleep(0.02)
                return previous == tap.count
            wait_until(still, 2)
            assert tap.count <= len(tap.samples)
            # Paused, the position is exactly the one the last delivered frame carried...
            last = tap.ends[tap.count - 1]
            assert player.position() * rate == pytest.approx(last, abs=1e-6)
            # ...and that is where its sound came from. The null device takes sound far faster
            # than real time, so the rest of the recording may play out while pause() gets going:
            # then the last frame is in the final fade, whose content cannot be compared.
            if last < fade:
                truth = ramp_index(tap.samples[tap.count - 1], frames) + 1
                worst_at_pause = max(worst_at_pause, abs(player.position() * rate - truth))
        # Every frame delivered carried its position: compare them all with their content.
        count = min(tap.count, len(tap.samples))
        content = ramp_index(tap.samples[:count], frames) + 1
        before_fade = tap.ends[:count] < fade
        worst_per_frame = float(np.max(np.abs(tap.ends[:count] - content)[before_fade]))
    print(
        f"speed={speed} position_error_ms playing={worst_while_playing / rate * 1000:.2f} "
        f"paused={worst_at_pause / rate * 1000:.2f} per_frame={worst_per_frame / rate * 1000:.2f}"
    )
    assert worst_while_playing < limit and worst_at_pause < limit and worst_per_frame < limit
    if speed == 1.0:  # no stretch: exact, up to the 16-bit ramp's quantisation (a few frames)
        assert worst_at_pause < 0.001 * rate and worst_per_frame < 0.001 * rate


def test_speech_stays_intelligible_at_one_and_a_half(jfk: Path) -> None:
    import av

    from audio.engine import EngineSettings, load_model, transcribe_samples
    from audio.models import resolve_model

    rate = device_rate()
    tap = DeliveryTap(capacity=12 * rate)
    with Player(tap=tap) as player:
        player.open(jfk)
        player.set_speed(1.5)
        play_to_end(player)
        duration = player.duration
    delivered = tap.samples[: tap.count]
    assert len(delivered) / rate == pytest.approx(duration / 1.5, rel=0.02)
    # To Whisper's 16 kHz with FFmpeg's resampler, as the engine's decoder would.
    frame = av.AudioFrame.from_ndarray(delivered[np.newaxis, :], format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=16_000)
    pieces = [*resampler.resample(frame), *resampler.resample(None)]
    samples16k = np.concatenate([piece.to_ndarray()[0] for piece in pieces])
    model = load_model(resolve_model("tiny.en"), EngineSettings())
    batches = transcribe_samples(model, samples16k, EngineSettings(mode="sequential"), multilingual=False)
    text = " ".join(turn.text for batch in batches for turn in batch.turns)
    words = " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())
    print(f"1.5x: {text}")
    assert "my fellow americans" in words
    assert "your country" in words


def test_a_long_recording_is_not_decoded_whole(tmp_path: Path) -> None:
    """20 minutes is 200 MB as float32 at 44.1 kHz; playing it must add only the ring and the
    codec's working set. Plays its start, jumps near the end and plays to the end."""
    rate = device_rate()
    path = tmp_path / "twenty-minutes.wav"
    rng = np.random.default_rng(3)
    with wave.open(str(path), "wb") as out:  # written a minute at a time, to keep this test's own use low
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        minute = tone(60, 16_000, 220, 0.3)
        for _ in range(20):
            noisy = minute + rng.normal(0, 0.05, len(minute)).astype(np.float32)
            out.writeframes(np.round(np.clip(noisy, -1, 1) * 32767).astype("<i2").tobytes())
    decoded_mb = 20 * 60 * rate * 4 / 2**20
    with Player() as warm_up:  # libraries and first-use allocations, before the baseline
        warm_up.open(write_wav(tmp_path / "short.wav", tone(0.5, rate), rate))
        play_to_end(warm_up)
    baseline = vm_rss_mb()
    peak = [baseline]
    sampling = threading.Event()

    def sample_rss() -> None:
        while not sampling.wait(0.005):
            peak[0] = max(peak[0], vm_rss_mb())

    sampler = threading.Thread(target=sample_rss)
    sampler.start()
    try:
        with Player() as player:
            player.open(path)
            assert player.duration == pytest.approx(1200)
            player.play()
            assert wait_until(lambda: player.position() > 20, 20)
            player.seek(1190)
            assert wait_until(lambda: player.state is PlayerState.STOPPED, 20)
            assert player.error() is None and player.position() == pytest.approx(1200, abs=0.01)
    finally:
        sampling.set()
        sampler.join()
    added = peak[0] - baseline
    print(f"rss_added_mb={added:.1f} (decoded whole: {decoded_mb:.0f} MB)")
    assert added < 40, f"playing added {added:.0f} MB; decoding it whole would take {decoded_mb:.0f} MB"
