"""Retrieval, the code matrix and search in the real window on a real project: passages across
two meetings filtered by speaker, opening one selects exactly its words in the editor, the matrix
counts what is stored, and a search hit opens on the word it found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.main_window import MainWindow
from app.retrieval_actions import RetrievalController
from storage.analysis_records import Anchor
from storage.coding import apply_code
from storage.memos import add_memo
from storage.retrieval import NO_SPEAKER
from tests.helpers import open_window
from tests.storage.coding_data import M01, M02, build_study

PARAGRAPH = "\u2029"  # how QTextCursor.selectedText() shows a turn break


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    path = tmp_path / "study.earmark"
    study = build_study(path)
    study.project.close()
    with open_window(qtbot, monkeypatch, path) as window:
        window.study, window.path = study, path  # type: ignore[attr-defined]
        yield window


def controller(window: MainWindow) -> RetrievalController:
    return next(c for c in window.analysis if isinstance(c, RetrievalController))


def test_passages_across_two_transcripts_filtered_by_speaker(window: MainWindow) -> None:
    retrieval, codes = controller(window), window.study.codes  # type: ignore[attr-defined]
    window.context.show_passages(codes["Learning"])
    assert retrieval.retrieval_dock.isVisible()
    view = retrieval.view
    assert view.code_id() == codes["Learning"] and view.with_subcodes()
    assert [p.text.split("\n")[0] for p in view.passages()] == [
        M01[0][1][M01[0][1].index("We had"):], "The learning was huge!", "Learning from each other"]
    assert view.passage_list.count_label.text() == "3 passages in 2 transcripts"
    view.set_filters(speaker="SN1")
    assert [(p.transcript_name, p.speaker) for p in view.passages()] == [("M01 Starting up", "SN1"),
                                                                         ("M02 Training", "SN1")]
    view.subcodes.setChecked(False)
    assert view.passages() == [], "Learning's own passage was said by SW"
    view.set_filters(speaker=None)
    assert [p.text for p in view.passages()] == ["The learning was huge!"]


def test_opening_a_passage_selects_it_in_its_transcript(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    retrieval, study = controller(window), window.study  # type: ignore[attr-defined]
    retrieval.show_passages(study.codes["Learning"])
    passages = retrieval.view.passages()
    assert window.context.transcript_id() == study.m01
    retrieval.view.passage_list.select_row(2)  # M02, not the transcript on screen
    table = retrieval.view.passage_list.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.context.transcript_id() == study.m02
    assert window.view.selected_text() == passages[2].text == "Learning from each other"
    story = passages[0]
    retrieval.open_passage(story)
    assert window.context.transcript_id() == study.m01
    assert window.view.selected_text().replace(PARAGRAPH, "\n") == story.text and "\n" in story.text


def test_play_asks_for_the_passage_span(window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    retrieval, study = controller(window), window.study  # type: ignore[attr-defined]
    played: list[tuple[int, float, float]] = []
    monkeypatch.setattr(window.context, "play_span", lambda *args: played.append(args))
    retrieval.show_passages(study.codes["Partnership"])
    (chorus,) = retrieval.view.passages()
    retrieval.view.passage_list.table.setFocus()
    qtbot.keyClick(retrieval.view.passage_list.table, Qt.Key.Key_Space)
    assert played == [(study.m01, chorus.start_time, chorus.end_time)]
    assert chorus.end_time > chorus.start_time


def test_the_list_follows_new_codings_and_keeps_the_choice(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    retrieval, study = controller(window), window.study  # type: ignore[attr-defined]
    retrieval.show_passages(study.codes["Partnership"])
    retrieval.view.set_filters(transcript_id=study.m02)
    assert retrieval.view.passages() == []
    turn = study.turns[(study.m02, 0)]
    # Through the window's own open project: a second connection would wait on its lock.
    apply_code(window.project, study.codes["Partnership"], study.m02, Anchor(turn, 0), Anchor(turn, len("Statutory")))
    window.context.codings_changed.emit(study.m02)
    qtbot.waitUntil(lambda: len(retrieval.view.passages()) == 1)
    assert retrieval.view.code_id() == study.codes["Partnership"] and retrieval.view.transcript_id() == study.m02
    assert retrieval.view.passages()[0].text == "Statutory"


def test_matrix_counts_and_a_cell_lists_its_passages(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    retrieval, codes = controller(window), window.study.codes  # type: ignore[attr-defined]
    retrieval.show_matrix()
    assert retrieval.matrix_dock.isVisible()
    matrix = retrieval.matrix.model.matrix
    assert set(matrix.columns) == {"CG", "SN1", "SW", NO_SPEAKER}
    assert matrix.count(codes["Learning"], "SW") == 1
    assert matrix.count(codes["Reviewing discharge procedures"], "SN1") == 1
    assert matrix.count(codes["Cross-organisational learning"], "SN1") == 1
    assert matrix.count(codes["Partnership"], NO_SPEAKER) == 1
    assert sum(matrix.counts.values()) == 4
    table = retrieval.matrix.table
    index = retrieval.matrix.cell_index(codes["Cross-organisational learning"], "SN1")
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    listed = retrieval.matrix.passage_list.passages()
    assert [(p.transcript_name, p.text) for p in listed] == [("M02 Training", "Learning from each other")]
    retrieval.matrix.by_transcript.click()
    assert retrieval.matrix.model.matrix.columns == ("M01 Starting up", "M02 Training")
    assert retrieval.matrix.model.matrix.count(codes["Learning"], "M01 Starting up") == 1
    assert retrieval.matrix.passage_list.passages() == [], "a new layout lists no old cell"


def test_search_finds_a_word_and_opening_selects_it(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    retrieval, study = controller(window), window.study  # type: ignore[attr-defined]
    retrieval.show_search()
    assert retrieval.search_dock.isVisible()
    panel = retrieval.search
    with qtbot.waitSignal(panel.search_requested):
        qtbot.keyClicks(panel.query_box, "mandatory")
    (hit,) = panel.hits()
    assert (hit.kind, hit.transcript_id, hit.title) == ("turn", study.m02, "M02 Training")
    panel.results.setCurrentIndex(panel.model.index(0))
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert window.context.transcript_id() == study.m02
    assert window.view.selected_text() == "mandatory"
    assert M02[0][1].index("mandatory") == hit.offset


def test_a_memo_hit_opens_the_memo(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    retrieval = controller(window)
    add_memo(window.project, "project", None, title="Shadowing idea", body="Ask OT about shadowing a ward round.")
    opened: list[int] = []
    window.context.provide(open_memo=opened.append)
    retrieval.show_search()
    retrieval.search.query_box.setText("shadowing")
    retrieval.search.search_now()
    (hit,) = retrieval.search.hits()
    assert hit.kind == "memo" and hit.title == "Shadowing idea"
    retrieval.open_hit(hit)
    assert opened == [hit.id]


def test_no_project_says_so(qtbot) -> None:  # noqa: ANN001
    window = MainWindow()
    qtbot.addWidget(window)
    retrieval = controller(window)
    retrieval.show_retrieval()
    retrieval.show_matrix()
    assert window.statusBar().currentMessage() == "Open a project first."
    assert not retrieval.retrieval_dock.isVisible() and not retrieval.matrix_dock.isVisible()
    window.close()


def test_coded_passages_starts_from_the_code_chosen_in_the_codebook(window: MainWindow) -> None:
    retrieval, codes = controller(window), window.study.codes  # type: ignore[attr-defined]
    retrieval.retrieve_action.trigger()
    assert retrieval.view.code_id() == codes["Learning"], "nothing chosen: the first code"
    tree = window.findChild(QWidget, "codebookTree")
    tree.select_code(codes["Partnership"])
    retrieval.retrieve_action.trigger()
    assert retrieval.view.code_id() == codes["Partnership"]
    assert [p.code_name for p in retrieval.view.passages()] == ["Partnership"]
