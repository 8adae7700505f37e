"""Retrieval: coded passages with their text, speaker and times; the code × speaker/transcript
matrix and the passages behind one of its cells; and how fast both are on a large study."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.analysis_records import Anchor
from storage.models import Code, Coding
from storage.project import Project, create_project
from storage.retrieval import NO_SPEAKER, code_matrix, coded_passages, passages_in_cell, with_subcodes
from tests.storage.coding_data import (
    LARGE_CODES, LARGE_CODINGS, LARGE_TRANSCRIPTS, M01, M02, Study, add_transcript, build_large_study, build_study,
    word_time,
)


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    built = build_study(tmp_path / "study.earmark")
    yield built
    built.project.close()


def test_a_passage_over_several_turns_has_their_text_and_the_times_of_its_words(study: Study) -> None:
    (story,) = coded_passages(study.project, [study.codes["Reviewing discharge procedures"]])
    first = M01[0][1]
    assert story.text == "\n".join([first[first.index("We had"):], M01[1][1], M01[2][1], "We changed"])
    assert story.speaker == "SN1"  # who began it
    assert story.start_time == pytest.approx(word_time(0, 3)[0])  # "We", the fourth word of turn 0
    assert story.end_time == pytest.approx(word_time(3, 1)[1])  # "changed", the second word of turn 3
    assert story.transcript_name == "M01 Starting up" and story.code_name == "Reviewing discharge procedures"
    assert story.start == Anchor(study.turns[(study.m01, 0)], first.index("We had"))
    assert story.end == Anchor(study.turns[(study.m01, 3)], len("We changed"))
    assert story.context == (f"Hot issues first. «{first[first.index('We had'):]} / {M01[1][1]} / {M01[2][1]} / "
                             "We changed» the discharge procedure after that.")


def test_a_passage_in_one_turn(study: Study) -> None:
    (passage,) = coded_passages(study.project, [study.codes["Learning"]])
    assert passage.text == "The learning was huge!"
    assert passage.speaker == "SW"
    assert (passage.start_time, passage.end_time) == pytest.approx((word_time(1, 6)[0], word_time(1, 9)[1]))
    assert passage.context == "That was a shock for everyone. «The learning was huge!»"
    assert passage.coding_id == study.codings["learning"]


def test_context_is_cut_at_whole_words(study: Study) -> None:
    (passage,) = coded_passages(study.project, [study.codes["Learning"]], context_chars=10)
    assert passage.context == "…everyone. «The learning was huge!»"
    (passage,) = coded_passages(study.project, [study.codes["Learning"]], context_chars=8)
    assert passage.context == "…«The learning was huge!»"
    (story,) = coded_passages(study.project, [study.codes["Reviewing discharge procedures"]], context_chars=15)
    assert story.context == "…issues first. «" + story.text.replace("\n", " / ") + "» the discharge…"


def test_passages_come_by_transcript_then_position(study: Study) -> None:
    passages = coded_passages(study.project, list(study.codes.values()))
    assert [p.coding_id for p in passages] == [study.codings[k] for k in ("story", "learning", "chorus", "cross")]
    chorus = passages[2]
    assert chorus.speaker is None and chorus.text == M01[2][1]


def test_filters_by_speaker_and_transcript(study: Study) -> None:
    every = list(study.codes.values())
    assert [p.coding_id for p in coded_passages(study.project, every, speaker="SN1")] == [
        study.codings["story"], study.codings["cross"]]
    assert [p.coding_id for p in coded_passages(study.project, every, transcript_id=study.m02)] == [study.codings["cross"]]
    assert coded_passages(study.project, every, speaker="SW", transcript_id=study.m02) == []
    assert coded_passages(study.project, []) == []


def test_subcodes(study: Study) -> None:
    codes = study.codes
    assert with_subcodes(study.project, [codes["Learning"]]) == [
        codes["Learning"], codes["Cross-organisational learning"], codes["Reviewing discharge procedures"]]
    assert with_subcodes(study.project, [codes["Partnership"]]) == [codes["Partnership"]]
    passages = coded_passages(study.project, with_subcodes(study.project, [codes["Learning"]]))
    assert [p.coding_id for p in passages] == [study.codings[k] for k in ("story", "learning", "cross")]


def test_matrix_by_speaker_counts_the_speaker_a_passage_starts_with(study: Study) -> None:
    codes = study.codes
    matrix = code_matrix(study.project, "speaker")
    assert [code.name for code in matrix.codes] == [
        "Learning", "Cross-organisational learning", "Reviewing discharge procedures", "Partnership"]
    assert matrix.columns == ("CG", "SN1", "SW", NO_SPEAKER)
    assert matrix.counts == {
        (codes["Learning"], "SW"): 1,
        (codes["Cross-organisational learning"], "SN1"): 1,
        (codes["Reviewing discharge procedures"], "SN1"): 1,
        (codes["Partnership"], NO_SPEAKER): 1,
    }
    assert matrix.count(codes["Learning"], "CG") == 0 and matrix.largest == 1


def test_matrix_by_transcript_and_for_some_codes(study: Study) -> None:
    codes = study.codes
    matrix = code_matrix(study.project, "transcript", code_ids=[codes["Learning"], codes["Cross-organisational learning"]])
    assert [code.name for code in matrix.codes] == ["Learning", "Cross-organisational learning"]
    assert matrix.columns == ("M01 Starting up", "M02 Training")
    assert matrix.counts == {(codes["Learning"], "M01 Starting up"): 1,
                             (codes["Cross-organisational learning"], "M02 Training"): 1}
    with pytest.raises(ValueError, match="speaker"):
        code_matrix(study.project, "meeting")  # type: ignore[arg-type]


def test_transcripts_with_the_same_name_are_separate_columns(study: Study) -> None:
    again, turns = add_transcript(study.project, "M02 Training", M02)
    with study.project.write() as session:
        session.add(Coding(code_id=study.codes["Partnership"], transcript_id=again, start_segment_id=turns[0],
                           start_offset=0, end_segment_id=turns[0], end_offset=9))
    matrix = code_matrix(study.project, "transcript")
    assert matrix.columns == ("M01 Starting up", f"M02 Training (#{study.m02})", f"M02 Training (#{again})")
    assert matrix.count(study.codes["Partnership"], f"M02 Training (#{again})") == 1
    (cell,) = passages_in_cell(study.project, study.codes["Partnership"], "transcript", f"M02 Training (#{again})")
    assert cell.text == "Statutory" and cell.transcript_id == again


def test_passages_in_a_cell(study: Study) -> None:
    codes = study.codes
    (sw,) = passages_in_cell(study.project, codes["Learning"], "speaker", "SW")
    assert sw.coding_id == study.codings["learning"]
    (chorus,) = passages_in_cell(study.project, codes["Partnership"], "speaker", NO_SPEAKER)
    assert chorus.coding_id == study.codings["chorus"]
    (cross,) = passages_in_cell(study.project, codes["Cross-organisational learning"], "transcript", "M02 Training")
    assert cross.coding_id == study.codings["cross"]
    assert passages_in_cell(study.project, codes["Learning"], "speaker", "CG") == []
    assert passages_in_cell(study.project, codes["Learning"], "transcript", "no such meeting") == []


def test_a_turn_without_words_falls_back_to_its_times(tmp_path: Path) -> None:
    from storage.records import NewSegment
    from storage.transcripts import append_segments, create_transcript

    with create_project(tmp_path / "notes.earmark") as project:
        notes = create_transcript(project, "Field notes", None, kind="notes")
        (row,) = append_segments(project, notes.id, [NewSegment(5.0, 9.0, "Typed notes, no audio.")], 9.0)
        with project.write() as session:
            code = Code(name="Notes", merged_from=[])
            session.add(code)
            session.flush()
            session.add(Coding(code_id=code.id, transcript_id=notes.id, start_segment_id=row.id, start_offset=0,
                               end_segment_id=row.id, end_offset=5))
            code_id = code.id
        (passage,) = coded_passages(project, [code_id])
        assert (passage.start_time, passage.end_time) == (5.0, 9.0) and passage.text == "Typed"


# --- a large study (its speed is measured by tests/benchmarks/coding_scale.py) ------------------------------------------------------------------------

TRANSCRIPTS, CODES, CODINGS = LARGE_TRANSCRIPTS, LARGE_CODES, LARGE_CODINGS


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, list[int]]]:
    project = create_project(tmp_path_factory.mktemp("large") / "large.earmark")
    yield project, build_large_study(project)
    project.close()


def test_one_codes_passages_among_twenty_thousand(large: tuple[Project, list[int]]) -> None:
    project, codes = large
    passages = coded_passages(project, [codes[0]])
    assert len(passages) == CODINGS // CODES == 2000
    multi = [p for p in passages if p.start.segment_id != p.end.segment_id]
    assert multi and all(p.text.count("\n") == p.end.segment_id - p.start.segment_id for p in multi)


def test_the_matrix_of_twenty_thousand_codings(large: tuple[Project, list[int]]) -> None:
    project, codes = large
    for by in ("speaker", "transcript"):
        matrix = code_matrix(project, by)  # type: ignore[arg-type]
        assert sum(matrix.counts.values()) == CODINGS
    assert NO_SPEAKER in code_matrix(project, "speaker").columns


@given(
    st.lists(st.sampled_from(["care", "(laughs)", "don't", "a", "—", "SN1:"]), min_size=0, max_size=8),
    st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=8, max_size=8),
    st.sampled_from(["", " "]), st.integers(0, 60), st.integers(0, 60), st.integers(0, 10),
)
def test_word_indices_match_word_span(tokens: list[str], gaps: list[str], lead: str, start: int, end: int,
                                      missing: int) -> None:
    """Retrieval finds a passage's first and last word without parsing the words (for speed);
    it must pick the very words storage.passages.word_span picks, also when words are missing."""
    from storage.passages import word_span
    from storage.retrieval import _word_range

    text = lead + "".join(token + gap for token, gap in zip(tokens, gaps))
    words = [[token, float(k), k + 0.5, 0.9] for k, token in enumerate(tokens)][: max(0, len(tokens) - missing % 3)]
    start, end = min(start, len(text)), min(end, len(text))
    expected = word_span(text, words, start, end)
    found = _word_range(text, len(words), start, end)
    assert (None if found is None else (words[found[0]][1], words[found[1]][2])) == expected
