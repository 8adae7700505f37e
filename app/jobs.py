"""Transcription as a plain function: add a recording to a project, run the engine process,
store each batch as it arrives. Used by the command line directly and by the window through
a worker thread (app/workers.py). No Qt here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audio import decode
from audio.engine import EngineSettings, Started, resolve_mode
from audio.remote import Cancelled, EngineBatch, EngineProcess
from storage import recordings, transcripts
from storage.errors import ProjectError
from storage.project import Project
from storage.records import NewSegment, RecordingRecord, SegmentRecord, TranscriptRecord, Word
from storage.settings import vocabulary
from storage.source_records import AudioFacts


@dataclass(frozen=True)
class Progress:
    covered: float
    duration: float
    elapsed: float
    resumed_from: float = 0.0

    @property
    def fraction(self) -> float:
        return 0.0 if self.duration <= 0 else min(1.0, self.covered / self.duration)

    @property
    def seconds_left(self) -> float | None:
        """Estimated from the speed so far on this run; None until there is a speed to go by."""
        done = self.covered - self.resumed_from
        if done <= 0 or self.elapsed <= 0:
            return None
        return max(0.0, (self.duration - self.covered) * self.elapsed / done)


@dataclass(frozen=True)
class Prepared:
    recording: RecordingRecord
    transcript: TranscriptRecord
    created: bool  # the transcript was made now (a failure before any text removes it again)


def prepare(project: Project, media: Path) -> Prepared:
    """Add `media` to the project (once) and return its transcript, new or to resume.
    Probes first, so unreadable media raises MediaError before anything is written. A recording
    whose audio was removed (consent forms promise the tape is destroyed) is never transcribed
    again, even if a file turns up at its old place: ProjectError."""
    _refuse_removed(recordings.removed_audio_at(project, media))
    info = decode.probe(media)
    facts = recordings.MediaFacts(
        path=Path(media).absolute(), content_hash=decode.content_hash(media), duration=info.duration,
        channels=info.channels, sample_rate=info.sample_rate,
    )
    recording, added = recordings.add_recording(project, facts)
    if recording.audio_deleted:  # the same audio from another place (a copy the consent form says is gone)
        _refuse_removed(recordings.audio_facts(project, recording.id))
    transcript = transcripts.transcript_for_recording(project, recording.id)
    if transcript is not None:
        return Prepared(recording, transcript, created=False)
    transcript = transcripts.create_transcript(project, Path(media).stem, recording.id)
    return Prepared(recording, transcript, created=added)


def _refuse_removed(removed: AudioFacts | None) -> None:
    if removed is not None:
        raise ProjectError(f"The audio of {removed.file_name} was removed on {removed.removed_on} (recorded in the "
                           "audit), so it cannot be transcribed again; its transcript is kept as it is.")


def transcribe(
    project: Project,
    prepared: Prepared,
    settings: EngineSettings,
    *,
    on_segments: Callable[[list[SegmentRecord]], None] = lambda _: None,
    on_progress: Callable[[Progress], None] = lambda _: None,
    should_stop: Callable[[], bool] = lambda: False,
    engine: EngineProcess | None = None,
) -> TranscriptRecord:
    """Transcribe (or resume) a prepared transcript. Raises Cancelled or EngineError; either
    way every batch received so far is stored and the next call resumes after it. `engine`: a
    process started ahead (see EngineProcess); one is started here otherwise."""
    transcript = transcripts.get_transcript(project, prepared.transcript.id)
    if transcript.status == "done":
        if engine is not None:
            engine.close()
        return transcript
    recording = prepared.recording
    settings = EngineSettings.from_dict({
        **settings.to_dict(),
        "vocabulary": settings.vocabulary or vocabulary(project),
        "mode": resolve_mode(settings.mode, recording.duration),
    })
    resume_from = transcript.transcribed_until
    started_at = time.monotonic()
    transcripts.mark_started(project, transcript.id, model=settings.model, language=settings.language)

    def started(info: Started) -> None:
        transcripts.set_language(project, transcript.id, info.language)
        on_progress(Progress(resume_from, recording.duration, 0.0, resume_from))

    def batch(received: EngineBatch) -> None:
        new = [
            NewSegment(t.start, t.end, t.text, tuple(Word(w.text, w.start, w.end, w.probability) for w in t.words))
            for t in received.turns
        ]
        stored = transcripts.append_segments(project, transcript.id, new, received.covered_until)
        if stored:
            on_segments(stored)
        on_progress(Progress(received.covered_until, recording.duration, time.monotonic() - started_at, resume_from))

    try:
        (engine or EngineProcess()).transcribe(
            recording.media_path, settings, offset=resume_from, on_started=started, on_batch=batch,
            should_stop=should_stop,
        )
    except Cancelled:
        transcripts.mark_finished(project, transcript.id, "interrupted")
        raise
    except Exception as error:
        if prepared.created and transcripts.get_transcript(project, transcript.id).segment_count == 0:
            # Nothing came of the first attempt: leave the project as it was before.
            transcripts.delete_transcript(project, transcript.id)
            recordings.remove_recording(project, recording.id)
        else:
            transcripts.mark_finished(project, transcript.id, "failed", error=str(error))
        raise
    transcripts.mark_finished(project, transcript.id, "done", covered_until=recording.duration)
    return transcripts.get_transcript(project, transcript.id)
