"""Transcript exports in every format: Word (DOCX), plain text (TXT), subtitles (SRT, WebVTT),
NVivo's and MAXQDA's timestamped transcripts, and JSON with every word and its times.

All of them start from storage/export_text.export_transcript (through
storage/transcript_export_data.load_sources), which holds the privacy rules: no word of a turn
left out of analysis ever leaves, and with `pseudonymise` the project's pseudonyms replace the
listed real names in the text, the speakers and the names (the project itself is not changed).
The pre-export check (export_text.leaking_names) is the caller's, as it decides what to ask.

DOCX, TXT and JSON hold several transcripts one after another (JSON as a list). Subtitles and
the NVivo and MAXQDA layouts describe one recording, so they take exactly one transcript, and
only a timed one: a text source has no times to put in them.

Every file is written beside its target and renamed into place, so a failure never leaves half
an export nor spoils an earlier file of that name.

JSON layout (version 1):
    {"format": "earmark-transcript", "version": 1, "pseudonymised": false,
     "transcripts": [{"name", "guid", "kind", "meeting": {"code", "date"} | null,
                      "turns": [{"speaker", "start", "end", "text", "left_out",
                                 "words": [{"text", "start", "end"}]}]}]}
Times are seconds (null for text sources); a left-out turn has empty text, `left_out` saying
why, and no words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storage.atomic_files import save_atomically
from storage.errors import ProjectError
from storage.export_text import TextExport, write_atomically, write_text_export
from storage.project import Project
from storage.transcript_export_data import ExportSource, load_sources

TRANSCRIPT_FORMATS = ("docx", "txt", "srt", "vtt", "nvivo", "maxqda", "json")
ONE_TRANSCRIPT = {"srt": "An SRT file", "vtt": "A WebVTT file", "nvivo": "An NVivo transcript",
                  "maxqda": "A MAXQDA transcript"}  # the formats that hold one timed transcript
SUFFIXES = {"docx": ".docx", "txt": ".txt", "srt": ".srt", "vtt": ".vtt", "nvivo": ".txt", "maxqda": ".txt",
            "json": ".json"}
JSON_FORMAT, JSON_VERSION = "earmark-transcript", 1


def write_transcript_export(project: Project, path: Path, transcript_ids: Sequence[int], fmt: str, *,
                            pseudonymise: bool, placeholders: bool = True) -> TextExport:
    """Write the transcripts to `path` in format `fmt` (one of TRANSCRIPT_FORMATS). Raises
    ProjectError, naming the file or the transcript, when the format cannot hold what was
    chosen or the file cannot be written; nothing is written then."""
    if fmt not in TRANSCRIPT_FORMATS:
        raise ProjectError(f"Cannot export transcripts as '{fmt}': choose one of {', '.join(TRANSCRIPT_FORMATS)}.")
    if not transcript_ids:
        raise ProjectError(f"Nothing to write to {path}: choose at least one transcript.")
    path = Path(path)
    if fmt == "txt":
        return write_text_export(project, path, transcript_ids, pseudonymise=pseudonymise, placeholders=placeholders)
    single = fmt in ONE_TRANSCRIPT
    if single and len(transcript_ids) > 1:
        raise ProjectError(f"{ONE_TRANSCRIPT[fmt]} holds one transcript, and {len(transcript_ids)} were chosen: "
                           f"choose one, or export each to its own file.")
    sources = load_sources(project, transcript_ids, pseudonymise=pseudonymise)
    if single and not sources[0].transcript.timed:
        raise ProjectError(untimed_refusal(sources[0].name))
    if fmt == "docx":
        from storage.transcript_docx import write_docx

        save_atomically(path, lambda partial: write_docx(sources, partial, placeholders=placeholders))
    else:
        write_atomically(path, _text(fmt, sources, placeholders=placeholders))
    return _summary(path, sources, pseudonymise)


def untimed_refusal(name: str) -> str:
    return f"'{name}' is a text source with no times: export it as DOCX, TXT or JSON."


def transcript_json(sources: Sequence[ExportSource], *, placeholders: bool) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT, "version": JSON_VERSION,
        "pseudonymised": any(source.transcript.pseudonymised for source in sources),
        "transcripts": [{
            "name": source.name, "guid": source.guid, "kind": source.transcript.kind,
            "meeting": {"code": source.meeting_code, "date": source.meeting_date} if source.meeting_code else None,
            "turns": [{
                "speaker": turn.speaker, "start": _seconds(turn.start), "end": _seconds(turn.end), "text": turn.text,
                "left_out": turn.left_out,
                "words": [{"text": word.text, "start": word.start, "end": word.end} for word in words],
            } for turn, words in source.turns(placeholders=placeholders)],
        } for source in sources],
    }


def _text(fmt: str, sources: Sequence[ExportSource], *, placeholders: bool) -> str:
    if fmt == "json":
        return json.dumps(transcript_json(sources, placeholders=placeholders), ensure_ascii=False, indent=2) + "\n"
    from storage import transcript_export_cues as cues
    from storage import transcript_export_qda as qda

    source = sources[0]
    if fmt == "srt":
        return cues.srt_text(cues.transcript_cues(source, placeholders=placeholders, speaker_prefix=True))
    if fmt == "vtt":
        return cues.vtt_text(cues.transcript_cues(source, placeholders=placeholders, speaker_prefix=False),
                             title=source.name, pseudonymised=source.transcript.pseudonymised)
    if fmt == "nvivo":
        return qda.nvivo_text(source, placeholders=placeholders)
    return qda.maxqda_text(source, placeholders=placeholders)


def _summary(path: Path, sources: Sequence[ExportSource], pseudonymise: bool) -> TextExport:
    left_out = sum(1 for source in sources for turn in source.transcript.turns if turn.left_out is not None)
    turns = sum(len(source.transcript.turns) for source in sources) - left_out
    return TextExport(path, len(sources), turns, left_out, pseudonymise)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
