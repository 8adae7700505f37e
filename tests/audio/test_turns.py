"""Splitting Whisper segments into turns (unit tests, no model)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audio.turns import TimedWord, split_into_turns


def words(*spec: tuple[str, float, float]) -> list[TimedWord]:
    return [TimedWord(text, start, end, 0.9) for text, start, end in spec]


def test_sentence_end_before_a_pause_starts_a_new_turn() -> None:
    turns = split_into_turns(words((" Hot", 0.0, 0.3), (" issues.", 0.3, 0.8), (" Yes,", 1.5, 1.8), (" go.", 1.8, 2.0)))
    assert [t.text for t in turns] == ["Hot issues.", "Yes, go."]
    assert (turns[1].start, turns[1].end) == (1.5, 2.0)
    assert [w.text for w in turns[0].words] == ["Hot", "issues."]


def test_sentence_end_without_a_pause_stays_in_the_turn() -> None:
    turns = split_into_turns(words((" One.", 0.0, 0.5), (" Two.", 0.55, 1.0)))
    assert [t.text for t in turns] == ["One. Two."]


def test_long_pause_splits_even_mid_sentence() -> None:
    turns = split_into_turns(words((" and", 0.0, 0.3), (" then", 2.0, 2.3)))
    assert len(turns) == 2


@given(st.lists(st.tuples(st.sampled_from([" a", " b.", " c?", " d,"]), st.floats(0.0, 3.0), st.floats(0.05, 2.0)), max_size=40))
def test_no_word_is_lost_or_reordered(spec: list[tuple[str, float, float]]) -> None:
    t = 0.0
    timed = []
    for text, gap, length in spec:
        timed.append(TimedWord(text, t + gap, t + gap + length, 0.5))
        t += gap + length
    turns = split_into_turns(timed)
    assert [w.text for turn in turns for w in turn.words] == [w.text.strip() for w in timed]
    assert all(turn.start <= turn.end for turn in turns)
