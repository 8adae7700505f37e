"""Putting a transcript made elsewhere (storage/transcript_formats.py) into a project, optionally
tied to one of its recordings so that it plays in sync.

The file is parsed whole before the project is touched, and the transcript, its speakers and its
turns are written in one transaction: a broken file, or a failure half-way, adds nothing. Imported
cues carry times for the turn only; each word gets a share of its turn's time in proportion to its
length, so the editor can follow playback word by word until the researcher corrects it (the
probability is 1.0: these words were typed by a person, not guessed by a model). A file without
any times becomes a text source (storage/sources.py), as it cannot play in sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage import sources, transcripts
from storage.errors import ProjectError
from storage.models import AuditEntry, Meeting, Recording, Segment, Speaker, Transcript
from storage.passages import TOKEN
from storage.project import Project
from storage.records import TranscriptRecord
from storage.transcript_formats import ImportedTurn, read_transcript

DRIFT_ALLOWED = 1.0  # seconds a cue may run past the end of the recording it is tied to


@dataclass(frozen=True)
class TranscriptImport:
    transcript: TranscriptRecord
    format: str
    warnings: tuple[str, ...]


def import_transcript(project: Project, path: Path, *, recording_id: int | None = None,
                      meeting_id: int | None = None, name: str | None = None,
                      untimed_kind: str = "document") -> TranscriptImport:
    """Import `path`; `untimed_kind` is the text-source kind (minutes, field_notes…) a file
    without times becomes."""
    path = Path(path)
    imported = read_transcript(path)
    title = (name or path.stem).strip() or path.name
    warnings = list(imported.warnings)
    if all(turn.start is None for turn in imported.turns):
        if recording_id is not None:
            raise ProjectError(f"{path.name} has no times, so it cannot play in sync with a recording. "
                               "Import it without a recording (as a text source), or use a timed format.")
        paragraphs = [f"{t.speaker}: {t.text}" if t.speaker else t.text for t in imported.turns]
        source = sources.create_text_source(project, untimed_kind, title, meeting_id=meeting_id,
                                            paragraphs=paragraphs, source_file=path.name)
        return TranscriptImport(transcripts.get_transcript(project, source.transcript_id), imported.format, tuple(warnings))
    with project.write() as session:
        recording = None
        if recording_id is not None:
            recording = session.get(Recording, recording_id)
            if recording is None:
                raise ProjectError(f"There is no recording {recording_id} in {project.path.name} to tie {path.name} to.")
            last_end = max(t.end or t.start or 0.0 for t in imported.turns)
            if last_end > recording.duration + DRIFT_ALLOWED:
                raise ProjectError(f"{path.name} runs to {last_end:.1f} s but the recording lasts "
                                   f"{recording.duration:.1f} s: is it the transcript of another recording?")
        if meeting_id is not None and session.get(Meeting, meeting_id) is None:
            raise ProjectError(f"There is no meeting {meeting_id} in {project.path.name}.")
        row = Transcript(name=title, kind="recording", recording_id=recording_id, source_file=path.name,
                         meeting_id=meeting_id if meeting_id is not None else (recording.meeting_id if recording else None),
                         status="done", model=f"imported ({imported.format})",
                         transcribed_until=recording.duration if recording else 0.0)
        session.add(row)
        session.flush()
        cache: dict[str, Speaker] = {}
        ordered = sorted(imported.turns, key=lambda t: (t.start if t.start is not None else float("inf")))
        for position, turn in enumerate(ordered):
            start, end = _span(turn)
            session.add(Segment(transcript_id=row.id, position=position, start=start, end=end, text=turn.text,
                                words=timed_words(turn.text, start, end),
                                speaker=transcripts.speaker_for_label(session, turn.speaker, cache) if turn.speaker else None))
        session.add(AuditEntry(action="transcript_imported", details={
            "transcript": row.guid, "file": path.name, "format": imported.format, "turns": len(ordered),
            "recording": recording.guid if recording else None}))
        session.flush()
        transcript_id = row.id
    return TranscriptImport(transcripts.get_transcript(project, transcript_id), imported.format, tuple(warnings))


def timed_words(text: str, start: float, end: float) -> list[list[object]]:
    """The turn's words, each given a share of [start, end] by its length (see the module doc)."""
    tokens = [match.group() for match in TOKEN.finditer(text)]
    total = sum(len(token) for token in tokens) or 1
    words: list[list[object]] = []
    at = start
    for token in tokens:
        until = at + (end - start) * len(token) / total
        words.append([token, round(at, 3), round(until, 3), 1.0])
        at = until
    return words


def _span(turn: ImportedTurn) -> tuple[float, float]:
    start = turn.start if turn.start is not None else 0.0
    end = turn.end if turn.end is not None else start
    return start, max(start, end)
