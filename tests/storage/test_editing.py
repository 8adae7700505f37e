"""Turn edits on a real project file: ids kept, positions in order, every edit undoable."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import editing, transcripts
from storage.project import create_project
from tests.helpers import add_turns


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        turns = [("SN1", "Good morning everyone. Hot issues first."), ("SW", "A discharge went wrong."),
                 ("SN1", "Tell us more.")]
        opened.transcript_id, _ = add_turns(opened, "M01", turns, spacing=1.0, word_length=0.8, probability=0.9)
        yield opened


def texts(project) -> list[str]:  # noqa: ANN001
    return [s.text for s in transcripts.segments(project, project.transcript_id)]


def test_edit_text_keeps_times_of_unchanged_words(project) -> None:  # noqa: ANN001
    first = transcripts.segments(project, project.transcript_id)[1]
    change = editing.edit_turn_text(project, first.id, "A discharge between units went wrong.")
    before, after = change.before, change.after
    assert after.words[0] == before.words[0] and after.words[-1] == before.words[-1]
    assert (after.start, after.end) == (before.start, before.end)
    editing.undo_text_change(project, change)
    assert texts(project)[1] == "A discharge went wrong."


def test_split_and_undo(project) -> None:  # noqa: ANN001
    turn = transcripts.segments(project, project.transcript_id)[0]
    change = editing.split_turn(project, turn.id, len("Good morning everyone."))
    first, second = change.first, change.second
    assert texts(project) == ["Good morning everyone.", "Hot issues first.", "A discharge went wrong.", "Tell us more."]
    assert first.id == turn.id and first.end <= second.start and second.speaker == "SN1"
    assert [w.text for w in second.words] == ["Hot", "issues", "first."]
    assert second.words[0].start == turn.words[3].start
    editing.unsplit(project, change)
    assert transcripts.segments(project, project.transcript_id)[0] == turn


def test_merge_and_undo_restore_ids(project) -> None:  # noqa: ANN001
    original = transcripts.segments(project, project.transcript_id)
    change = editing.merge_with_next(project, original[1].id)
    merged = change.merged
    assert texts(project) == [original[0].text, "A discharge went wrong. Tell us more.", ]
    assert merged.id == original[1].id and merged.end == original[2].end
    editing.unmerge(project, change)
    assert transcripts.segments(project, project.transcript_id) == original


def test_rename_and_merge_speakers(project) -> None:  # noqa: ANN001
    change = editing.rename_speaker(project, "SN1", "Senior Nurse 1")
    assert not change.merged and "Senior Nurse 1" in editing.speaker_labels(project)
    merge = editing.rename_speaker(project, "SW", "Senior Nurse 1")
    assert merge.merged
    assert {s.speaker for s in transcripts.segments(project, project.transcript_id)} == {"Senior Nurse 1"}
    editing.undo_speaker_change(project, merge)
    editing.undo_speaker_change(project, change)
    assert [s.speaker for s in transcripts.segments(project, project.transcript_id)] == ["SN1", "SW", "SN1"]
