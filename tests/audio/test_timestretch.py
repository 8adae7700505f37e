"""WSOLA time-stretch on its own: pitch kept, length scaled, streaming equals one-shot, 1× exact."""

from __future__ import annotations

import numpy as np
import pytest

from audio.timestretch import TimeStretcher, stretch
from tests.audio.test_player_support import dominant_frequency, tone

RATE = 16_000


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.25, 1.5, 2.0])
def test_pitch_is_kept_and_length_scales(speed: float) -> None:
    source = tone(2.0, RATE)
    out = stretch(source, RATE, speed)
    assert len(out) == round(len(source) / speed)
    middle = out.samples[len(out) // 8 : -len(out) // 8]
    assert dominant_frequency(middle, RATE) == pytest.approx(440, rel=0.005)
    # The level stays (Hann windows at half overlap sum to one); no dips where frames join.
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_one_times_passes_samples_through_exactly() -> None:
    rng = np.random.default_rng(1)
    source = rng.uniform(-1, 1, 10_000).astype(np.float32)
    stretcher = TimeStretcher(RATE, 1.0, start=500)
    parts = [stretcher.process(source[i : i + 999]) for i in range(0, len(source), 999)]
    parts.append(stretcher.finish())
    assert np.array_equal(np.concatenate([p.samples for p in parts]), source)
    assert np.array_equal(np.concatenate([p.ends for p in parts]), np.arange(501, 10_501))


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_chunk_by_chunk_equals_all_at_once(speed: float) -> None:
    rng = np.random.default_rng(2)
    source = (tone(1.0, RATE, 230) + 0.1 * rng.standard_normal(RATE)).astype(np.float32)
    whole = stretch(source, RATE, speed)
    stretcher = TimeStretcher(RATE, speed)
    cuts = np.sort(rng.choice(np.arange(1, len(source)), 40, replace=False))
    parts = [stretcher.process(chunk) for chunk in np.split(source, cuts)]
    parts.append(stretcher.finish())
    assert np.array_equal(np.concatenate([p.samples for p in parts]), whole.samples)
    assert np.array_equal(np.concatenate([p.ends for p in parts]), whole.ends)


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_positions_rise_steadily_from_start_to_end(speed: float) -> None:
    source = tone(0.5, RATE)
    stretcher = TimeStretcher(RATE, speed, start=32_000)
    out = stretcher.process(source)
    tail = stretcher.finish()
    ends = np.concatenate([out.ends, tail.ends])
    steps = np.diff(ends)
    assert np.all(steps >= 0)
    assert 32_000 <= ends[0] <= 32_000 + 0.012 * RATE
    assert ends[-1] == 32_000 + len(source)
    # Away from the two ends (clamped to the input), each output sample stands for `speed` input samples.
    assert np.allclose(steps[len(steps) // 10 : -len(steps) // 10], speed)


def test_memory_stays_bounded_while_streaming() -> None:
    stretcher = TimeStretcher(RATE, 0.5)
    chunk = tone(0.25, RATE)
    for _ in range(200):  # 50 s of input
        stretcher.process(chunk)
    assert len(stretcher._buffer) < len(chunk) + RATE // 10  # noqa: SLF001 - what the test is about


@pytest.mark.parametrize("speed", [0.49, 2.01, 0.0])
def test_speed_outside_half_to_double_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="between 0.5 and 2.0"):
        TimeStretcher(RATE, speed)
