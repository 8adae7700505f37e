"""The player's parts without a device: the ring the callback reads, and the chunked decoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.errors import MediaError
from audio.playback_ring import DeliveryTap, SampleRing
from audio.stream_source import StreamSource
from tests.audio.test_player_support import ramp, ramp_index, write_wav

# -- the ring ---------------------------------------------------------------------------------


def frames(first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples whose value is their source position, and the matching ends."""
    positions = np.arange(first, first + count, dtype=np.float64)
    return positions.astype(np.float32), positions + 1


def test_ring_wraps_round_and_keeps_positions_with_frames() -> None:
    ring = SampleRing(10)
    tap = DeliveryTap(100)
    out = np.zeros(4, np.float32)
    written = 0
    for _ in range(12):  # 48 frames through a ring of 10
        written += ring.write(*[part[written - ring.written :] for part in frames(written, 7)])
        ring.pull(out, 1.0, tap)
    assert np.array_equal(tap.samples[: tap.count], np.arange(tap.count))
    assert np.array_equal(tap.ends[: tap.count], np.arange(1, tap.count + 1))
    assert ring.delivered_position() == tap.count
    assert ring.free() >= 0 and ring.written - ring.read <= ring.size


def test_ring_never_overwrites_what_is_not_yet_played() -> None:
    ring = SampleRing(8)
    assert ring.write(*frames(0, 20)) == 8
    assert ring.write(*frames(8, 5)) == 0
    out = np.zeros(3, np.float32)
    ring.pull(out, 1.0, None)
    assert ring.free() == 3 and ring.write(*frames(8, 5)) == 3


def test_ring_gives_silence_when_empty_and_scales_by_the_gain() -> None:
    ring = SampleRing(8)
    ring.write(np.ones(3, np.float32), np.arange(1.0, 4.0))
    out = np.full(5, 9.0, np.float32)
    tap = DeliveryTap(10)
    assert ring.pull(out, 0.5, tap) == 3
    assert out.tolist() == [0.5, 0.5, 0.5, 0.0, 0.0]
    assert tap.count == 3 and tap.silent_frames == 2


def test_flush_drops_old_frames_at_the_next_pull() -> None:
    ring = SampleRing(16)
    ring.write(*frames(0, 10))
    out = np.zeros(4, np.float32)
    ring.pull(out, 1.0, None)
    assert ring.delivered_since_flush() and ring.delivered_position() == 4
    ring.flush()  # a seek: frames 4..9 are stale
    assert not ring.delivered_since_flush() and ring.buffered() == 0
    ring.write(*frames(100, 6))
    ring.pull(out, 1.0, None)
    assert out.tolist() == [100, 101, 102, 103]
    assert ring.delivered_since_flush() and ring.delivered_position() == 104


def test_the_end_is_noticed_once_the_last_frame_is_played() -> None:
    ring = SampleRing(16)
    ring.write(*frames(0, 5))
    ring.mark_end()
    out = np.zeros(4, np.float32)
    ring.pull(out, 1.0, None)
    assert not ring.drained()
    ring.pull(out, 1.0, None)
    assert ring.drained()


def test_the_tap_counts_beyond_its_capacity_without_failing() -> None:
    tap = DeliveryTap(3)
    tap.record(np.ones(5, np.float32), np.arange(5.0))
    assert tap.count == 5 and tap.samples.tolist() == [1, 1, 1]


# -- the chunked decoder ----------------------------------------------------------------------


def encode_flac(path: Path, samples: np.ndarray, rate: int) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("flac", rate=rate, layout="mono")
        for start in range(0, len(samples), 4096):
            part = np.round(samples[start : start + 4096] * 32767).astype(np.int16)[np.newaxis, :]
            frame = av.AudioFrame.from_ndarray(part, format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(("kind", "file_rate", "play_rate"), [("wav", 16_000, 44_100), ("flac", 16_000, 48_000), ("flac", 44_100, 44_100)])
def test_reads_in_chunks_and_seeks_to_the_sample(tmp_path: Path, kind: str, file_rate: int, play_rate: int) -> None:
    seconds = 8
    signal = ramp(seconds * file_rate)
    path = tmp_path / f"ramp.{kind}"
    if kind == "wav":
        write_wav(path, signal, file_rate)
    else:
        encode_flac(path, signal, file_rate)
    source = StreamSource(path, play_rate)
    assert source.frames == seconds * play_rate and source.duration == seconds
    sizes = []
    while (chunk := source.read()) is not None:
        sizes.append(len(chunk))
    assert sum(sizes) == seconds * play_rate and max(sizes) < play_rate // 4  # chunks, not the file
    for target in (0.0, 0.5, 3.3337, 7.9):
        source.seek(round(target * play_rate))
        first = source.read()
        heard = float(ramp_index(first[0], seconds * play_rate)) / play_rate
        assert heard == pytest.approx(target, abs=0.001), f"seek to {target}"
        assert source.position == round(target * play_rate) + len(first)
    source.seek(10**9)  # past the end: clamped, then the end
    assert source.read() is None
    source.close()


def test_refuses_what_is_not_audio(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        StreamSource(tmp_path / "nothing.wav", 48_000)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        StreamSource(tmp_path / "empty.wav", 48_000)
    (tmp_path / "text.wav").write_text("hello " * 1000)
    with pytest.raises(MediaError, match="not a media file"):
        StreamSource(tmp_path / "text.wav", 48_000)


def test_pulling_allocates_no_sample_buffers() -> None:
    """The callback's work: whatever Python makes for a call (views, a number), but no array
    the size of a block, which is what would grow with the block and reach the allocator."""
    import tracemalloc

    ring = SampleRing(48_000)
    ring.write(*frames(0, 40_000))
    tap = DeliveryTap(48_000)
    stereo = np.zeros((1024, 2), np.float32)
    out = stereo[:, 0]  # a strided view, as sounddevice hands it over
    ring.pull(out, 0.5, tap)  # first call: numpy's one-off caches
    tracemalloc.start()
    try:
        for _ in range(30):
            ring.pull(out, 0.5, tap)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 4 / 2, f"pull allocated {peak} bytes at its peak; a block is {1024 * 4}"
