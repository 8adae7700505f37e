"""Speaker labelling of stored transcripts with the real parts: the bundled tiny.en model, the real
speaker weights (skipped when not installed), real project files. The bundled sample's manifest
says who speaks when; the stereo clip has one reader per channel, talking at the same time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.jobs import prepare, transcribe
from app.speaker_jobs import (
    CHANNELS,
    can_transcribe_by_channel,
    label_transcript,
    parse_count,
    transcribe_by_channel,
    without_bleed,
)
from audio.diarization import DiarizationCancelled, SpeakerSpan
from audio.diarization_metrics import Turn as RefTurn
from audio.diarization_metrics import word_accuracy
from audio.engine import EngineSettings
from audio.errors import MediaError
from audio.speaker_weights import WEIGHTS_ENV, SpeakerWeightsError
from audio.turns import TimedWord, Turn
from resources import sample_recording
from storage import editing, sources, transcripts
from storage.errors import ProjectError
from storage.project import create_project, open_project
from storage.speaker_labels import apply_speaker_plan
from tests.conftest import installed_speaker_weights, shared_file

SETTINGS = EngineSettings(model="tiny.en")


@pytest.fixture(scope="session")
def weights() -> None:
    """Skips the test when the speaker model is not installed (asked for first: before the
    sample is transcribed for nothing)."""
    installed_speaker_weights()


@pytest.fixture(scope="session")
def transcribed_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample transcribed once with tiny.en (no speakers); tests work on copies."""
    path = tmp_path_factory.mktemp("sample") / "template.earmark"
    with create_project(path) as project:
        transcribe(project, prepare(project, sample_recording()), SETTINGS)
    return path


@pytest.fixture
def sample_project(transcribed_sample: Path, tmp_path: Path):  # noqa: ANN201
    copy = tmp_path / "sample.earmark"
    shutil.copy(transcribed_sample, copy)
    with open_project(copy) as project:
        project.transcript_id = transcripts.list_transcripts(project)[0].id
        yield project


def reference() -> list[RefTurn]:
    manifest = json.loads((sample_recording().parent / "meeting.json").read_text(encoding="utf-8"))
    return [RefTurn(t["start"], t["end"], t["speaker"]) for t in manifest["turns"]]


def words_right(project) -> float:  # noqa: ANN001
    turns = transcripts.segments(project, project.transcript_id)
    timed = [(w.start, w.end) for t in turns for w in t.words]
    return word_accuracy(timed, [t.speaker for t in turns for w in t.words], reference())[0]


def test_the_sample_gets_its_four_speakers_and_turns_follow_them(weights, sample_project) -> None:  # noqa: ANN001
    before = transcripts.segments(sample_project, sample_project.transcript_id)
    seen: list[float] = []
    plan = label_transcript(sample_project, sample_project.transcript_id, count=4,
                            progress=lambda p: seen.append(p.fraction))
    assert plan.speakers == ("Speaker 1", "Speaker 2", "Speaker 3", "Speaker 4")
    assert transcripts.segments(sample_project, sample_project.transcript_id) == before  # planning writes nothing
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    applied = apply_speaker_plan(sample_project, plan)
    after = transcripts.segments(sample_project, sample_project.transcript_id)
    assert len(after) == len(before) + len(applied.splits) and all(t.speaker for t in after)
    assert [w for t in after for w in t.words] == [w for t in before for w in t.words]  # no word lost or moved
    assert words_right(sample_project) >= 0.85  # measured 0.92


def test_re_running_keeps_what_a_person_set_and_changes_nothing_else(weights, sample_project) -> None:  # noqa: ANN001
    apply_speaker_plan(sample_project, label_transcript(sample_project, sample_project.transcript_id, count=4))
    turns = transcripts.segments(sample_project, sample_project.transcript_id)
    editing.set_turn_speaker(sample_project, turns[3].id, "SW")
    editing.set_turn_speaker(sample_project, turns[5].id, turns[0].speaker)  # a correction to another voice
    again = label_transcript(sample_project, sample_project.transcript_id, count=4)
    assert again.by_hand == 2 and again.changes == ()
    fewer = label_transcript(sample_project, sample_project.transcript_id, count=2)
    assert fewer.changes and {turns[3].id, turns[5].id}.isdisjoint(c.segment_id for c in fewer.changes)
    apply_speaker_plan(sample_project, fewer)
    kept = {t.id: t for t in transcripts.segments(sample_project, sample_project.transcript_id)}
    assert (kept[turns[3].id].speaker, kept[turns[3].id].speaker_by_hand) == ("SW", True)
    assert kept[turns[5].id].speaker == turns[0].speaker


def test_cancel_changes_nothing(weights, sample_project) -> None:  # noqa: ANN001
    before = transcripts.segments(sample_project, sample_project.transcript_id)
    seen: list[float] = []
    with pytest.raises(DiarizationCancelled):
        label_transcript(sample_project, sample_project.transcript_id, progress=lambda p: seen.append(p.fraction),
                         cancelled=lambda: len(seen) > 2)
    assert transcripts.segments(sample_project, sample_project.transcript_id) == before


