"""Speakers in the real window: Transcription ▸ Label Speakers… on the bundled sample meeting
(real speaker model, real audio, real SQLite), its progress, Cancel and preview, applying the
ticked changes as one undo step that undo restores exactly, turns set by hand left alone, the
message (and the failing download) without the model, and the one-step speaker tools: split
selected words off to a new speaker, merge a speaker into another, link one to a participant,
from the menus and the margin's right-click menu."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog

from app import jobs
from app.main_window import MainWindow
from app.speaker_actions import SpeakerController
from audio.speaker_weights import WEIGHTS_ENV
from tests.conftest import installed_speaker_weights
from storage import codebook, coding, editing, participants, transcripts
from storage.analysis_records import Anchor
from storage.project import create_project
from storage.records import NewSegment, Word
from tests.helpers import add_turns, held_elsewhere, open_window
from widgets.speaker_colours import speaker_colour
from widgets.speaker_label_dialog import CHOOSE, PREVIEW, SpeakerLabelDialog
from widgets.transcript_view import SPEAKER_BAR

LABEL_SECONDS = 120_000  # ms: the sample takes about 2 s here; a loaded CI machine far longer


def controller(window: MainWindow) -> SpeakerController:
    return next(c for c in window.analysis if isinstance(c, SpeakerController))


def message(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


@pytest.fixture
def weights() -> Path:
    return installed_speaker_weights()


@pytest.fixture
def meeting(tmp_path: Path, sample: Path) -> tuple[Path, int]:
    """The bundled sample with its reference words spread evenly over each turn; every other
    pair of turns joined into one turn with no speaker (labelling must split it), and the third
    turn's speaker set by hand to CG."""
    media = tmp_path / sample.name
    shutil.copyfile(sample, media)
    manifest = json.loads((sample.parent / "meeting.json").read_text(encoding="utf-8"))
    turns, segments, index = manifest["turns"], [], 0
    while index < len(turns):
        group = turns[index:index + 2] if index % 4 == 0 else turns[index:index + 1]
        words: list[Word] = []
        for turn in group:
            tokens = turn["text"].split()
            step = (turn["end"] - turn["start"]) / len(tokens)
            words += [Word(t, turn["start"] + k * step, turn["start"] + (k + 0.8) * step, 0.9) for k, t in enumerate(tokens)]
        segments.append(NewSegment(group[0]["start"], group[-1]["end"], " ".join(t["text"] for t in group),
                                   tuple(words), None))
        index += len(group)
    path = tmp_path / "meeting.earmark"
    with create_project(path) as project:
        prepared = jobs.prepare(project, media)
        transcripts.append_segments(project, prepared.transcript.id, segments, manifest["duration"])
        transcripts.mark_finished(project, prepared.transcript.id, "done", covered_until=manifest["duration"])
        third = transcripts.segments(project, prepared.transcript.id)[2]
        editing.set_turn_speaker(project, third.id, "CG")
        code = codebook.create_code(project, "Discharge")
        first = transcripts.segments(project, prepared.transcript.id)[0]
        # A coding across the words where labelling splits the first turn: it must survive apply and undo.
        coding.apply_code(project, code.id, prepared.transcript.id, Anchor(first.id, 50), Anchor(first.id, 200))
    return path, prepared.transcript.id


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch, meeting: tuple[Path, int]):  # noqa: ANN001, ANN201
    with open_window(qtbot, monkeypatch, meeting[0]) as opened:
        yield opened


def state(window: MainWindow, transcript_id: int) -> tuple:
    project = window.project
    return (transcripts.segments(project, transcript_id), editing.speaker_labels(project),
            [(c.code_id, c.start, c.end) for c in coding.codings_in_transcript(project, transcript_id)])


def open_dialog(qtbot, window: MainWindow) -> SpeakerLabelDialog:  # noqa: ANN001
    speakers = controller(window)
    speakers.label_action.trigger()
    assert speakers.dialog is not None and speakers.dialog.isVisible()
    return speakers.dialog


def run_labelling(qtbot, window: MainWindow, count: object = 4) -> SpeakerLabelDialog:  # noqa: ANN001
    dialog = open_dialog(qtbot, window)
    if count is None:
        dialog.auto_choice.setChecked(True)
    else:
        dialog.count_spin.setValue(int(count))  # type: ignore[arg-type]
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.page() != 1, timeout=LABEL_SECONDS)
    assert dialog.page() == PREVIEW, dialog.error.text()
    return dialog


