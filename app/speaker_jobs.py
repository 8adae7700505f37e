"""Speaker labelling as plain functions, for the command line and (through a worker) the window.

`label_transcript` reads a transcript's recording, runs the labeller (audio.diarization: voices
clustered, or one speaker per channel), gives each stored word the label under it and returns
the plan of changes (storage.speaker_labels); nothing is written until the caller applies it.

`transcribe_by_channel` is the exact way for a recording with one microphone per channel:
each channel is transcribed on its own and its turns carry that channel's speaker, so two
people talking at once both keep their words. Labelling a transcript of the mixed-down sound
by channel (count="channels" in label_transcript) can only give each word the channel that
is loudest under it, so words spoken over each other are muddled already in the text.
Either way a recording with one channel, or two carrying the same sound, is refused
(NotOnePerChannel) before anything is written. No Qt here.
"""

from __future__ import annotations

import bisect
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Union

import numpy as np

from app.jobs import Prepared, Progress
from audio.decode import first_line
from audio.diarization import SpeakerSpan, assign_words, channel_speakers, label_speakers, read_channels, read_mono
from audio.engine import EngineSettings, Started, resolve_mode
from audio.errors import MediaError
from audio.remote import Cancelled, EngineBatch, EngineProcess
from audio.speaker_weights import SpeakerWeights, load_weights
from audio.turns import TimedWord, Turn
from storage import recordings, transcripts
from storage.errors import ProjectError
from storage.project import Project
from storage.records import NewSegment, SegmentRecord, TranscriptRecord, Word
from storage.settings import vocabulary
from storage.speaker_labels import SpeakerPlan, plan_speaker_labels

Count = Union[int, None, Literal["channels"]]
ProgressCallback = Callable[[Progress], None]
CHANNELS = "channels"
MAX_COUNT = 30
DECODE_SHARE = 0.1  # of the progress bar: decoding the recording, before the labeller reports
BLEED_SECONDS = 0.5  # a channel's word further than this from its speaker's speech is the other microphone's


class NotOnePerChannel(MediaError):
    """The recording cannot be labelled one speaker per channel (one channel, or two carrying
    the same sound); nothing was written."""


def parse_count(text: str) -> Count:
    """auto -> None (estimate), channels, or a number of speakers; ValueError says what is allowed."""
    value = text.strip().lower()
    if value in ("auto", ""):
        return None
    if value in (CHANNELS, "channel"):
        return CHANNELS
    if value.isdigit() and 1 <= int(value) <= MAX_COUNT:
        return int(value)
    raise ValueError(f"{text!r} is not a speaker count: give auto, channels, or a number from 1 to {MAX_COUNT}")


def label_transcript(
    project: Project,
    transcript_id: int,
    *,
    count: Count = None,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    weights: SpeakerWeights | None = None,
) -> SpeakerPlan:
    """The changes speaker labelling would make to a transcript. Raises SpeakerWeightsError (a
    ModelError naming the file and `earmark speakers install`) when the model is missing or
    damaged, MediaError or ProjectError when the recording cannot be read, DiarizationCancelled
    when `cancelled()` turns True."""
    report = progress or (lambda _progress: None)
    recording = _recording_of(project, transcript_id)
    turns = transcripts.segments(project, transcript_id)
    started = time.monotonic()

    def advance(fraction: float) -> None:
        report(Progress(fraction * recording.duration, recording.duration, time.monotonic() - started))

    advance(0.0)
    if not any(turn.words for turn in turns):
        advance(1.0)
        return plan_speaker_labels(project, transcript_id, {})
    if count == CHANNELS:
        spans = _channel_spans(recording)
        advance(1.0)
        return plan_speaker_labels(project, transcript_id, channel_word_labels(turns, spans))
    else:
        weights = weights or load_weights()  # before decoding: a missing model fails at once
        samples = read_mono(recording.media_path)
        advance(DECODE_SHARE)
        spans = label_speakers(samples, weights, count=count, cancelled=cancelled,
                               progress=lambda f: advance(DECODE_SHARE + (1 - DECODE_SHARE) * f))
    labels = word_labels(turns, spans)
    advance(1.0)
    return plan_speaker_labels(project, transcript_id, labels)


def word_labels(turns: Sequence[SegmentRecord], spans: Sequence[SpeakerSpan]) -> dict[int, list[str | None]]:
    """Each turn's words' labels, in one pass over every word of the transcript."""
    flat = assign_words([(w.start, w.end) for turn in turns for w in turn.words], spans)
    labels: dict[int, list[str | None]] = {}
    index = 0
    for turn in turns:
        labels[turn.id] = flat[index : index + len(turn.words)]
        index += len(turn.words)
    return labels


