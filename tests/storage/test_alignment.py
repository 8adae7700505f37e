"""Word re-alignment after edits: unchanged words keep their times exactly; all times stay
ordered and inside the turn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.alignment import realign_words
from storage.records import Word

OLD = (
    Word("And", 0.0, 0.3, 0.9), Word("so", 0.3, 0.5, 0.9), Word("my", 0.5, 0.7, 0.8),
    Word("fellow", 0.7, 1.0, 0.9), Word("Americans,", 1.0, 1.6, 0.95),
)


def test_unchanged_text_keeps_everything() -> None:
    assert realign_words(OLD, "And so my fellow Americans,", 0.0, 2.0) == OLD


def test_corrected_word_keeps_its_time() -> None:
    words = realign_words(OLD, "And so my fellow Americans.", 0.0, 2.0)
    assert (words[-1].text, words[-1].start, words[-1].end) == ("Americans.", 1.0, 1.6)
    assert words[:4] == OLD[:4]


def test_inserted_word_is_interpolated_between_neighbours() -> None:
    words = realign_words(OLD, "And so (pause) my fellow Americans,", 0.0, 2.0)
    inserted = words[2]
    assert inserted.text == "(pause)"
    assert OLD[1].end <= inserted.start <= inserted.end <= OLD[2].start
    assert [w for w in words if w.text != "(pause)"] == list(OLD)


def test_retyped_run_shares_the_old_span_and_turn_bounds_hold() -> None:
    words = realign_words(OLD, "Thus, dear American citizens,", 0.0, 2.0)
    assert words[0].start >= 0.0 and words[-1].end <= 2.0
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))


def test_text_before_the_first_word_starts_at_the_turn_start() -> None:
    words = realign_words(OLD, "Well, And so my fellow Americans,", 0.0, 2.0)
    assert words[0].text == "Well," and words[0].start == 0.0 and words[0].end <= OLD[0].start
    assert words[1:] == OLD


VOCABULARY = ["the", "care", "plan", "discharge", "(pause)", "SN1:", "ward", "team", "safeguarding", "😟", "naïve"]


@st.composite
def turns_and_edits(draw):  # noqa: ANN201
    count = draw(st.integers(1, 12))
    texts = draw(st.lists(st.sampled_from(VOCABULARY), min_size=count, max_size=count))
    gaps = draw(st.lists(st.floats(0.0, 0.5), min_size=count, max_size=count))
    lengths = draw(st.lists(st.floats(0.01, 0.8), min_size=count, max_size=count))
    turn_start = round(draw(st.floats(0.0, 100.0)), 3)
    words, cursor = [], turn_start
    for text, gap, length in zip(texts, gaps, lengths):
        start = round(cursor + gap, 3)
        cursor = round(start + length, 3)
        words.append(Word(text, start, cursor, 0.7))
    turn_end = cursor + draw(st.floats(0.0, 1.0))
    tokens = list(texts)
    for _ in range(draw(st.integers(0, 5))):
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        position = draw(st.integers(0, len(tokens)))
        if action == "insert":
            tokens.insert(position, draw(st.sampled_from(VOCABULARY)))
        elif tokens and position < len(tokens):
            if action == "delete":
                del tokens[position]
            else:
                tokens[position] = draw(st.sampled_from(VOCABULARY))
    return tuple(words), " ".join(tokens), turn_start, turn_end


@settings(max_examples=400, deadline=None)
@given(turns_and_edits())
def test_random_edits_keep_unchanged_words_and_order(case) -> None:  # noqa: ANN001
    old, new_text, turn_start, turn_end = case
    new = realign_words(old, new_text, turn_start, turn_end)
    assert [w.text for w in new] == new_text.split()
    for word in new:
        assert turn_start - 1e-9 <= word.start <= word.end <= turn_end + 1e-9
    for earlier, later in zip(new, new[1:]):
        assert earlier.start <= later.start + 1e-9 and earlier.end <= later.start + 1e-6
    # Words the diff kept as they were keep exactly their times.
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(a=[w.text for w in old], b=new_text.split(), autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            kept, before = new[block.b + offset], old[block.a + offset]
            assert (kept.start, kept.end, kept.probability) == (before.start, before.end, before.probability)
