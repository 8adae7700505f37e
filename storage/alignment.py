"""Re-aligning a turn's word timings after its text was edited.

The researcher corrects what Whisper misheard; the timings must survive so the transcript
still follows the sound. The new text's words are matched against the old words with a diff
of the two word sequences:

- a word left as it was keeps its times exactly;
- a word replaced one-for-one (a corrected spelling) keeps the times of the word it replaces;
- a run of old words replaced by a different number of new words shares out the old run's span;
- inserted words get times interpolated between their neighbours;
- the turn's start and end never move: every time stays inside them.

Pure functions on plain data: no database, no Qt.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from storage.records import Word

EDITED_PROBABILITY = 1.0  # a word the researcher typed is as certain as it gets


def tokenize(text: str) -> list[str]:
    return text.split()


def realign_words(old: tuple[Word, ...] | list[Word], new_text: str, turn_start: float, turn_end: float) -> tuple[Word, ...]:
    tokens = tokenize(new_text)
    if not tokens:
        return ()
    old = list(old)
    matcher = SequenceMatcher(a=[w.text for w in old], b=tokens, autojunk=False)
    placed: list[Word | None] = [None] * len(tokens)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for offset in range(b1 - b0):
                source = old[a0 + offset]
                probability = source.probability if tag == "equal" else EDITED_PROBABILITY
                placed[b0 + offset] = Word(tokens[b0 + offset], source.start, source.end, probability)
        elif tag == "replace":
            start, end = old[a0].start, old[a1 - 1].end
            placed[b0:b1] = _share_span(tokens[b0:b1], start, end)
        # "insert" leaves gaps filled below; "delete" drops the old words.
    return tuple(_fill_gaps(tokens, placed, turn_start, turn_end))


def _share_span(tokens: list[str], start: float, end: float) -> list[Word | None]:
    """Spread `tokens` over [start, end] in proportion to their lengths."""
    weights = [max(1, len(token)) for token in tokens]
    total = sum(weights)
    words: list[Word | None] = []
    cursor = start
    for token, weight in zip(tokens, weights):
        following = cursor + (end - start) * weight / total
        words.append(Word(token, round(cursor, 3), round(following, 3), EDITED_PROBABILITY))
        cursor = following
    return words


def _fill_gaps(tokens: list[str], placed: list[Word | None], turn_start: float, turn_end: float) -> list[Word]:
    result: list[Word | None] = list(placed)
    index = 0
    while index < len(result):
        if result[index] is not None:
            index += 1
            continue
        run_end = index
        while run_end < len(result) and result[run_end] is None:
            run_end += 1
        before = result[index - 1].end if index > 0 and result[index - 1] is not None else turn_start
        after = result[run_end].start if run_end < len(result) and result[run_end] is not None else turn_end
        if after < before:
            after = before
        result[index:run_end] = _share_span(tokens[index:run_end], before, after)
        index = run_end
    return [_clamp(word, turn_start, turn_end) for word in result if word is not None]


def _clamp(word: Word, low: float, high: float) -> Word:
    start = min(max(word.start, low), high)
    end = min(max(word.end, start), high)
    return word if (start, end) == (word.start, word.end) else Word(word.text, start, end, word.probability)