@pytest.mark.parametrize("content", [None, b"not a zip at all", b"PK\x03\x04" + bytes(300)])
def test_missing_or_damaged_weights_say_which_file_and_the_command(
        sample_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None) -> None:  # noqa: ANN001
    model = tmp_path / "speakers" / "resemblyzer-0.1.4-encoder.npz"
    if content is not None:
        model.parent.mkdir()
        model.write_bytes(content)
    monkeypatch.setenv(WEIGHTS_ENV, str(model))
    before = transcripts.segments(sample_project, sample_project.transcript_id)
    with pytest.raises(SpeakerWeightsError) as raised:
        label_transcript(sample_project, sample_project.transcript_id)
    message = str(raised.value)
    assert str(model) in message and "earmark speakers install" in message
    assert ("missing" if content is None else "damaged") in message
    assert transcripts.segments(sample_project, sample_project.transcript_id) == before


def test_one_channel_cannot_be_labelled_by_channel(sample_project) -> None:  # noqa: ANN001
    with pytest.raises(MediaError, match="meeting.flac has one channel.*auto or a number"):
        label_transcript(sample_project, sample_project.transcript_id, count=CHANNELS)


def test_a_text_source_has_no_recording_to_label(sample_project) -> None:  # noqa: ANN001
    source = sources.create_text_source(sample_project, "minutes", "Minutes", text="Notes of the meeting.")
    with pytest.raises(ProjectError, match="text source"):
        label_transcript(sample_project, source.transcript_id)


def test_stereo_channels_are_transcribed_one_speaker_each(tmp_path: Path) -> None:
    clip = shared_file("audio/faster-whisper/stereo_diarization.wav")
    with create_project(tmp_path / "stereo.earmark") as project:
        prepared = prepare(project, clip)
        assert can_transcribe_by_channel(project, prepared)
        seen: list[float] = []
        record = transcribe_by_channel(project, prepared, SETTINGS, on_progress=lambda p: seen.append(p.fraction))
        assert record.status == "done" and record.language == "en" and seen[-1] == 1.0 and seen == sorted(seen)
        turns = transcripts.segments(project, record.id)
        left = " ".join(t.text for t in turns if t.speaker == "Speaker 1")
        right = " ".join(t.text for t in turns if t.speaker == "Speaker 2")
        # SOURCES.md: left "He began a confused complaint against the wizard, who had vanished behind the
        # curtain on the left."; right "The horizon seems extremely distant." (spoken over the left).
        assert "wizard" in left and "curtain" in left and "horizon" not in left
        assert "horizon" in right and "distant" in right and "wizard" not in right
        assert not any(t.speaker_by_hand for t in turns)
        assert not can_transcribe_by_channel(project, prepared)  # done: never transcribed twice
        # Labelling it by channel again keeps each word with the channel it was heard on.
        assert label_transcript(project, record.id, count=CHANNELS).changes == ()


def test_a_channel_drops_the_words_it_only_heard_from_the_other_microphone() -> None:
    words = tuple(TimedWord(f"w{i}", i, i + 0.5, 0.9) for i in range(8))
    turn = Turn(0.0, 7.5, " ".join(w.text for w in words), words)
    own = [SpeakerSpan(0.0, 2.2, "Speaker 1"), SpeakerSpan(5.7, 8.0, "Speaker 1")]
    kept = without_bleed([turn], own)
    assert [[w.text for w in t.words] for t in kept] == [["w0", "w1", "w2"], ["w5", "w6", "w7"]]
    assert kept[1].text == "w5 w6 w7" and (kept[1].start, kept[1].end) == (5, 7.5)
    assert without_bleed([turn], [SpeakerSpan(0.0, 8.0, "Speaker 1")]) == [turn]


def test_counts() -> None:
    assert [parse_count(t) for t in ("auto", "3", "Channels", " 12 ")] == [None, 3, CHANNELS, 12]
    for bad in ("0", "-2", "many", "31", "2.5"):
        with pytest.raises(ValueError, match="auto, channels, or a number"):
            parse_count(bad)


def test_silence_only_is_labelled_as_nothing(weights, tmp_path: Path) -> None:
    import wave

    path = tmp_path / "quiet.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((np.random.default_rng(0).normal(0, 30, 16_000 * 4)).astype("<i2").tobytes())
    with create_project(tmp_path / "quiet.earmark") as project:
        record = transcribe(project, prepare(project, path), SETTINGS)
        plan = label_transcript(project, record.id)
        assert plan.changes == ()


def test_same_sound_on_both_channels() -> None:
    from app.speaker_jobs import same_sound

    voice = np.random.default_rng(1).normal(0, 0.1, 50_000).astype(np.float32)
    other = np.random.default_rng(2).normal(0, 0.1, 50_000).astype(np.float32)
    assert same_sound(np.stack([voice, voice]), chunk=4096)
    assert same_sound(np.stack([voice, voice * 0.3]))  # one microphone, one side quieter
    assert not same_sound(np.stack([voice + 0.1 * other, other + 0.1 * voice]))  # two microphones, some bleed
    assert not same_sound(np.stack([voice, np.roll(voice, 7)]))
    assert not same_sound(np.stack([voice, np.zeros_like(voice)]))  # one speaker never talks
    assert same_sound(np.zeros((2, 1000), np.float32))
