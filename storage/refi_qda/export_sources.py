"""The <Sources> of a .qdpx: text sources as TextSource with PlainTextSelections, transcribed
recordings as AudioSource with a Transcript, SyncPoints and TranscriptSelections.

Text: see export_layout.py (one line per turn, "SN1: text", code-point positions, consent and
pseudonyms). Each coding is one selection whose GUID is the coding's GUID, holding one Coding
(GUID derived from it) with a CodeRef to its code.

Recordings. A TranscriptSelection locates its text only through two SyncPoints (fromSyncPoint,
toSyncPoint), each a (position in the transcript text, time in ms) pair. So the Transcript gets a
SyncPoint at each turn's start (its line's first character, at the turn's start time) and end
(after its last character, at its end time), and one at every coding end that falls elsewhere,
at the time of the word there: each coding keeps its exact span of text. Sync point GUIDs are
derived from the transcript GUID, the turn and the place, so they never change.

Audio goes into the archive (Sources/<recording guid>.<ext>) only when it is there and holds no
one whose words are left out: an observe-only or withdrawn participant's words must not leave,
and in a recording they are their voice. Nor in a pseudonymised export, whose audio would still
say the real names. The AudioSource then carries the transcript alone, and a warning says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import literal, select

from storage.export_text import RECORDING, ExportTranscript, export_transcript
from storage.models import Code, Coding, Meeting, Recording, Segment, Speaker, Transcript
from storage.recordings import list_recordings
from storage.records import RecordingRecord
from storage.refi_qda.export_context import ExportContext
from storage.refi_qda.export_layout import CodedSpan, SourceText, StoredTurn
from storage.refi_qda.writer_xml import date_time, derived_guid, milliseconds


@dataclass
class SourcesOut:
    """What building <Sources> produced besides the element."""

    files: dict[str, bytes | Path] = field(default_factory=dict)  # archive name -> content or file to copy
    sources: int = 0
    selections: int = 0
    left_out: int = 0  # codings wholly in left-out turns
    clipped: int = 0  # codings cut back to analysable turns
    sources_of_participant: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class _CodingRow:
    id: int
    guid: str
    code_guid: str
    start_segment: int
    start_offset: int
    end_segment: int
    end_offset: int
    author: str
    created_at: datetime


def sources_element(context: ExportContext) -> tuple[ET.Element | None, SourcesOut]:
    out = SourcesOut()
    with context.project.session() as session:
        transcripts = list(session.scalars(select(Transcript).order_by(Transcript.id)))
        recordings = {row.id: row for row in session.scalars(select(Recording))}
        meetings = {row.id: (row.code, row.date) for row in session.scalars(select(Meeting))}
    if not transcripts:
        return None, out
    media = {record.id: record for record in list_recordings(context.project)}
    sources = context.builder.root("Sources")
    audio_sources: dict[str, tuple[ET.Element, tuple[str, str | None] | None]] = {}
    for transcript in transcripts:
        exported = export_transcript(context.project, transcript.id, pseudonymise=context.pseudonymise,
                                     matcher=context.matcher)
        recording = recordings.get(transcript.recording_id) if transcript.recording_id else None
        if transcript.kind != RECORDING:
            source_guid = transcript.guid
        else:
            source_guid = recording.guid if recording is not None else derived_guid("audio source", transcript.guid)
        stored = _stored_turns(context, transcript.id, source_guid, out, timed=transcript.kind == RECORDING)
        layout = SourceText(exported, stored, context.matcher)
        out.files[f"Sources/{transcript.guid}.txt"] = layout.text.encode("utf-8")
        meeting = meetings.get(transcript.meeting_id) if transcript.meeting_id else None
        if transcript.kind != RECORDING:
            _text_source(context, sources, transcript, exported, layout, meeting, out)
            continue
        if source_guid not in audio_sources:
            element = _audio_source(context, sources, source_guid, transcript, exported, recording,
                                    media.get(recording.id) if recording else None, out)
            if meeting is None and recording is not None and recording.meeting_id:
                meeting = meetings.get(recording.meeting_id)
            audio_sources[source_guid] = (element, meeting)
        _transcript(context, audio_sources[source_guid][0], transcript, exported, layout, out)
    for element, meeting in audio_sources.values():  # after the Transcripts, as the schema orders them
        _meeting_values(context, element, meeting)
    return sources, out


def _stored_turns(context: ExportContext, transcript_id: int, source_guid: str, out: SourcesOut, *,
                  timed: bool) -> list[StoredTurn]:
    """The turns as stored; their word times only where there are times (parsing the words of a
    long document's every paragraph would cost more than the rest of its export)."""
    words = Segment.words if timed else literal(None)
    with context.project.session() as session:
        rows = session.execute(
            select(Segment.id, Segment.text, words, Speaker.participant_id)
            .outerjoin(Speaker, Speaker.id == Segment.speaker_id)
            .where(Segment.transcript_id == transcript_id).order_by(Segment.position)).all()
    for _id, _text, _words, participant_id in rows:
        if participant_id is not None:
            out.sources_of_participant[participant_id].add(source_guid)
    return [StoredTurn(segment_id, text, words or []) for segment_id, text, words, _ in rows]


def _codings(context: ExportContext, transcript_id: int) -> list[_CodingRow]:
    with context.project.session() as session:
        rows = session.execute(
            select(Coding.id, Coding.guid, Code.guid, Coding.start_segment_id, Coding.start_offset,
                   Coding.end_segment_id, Coding.end_offset, Coding.author, Coding.created_at)
            .join(Code, Code.id == Coding.code_id).where(Coding.transcript_id == transcript_id).order_by(Coding.id)).all()
    return [_CodingRow(*row) for row in rows]


def _placed(context: ExportContext, transcript_id: int, layout: SourceText,
            out: SourcesOut) -> list[tuple[_CodingRow, CodedSpan]]:
    """The codings of a transcript with their spans in the written text, in text order."""
    placed = []
    for coding in _codings(context, transcript_id):
        span = layout.span(coding.start_segment, coding.start_offset, coding.end_segment, coding.end_offset)
        if span is None:
            out.left_out += 1
            continue
        out.clipped += span.clipped
        placed.append((coding, span))
    placed.sort(key=lambda item: (item[1].start, item[1].end, item[0].id))
    out.selections += len(placed)
    return placed


def _coding(context: ExportContext, parent: ET.Element, coding: _CodingRow) -> None:
    """The Coding inside a selection, then the notes on that passage."""
    user = context.user_guid(coding.author)
    element = context.child(parent, "Coding", guid=derived_guid("coding", coding.guid), creatingUser=user,
                            creationDateTime=date_time(coding.created_at))
    context.child(element, "CodeRef", targetGUID=coding.code_guid)
    context.add_note_refs(parent, coding.guid)


def _text_source(context: ExportContext, sources: ET.Element, transcript: Transcript, exported: ExportTranscript,
                 layout: SourceText, meeting: tuple[str, str | None] | None, out: SourcesOut) -> None:
    user = context.default_user_guid
    source = context.child(
        sources, "TextSource", guid=transcript.guid, name=exported.name, plainTextPath=f"internal://{transcript.guid}.txt",
        creatingUser=user, creationDateTime=date_time(transcript.created_at), modifyingUser=user,
        modifiedDateTime=date_time(transcript.updated_at))
    for coding, span in _placed(context, transcript.id, layout, out):
        user = context.user_guid(coding.author)
        selection = context.child(source, "PlainTextSelection", guid=coding.guid, startPosition=span.start,
                                  endPosition=span.end, creatingUser=user,
                                  creationDateTime=date_time(coding.created_at))
        _coding(context, selection, coding)
    context.add_note_refs(source, transcript.guid)
    _meeting_values(context, source, meeting)
    out.sources += 1


def _audio_source(context: ExportContext, sources: ET.Element, guid: str, transcript: Transcript,
                  exported: ExportTranscript, recording: Recording | None, media: RecordingRecord | None,
                  out: SourcesOut) -> ET.Element:
    path = _included_audio(context, exported, recording, media, out)
    user = context.default_user_guid
    out.sources += 1
    return context.child(
        sources, "AudioSource", guid=guid, name=exported.name, path=path, creatingUser=user,
        creationDateTime=date_time(recording.created_at if recording is not None else transcript.created_at))


def _included_audio(context: ExportContext, exported: ExportTranscript, recording: Recording | None,
                    media: RecordingRecord | None, out: SourcesOut) -> str | None:
    """The archive path of the recording's audio, copied in when it may be (module doc), else None."""
    name = f"“{exported.name}”"
    file = media.media_path if media is not None else None
    if recording is None or file is None:
        reason = "it has no recording"
    elif recording.audio_deleted_at is not None:
        reason = "its audio was removed from the project"
    elif not Path(file).is_file():
        reason = f"its recording file is missing ({file})" if not context.pseudonymise else "its recording file is missing"
    elif context.pseudonymise:
        reason = "a pseudonymised export carries no audio (the real names are spoken in it)"
    elif any(turn.left_out is not None for turn in exported.turns):
        reason = ("it holds the voices of participants whose words are left out of analysis "
                  "(observe-only or withdrawn consent)")
    else:
        suffix = Path(file).suffix.lower()
        out.files[f"Sources/{recording.guid}{suffix}"] = Path(file)
        return f"internal://{recording.guid}{suffix}"
    context.warnings.append(f"The audio of {name} is not included: {reason}. Its transcript is.")
    return None


def _transcript(context: ExportContext, audio: ET.Element, transcript: Transcript, exported: ExportTranscript,
                layout: SourceText, out: SourcesOut) -> None:
    user = context.default_user_guid
    element = context.child(
        audio, "Transcript", guid=transcript.guid, name=exported.name, plainTextPath=f"internal://{transcript.guid}.txt",
        creatingUser=user, creationDateTime=date_time(transcript.created_at), modifyingUser=user,
        modifiedDateTime=date_time(transcript.updated_at))
    points: dict[int, tuple[str, int]] = {}  # position -> (GUID, ms); one sync point per position

    def point(position: int, key: str, seconds: float | None) -> str:
        if position not in points:
            points[position] = (derived_guid("sync point", transcript.guid, key), milliseconds(seconds or 0.0))
        return points[position][0]

    for turn in layout.turns:
        point(turn.line_start, f"{turn.segment_id}/start", turn.start)
        point(turn.text_end, f"{turn.segment_id}/end", turn.end)
    placed = _placed(context, transcript.id, layout, out)
    ends = []
    for coding, span in placed:
        times = span.times() or (0.0, 0.0)
        ends.append((point(span.start, f"{span.first.segment_id}/at {span.start_offset}/start", times[0]),
                     point(span.end, f"{span.last.segment_id}/at {span.end_offset}/end", times[1])))
    for position in sorted(points):
        guid, ms = points[position]
        context.child(element, "SyncPoint", guid=guid, timeStamp=ms, position=position)
    for (coding, _span), (begin, finish) in zip(placed, ends):
        selection = context.child(element, "TranscriptSelection", guid=coding.guid, fromSyncPoint=begin,
                                  toSyncPoint=finish, creatingUser=context.user_guid(coding.author),
                                  creationDateTime=date_time(coding.created_at))
        _coding(context, selection, coding)
    context.add_note_refs(element, transcript.guid)


def _meeting_values(context: ExportContext, source: ET.Element, meeting: tuple[str, str | None] | None) -> None:
    if meeting is None:
        return
    code, day = meeting
    context.variable_value(source, "Meeting", context.clean(code), description="The meeting the source records")
    if day:
        context.variable_value(source, "Meeting date", day, kind="Date", description="The day of that meeting")