# --- menus ---------------------------------------------------------------------------------------

def test_the_transcription_menu_has_label_speakers_and_the_speaker_tools(window: MainWindow) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Transcription")
    titles = [a.text() for a in menu.actions()]
    assert titles.index("Label &Speakers…") > titles.index("&Transcribe or Resume Selected")
    speakers = next(a.menu() for a in menu.actions() if a.text() == "S&peakers")
    assert [a.text() for a in speakers.actions() if a.text()] == [
        "Split Selected Words Off to a &New Speaker", "&Merge This Turn's Speaker into Another…",
        "&Link This Turn's Speaker to a Participant…", "&Download Speaker Model…"]


# --- without the model ---------------------------------------------------------------------------

def test_without_the_model_it_says_how_to_get_it_and_a_failed_download_is_explained(
        qtbot, monkeypatch: pytest.MonkeyPatch, meeting: tuple[Path, int], tmp_path: Path) -> None:  # noqa: ANN001
    missing = tmp_path / "models" / "speaker.npz"
    monkeypatch.setenv(WEIGHTS_ENV, str(missing))
    # Nothing listens on port 9: the real download code meets a refused connection, as offline.
    monkeypatch.setattr("audio.speaker_weights.WHEEL_URL", "http://127.0.0.1:9/Resemblyzer-0.1.4-py3-none-any.whl")
    warnings: list[str] = []
    with open_window(qtbot, monkeypatch, meeting[0], warnings=warnings) as window:
        before = state(window, meeting[1])
        speakers = controller(window)
        speakers.label_action.trigger()
        box = speakers.missing_box
        assert box is not None and box.isVisible() and speakers.dialog is None
        assert str(missing) in box.text() and "earmark speakers install" in box.text()
        assert "transcription works without it" in box.text()
        assert str(missing) in message(window)
        box.download_button.click()
        qtbot.waitUntil(lambda: speakers.download is None, timeout=60_000)
        assert len(warnings) == 1 and "Cannot download the speaker model" in warnings[0]
        assert "earmark speakers install" in warnings[0] and "Cannot download" in message(window)
        assert not missing.exists() and speakers.dialog is None
        assert state(window, meeting[1]) == before


def test_a_damaged_model_is_named_with_the_fix(qtbot, monkeypatch: pytest.MonkeyPatch, meeting: tuple[Path, int],
                                               tmp_path: Path) -> None:  # noqa: ANN001
    damaged = tmp_path / "speaker.npz"
    damaged.write_bytes(b"not a zip file")
    monkeypatch.setenv(WEIGHTS_ENV, str(damaged))
    with open_window(qtbot, monkeypatch, meeting[0]) as window:
        controller(window).label_action.trigger()
        box = controller(window).missing_box
        assert box is not None and "damaged" in box.text() and str(damaged) in box.text()


# --- labelling -----------------------------------------------------------------------------------

