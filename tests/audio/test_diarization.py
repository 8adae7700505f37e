"""Speaker labelling: the pipeline on real recordings (loose bounds that can fail), its progress
and cancel, one speaker per channel, words taking the label under them, the clustering on
synthetic voices, and the DER arithmetic the benchmark relies on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audio.decode import decode
from audio.diarization import (
    DiarizationCancelled,
    SpeakerSpan,
    assign_words,
    channel_speakers,
    label_speakers,
    read_channels,
    read_mono,
)
from audio.diarization_metrics import Turn, best_mapping, der, word_accuracy
from audio.speaker_clustering import cluster_speakers
from audio.speaker_weights import SpeakerWeights
from resources import sample_recording
from tests.conftest import shared_file


def _turns(spans: list[SpeakerSpan]) -> list[Turn]:
    return [Turn(s.start, s.end, s.label) for s in spans]


def test_falcon_with_its_count_gets_nine_tenths_of_the_speech_right(speaker_weights: SpeakerWeights) -> None:
    path = shared_file("audio/picovoice-falcon/test.wav")
    segments = json.loads((path.parent / "test_data.json").read_text())["tests"]["diarization_tests"][0]["segments"]
    reference = [Turn(s["start_sec"], s["end_sec"], str(s["speaker_tag"])) for s in segments]
    spans = label_speakers(path, speaker_weights, count=3)
    assert {s.label for s in spans} == {"Speaker 1", "Speaker 2", "Speaker 3"}
    result = der(reference, _turns(spans))
    assert (result.scored - result.missed - result.confusion) / result.scored >= 0.9


def test_the_meeting_clip_stays_under_a_loose_der(speaker_weights: SpeakerWeights) -> None:
    path = shared_file("audio/pyannote/seriously/mixture.wav")
    from audio.diarization_metrics import read_rttm

    reference = read_rttm(path.with_suffix(".rttm").read_text())
    spans = label_speakers(read_mono(path), speaker_weights)
    assert 2 <= len({s.label for s in spans}) <= 5
    assert der(reference, _turns(spans)).der <= 0.35  # measured 0.21; overlap alone costs ~0.13


def test_bundled_sample_labels_in_order_of_first_appearance(speaker_weights: SpeakerWeights) -> None:
    samples = decode(sample_recording())
    manifest = json.loads((sample_recording().parent / "meeting.json").read_text(encoding="utf-8"))
    reference = [Turn(t["start"], t["end"], t["speaker"]) for t in manifest["turns"]]
    fractions: list[float] = []
    untouched = samples.copy()
    spans = label_speakers(samples, speaker_weights, count=4, progress=fractions.append)
    np.testing.assert_array_equal(samples, untouched)  # the caller's samples go on to Whisper
    order = [int(s.label.split()[-1]) for s in spans]
    assert order[0] == 1 and all(n <= max(order[:i], default=0) + 1 for i, n in enumerate(order))
    assert len(set(order)) == 4
    assert all(a < b for a, b in zip(fractions, fractions[1:], strict=False)) or fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert all(0 <= s.start < s.end <= len(samples) / 16000 for s in spans)
    assert der(reference, _turns(spans)).der <= 0.3  # measured 0.13


def test_cancel_stops_the_run(speaker_weights: SpeakerWeights) -> None:
    samples = decode(sample_recording())
    calls: list[float] = []
    with pytest.raises(DiarizationCancelled):
        label_speakers(samples, speaker_weights, progress=calls.append, cancelled=lambda: len(calls) >= 1)
    assert calls and calls[-1] <= 0.15 + 1e-9  # stopped after the VAD, before the encoder's work


def test_silence_has_no_speakers(speaker_weights: SpeakerWeights) -> None:
    assert label_speakers(np.zeros(16000 * 3, np.float32), speaker_weights) == []


def test_one_speaker_per_channel_on_the_stereo_clip() -> None:
    path = shared_file("audio/faster-whisper/stereo_diarization.wav")
    spans = channel_speakers(path)
    left = [s for s in spans if s.label == "Speaker 1"]
    right = [s for s in spans if s.label == "Speaker 2"]
    # Left reads a long sentence over the whole clip, right a short one in the first half.
    assert left[0].start < 0.6 and left[-1].end > 4.5
    assert right and right[0].start < 0.6 and 2.0 < right[-1].end < 3.2
    assert np.allclose(read_channels(path).shape, (2, 80000))


def test_a_channel_hearing_the_other_microphone_is_not_a_speaker() -> None:
    samples = decode(sample_recording())
    talk = samples[int(0.4 * 16000) : int(9.7 * 16000)]
    silence = np.zeros(16000, np.float32)
    left = np.concatenate([silence, talk, silence, np.zeros_like(talk), silence])
    right = np.concatenate([silence, 0.05 * talk, silence, talk, silence])  # -26 dB bleed, then its own turn
    spans = channel_speakers(np.stack([left, right]))
    for span in spans:
        if span.label == "Speaker 2":
            assert span.start > 1 + len(talk) / 16000, span  # never during the left's turn
    assert {s.label for s in spans} == {"Speaker 1", "Speaker 2"}
    # (samples, channels) is accepted too
    assert channel_speakers(np.stack([left, right]).T) == spans


def test_words_take_the_label_overlapping_most_of_them() -> None:
    spans = [SpeakerSpan(0.0, 2.0, "Speaker 1"), SpeakerSpan(2.0, 4.0, "Speaker 2"), SpeakerSpan(6.0, 7.0, "Speaker 1")]
    words = [(0.5, 0.9), (1.8, 2.5), (1.2, 2.1), (4.2, 4.5), (5.5, 5.8), (9.0, 9.5)]
    assert assign_words(words, spans) == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2", "Speaker 1", "Speaker 1"]
    assert assign_words(words, []) == [None] * len(words)
    # Whisper gives some words no duration: they take the span they fall in.
    assert assign_words([(1.0, 1.0), (2.5, 2.5), (6.5, 6.5)], spans) == ["Speaker 1", "Speaker 2", "Speaker 1"]


def test_words_find_overlapping_channel_spans() -> None:
    # One speaker per channel: a long left turn with a short right turn inside it.
    spans = [SpeakerSpan(0.0, 5.0, "Speaker 1"), SpeakerSpan(0.5, 1.0, "Speaker 2"), SpeakerSpan(1.2, 1.4, "Speaker 2")]
    # Words after the short turns still find the long turn that started before them.
    assert assign_words([(3.0, 3.4), (1.05, 1.15), (6.0, 6.2)], spans) == ["Speaker 1"] * 3
    assert assign_words([(1.2, 1.4)], spans[1:]) == ["Speaker 2"]


def _voices(rng: np.random.Generator, sizes: list[int], spread: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around one random direction per voice, in turns of ten windows."""
    directions = np.abs(rng.normal(size=(len(sizes), 256)))
    points, truth = [], []
    remaining = list(sizes)
    while any(remaining):
        for voice, left in enumerate(remaining):
            take = min(10, left)
            noise = rng.normal(size=(take, 256)) * spread * np.linalg.norm(directions[voice]) / 16
            points.append(directions[voice] + noise)
            truth += [voice] * take
            remaining[voice] -= take
    stacked = np.concatenate(points)
    return stacked / np.linalg.norm(stacked, axis=1, keepdims=True), np.array(truth)


