"""Auto-coding: finding passages by words, patterns or speaker, widened to words, sentences or
turns, and coding them all at once without coding anything twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.analysis_records import Anchor
from storage.autocode import apply_autocode, find_matches, new_matches, speaker_turns
from storage.coding import delete_codings
from storage.retrieval import coded_passages
from tests.storage.coding_data import M01, M02, Study, add_transcript, build_study


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    built = build_study(tmp_path / "study.earmark")
    yield built
    built.project.close()


def texts(matches: list) -> list[str]:  # type: ignore[type-arg]
    return [match.text for match in matches]


def test_words_ignore_case_and_stay_whole(study: Study) -> None:
    found = find_matches(study.project, "learning")
    assert texts(found) == ["learning", "Learning", "Learning"]
    first = found[0]
    at = M01[1][1].index("learning")
    assert (first.transcript_id, first.transcript_name, first.speaker) == (study.m01, "M01 Starting up", "SW")
    assert (first.start, first.end) == (Anchor(study.turns[(study.m01, 1)], at), Anchor(study.turns[(study.m01, 1)], at + 8))
    assert texts(find_matches(study.project, "Learning", match_case=True)) == ["Learning", "Learning"]
    assert find_matches(study.project, "learn") == []  # whole words only, by default


def test_part_of_a_word_is_widened_to_the_whole_word(study: Study) -> None:
    assert texts(find_matches(study.project, "learn", whole_words=False)) == ["learning", "Learning", "Learning"]
    assert texts(find_matches(study.project, "ransf", whole_words=False)) == ["transfer"]  # not "transfer."
    notes, _ = add_transcript(study.project, "M04", [("SN2", "We don't know. 'Follow-up' is key.")])
    assert texts(find_matches(study.project, "don", whole_words=False, transcript_ids=[notes])) == ["don't"]
    assert texts(find_matches(study.project, "follow", whole_words=False, transcript_ids=[notes])) == ["Follow-up"]


def test_a_pattern_is_trimmed_of_spaces(study: Study) -> None:
    assert texts(find_matches(study.project, r"death\s", regex=True, whole_words=False)) == ["death"]
    assert texts(find_matches(study.project, r"death|shock", regex=True)) == ["death", "shock"]


def test_sentences(study: Study) -> None:
    found = find_matches(study.project, "learning", scope="sentence")
    assert texts(found) == ["The learning was huge!", "Learning from each other helps.", "Learning, always."]
    # Two hits in one sentence code it once.
    assert texts(find_matches(study.project, "learning|each", regex=True, scope="sentence",
                              transcript_ids=[study.m02])) == ["Learning from each other helps.", "Learning, always."]
    assert texts(find_matches(study.project, "issues", scope="sentence")) == ["Hot issues first."]
    assert texts(find_matches(study.project, "chorused", scope="sentence")) == [M01[2][1]]


def test_sentences_end_at_ellipses_and_questions(study: Study) -> None:
    notes, _ = add_transcript(study.project, "M04", [("OT", "Just... or not… Who knows? Me.")])
    assert texts(find_matches(study.project, "or not", scope="sentence", transcript_ids=[notes])) == ["or not…"]
    assert texts(find_matches(study.project, "who", scope="sentence", transcript_ids=[notes])) == ["Who knows?"]


def test_turns_and_merging_within_a_turn(study: Study) -> None:
    found = find_matches(study.project, "learning", scope="turn")
    assert texts(found) == [M01[1][1], M02[1][1]]  # the second turn matched twice, coded once
    assert found[1].start.offset == 0 and found[1].end.offset == len(M02[1][1])


def test_only_some_transcripts(study: Study) -> None:
    assert texts(find_matches(study.project, "learning", transcript_ids=[study.m01])) == ["learning"]
    assert find_matches(study.project, "learning", transcript_ids=[]) == []


def test_bad_input_is_a_clear_error(study: Study) -> None:
    with pytest.raises(ValueError, match=r"Not a valid regular expression: '\(unclosed'"):
        find_matches(study.project, "(unclosed", regex=True)
    with pytest.raises(ValueError, match="Nothing to look for"):
        find_matches(study.project, "")
    with pytest.raises(ValueError, match="scope"):
        find_matches(study.project, "care", scope="paragraph")  # type: ignore[arg-type]
    assert texts(find_matches(study.project, "(The participants", scope="word")) == ["(The participants"]
    for scope in ("word", "sentence", "turn"):  # a pattern that matches nothing, everywhere
        assert find_matches(study.project, r"\b|(?:)", regex=True, whole_words=False, scope=scope) == []  # type: ignore[arg-type]


def test_speaker_turns(study: Study) -> None:
    found = speaker_turns(study.project, "SN1")
    assert texts(found) == [M01[0][1], M01[3][1], M02[1][1]]
    assert {match.speaker for match in found} == {"SN1"}
    assert texts(speaker_turns(study.project, "SN1", transcript_ids=[study.m02])) == [M02[1][1]]
    assert speaker_turns(study.project, "nobody") == []


def test_apply_codes_each_match_once_and_can_be_undone(study: Study) -> None:
    project, learning = study.project, study.codes["Learning"]
    matches = find_matches(project, "learning", scope="sentence")
    # "The learning was huge!" already carries Learning (coded by hand): only two are new.
    assert texts(new_matches(project, learning, matches)) == ["Learning from each other helps.", "Learning, always."]
    ids = apply_autocode(project, learning, matches + matches, author="CS")
    assert len(ids) == 2
    passages = coded_passages(project, [learning])
    assert [p.text for p in passages] == ["The learning was huge!", "Learning from each other helps.", "Learning, always."]
    assert apply_autocode(project, learning, matches) == []  # nothing new the second time
    delete_codings(project, ids)
    assert [p.coding_id for p in coded_passages(project, [learning])] == [study.codings["learning"]]


def test_apply_a_speakers_turns(study: Study) -> None:
    partnership = study.codes["Partnership"]
    ids = apply_autocode(study.project, partnership, speaker_turns(study.project, "SW"))
    assert len(ids) == 1
    passages = coded_passages(study.project, [partnership], speaker="SW")
    assert [p.text for p in passages] == [M01[1][1]]
    with pytest.raises(KeyError):
        apply_autocode(study.project, 9999, speaker_turns(study.project, "SW"))
