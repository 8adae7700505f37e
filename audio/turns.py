"""Splitting Whisper output into speaker turns at sentence ends and pauses.

Batched inference returns segments about 30 s long; a researcher edits and codes turns, so
long segments are cut where a sentence ends before a pause, or at any long pause, using the
word timings.
"""

from __future__ import annotations

from dataclasses import dataclass

SENTENCE_END = (".", "?", "!", "…")


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    text: str
    words: tuple[TimedWord, ...]


def split_into_turns(
    words: list[TimedWord],
    *,
    sentence_pause: float = 0.4,
    long_pause: float = 1.2,
    max_duration: float = 30.0,
) -> list[Turn]:
    """Cut after a sentence end followed by `sentence_pause` seconds of silence, after any
    `long_pause`, and after a sentence end once a turn is longer than `max_duration`."""
    turns: list[Turn] = []
    current: list[TimedWord] = []
    for index, word in enumerate(words):
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        if following is None:
            break
        gap = following.start - word.end
        ends_sentence = word.text.rstrip().endswith(SENTENCE_END)
        too_long = word.end - current[0].start >= max_duration
        if gap >= long_pause or (ends_sentence and (gap >= sentence_pause or too_long)):
            turns.append(_turn(current))
            current = []
    if current:
        turns.append(_turn(current))
    return turns


def _turn(words: list[TimedWord]) -> Turn:
    # Whisper words carry their leading space (" And"): join them as given, store them bare.
    text = "".join(word.text for word in words).strip()
    bare = tuple(TimedWord(w.text.strip(), w.start, w.end, w.probability) for w in words)
    return Turn(start=words[0].start, end=words[-1].end, text=text, words=bare)