def channel_word_labels(turns: Sequence[SegmentRecord], spans: Sequence[SpeakerSpan]) -> dict[int, list[str | None]]:
    """word_labels for one speaker per channel, where channels' spans overlap when people talk
    at once: a word heard on several channels keeps its turn's speaker when that is one of them
    (a transcript made channel by channel stays as it is); otherwise the label overlapping it most."""
    labels = word_labels(turns, spans)
    by_channel: dict[str, tuple[list[SpeakerSpan], list[float]]] = {}
    for span in sorted(spans, key=lambda s: s.start):
        channel = by_channel.setdefault(span.label, ([], []))
        channel[0].append(span)
        channel[1].append(span.start)
    for turn in turns:
        if turn.speaker not in by_channel:
            continue
        own, starts = by_channel[turn.speaker]
        heard = labels[turn.id]
        for index, word in enumerate(turn.words):
            if heard[index] != turn.speaker and _overlaps(word.start, word.end, own, starts):
                heard[index] = turn.speaker
    return labels


def can_transcribe_by_channel(project: Project, prepared: Prepared) -> bool:
    """One speaker per channel can be transcribed channel by channel: the recording has two
    channels and the transcript nothing yet (one begun from the mixed sound resumes that way)."""
    transcript = transcripts.get_transcript(project, prepared.transcript.id)
    return prepared.recording.channels >= 2 and transcript.segment_count == 0 and transcript.status != "done"


def transcribe_by_channel(
    project: Project,
    prepared: Prepared,
    settings: EngineSettings,
    *,
    on_segments: Callable[[list[SegmentRecord]], None] = lambda _: None,
    on_progress: ProgressCallback = lambda _: None,
    should_stop: Callable[[], bool] = lambda: False,
    engine: Callable[[], EngineProcess] = EngineProcess,
) -> TranscriptRecord:
    """Transcribe each channel of a two-channel recording on its own; turns carry "Speaker 1"
    (first channel) or "Speaker 2", in time order, stored together at the end (a stopped run
    stores nothing and starts again). Words a channel only picked up from the other microphone
    are dropped. Raises Cancelled or EngineError like app.jobs.transcribe, and NotOnePerChannel
    (before writing anything or starting an engine) when both channels carry the same sound:
    the caller can transcribe the usual way instead."""
    if not can_transcribe_by_channel(project, prepared):
        raise ValueError("transcribe_by_channel needs a two-channel recording whose transcript has no turns yet")
    recording = prepared.recording
    transcript_id = prepared.transcript.id
    spans = _channel_spans(recording)  # NotOnePerChannel before anything is written
    settings = EngineSettings.from_dict({
        **settings.to_dict(), "vocabulary": settings.vocabulary or vocabulary(project),
        "mode": resolve_mode(settings.mode, recording.duration)})
    transcripts.mark_started(project, transcript_id, model=settings.model, language=settings.language)
    started_at = time.monotonic()
    on_progress(Progress(0.0, recording.duration, 0.0))
    turns: list[NewSegment] = []
    try:
        with tempfile.TemporaryDirectory(prefix="earmark-channels-") as folder:
            paths = write_channels(recording.media_path, Path(folder))
            for index, path in enumerate(paths):
                heard, language = _channel_turns(path, settings, engine(), index, len(paths), recording.duration,
                                                 started_at, on_progress, should_stop)
                if index == 0:
                    # The second channel in the first one's language: one transcript, one language.
                    transcripts.set_language(project, transcript_id, language)
                    settings = EngineSettings.from_dict({**settings.to_dict(), "language": language})
                speaker = f"Speaker {index + 1}"
                own = [s for s in spans if s.label == speaker]
                turns += [NewSegment(t.start, t.end, t.text, tuple(Word(w.text, w.start, w.end, w.probability)
                                                                    for w in t.words), speaker)
                          for t in without_bleed(heard, own)]
    except Cancelled:
        transcripts.mark_finished(project, transcript_id, "interrupted")
        raise
    except Exception as error:
        if prepared.created:
            transcripts.delete_transcript(project, transcript_id)
            recordings.remove_recording(project, recording.id)
        else:
            transcripts.mark_finished(project, transcript_id, "failed", error=str(error))
        raise
    turns.sort(key=lambda t: (t.start, t.speaker or ""))  # stable: a channel's own turns keep their order
    stored = transcripts.append_segments(project, transcript_id, turns, recording.duration)
    if stored:
        on_segments(stored)
    transcripts.mark_finished(project, transcript_id, "done", covered_until=recording.duration)
    return transcripts.get_transcript(project, transcript_id)


def write_channels(media: Path, folder: Path) -> list[Path]:
    """The first two channels of `media` as 16 kHz 16-bit mono WAV files in `folder`, decoded a
    frame at a time (a two-hour recording never sits in memory whole)."""
    import av

    paths = [folder / f"channel-{n + 1}.wav" for n in range(2)]
    outs = [wave.open(str(path), "wb") for path in paths]
    try:
        for out in outs:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16_000)
        with av.open(str(media), metadata_errors="ignore") as container:
            resampler = av.AudioResampler(format="s16", layout="stereo", rate=16_000)
            for frame in _frames(container):
                for chunk in resampler.resample(frame):
                    data = chunk.to_ndarray().reshape(-1, 2)
                    for channel, out in enumerate(outs):
                        out.writeframes(np.ascontiguousarray(data[:, channel]).astype("<i2").tobytes())
    except MediaError:
        raise
    except Exception as error:  # PyAV raises many types
        raise MediaError(f"{media} could not be decoded ({first_line(error)}).") from error
    finally:
        for out in outs:
            out.close()
    return paths


