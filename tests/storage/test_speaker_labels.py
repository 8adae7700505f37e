"""Automatic speaker labels on a real project file: turns split where the speaker changes (codings
kept on their words), flickers ignored, turns a person set never touched, re-running changes
nothing it need not, and undo puts every turn, coding and speaker back exactly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from storage import codebook, editing, transcripts
from storage.analysis_records import Anchor
from storage.coding import apply_code, codings_in_transcript, coded_text
from storage.project import create_project
from storage.records import Word
from storage.speaker_labels import (
    apply_speaker_plan,
    labels_by_segment,
    plan_speaker_labels,
    speaker_runs,
    undo_speaker_plan,
)
from tests.helpers import add_turns

A, B, C = "Speaker 1", "Speaker 2", "Speaker 3"
FIRST = "Good morning everyone and welcome back. Our main issue was a discharge"
SECOND = "Tell us more about the discharge please"
THIRD = "Yes"


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        opened.transcript_id, _ = add_turns(opened, "M01", [(None, FIRST), (None, SECOND), (None, THIRD)],
                                            spacing=0.5, word_length=0.4)
        yield opened


def turns(project) -> list:  # noqa: ANN001
    return transcripts.segments(project, project.transcript_id)


def words(count: int, *, spacing: float = 0.5) -> list[Word]:
    return [Word(f"w{i}", i * spacing, i * spacing + 0.4, 0.9) for i in range(count)]


# --- the flicker rule --------------------------------------------------------------------------

def test_a_single_word_of_another_speaker_inside_a_run_does_not_split() -> None:
    assert speaker_runs(words(7), [A, A, A, B, A, A, A]) == [(0, A)]


def test_a_single_long_word_is_still_a_flicker() -> None:
    slow = [Word(f"w{i}", i * 1.0, i * 1.0 + 0.9, 0.9) for i in range(5)]  # each word 0.9 s
    assert speaker_runs(slow, [A, A, B, A, A]) == [(0, A)]
    assert speaker_runs(slow, [A, A, A, B, B]) == [(0, A), (3, B)]


def test_a_change_of_two_words_and_half_a_second_splits_at_the_word() -> None:
    assert speaker_runs(words(6), [A, A, A, A, B, B]) == [(0, A), (4, B)]


def test_two_words_shorter_than_half_a_second_join_their_neighbours() -> None:
    fast = words(8, spacing=0.1)  # words 0.1 s apart: two of them last 0.5 s only just
    labels = [A, A, A, B, B, A, A, A]
    assert fast[4].end - fast[3].start == pytest.approx(0.5)
    assert speaker_runs(fast, labels) == [(0, A), (3, B), (5, A)]
    assert speaker_runs(words(8, spacing=0.05), labels) == [(0, A)]


def test_a_short_run_between_two_speakers_joins_the_longer_neighbour() -> None:
    assert speaker_runs(words(9), [A, A, A, A, A, C, B, B, B]) == [(0, A), (6, B)]
    assert speaker_runs(words(9), [A, A, A, C, B, B, B, B, B]) == [(0, A), (3, B)]


def test_words_without_a_label_follow_their_neighbours() -> None:
    assert speaker_runs(words(6), [None, A, A, None, B, B]) == [(0, A), (4, B)]
    assert speaker_runs(words(3), [None, None, B]) == [(0, B)]


def test_a_one_word_turn_takes_its_word_label() -> None:
    assert speaker_runs(words(1), [C]) == [(0, C)]


# --- plan, apply, undo -------------------------------------------------------------------------

def label_all(project, by_turn: dict[int, list[str | None]]) -> dict[int, list[str | None]]:  # noqa: ANN001
    """Labels keyed by position, as the labeller would give them, keyed by turn id."""
    rows = turns(project)
    return {rows[position].id: labels for position, labels in by_turn.items()}


def split_labels(project) -> dict[int, list[str | None]]:  # noqa: ANN001
    """Turn 0: the first sentence (6 words) by A, the rest (6 words) by B; turn 1 by A; turn 2 by B."""
    return label_all(project, {0: [A] * 6 + [B] * 6, 1: [A] * 7, 2: [B]})


def test_a_speaker_change_inside_a_turn_splits_it_and_codings_stay_on_their_words(project) -> None:  # noqa: ANN001
    before = turns(project)
    code = codebook.create_code(project, "Discharge")
    # One coding across the coming split ("welcome back. Our main"), one inside the second part.
    across = apply_code(project, code.id, project.transcript_id, Anchor(before[0].id, FIRST.index("welcome")),
                        Anchor(before[0].id, FIRST.index(" issue")))
    inside = apply_code(project, codebook.create_code(project, "Issue").id, project.transcript_id,
                        Anchor(before[0].id, FIRST.index("discharge")), Anchor(before[0].id, len(FIRST)))
    codings_before = codings_in_transcript(project, project.transcript_id)

    plan = plan_speaker_labels(project, project.transcript_id, split_labels(project))
    assert plan.splits == 1 and len(plan.changes) == 3 and plan.speakers == (A, B)
    assert plan.changes[0].parts[1].first_word == 6 and plan.changes[0].parts[1].preview.startswith("Our main")
    assert "split into 2" in plan.lines()[0] and "3 of 3 turns would change (1 splits" in plan.summary()
    assert turns(project) == before  # a plan writes nothing

    applied = apply_speaker_plan(project, plan)
    after = turns(project)
    assert [(t.speaker, t.text) for t in after] == [
        (A, "Good morning everyone and welcome back."), (B, "Our main issue was a discharge"), (A, SECOND), (B, THIRD)]
    assert after[0].id == before[0].id and not any(t.speaker_by_hand for t in after)
    assert after[1].words == before[0].words[6:] and after[0].words == before[0].words[:6]  # times kept exactly
    assert coded_text(project, across.id) == "welcome back.\nOur main"
    assert coded_text(project, inside.id) == "discharge"
    assert codings_in_transcript(project, project.transcript_id)[1].start.segment_id == after[1].id
    assert set(editing.speaker_labels(project)) == {A, B}

    undo_speaker_plan(project, applied)
    assert turns(project) == before
    assert codings_in_transcript(project, project.transcript_id) == codings_before
    assert editing.speaker_labels(project) == []  # the speakers it made are gone again

    again = apply_speaker_plan(project, plan, reuse=applied)  # redo: the new turn gets its id back
    assert turns(project)[1].id == after[1].id and turns(project) == after
    undo_speaker_plan(project, again)
    assert turns(project) == before


def test_turns_a_person_set_are_left_out_and_counted(project) -> None:  # noqa: ANN001
    first = turns(project)[0]
    editing.set_turn_speaker(project, first.id, "SN1")
    plan = plan_speaker_labels(project, project.transcript_id, split_labels(project))
    assert plan.by_hand == 1 and [c.segment_id for c in plan.changes] == [t.id for t in turns(project)[1:]]
    assert "1 turns whose speaker a person set are left as they are" in plan.summary()
    apply_speaker_plan(project, plan)
    kept = turns(project)[0]
    assert (kept.speaker, kept.text, kept.speaker_by_hand) == ("SN1", FIRST, True)


def test_a_turn_set_by_hand_after_planning_is_skipped_when_applying(project) -> None:  # noqa: ANN001
    plan = plan_speaker_labels(project, project.transcript_id, split_labels(project))
    second = turns(project)[1]
    editing.set_turn_speaker(project, second.id, "CG")
    editing.edit_turn_text(project, turns(project)[2].id, "Yes indeed")
    applied = apply_speaker_plan(project, plan)
    assert applied.skipped == 2 and applied.changed == 1
    assert [(t.speaker, t.speaker_by_hand) for t in turns(project)] == [(A, False), (B, False), ("CG", True), (None, False)]


def test_re_running_changes_nothing_it_need_not(project) -> None:  # noqa: ANN001
    apply_speaker_plan(project, plan_speaker_labels(project, project.transcript_id, split_labels(project)))
    rows = turns(project)
    same = {rows[0].id: [A] * 6, rows[1].id: [B] * 6, rows[2].id: [A] * 7, rows[3].id: [B]}
    assert plan_speaker_labels(project, project.transcript_id, same).changes == ()
    # The labeller numbers speakers afresh each run: its names are matched to the stored ones.
    swapped = {key: [B if v == A else A for v in value] for key, value in same.items()}
    assert plan_speaker_labels(project, project.transcript_id, swapped).changes == ()
    # A third voice found in the last turn gets the first free name, not one in use.
    third = {**swapped, rows[3].id: ["Speaker 9"]}
    plan = plan_speaker_labels(project, project.transcript_id, third)
    assert [(c.segment_id, c.old_speaker, c.parts[0].speaker) for c in plan.changes] == [(rows[3].id, B, C)]
    assert plan.lines() == [f"turn 4 at 00:20: {B} → {C}"]


def test_a_name_a_person_gave_spreads_only_to_the_voice_it_agrees_with(project) -> None:  # noqa: ANN001
    rows = turns(project)
    editing.set_turn_speaker(project, rows[1].id, "SN1")  # a person says turn 2 is SN1
    labels = label_all(project, {0: ["x"] * 12, 1: ["y"] * 7, 2: ["y"]})
    plan = plan_speaker_labels(project, project.transcript_id, labels)
    assert [(c.position, c.parts[0].speaker) for c in plan.changes] == [(0, A), (2, "SN1")]


def test_turns_without_timed_words_or_labels_are_counted_not_changed(project) -> None:  # noqa: ANN001
    rows = turns(project)
    labels = {rows[0].id: [None] * 12, rows[1].id: [A] * 3}  # all unknown; the wrong number of labels
    plan = plan_speaker_labels(project, project.transcript_id, labels)
    assert plan.changes == () and plan.unlabelled == 3
    assert "No changes" in plan.summary() and "3 turns have no timed words" in plan.summary()


def test_words_that_do_not_match_the_text_never_split(project) -> None:  # noqa: ANN001
    first = turns(project)[0]
    editing.put_turn(project, replace(first, words=first.words[:10]))  # imported: fewer timed words than text words
    labels = label_all(project, {0: [A] * 3 + [B] * 7})
    plan = plan_speaker_labels(project, project.transcript_id, labels)
    assert plan.changes[0].splits == 0 and plan.changes[0].parts[0].speaker == B


def test_labels_by_segment_from_word_triples(project) -> None:  # noqa: ANN001
    rows = turns(project)
    lists = labels_by_segment([(rows[2].id, 0, B), (rows[1].id, 3, A), (rows[1].id, 99, A), (12345, 0, A)], rows)
    assert lists[rows[2].id] == [B] and lists[rows[1].id] == [None, None, None, A, None, None, None]
    assert lists[rows[0].id] == [None] * 12


# --- what a person does marks the turn ---------------------------------------------------------

def test_setting_a_speaker_marks_the_turn_and_undo_restores_the_mark(project) -> None:  # noqa: ANN001
    first = turns(project)[0]
    before, after = editing.set_turn_speaker(project, first.id, "SN1")
    assert after.speaker_by_hand and not before.speaker_by_hand
    editing.put_turn(project, before)
    assert turns(project)[0] == first


def test_split_keeps_the_mark_on_both_parts(project) -> None:  # noqa: ANN001
    first = turns(project)[0]
    editing.set_turn_speaker(project, first.id, "SN1")
    change = editing.split_turn(project, first.id, FIRST.index("Our"))
    assert change.first.speaker_by_hand and change.second.speaker_by_hand
    editing.unsplit(project, change)
    assert turns(project)[0].speaker_by_hand


def test_merging_turns_of_two_speakers_marks_the_result(project) -> None:  # noqa: ANN001
    apply_speaker_plan(project, plan_speaker_labels(project, project.transcript_id, split_labels(project)))
    rows = turns(project)
    change = editing.merge_with_next(project, rows[0].id)  # A's turn swallows B's words
    assert change.merged.speaker_by_hand
    editing.unmerge(project, change)
    assert turns(project) == rows


def test_rename_and_merge_of_speakers_mark_the_moved_turns_and_undo_restores_each_mark(project) -> None:  # noqa: ANN001
    apply_speaker_plan(project, plan_speaker_labels(project, project.transcript_id, split_labels(project)))
    editing.set_turn_speaker(project, turns(project)[2].id, B)  # an A turn set to B by hand
    rows = turns(project)
    rename = editing.rename_speaker(project, A, "SN1")
    assert [t.speaker_by_hand for t in turns(project)] == [True, False, True, False]
    merge = editing.rename_speaker(project, B, "SN1")
    assert all(t.speaker_by_hand and t.speaker == "SN1" for t in turns(project))
    editing.undo_speaker_change(project, merge)
    editing.undo_speaker_change(project, rename)
    assert turns(project) == rows


def test_many_splits_in_one_go_keep_the_turns_in_order_and_undo_exactly(project_path: Path) -> None:
    text = "one two three four five six seven eight nine ten"
    with create_project(project_path.with_name("many.earmark")) as project:
        project.transcript_id, rows = add_turns(project, "M02", [(None, text)] * 6, spacing=0.5)
        code = codebook.create_code(project, "Across")
        coding = apply_code(project, code.id, project.transcript_id, Anchor(rows[0].id, text.index("three")),
                            Anchor(rows[2].id, text.index(" eight")))
        labels = {rows[0].id: [A] * 3 + [B] * 4 + [A] * 3, rows[2].id: [C] * 5 + [A] * 5, rows[4].id: [B] * 10,
                  rows[5].id: [A] * 2 + [B] * 8}
        plan = plan_speaker_labels(project, project.transcript_id, labels)
        assert plan.splits == 4
        applied = apply_speaker_plan(project, plan)
        after = turns(project)
        assert [t.position for t in after] == list(range(10))
        assert [(t.speaker, t.text) for t in after] == [
            (A, "one two three"), (B, "four five six seven"), (A, "eight nine ten"), (None, text),
            (C, "one two three four five"), (A, "six seven eight nine ten"), (None, text), (B, text),
            (A, "one two"), (B, "three four five six seven eight nine ten")]
        assert [w for t in after for w in t.words] == [w for t in rows for w in t.words]
        assert coded_text(project, coding.id) == "\n".join(["three", "four five six seven", "eight nine ten", text,
                                                            "one two three four five", "six seven"])
        undo_speaker_plan(project, applied)
        assert turns(project) == rows
        assert coded_text(project, coding.id).startswith("three four") and coded_text(project, coding.id).endswith("seven")
        redone = apply_speaker_plan(project, plan, reuse=applied)
        assert turns(project) == after and redone.splits[0].second.id == applied.splits[0].second.id