def test_label_preview_apply_is_one_undo_step_that_undo_restores_exactly(
        qtbot, window: MainWindow, meeting: tuple[Path, int], weights: Path) -> None:  # noqa: ANN001
    transcript_id = meeting[1]
    before = state(window, transcript_id)
    hand_set = before[0][2]
    dialog = run_labelling(qtbot, window, 4)
    # A voice that agrees with the turn a person called CG takes that name; the others are numbered.
    assert dialog.summary.text().startswith("4 speakers heard: Speaker 1, Speaker 2, Speaker 3, ")
    assert "1 turn whose speaker you set by hand is left alone." in dialog.summary.text()
    rows = {dialog.table.topLevelItem(i).data(0, 256): dialog.table.topLevelItem(i) for i in range(dialog.table.topLevelItemCount())}
    assert rows[hand_set.id].text(2) == "left alone: set by hand"
    assert hand_set.id not in dialog.ticked() and len(dialog.ticked()) == len(before[0]) - 1
    assert " → " in rows[before[0][0].id].text(2)  # the first turn (two speakers joined) is split
    assert state(window, transcript_id) == before  # nothing written before Apply
    stack = window.editing.stack
    steps = stack.count()
    ticked = len(dialog.ticked())
    dialog.apply_button.click()
    assert stack.count() == steps + 1 and not dialog.isVisible()
    assert message(window).startswith(f"Speakers labelled: {ticked} turns changed") and "Undo" in message(window)
    after = state(window, transcript_id)
    turns = after[0]
    assert len(turns) > len(before[0])
    kept = next(t for t in turns if t.id == hand_set.id)  # moved down by the splits before it, else the same
    assert replace(kept, position=hand_set.position) == hand_set and kept.speaker == "CG" and kept.speaker_by_hand
    assert {"Speaker 1", "Speaker 2", "Speaker 3"} <= {t.speaker for t in turns} <= {
        "Speaker 1", "Speaker 2", "Speaker 3", "Speaker 4", "CG"}
    assert not any(t.speaker_by_hand for t in turns if t.id != hand_set.id)
    assert [t.speaker for t in turns[:2]] != [None, None] and turns[0].speaker != turns[1].speaker
    assert len(after[2]) == 1  # the coding follows its words into the split turns
    assert window.view.segment_count() == len(turns)
    assert [window.view.segment_at_block(i) for i in range(len(turns))] == turns
    # Each turn's bar in the margin is its speaker's colour.
    window.view.verticalScrollBar().setValue(0)
    image = window.view._margin.grab().toImage()
    for number in range(3):
        block = window.view.document().findBlockByNumber(number)
        top = round(window.view.blockBoundingGeometry(block).translated(window.view.contentOffset()).top())
        assert QColor(image.pixel(SPEAKER_BAR // 2, top + 2)).name() == speaker_colour(turns[number].speaker).name()

    stack.undo()
    assert state(window, transcript_id) == before
    assert [window.view.segment_at_block(i) for i in range(len(before[0]))] == before[0]
    stack.redo()
    assert state(window, transcript_id) == after  # the split-off turns under the same ids
    stack.undo()
    assert state(window, transcript_id) == before


def test_only_the_ticked_changes_are_applied(qtbot, window: MainWindow, meeting: tuple[Path, int],
                                             weights: Path) -> None:  # noqa: ANN001
    transcript_id = meeting[1]
    before = state(window, transcript_id)[0]
    dialog = run_labelling(qtbot, window, 4)
    chosen = dialog.ticked()[-2:]
    dialog.set_ticked(chosen)
    assert dialog.apply_button.text() == "Apply 2 Changes"
    dialog.apply_button.click()
    after = {t.id: t for t in transcripts.segments(window.project, transcript_id)}
    changed = [t.id for t in before if after.get(t.id) != t]
    assert changed == list(chosen)


def test_cancel_stops_without_changing_anything(qtbot, window: MainWindow, meeting: tuple[Path, int],
                                                weights: Path) -> None:  # noqa: ANN001
    before = state(window, meeting[1])
    dialog = open_dialog(qtbot, window)
    dialog.start_button.click()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: controller(window).job is None, timeout=LABEL_SECONDS)
    assert dialog.page() == CHOOSE and dialog.error.text() == "Stopped: nothing was changed."
    assert state(window, meeting[1]) == before and window.editing.stack.count() == 0


def test_a_transcript_without_a_recording_is_refused(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "notes.earmark"
    with create_project(path) as project:
        add_turns(project, "Notes", [(None, "minutes of the meeting")])
    with open_window(qtbot, monkeypatch, path) as window:
        controller(window).label_action.trigger()
        assert controller(window).dialog is None and "has no recording" in message(window)


# --- the speaker tools ---------------------------------------------------------------------------

@pytest.fixture
def talk(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN001, ANN201
    path = tmp_path / "talk.earmark"
    with create_project(path) as project:
        transcript_id, _turns = add_turns(project, "Talk", [
            ("SN1", "good morning everyone and welcome back"), ("SW", "thanks I have two things"),
            ("SN1", "go ahead please")])
        participants.create_participant(project, "OT1", role="Occupational therapist")
    with open_window(qtbot, monkeypatch, path) as window:
        yield window, transcript_id


def test_split_selected_words_off_to_a_new_speaker_is_one_step(talk) -> None:  # noqa: ANN001
    window, transcript_id = talk
    before = state(window, transcript_id)
    first = before[0][0]
    window.view.select_range(first.id, 8, 16)  # "ning eve": widened to "morning everyone"
    controller(window).split_action.trigger()
    turns = transcripts.segments(window.project, transcript_id)
    assert [(t.speaker, t.text) for t in turns[:3]] == [
        ("SN1", "good"), ("Speaker 1", "morning everyone"), ("SN1", "and welcome back")]
    assert turns[1].speaker_by_hand and turns[0].id == first.id
    assert window.view.turn_at_cursor() == turns[1]
    assert window.editing.stack.count() == 1 and "Speaker 1" in message(window)
    after = state(window, transcript_id)
    window.editing.stack.undo()
    undone = state(window, transcript_id)
    # The turns exactly as before; the new label stays known, as after undoing Set Turn Speaker.
    assert (undone[0], undone[2]) == (before[0], before[2]) and undone[1] == ["SN1", "SW", "Speaker 1"]
    assert window.view.turn_at_cursor() == first
    window.editing.stack.redo()
    assert state(window, transcript_id) == after


def test_split_off_at_a_turns_start_or_whole_turn(talk) -> None:  # noqa: ANN001
    window, transcript_id = talk
    second = transcripts.segments(window.project, transcript_id)[1]
    window.view.select_range(second.id, 0, len("thanks"))
    controller(window).split_action.trigger()
    turns = transcripts.segments(window.project, transcript_id)
    assert [(t.speaker, t.text) for t in turns[1:3]] == [("Speaker 1", "thanks"), ("SW", "I have two things")]
    last = turns[-1]
    window.view.select_range(last.id, 0, len(last.text))
    controller(window).split_action.trigger()
    turns = transcripts.segments(window.project, transcript_id)
    assert (turns[-1].id, turns[-1].speaker, turns[-1].text) == (last.id, "Speaker 2", last.text)


def test_split_off_needs_words_of_one_turn(talk) -> None:  # noqa: ANN001
    window, transcript_id = talk
    turns = transcripts.segments(window.project, transcript_id)
    window.view.select_passage(turns[0].id, 5, turns[1].id, 3)
    controller(window).split_action.trigger()
    assert "Select the words of one turn" in message(window) and window.editing.stack.count() == 0


def test_merge_a_speaker_into_another_from_the_margin_menu(talk, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    window, transcript_id = talk
    before = state(window, transcript_id)
    asked: list[list[str]] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a: (asked.append(items), ("SW", True))[1])
    menu = controller(window).build_margin_menu(before[0][0].id)
    next(a for a in menu.actions() if a.text() == "Merge “SN1” into Another Speaker…").trigger()
    assert asked == [["SW"]]
    turns = transcripts.segments(window.project, transcript_id)
    assert [t.speaker for t in turns] == ["SW", "SW", "SW"] and editing.speaker_labels(window.project) == ["SW"]
    assert window.view.segment_at_block(0).speaker == "SW" and window.editing.stack.count() == 1
    window.editing.stack.undo()
    assert state(window, transcript_id) == before


def test_link_a_speaker_to_a_participant(talk, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    window, transcript_id = talk
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a: (items[1], True))
    window.view.place_cursor(transcripts.segments(window.project, transcript_id)[1].id, 0)
    controller(window).link_action.trigger()
    ot = participants.find_participant(window.project, "OT1")
    assert ot is not None and ot.speakers == ("SW",)
    window.editing.stack.undo()
    assert participants.find_participant(window.project, "OT1").speakers == ()


def test_the_margin_menu_offers_the_speaker_tools(talk) -> None:  # noqa: ANN001
    window, transcript_id = talk
    turns = transcripts.segments(window.project, transcript_id)
    menu = controller(window).build_margin_menu(turns[0].id)
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles == ["Set This Turn's Speaker…", "Split Selected Words Off to a New Speaker", "Rename “SN1”…",
                      "Merge “SN1” into Another Speaker…", "Link “SN1” to a Participant…", "Label Speakers…"]
    assert not next(a for a in menu.actions() if a.text().startswith("Split")).isEnabled()  # no selection
    window.view.select_range(turns[1].id, 0, 6)
    menu = controller(window).build_margin_menu(turns[1].id)
    assert next(a for a in menu.actions() if a.text().startswith("Split")).isEnabled()


def test_a_read_only_project_offers_no_speaker_changes(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "shared.earmark"
    with create_project(path) as project:
        _transcript_id, turns = add_turns(project, "Talk", [("SN1", "good morning everyone")])
    with held_elsewhere(path), open_window(qtbot, monkeypatch, path) as window:
        assert window.project.read_only
        menu = controller(window).build_margin_menu(turns[0].id)
        assert not any(a.isEnabled() for a in menu.actions() if a.text())
        controller(window).label_action.trigger()
        assert controller(window).dialog is None and "read-only" in message(window)
