"""Text sources and removing the audio in the real window on a real project: a new source opens
in the editor with numbered paragraphs and the player off for a stated reason; Return at a
paragraph's end makes a new one; an import is one undoable step (redo keeps its ids); a refused
import warns and writes nothing; the panel groups sources under their meeting; a source is coded
and its passage cannot be played; removing a recording's audio deletes the file, keeps the
transcript, codings and memos, and leaves the player off saying when; a missing file says so."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from app import jobs
from app.main_window import MainWindow
from app.source_actions import SourceController
from storage import codebook, coding, memos, recordings, transcripts
from storage.analysis_records import Anchor
from storage.models import Meeting
from storage.project import Project, create_project, open_project
from tests.helpers import open_window, turn_segments
from widgets.source_dialog import RemoveAudioDialog, SourceChoices

TURNS = [("SN1", "Hot issues first: an unexpected death during transfer."), ("CG", "The handover was the problem.")]


def add_meeting(project: Project, code: str, date: str) -> int:
    with project.write() as session:
        row = Meeting(code=code, date=date)
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def study(tmp_path: Path, sample: Path) -> dict[str, object]:
    """A project with meeting M04 and its recording (a copy of the sample) transcribed and coded."""
    path, media = tmp_path / "study.earmark", tmp_path / "M04.wav"
    shutil.copy(sample, media)
    with create_project(path) as project:
        meeting = add_meeting(project, "M04", "2010-03-18")
        prepared = jobs.prepare(project, media)
        rows = transcripts.append_segments(project, prepared.transcript.id, turn_segments(TURNS), 20.0)
        transcripts.mark_finished(project, prepared.transcript.id, "done", covered_until=20.0)
        code = codebook.create_code(project, "Reviewing discharge procedures")
        coded = coding.apply_code(project, code.id, prepared.transcript.id, Anchor(rows[0].id, 0), Anchor(rows[0].id, 10))
        assert coded is not None
        memos.add_memo(project, "coding", coded.id, body="The story of the transfer.")
    return {"path": path, "media": media, "meeting": meeting, "recording": prepared.recording.id,
            "transcript": prepared.transcript.id, "code": code.id}


@pytest.fixture
def window(qtbot, study: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    warnings: list[str] = []
    with open_window(qtbot, monkeypatch, study["path"], warnings=warnings) as main:  # type: ignore[arg-type]
        main.warnings = warnings  # type: ignore[attr-defined]
        yield main


def controller(window: MainWindow) -> SourceController:
    return next(c for c in window.analysis if isinstance(c, SourceController))


def shown_texts(window: MainWindow) -> list[str]:
    return [window.view.segment_at_block(n).text for n in range(window.view.segment_count())]  # type: ignore[union-attr]


def panel_rows(window: MainWindow) -> list[tuple[int, str, str]]:
    """(depth, name, status) of every row of the project panel, top to bottom."""
    rows: list[tuple[int, str, str]] = []

    def walk(item: QTreeWidgetItem, depth: int) -> None:
        rows.append((depth, item.text(0), item.text(1)))
        for number in range(item.childCount()):
            walk(item.child(number), depth + 1)

    for number in range(window.panel.topLevelItemCount()):
        walk(window.panel.topLevelItem(number), 0)
    return rows


def test_new_source_opens_for_typing_with_numbered_paragraphs_and_no_audio(window: MainWindow, study, qtbot) -> None:  # noqa: ANN001
    controller(window).new_source(SourceChoices("field_notes", "Field notes", study["meeting"], ""))
    source_id = window.context.transcript_id()
    assert source_id != study["transcript"] and window.view.text_source
    assert shown_texts(window) == [""]
    assert not window.player_bar.play.isEnabled() and window.player_bar.message.isVisible()
    assert window.player_bar.message.text() == "This is a text source (field notes): there is no audio."
    assert window.view.time_at_margin(5) is None, "a text source's margin does not seek"

    window.view.setFocus()
    qtbot.keyClicks(window.view, "Arrived early.")
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    qtbot.keyClicks(window.view, "SN1 told the story of the transfer.")
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    window.view.flush_pending()
    project = window.project
    assert [t.text for t in transcripts.segments(project, source_id)] == [
        "Arrived early.", "SN1 told the story of the transfer.", ""]
    assert shown_texts(window) == ["Arrived early.", "SN1 told the story of the transfer.", ""]

    window.editing.stack.undo()  # the empty third paragraph goes
    assert [t.text for t in transcripts.segments(project, source_id)] == [
        "Arrived early.", "SN1 told the story of the transfer."]
    assert (0, "M04 · 2010-03-18", "") in panel_rows(window)
    assert (1, "Field notes", "Field notes") in panel_rows(window)

    window.show_transcript(study["transcript"])  # back to the recording: times again
    assert not window.view.text_source


def test_return_at_a_paragraph_start_moves_it_down(window: MainWindow, study) -> None:  # noqa: ANN001
    controller(window).new_source(SourceChoices("minutes", "Minutes", None, "First.\nSecond."))
    source_id = window.context.transcript_id()
    turns = transcripts.segments(window.project, source_id)
    window.view.place_cursor(turns[1].id, 0)
    window.view.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert [t.text for t in transcripts.segments(window.project, source_id)] == ["First.", "", "Second."]
    assert window.view.turn_at_cursor().id == turns[1].id  # type: ignore[union-attr]
    QTest.keyClick(window.view, Qt.Key.Key_End)
    QTest.keyClick(window.view, Qt.Key.Key_Left)
    QTest.keyClick(window.view, Qt.Key.Key_Return)  # inside a paragraph: an ordinary split
    assert [t.text for t in transcripts.segments(window.project, source_id)] == ["First.", "", "Second", "."]


def test_import_is_one_undoable_step_and_redo_keeps_the_ids(window: MainWindow, study, tmp_path: Path) -> None:  # noqa: ANN001
    import docx

    path = tmp_path / "Minutes M04.docx"
    document = docx.Document()
    document.add_paragraph("Minutes of M04")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "Action: review the handover"
    document.save(str(path))
    assert controller(window).import_file(path, SourceChoices("minutes", "Minutes M04", study["meeting"], ""))
    source_id = window.context.transcript_id()
    assert shown_texts(window) == ["Minutes of M04", "Action: review the handover"]
    ids = [t.id for t in transcripts.segments(window.project, source_id)]
    assert window.statusBar().currentMessage() == "Imported Minutes — M04: 2 paragraphs."

    window.editing.stack.undo()
    assert [t.id for t in transcripts.list_transcripts(window.project)] == [study["transcript"]]
    assert window.context.transcript_id() == study["transcript"] and not window.view.text_source
    window.editing.stack.redo()
    assert [t.id for t in transcripts.segments(window.project, source_id)] == ids
    assert window.context.transcript_id() == source_id and window.view.text_source


def test_a_refused_import_warns_and_writes_nothing(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    assert not controller(window).import_file(path, SourceChoices("document", "Scan", None, ""))
    assert len(window.warnings) == 1 and "scan.txt" in window.warnings[0] and "binary" in window.warnings[0]  # type: ignore[attr-defined]
    assert len(transcripts.list_transcripts(window.project)) == 1
    assert window.editing.stack.count() == 0


def test_source_details_move_it_between_meetings_with_undo(window: MainWindow, study) -> None:  # noqa: ANN001
    controller(window).new_source(SourceChoices("document", "Trust policy", None, "Policy."))
    source_id = window.context.transcript_id()
    assert (0, "Trust policy", "Document") in panel_rows(window)
    controller(window).edit_details(source_id, SourceChoices("interview_notes", "Follow-up with CG", study["meeting"], ""))
    assert (1, "Follow-up with CG", "Interview notes") in panel_rows(window)
    window.editing.stack.undo()
    assert (0, "Trust policy", "Document") in panel_rows(window)


def test_a_source_is_coded_and_its_passage_cannot_be_played(window: MainWindow, study) -> None:  # noqa: ANN001
    controller(window).new_source(SourceChoices("field_notes", "Field notes", study["meeting"],
                                                "The discharge procedure came up again."))
    source_id = window.context.transcript_id()
    [turn] = transcripts.segments(window.project, source_id)
    window.view.select_range(turn.id, 4, 23)
    window.context.apply_code(study["code"])
    [coded] = coding.codings_in_transcript(window.project, source_id)
    assert coding.coded_text(window.project, coded.id) == "discharge procedure"
    window.context.play_span(source_id, 0.0, 0.0)
    assert window.player_bar.message.text().startswith("Cannot play this passage. This is a text source")


def test_remove_audio_keeps_the_transcript_and_turns_the_player_off(window: MainWindow, study, qtbot) -> None:  # noqa: ANN001
    assert window.context.transcript_id() == study["transcript"]
    facts = recordings.audio_facts(window.project, study["recording"])
    text = RemoveAudioDialog.text_for(facts)
    assert "Consent forms promise that tapes are destroyed" in text and "cannot be undone" in text
    assert "its 1 coding and 1 memo" in text and "(2 turns)" in text and "M04.wav" in text

    assert not controller(window).remove_audio(study["recording"], confirmed=False)
    assert study["media"].exists()
    assert controller(window).remove_audio(study["recording"], confirmed=True)
    assert not study["media"].exists()
    removed_on = recordings.audio_facts(window.project, study["recording"]).removed_on
    bar = window.player_bar
    assert not bar.play.isEnabled() and not bar.slider.isEnabled() and bar.message.isVisible()
    assert bar.message.text().startswith(f"Audio removed on {removed_on} (recorded in the audit)")
    assert [t.text for t in transcripts.segments(window.project, study["transcript"])] == [t for _, t in TURNS]
    assert len(coding.codings_in_transcript(window.project, study["transcript"])) == 1
    assert (0, "M04.wav", "audio removed") in panel_rows(window)
    assert "kept" in window.statusBar().currentMessage()


def test_reopened_project_shows_why_the_player_is_off(qtbot, study, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    with open_project(study["path"]) as project:
        recordings.remove_audio(project, study["recording"])
    with open_window(qtbot, monkeypatch, study["path"]) as window:
        assert window.context.transcript_id() == study["transcript"]
        assert window.player_bar.message.text().startswith("Audio removed on ")
        assert not window.player_bar.play.isEnabled()


def test_a_missing_file_says_where_it_should_be(qtbot, study, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    study["media"].unlink()
    with open_window(qtbot, monkeypatch, study["path"]) as window:
        message = window.player_bar.message.text()
        assert message.startswith("The recording file M04.wav is missing: ") and str(study["media"]) in message
        assert not window.player_bar.play.isEnabled()


def test_dialogs_and_panel_menu_hand_back_choices(window: MainWindow, study, qtbot,  # noqa: ANN001
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from storage import sources
    from widgets.source_dialog import SourceDialog

    dialog = SourceDialog(sources.meeting_choices(window.project), mode="import", name="", kind="minutes",
                          meeting_id=study["meeting"], file_name="minutes.docx (3 paragraphs)")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled(), "a source needs a name"
    qtbot.keyClicks(dialog.name, "Minutes of M04")
    assert ok.isEnabled() and ok.text() == "Import" and not dialog.text.isVisibleTo(dialog)
    assert dialog.choices() == SourceChoices("minutes", "Minutes of M04", study["meeting"], "")
    dialog.meeting.setCurrentIndex(0)
    assert dialog.choices().meeting_id is None

    item = window.panel._items[study["transcript"]]
    menu = window.panel.build_context_menu(item)
    asked: list[int] = []
    window.panel.remove_audio_requested.connect(asked.append)
    remove = next(a for a in menu.actions() if a.text().startswith("&Remove Audio"))
    shown: list[str] = []
    monkeypatch.setattr(RemoveAudioDialog, "exec", lambda self: shown.append(self.summary.text()) or 0)  # Cancel
    remove.trigger()
    assert asked == [study["recording"]] and "M04.wav" in shown[0]
    assert study["media"].exists(), "cancelled: nothing removed"
