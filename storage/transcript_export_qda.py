"""Timestamped transcripts for other analysis programs: NVivo's import layout and a
MAXQDA-style transcript. Both take one timed transcript; both are UTF-8 with a byte-order mark
and Windows line endings, which these Windows-first programs read without asking.

NVivo (Windows): one row a line, `HH:MM:SS,mmm - HH:MM:SS,mmm<TAB>text<TAB>speaker`, the layout
NVivo's "Import transcript" expects for timespan, content and speaker columns (and the one
storage/transcript_formats.parse_nvivo_windows reads back, so an export imports into Earmark
unchanged). Tabs and line breaks inside a turn become spaces: they would split the columns.

MAXQDA: what we followed. MAXQDA imports "Transcripts with timestamps" in the form the
transcription programs f4transkript and f5transkript write (audiotranskription.de's manuals;
the aTrain and vtt2txt projects write the same for MAXQDA): a time stamp `#hh:mm:ss-d#`
(hours, minutes, seconds, a hyphen and tenths of a second) at the end of a paragraph, the
paragraph running from the time stamp before it to its own; one paragraph per turn, separated by
a blank line, each beginning "SPEAKER: " as MAXQDA's focus-group import and speaker auto-coding
look for it. A stamp at a paragraph's end is the turn's end; where a turn does not start where
the previous stamp left off (a silence, or the first turn after 0:00), its start is written as
well, right after the speaker, so that no paragraph is tied to the silence before it. Times are
rounded to the tenth of a second this layout holds.

Left-out turns (storage/consent.py) keep their place as the marker line and no speaker, or
are left out with placeholders off.
"""

from __future__ import annotations

from storage.export_text import ExportTurn
from storage.transcript_export_data import ExportSource, seconds_parts

BOM = "\ufeff"
CRLF = "\r\n"


def nvivo_text(source: ExportSource, *, placeholders: bool) -> str:
    rows = []
    for turn, _words in source.turns(placeholders=placeholders):
        start, end = _span(turn)
        speaker = "" if turn.left_out is not None or not turn.speaker else f"\t{_flat(turn.speaker)}"
        rows.append(f"{_nvivo_stamp(start)} - {_nvivo_stamp(end)}\t{_flat(_content(turn))}{speaker}")
    return BOM + CRLF.join(rows) + CRLF


def maxqda_text(source: ExportSource, *, placeholders: bool) -> str:
    paragraphs = []
    last_stamp = 0.0
    for turn, _words in source.turns(placeholders=placeholders):
        start, end = _span(turn)
        speaker = f"{_flat(turn.speaker)}: " if turn.speaker and turn.left_out is None else ""
        opening = f"{maxqda_stamp(start)} " if maxqda_stamp(start) != maxqda_stamp(last_stamp) else ""
        paragraphs.append(f"{speaker}{opening}{_flat(_content(turn))} {maxqda_stamp(end)}")
        last_stamp = end
    return BOM + (CRLF + CRLF).join(paragraphs) + CRLF


def maxqda_stamp(seconds: float) -> str:
    hours, minutes, secs, tenths = seconds_parts(seconds, 1)
    return f"#{hours:02d}:{minutes:02d}:{secs:02d}-{tenths}#"


def _nvivo_stamp(seconds: float) -> str:
    hours, minutes, secs, millis = seconds_parts(seconds, 3)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def _span(turn: ExportTurn) -> tuple[float, float]:
    start = turn.start or 0.0
    return start, max(start, turn.end if turn.end is not None else start)


def _content(turn: ExportTurn) -> str:
    return f"[{turn.left_out}; turn left out]" if turn.left_out is not None else turn.text


def _flat(text: str) -> str:
    return " ".join(text.split())
