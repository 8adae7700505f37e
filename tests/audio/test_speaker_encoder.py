"""The numpy voice encoder: librosa's mel frontend re-derived, and embeddings that behave like
speaker embeddings (unit length, deterministic, same voice closer than another voice).

Agreement with Resemblyzer's own torch model (max abs difference about 6e-7 on the test clips)
was measured outside the repository, since its output is derived data; see audio/speaker_encoder.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from audio.decode import decode
from audio.speaker_encoder import HOP, SpeakerEncoder, hz_to_mel, mel_filterbank, mel_spectrogram, mel_to_hz
from audio.speaker_weights import SpeakerWeights
from resources import sample_recording


def test_slaney_mel_scale_is_linear_below_1khz_and_logarithmic_above() -> None:
    assert hz_to_mel(np.array(1000.0)) == pytest.approx(15.0)
    assert hz_to_mel(np.array(200.0)) == pytest.approx(3.0)
    # Above 1 kHz each factor 6.4 adds 27 mel.
    assert hz_to_mel(np.array(6400.0)) - hz_to_mel(np.array(1000.0)) == pytest.approx(27.0)
    hz = np.linspace(0, 8000, 101)
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(hz)), hz, atol=1e-6)


def test_filterbank_is_triangles_of_unit_area_in_order() -> None:
    bank = mel_filterbank()
    assert bank.shape == (40, 201) and bank.dtype == np.float32 and (bank >= 0).all()
    peaks = bank.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all() and peaks[-1] > 150
    for row in bank:  # each filter is one contiguous, single-peaked run of bins
        support = np.flatnonzero(row)
        assert (np.diff(support) == 1).all()
        top = row.argmax() - support[0]
        assert (np.diff(row[support][: top + 1]) >= 0).all() and (np.diff(row[support][top:]) <= 0).all()
    # Slaney normalisation: height 2 / (upper - lower edge in Hz), so area (Hz) is about 1.
    areas = bank.sum(axis=1) * (16000 / 400)
    np.testing.assert_allclose(areas[5:], 1.0, rtol=0.1)


def test_spectrogram_frames_and_a_tone_in_the_right_band() -> None:
    seconds = np.arange(16000) / 16000
    tone = (0.5 * np.sin(2 * np.pi * 1000 * seconds)).astype(np.float32)
    mel = mel_spectrogram(tone)
    assert mel.shape == (16000 // HOP + 1, 40) and mel.dtype == np.float32
    band = int(np.argmax(mel[50]))
    centres = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(8000.0)), 42))[1:-1]
    assert abs(centres[band] - 1000) < 120
    assert mel_spectrogram(np.zeros(800, np.float32)).max() == 0.0


@pytest.fixture(scope="module")
def encoder(speaker_weights: SpeakerWeights) -> SpeakerEncoder:
    return SpeakerEncoder(speaker_weights)


@pytest.fixture(scope="module")
def sample_turns() -> tuple[np.ndarray, list[dict]]:
    samples = decode(sample_recording())
    turns = json.loads((sample_recording().parent / "meeting.json").read_text(encoding="utf-8"))["turns"]
    return samples, turns


def test_embeddings_are_unit_length_non_negative_and_deterministic(
    encoder: SpeakerEncoder, sample_turns: tuple[np.ndarray, list[dict]]
) -> None:
    samples, _ = sample_turns
    clip = samples[16000:80000]
    first, second = encoder.partial_embeddings(clip), encoder.partial_embeddings(clip.copy())
    assert first.shape[1] == 256 and len(first) >= 3
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert (first >= 0).all()  # ReLU before the normalisation
    np.testing.assert_array_equal(first, second)


def test_right_padding_is_ignored_when_lengths_are_given(
    encoder: SpeakerEncoder, sample_turns: tuple[np.ndarray, list[dict]]
) -> None:
    samples, _ = sample_turns
    mel = mel_spectrogram(samples[16000:48000])
    short = encoder.embed_mels(mel[None, :90])
    padded = np.zeros((2, 150, 40), np.float32)
    padded[0, :90] = mel[:90]
    padded[1] = mel[:150]
    both = encoder.embed_mels(padded, np.array([90, 150]))
    np.testing.assert_allclose(both[0], short[0], atol=1e-6)
    np.testing.assert_allclose(both[1], encoder.embed_mels(mel[None, :150])[0], atol=1e-6)


def test_a_voice_is_nearer_itself_than_the_others(
    encoder: SpeakerEncoder, sample_turns: tuple[np.ndarray, list[dict]]
) -> None:
    """The sample's seventeen turns by four synthetic voices: same-voice turns are far more
    alike than turns of different voices, and most turns' nearest turn is the same voice."""
    samples, turns = sample_turns
    clips = [samples[int(t["start"] * 16000) : int(t["end"] * 16000)] for t in turns]
    embeddings = np.array([encoder.embed_utterance(clip) for clip in clips])
    similarity = embeddings @ embeddings.T
    speakers = np.array([t["speaker"] for t in turns])
    same = speakers[:, None] == speakers[None, :]
    others = ~np.eye(len(turns), dtype=bool)
    assert similarity[same & others].mean() > similarity[~same].mean() + 0.15
    nearest = [speakers[np.argmax(np.where(others[i], similarity[i], -1))] == speakers[i] for i in range(len(turns))]
    assert sum(nearest) >= 0.8 * len(turns)