def without_bleed(turns: Sequence[Turn], own: Sequence[SpeakerSpan]) -> list[Turn]:
    """The turns' words near the channel's own speech; a turn with words dropped from its middle
    becomes one turn per run of kept words."""
    own = sorted(own, key=lambda span: span.start)
    starts = [span.start for span in own]
    kept_turns: list[Turn] = []
    for turn in turns:
        keep = [_near(word, own, starts) for word in turn.words]
        if all(keep):
            kept_turns.append(turn)
            continue
        run: list[TimedWord] = []
        for word, kept in [*zip(turn.words, keep, strict=True), (None, False)]:
            if kept and word is not None:
                run.append(word)
            elif run:
                kept_turns.append(Turn(run[0].start, run[-1].end, " ".join(w.text for w in run), tuple(run)))
                run = []
    return kept_turns


# --- helpers ---------------------------------------------------------------------------------

def _recording_of(project: Project, transcript_id: int) -> recordings.RecordingRecord:
    transcript = transcripts.get_transcript(project, transcript_id)
    if transcript.recording_id is None:
        raise ProjectError(f"{transcript.name} (transcript {transcript_id}) is a text source, not a recording: "
                           "only transcribed recordings can have speakers labelled.")
    unavailable = recordings.audio_unavailable(project, transcript.recording_id)
    if unavailable:
        raise MediaError(f"Cannot label speakers in {transcript.name}: {unavailable}")
    return recordings.get_recording(project, transcript.recording_id)


def _channel_spans(recording: recordings.RecordingRecord) -> list[SpeakerSpan]:
    name = recording.media_path.name
    if recording.channels < 2:
        raise NotOnePerChannel(f"{name} has one channel, so it cannot be labelled one speaker per channel: "
                               "choose auto or a number of speakers.")
    channels = read_channels(recording.media_path)
    if same_sound(channels):
        raise NotOnePerChannel(f"{name}'s two channels carry the same sound (a one-microphone recording saved as "
                               "stereo), so it cannot be labelled one speaker per channel: choose auto or a number "
                               "of speakers.")
    return channel_speakers(channels)


def same_sound(channels: np.ndarray, *, chunk: int = 1 << 20) -> bool:
    """Whether two channels carry one sound: correlated above 0.9 (a one-microphone recording
    saved as stereo, perhaps one side quieter), where per-channel transcription would write
    every word twice. Two microphones each hearing both people correlate far less (delays,
    each voice loud in one). In chunks, so a long recording gets no second copy in memory."""
    shared = left_energy = right_energy = 0.0
    for start in range(0, channels.shape[1], chunk):
        left = channels[0, start : start + chunk].astype(np.float64)
        right = channels[1, start : start + chunk].astype(np.float64)
        shared += float(np.dot(left, right))
        left_energy += float(np.dot(left, left))
        right_energy += float(np.dot(right, right))
    if left_energy == 0.0 or right_energy == 0.0:
        return left_energy == right_energy  # both silent; one silent channel is one quiet speaker
    return shared / np.sqrt(left_energy * right_energy) > 0.9


def _channel_turns(path: Path, settings: EngineSettings, engine: EngineProcess, index: int, channels: int,
                   duration: float, started_at: float, on_progress: ProgressCallback,
                   should_stop: Callable[[], bool]) -> tuple[list[Turn], str]:
    heard: list[Turn] = []
    language = [settings.language or "en"]

    def batch(received: EngineBatch) -> None:
        heard.extend(received.turns)
        covered = (index * duration + min(received.covered_until, duration)) / channels
        on_progress(Progress(covered, duration, time.monotonic() - started_at))

    def started(info: Started) -> None:
        language[0] = info.language

    engine.transcribe(path, settings, on_started=started, on_batch=batch, should_stop=should_stop)
    return heard, language[0]


def _near(word: TimedWord, spans: Sequence[SpeakerSpan], starts: Sequence[float]) -> bool:
    """Within BLEED_SECONDS of one of `spans` (one channel's: sorted, not overlapping, so the
    last span starting before the word is the only one that can reach it)."""
    middle = (word.start + word.end) / 2
    index = bisect.bisect_right(starts, middle + BLEED_SECONDS) - 1
    return index >= 0 and spans[index].end + BLEED_SECONDS >= middle


def _overlaps(start: float, end: float, spans: Sequence[SpeakerSpan], starts: Sequence[float]) -> bool:
    index = bisect.bisect_right(starts, end) - 1  # one channel's spans do not overlap each other
    return index >= 0 and spans[index].end >= start


def _frames(container: object):  # noqa: ANN202 (PyAV frames, then None to flush the resampler)
    yield from container.decode(audio=0)  # type: ignore[attr-defined]
    yield None
