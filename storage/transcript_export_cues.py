"""Subtitles from a transcript: SubRip (.srt) and WebVTT (.vtt).

A turn becomes one or more cues. A long turn is cut at word boundaries into cues a viewer can
read: at most two lines of 42 characters (the common broadcast and web guideline) and about
seven seconds each (a cue holding less than a line is not cut for time: a few words said slowly
stay together). A cue's times come from its words (storage/transcript_export_data.py: the
stored word times, or proportional shares when the text was pseudonymised); the first cue of a
turn starts when the turn starts, the last ends when it ends, and each cue in between lasts
until the next begins, so the words stay on screen without flicker.

Speakers: SubRip has no place for them, so the first cue of each turn begins "SN1: ", as
subtitlers mark a change of speaker. WebVTT has voice spans: every cue of a turn is
`<v SN1>…</v>`, as Microsoft Teams writes them. Text in a WebVTT cue has `&`, `<` and `>`
escaped (the WebVTT specification's cue text rules); SubRip has no escapes, so its text is
written as it is (a player may take "<i>" in a turn for a tag). A left-out turn (storage/consent.py)
becomes one cue holding only the marker, or nothing without placeholders.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from storage.export_text import ExportTurn
from storage.transcript_export_data import ExportSource, TimedWord, seconds_parts

LINE_WIDTH = 42
MAX_LINES = 2
MAX_SECONDS = 7.0


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    speaker: str | None  # for the voice span; None for a marker or a turn without a speaker
    lines: tuple[str, ...]  # the cue's text as shown, without speaker prefix or markup
    opens_turn: bool  # the first cue of its turn (SubRip names the speaker there)


def transcript_cues(source: ExportSource, *, placeholders: bool, speaker_prefix: bool) -> list[Cue]:
    """Every cue of the transcript, in order. `speaker_prefix` puts "SN1: " before the first
    cue of a turn (SubRip), counted in the line length so the shown lines still fit."""
    cues: list[Cue] = []
    for turn, words in source.turns(placeholders=placeholders):
        start = turn.start or 0.0
        end = max(start, turn.end if turn.end is not None else start)
        if turn.left_out is not None:
            cues.append(Cue(start, end, None, tuple(_wrap(_marker(turn))), True))
            continue
        prefix = f"{turn.speaker}: " if speaker_prefix and turn.speaker else ""
        cues += _turn_cues(turn, words, prefix, start, end)
    return _in_order(cues)


def srt_text(cues: Sequence[Cue]) -> str:
    blocks = []
    for number, cue in enumerate(cues, start=1):
        lines = [line.replace("-->", "->") for line in cue.lines]  # an arrow in the text would read as times
        blocks.append(f"{number}\n{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def vtt_text(cues: Sequence[Cue], *, title: str, pseudonymised: bool) -> str:
    note = title.replace("-->", "→").replace("\n", " ")
    if pseudonymised:
        note += " (names pseudonymised)"
    blocks = ["WEBVTT", f"NOTE {note}"]
    for cue in cues:
        text = "\n".join(escape_vtt(line) for line in cue.lines)
        if cue.speaker:
            text = f"<v {escape_vtt(cue.speaker)}>{text}</v>"
        blocks.append(f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n{text}")
    return "\n\n".join(blocks) + "\n"


def escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _turn_cues(turn: ExportTurn, words: Sequence[TimedWord], prefix: str, start: float, end: float) -> list[Cue]:
    if not words:  # a timed turn always has words; this guards a turn stored without times
        words = [TimedWord(token, start, end) for token in turn.text.split()]
    chunks: list[list[TimedWord]] = []
    for word in words:
        current = chunks[-1] if chunks else None
        lead = prefix if len(chunks) == 1 else ""  # the chunk being filled is the first
        if current is not None and not _too_big(lead, [*current, word]):
            current.append(word)
        else:
            chunks.append([word])
    cues = []
    for index, chunk in enumerate(chunks):
        cue_start = start if index == 0 else chunk[0].start
        cue_end = end if index == len(chunks) - 1 else chunks[index + 1][0].start
        lead = prefix if index == 0 else ""
        cues.append(Cue(cue_start, cue_end, turn.speaker, tuple(_wrap(lead + _joined(chunk))), index == 0))
    return cues


def _too_big(prefix: str, chunk: Sequence[TimedWord]) -> bool:
    if len(_wrap(prefix + _joined(chunk))) > MAX_LINES:
        return True
    # The time limit is for reading: a few words said slowly stay one cue, however long they last.
    return chunk[-1].end - chunk[0].start > MAX_SECONDS and len(prefix + _joined(chunk[:-1])) >= LINE_WIDTH


def _joined(words: Sequence[TimedWord]) -> str:
    return " ".join(word.text for word in words)


def _wrap(text: str) -> list[str]:
    # break_long_words off: a URL or a long compound stays whole on a line of its own.
    return textwrap.wrap(text, LINE_WIDTH, break_long_words=False, break_on_hyphens=False) or [text]


def _marker(turn: ExportTurn) -> str:
    return f"[{turn.left_out}; turn left out]"


def _in_order(cues: list[Cue]) -> list[Cue]:
    """Players want cues that start in order and never end before they start; stored word
    times (a model's guesses, then hand edits) do not always promise that."""
    ordered: list[Cue] = []
    for cue in cues:
        start = max(cue.start, ordered[-1].start) if ordered else cue.start
        ordered.append(Cue(start, max(start, cue.end), cue.speaker, cue.lines, cue.opens_turn))
    return ordered


def _stamp(seconds: float, separator: str) -> str:
    hours, minutes, secs, millis = seconds_parts(seconds, 3)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"