def _agreement(labels: np.ndarray, truth: np.ndarray) -> float:
    counts = np.zeros((truth.max() + 1, labels.max() + 1))
    np.add.at(counts, (truth, labels), 1)
    return sum(counts[i, j] for i, j in best_mapping(counts)) / len(truth)


def test_clustering_counts_distinct_voices() -> None:
    rng = np.random.default_rng(1)
    embeddings, truth = _voices(rng, [60, 40, 30])
    labels = cluster_speakers(embeddings, durations=np.full(len(truth), 0.75))
    assert labels.max() + 1 == 3 and _agreement(labels, truth) > 0.97
    assert cluster_speakers(embeddings, count=2).max() + 1 == 2
    assert (cluster_speakers(embeddings, count=1) == 0).all()


def test_a_voice_heard_for_a_moment_is_merged_unless_the_count_is_given() -> None:
    rng = np.random.default_rng(2)
    embeddings, truth = _voices(rng, [50, 50, 2], spread=0.2)
    durations = np.full(len(truth), 0.75)
    assert cluster_speakers(embeddings, durations=durations).max() + 1 == 2  # 1.5 s < 2 s
    assert cluster_speakers(embeddings, durations=durations, count=3).max() + 1 == 3


def test_clustering_caps_the_affinity_and_still_labels_every_window() -> None:
    rng = np.random.default_rng(3)
    embeddings, truth = _voices(rng, [700, 500, 300])
    labels = cluster_speakers(embeddings, max_points=300)
    assert len(labels) == len(truth) and _agreement(labels, truth) > 0.97


def test_der_arithmetic() -> None:
    reference = [Turn(0, 10, "a"), Turn(10, 20, "b")]
    assert der(reference, [Turn(0, 10, "x"), Turn(10, 20, "y")]).der == pytest.approx(0.0)
    one_label = der(reference, [Turn(0, 20, "x")])
    assert one_label.der == pytest.approx(0.5) and one_label.confusion == pytest.approx(10.0)
    late = der(reference, [Turn(0.2, 10.2, "x"), Turn(10.2, 20, "y")])
    assert late.der == pytest.approx(0.02, abs=1e-3)  # 0.2 s missed + 0.2 s confused of 20 s
    assert der(reference, [Turn(0.2, 10.2, "x"), Turn(10.2, 20, "y")], collar=0.25).der == pytest.approx(0.0)
    overlap = der([Turn(0, 10, "a"), Turn(5, 10, "b")], [Turn(0, 10, "x")])
    assert overlap.missed == pytest.approx(5.0) and overlap.der == pytest.approx(5 / 15)


def test_word_accuracy_uses_the_best_mapping() -> None:
    reference = [Turn(0, 2, "a"), Turn(2, 4, "b")]
    words = [(0.1, 0.5), (1.0, 1.5), (2.2, 2.6), (3.0, 3.5), (5.0, 5.5)]
    right, scored = word_accuracy(words, ["S2", "S2", "S1", "S2", "S1"], reference)
    assert scored == 4 and right == pytest.approx(0.75)
