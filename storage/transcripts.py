"""Transcripts and their speaker turns.

Transcription appends turns batch by batch, each batch in its own short transaction together
with how far the transcript now reaches, so a crash or cancel keeps every batch already written
and a later run resumes from `transcribed_until`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.bulk import collector_paused
from storage.models import Segment, Speaker, Transcript
from storage.project import Project
from storage.records import NewSegment, SegmentRecord, TranscriptRecord, Word

STATUSES = ("pending", "running", "interrupted", "done", "failed")


def create_transcript(project: Project, name: str, recording_id: int | None, *, kind: str = "recording") -> TranscriptRecord:
    with project.write() as session:
        row = Transcript(name=name, recording_id=recording_id, kind=kind, status="pending", transcribed_until=0.0)
        session.add(row)
        session.flush()
        return _record(session, row)


def transcript_for_recording(project: Project, recording_id: int) -> TranscriptRecord | None:
    """The transcript made from a recording, if there is one (the newest)."""
    with project.session() as session:
        row = session.scalars(
            select(Transcript).where(Transcript.recording_id == recording_id).order_by(Transcript.id.desc())
        ).first()
        return None if row is None else _record(session, row)


def get_transcript(project: Project, transcript_id: int) -> TranscriptRecord:
    with project.session() as session:
        row = session.get(Transcript, transcript_id)
        if row is None:
            raise KeyError(f"no transcript {transcript_id}")
        return _record(session, row)


def list_transcripts(project: Project, *, count_words: bool = False) -> list[TranscriptRecord]:
    """Every transcript and text source with its number of turns, in one grouped query over the
    segments' index. Counting words reads every turn's words, the whole file: a project list
    does not need it (and in an encrypted project each page read is decrypted), so word_count
    is None unless asked for."""
    with project.session() as session:
        counts: dict[int, int] = {
            tid: n for tid, n in session.execute(select(Segment.transcript_id, func.count()).group_by(Segment.transcript_id))}
        words: dict[int, int] = {}
        if count_words:
            words = {tid: n for tid, n in session.execute(
                select(Segment.transcript_id, func.coalesce(func.sum(func.json_array_length(Segment.words)), 0))
                .group_by(Segment.transcript_id))}
        return [
            _as_record(row, counts.get(row.id, 0), int(words.get(row.id, 0)) if count_words else None)
            for row in session.scalars(select(Transcript).order_by(Transcript.id))
        ]


def mark_started(project: Project, transcript_id: int, *, model: str, language: str | None) -> None:
    with project.write() as session:
        row = _get(session, transcript_id)
        row.status, row.model, row.error = "running", model, None
        if language:
            row.language = language


def set_language(project: Project, transcript_id: int, language: str) -> None:
    with project.write() as session:
        _get(session, transcript_id).language = language


def mark_finished(project: Project, transcript_id: int, status: str, *, error: str | None = None, covered_until: float | None = None) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    with project.write() as session:
        row = _get(session, transcript_id)
        row.status, row.error = status, error
        if covered_until is not None:
            row.transcribed_until = max(row.transcribed_until, covered_until)


def append_segments(project: Project, transcript_id: int, segments: Sequence[NewSegment], covered_until: float) -> list[SegmentRecord]:
    """Append turns after the last stored one, and record that the audio up to
    `covered_until` seconds is transcribed. One transaction: all of it lands or none."""
    with project.write() as session:
        transcript = _get(session, transcript_id)
        position = session.scalar(
            select(func.coalesce(func.max(Segment.position), -1)).where(Segment.transcript_id == transcript_id)
        )
        rows = []
        speakers: dict[str, Speaker] = {}
        for offset, segment in enumerate(segments, start=1):
            row = Segment(
                transcript_id=transcript_id,
                position=position + offset,
                start=segment.start,
                end=segment.end,
                text=segment.text,
                words=[[w.text, w.start, w.end, w.probability] for w in segment.words],
                speaker=speaker_for_label(session, segment.speaker, speakers) if segment.speaker else None,
            )
            session.add(row)
            rows.append(row)
        transcript.transcribed_until = max(transcript.transcribed_until, covered_until)
        session.flush()
        return [segment_record(row) for row in rows]


def segments(project: Project, transcript_id: int) -> list[SegmentRecord]:
    """Every turn in order. One flat query rather than ORM objects: opening a three-hour
    meeting (3,000 turns, 30,000 words) is on the path to the first painted page."""
    with project.session() as session, collector_paused():
        _get(session, transcript_id)
        rows = session.execute(
            select(Segment.id, Segment.position, Segment.start, Segment.end, Speaker.label, Segment.text, Segment.words,
                   Segment.speaker_by_hand)
            .outerjoin(Speaker, Segment.speaker_id == Speaker.id)
            .where(Segment.transcript_id == transcript_id)
            .order_by(Segment.position)
        )
        return [
            SegmentRecord(id_, transcript_id, position, start, end, label, text,
                          tuple(map(Word._make, words)), bool(by_hand))
            for id_, position, start, end, label, text, words, by_hand in rows
        ]


def speaker_for_label(session: Session, label: str, cache: dict[str, Speaker]) -> Speaker:
    if label not in cache:
        speaker = session.scalars(select(Speaker).where(Speaker.label == label)).first()
        if speaker is None:
            speaker = Speaker(label=label)
            session.add(speaker)
        cache[label] = speaker
    return cache[label]


def _get(session: Session, transcript_id: int) -> Transcript:
    row = session.get(Transcript, transcript_id)
    if row is None:
        raise KeyError(f"no transcript {transcript_id}")
    return row


def segment_record(row: Segment) -> SegmentRecord:
    return SegmentRecord(
        id=row.id,
        transcript_id=row.transcript_id,
        position=row.position,
        start=row.start,
        end=row.end,
        speaker=row.speaker.label if row.speaker is not None else None,
        text=row.text,
        words=tuple(Word(text, start, end, probability) for text, start, end, probability in row.words),
        speaker_by_hand=bool(row.speaker_by_hand),
    )


def _record(session: Session, row: Transcript) -> TranscriptRecord:
    segment_count, word_count = session.execute(
        select(func.count(Segment.id), func.coalesce(func.sum(func.json_array_length(Segment.words)), 0)).where(
            Segment.transcript_id == row.id
        )
    ).one()
    return _as_record(row, int(segment_count), int(word_count))


def _as_record(row: Transcript, segment_count: int, word_count: int | None) -> TranscriptRecord:
    return TranscriptRecord(
        id=row.id,
        guid=row.guid,
        recording_id=row.recording_id,
        name=row.name,
        kind=row.kind,
        language=row.language,
        model=row.model,
        status=row.status,
        transcribed_until=row.transcribed_until,
        error=row.error,
        segment_count=segment_count,
        word_count=word_count,
    )


def delete_transcript(project: Project, transcript_id: int) -> None:
    with project.write() as session:
        row = session.get(Transcript, transcript_id)
        if row is not None:
            session.delete(row)
