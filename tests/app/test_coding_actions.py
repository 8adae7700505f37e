"""Coding in the real window on a real project: every route to apply a code (Quick Code, its
create row, Apply Last Code by its shortcut, the context menu, a drop from the codebook, the
codebook's own apply), removing, undo and redo of each, playing a passage, and typing in and
around a coded passage keeping the coding on the same words once saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from app.coding_actions import CodingController
from app.main_window import MainWindow
from storage import codebook, coding, memos, transcripts
from storage.analysis_records import Anchor
from storage.project import create_project, open_project
from tests.helpers import add_turns, open_window
from tests.widgets.test_coding_display import code_mime, drag

TURNS = [("SN1", "Good morning everyone. Hot issues first."), ("SW", "A discharge went wrong on Friday."),
         ("CG", "We need to review the transfer policy."), ("OT", "The family were not told about the transfer.")]


def make_project(path: Path) -> int:
    with create_project(path) as project:
        transcript_id, _ = add_turns(project, "M04", TURNS)
        learning = codebook.create_code(project, "Cross-organisational learning")
        codebook.create_code(project, "Reviewing discharge procedures", learning.id)
        codebook.create_code(project, "Family communication")
        return transcript_id


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    path = tmp_path / "coding.earmark"
    transcript_id = make_project(path)
    with open_window(qtbot, monkeypatch, path) as main:
        assert main.context.transcript_id() == transcript_id
        main.path, main.transcript_id = path, transcript_id
        yield main


def controller(window: MainWindow) -> CodingController:
    return next(c for c in window.analysis if isinstance(c, CodingController))


def segment_id(window: MainWindow, turn: int) -> int:
    return window.view.segment_at_block(turn).id


def select(window: MainWindow, turn: int, words: str) -> None:
    text = TURNS[turn][1]
    start = text.index(words)
    window.view.select_range(segment_id(window, turn), start, start + len(words))
    window.view.setFocus()


def code_id(window: MainWindow, name: str) -> int:
    found = codebook.find_code(window.project, name)
    assert found is not None
    return found.id


def stored(window: MainWindow) -> list[tuple[str, str]]:
    """(code name, coded words) for every coding of the transcript, from the file."""
    with open_project(window.path, read_only=True) as project:
        return [(r.code_name, coding.coded_text(project, r.id)) for r in coding.codings_in_transcript(project, window.transcript_id)]


def shown(window: MainWindow) -> list[tuple[str, int, int, int, int]]:
    """The codings the editor paints: (code, start turn, offset, end turn, offset)."""
    index = window.view.codings.highlighter.index
    return sorted((r.code_name, window.view.block_of(r.start.segment_id), r.start.offset,
                   window.view.block_of(r.end.segment_id), r.end.offset) for r in index.by_id.values())


def test_quick_code_applies_the_chosen_code_and_undo_redo_keep_its_id(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select(window, 1, "discharge went wrong")
    controller(window).quick_code()
    popup = controller(window).popup
    assert popup.isVisible()
    qtbot.keyClicks(popup.edit, "review")
    assert popup.rows()[0].startswith("Reviewing discharge procedures")
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert stored(window) == [("Reviewing discharge procedures", "discharge went wrong")]
    assert shown(window) == [("Reviewing discharge procedures", 1, 2, 1, 22)]
    assert window.context.last_code_id == code_id(window, "Reviewing discharge procedures")
    with open_project(window.path, read_only=True) as project:
        [first] = coding.codings_in_transcript(project, window.transcript_id)
        assert codebook.get_code(project, first.code_id).count == 1
    window.editing.stack.undo()
    assert stored(window) == [] and shown(window) == []
    window.editing.stack.redo()
    with open_project(window.path, read_only=True) as project:
        [again] = coding.codings_in_transcript(project, window.transcript_id)
    assert again.id == first.id, "redo puts the same coding back, so memos on it still find it"
    assert shown(window) == [("Reviewing discharge procedures", 1, 2, 1, 22)]


def test_quick_code_creates_a_code_and_applies_it_in_one_undoable_step(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select(window, 3, "were not told")
    controller(window).quick_code()
    popup = controller(window).popup
    qtbot.keyClicks(popup.edit, "Families left out")
    assert popup.rows() == ["Create code “Families left out” and apply"]
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert stored(window) == [("Families left out", "were not told")]
    created = code_id(window, "Families left out")
    window.editing.stack.undo()
    assert stored(window) == [] and codebook.find_code(window.project, "Families left out") is None
    window.editing.stack.redo()
    assert stored(window) == [("Families left out", "were not told")] and code_id(window, "Families left out") == created
    start = TURNS[3][1].index("were not told")
    assert shown(window) == [("Families left out", 3, start, 3, start + len("were not told"))]


def test_apply_last_code_by_its_shortcut(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select(window, 1, "discharge")
    window.context.apply_code(code_id(window, "Family communication"))  # the codebook's route
    select(window, 3, "The family")
    qtbot.keyClick(window.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(window) == [("Family communication", "discharge"), ("Family communication", "The family")]


def test_applying_without_a_selection_or_twice_says_why(window: MainWindow) -> None:
    window.view.place_cursor(segment_id(window, 1), 3)
    window.context.apply_code(code_id(window, "Family communication"))
    assert window.statusBar().currentMessage() == "Select the words to code first."
    select(window, 1, "discharge")
    window.context.apply_code(code_id(window, "Family communication"))
    window.context.apply_code(code_id(window, "Family communication"))
    assert "already" in window.statusBar().currentMessage()
    assert window.editing.stack.count() == 1, "a coding that changed nothing leaves nothing to undo"


def test_context_menu_applies_from_the_code_tree_and_removes(window: MainWindow) -> None:
    select(window, 2, "review the transfer policy")
    point = window.view.cursorRect(window.view.textCursor()).center()
    point.setX(point.x() - 30)
    menu = controller(window).build_context_menu(point)
    entries = {action.text().split("\t")[0]: action for action in menu.actions()}
    assert {"Apply Code", "Quick Code…", "Remove Code", "Play Passage", "Memo on Passage…"} <= set(entries)
    apply_menu = entries["Apply Code"].menu()
    learning = next(a.menu() for a in apply_menu.actions() if a.text() == "Cross-organisational learning")
    reviewing = next(a for a in learning.actions() if a.text() == "Reviewing discharge procedures")
    reviewing.trigger()
    assert stored(window) == [("Reviewing discharge procedures", "review the transfer policy")]
    window.view.place_cursor(segment_id(window, 2), TURNS[2][1].index("transfer"))
    menu = controller(window).build_context_menu(window.view.cursorRect().center())
    remove_menu = next(a.menu() for a in menu.actions() if a.text() == "Remove Code")
    assert [a.text() for a in remove_menu.actions()] == ["Reviewing discharge procedures"]
    remove_menu.actions()[0].trigger()
    assert stored(window) == [] and shown(window) == []
    window.editing.stack.undo()
    assert stored(window) == [("Reviewing discharge procedures", "review the transfer policy")]
    assert shown(window) == [("Reviewing discharge procedures", 2, 11, 2, 37)]
    window.editing.stack.redo()
    assert stored(window) == []


def open_menus(window: MainWindow) -> list[QMenu]:
    return [m for m in window.view.findChildren(QMenu) if m.isVisible()]


def test_right_click_menus_the_clicked_words_and_the_menu_key_the_cursor(window: MainWindow) -> None:
    view = window.view
    view.place_cursor(segment_id(window, 0), 3)
    QApplication.sendEvent(view, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 5), view.mapToGlobal(QPoint(5, 5))))
    [menu] = open_menus(window)
    assert "Apply Code" in [a.text() for a in menu.actions()]
    assert (view.turn_at_cursor().id, view.cursor_offset()) == (segment_id(window, 0), 3), "the Menu key keeps the cursor"
    menu.close()
    block = view.document().findBlockByNumber(2)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + TURNS[2][1].index("policy") + 2)
    point = view.cursorRect(cursor).center()
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)))
    assert view.turn_at_cursor().id == segment_id(window, 2), "a right click is about the clicked word"
    for menu in open_menus(window):
        menu.close()


def test_apply_last_code_after_its_code_was_undone_away(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select(window, 3, "not told")
    controller(window).create_and_apply("Families left out")
    window.editing.stack.undo()
    select(window, 1, "discharge")
    controller(window).apply_last_code()
    assert window.statusBar().currentMessage() == "That code no longer exists."
    assert stored(window) == []


def test_remove_code_from_passage_asks_which_when_several(window: MainWindow) -> None:
    select(window, 1, "discharge went wrong")
    window.context.apply_code(code_id(window, "Family communication"))
    window.context.apply_code(code_id(window, "Reviewing discharge procedures"))
    window.view.place_cursor(segment_id(window, 1), 5)
    controller(window).remove_code()
    chooser = next(m for m in reversed(window.view.findChildren(QMenu)) if m.title() == "Remove which code?")
    assert sorted(a.text() for a in chooser.actions()) == ["Family communication", "Reviewing discharge procedures"]
    next(a for a in chooser.actions() if a.text() == "Family communication").trigger()
    assert stored(window) == [("Reviewing discharge procedures", "discharge went wrong")]


def test_a_code_dropped_on_the_selection_is_applied(window: MainWindow) -> None:
    select(window, 3, "not told")
    viewport = window.view.viewport()
    inside = QPointF(window.view.cursorRect(window.view.textCursor()).center()) - QPointF(15, 0)
    assert drag(viewport, inside, code_mime(code_id(window, "Family communication"))) == (True, True)
    assert stored(window) == [("Family communication", "not told")]
    text = QMimeData()
    text.setText("typed elsewhere")
    assert drag(viewport, inside, text) == (False, False)
    assert window.view.document().findBlockByNumber(3).text() == TURNS[3][1]


def test_play_passage_plays_exactly_the_coded_words(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    played: list[tuple[float, float]] = []
    monkeypatch.setattr(window.context, "_play_span", lambda start, end: played.append((start, end)))
    select(window, 1, "discharge went")
    window.context.apply_code(code_id(window, "Family communication"))
    window.view.place_cursor(segment_id(window, 1), TURNS[1][1].index("went") + 1)
    controller(window).play_passage()
    assert played == [(10.5, 11.4)]  # "discharge" starts at 10.5, "went" ends at 11.4
    window.view.place_cursor(segment_id(window, 0), 2)
    controller(window).play_passage()
    assert len(played) == 1 and "coded passage" in window.statusBar().currentMessage()


def test_memo_text_shows_on_the_stripe(window: MainWindow) -> None:
    select(window, 1, "went wrong on Friday")
    window.context.apply_code(code_id(window, "Family communication"))
    [record] = window.view.codings.highlighter.index.by_id.values()
    memos.add_memo(window.project, "coding", record.id, body="Ask SW who phoned the family.")
    window.context.memos_changed.emit()
    margin = window.view.codings.margin
    [stripe] = margin.stripes()
    assert stripe.coding.has_memo
    assert "Ask SW who phoned the family." in margin.tooltip_at(stripe.bar.center().toPoint())


def test_typing_in_and_around_a_coded_passage_keeps_it_on_its_words(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    select(window, 1, "discharge went wrong")
    window.context.apply_code(code_id(window, "Reviewing discharge procedures"))
    view = window.view
    turn = segment_id(window, 1)
    view.place_cursor(turn, TURNS[1][1].index("discharge"))
    qtbot.keyClicks(view, "hospital ")  # just before the coded words: stays outside
    text = view.document().findBlockByNumber(1).text()
    view.place_cursor(turn, text.index("went"))
    qtbot.keyClicks(view, "badly ")  # inside: becomes part of it
    view.place_cursor(turn, text.index("wrong") + len("badly ") + len("wrong"))
    qtbot.keyClicks(view, " again")  # right after its end: stays outside
    view.flush_pending()
    with open_project(window.path, read_only=True) as project:
        assert transcripts.segments(project, window.transcript_id)[1].text == \
            "A hospital discharge badly went wrong again on Friday."
    assert stored(window) == [("Reviewing discharge procedures", "discharge badly went wrong")]
    new_text = view.document().findBlockByNumber(1).text()
    start = new_text.index("discharge")
    assert shown(window) == [("Reviewing discharge procedures", 1, start, 1, start + len("discharge badly went wrong"))]
    window.editing.stack.undo()  # the typing, as one saved edit
    assert stored(window) == [("Reviewing discharge procedures", "discharge went wrong")]
    assert shown(window) == [("Reviewing discharge procedures", 1, 2, 1, 22)]


def test_a_read_only_project_refuses_to_code(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail(f"unexpected warning {a[2]}"))
    path = tmp_path / "locked.earmark"
    transcript_id = make_project(path)
    with open_project(path) as project:
        reviewing = codebook.find_code(project, "Reviewing discharge procedures")
        first = transcripts.segments(project, transcript_id)[1]
        coding.apply_code(project, reviewing.id, transcript_id, Anchor(first.id, 2), Anchor(first.id, 11))
    with open_project(path):  # holds the lock: the window opens it read-only
        main = MainWindow()
        qtbot.addWidget(main)
        main.show()
        assert main.open_project_file(path) and main.project.read_only
        assert [r.code_name for r in main.view.codings.highlighter.index.by_id.values()] == ["Reviewing discharge procedures"]
        cursor = main.view.textCursor()
        cursor.setPosition(main.view.document().findBlockByNumber(2).position())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        main.view.setTextCursor(cursor)
        main.context.apply_code(reviewing.id)
        assert "read-only" in main.statusBar().currentMessage()
        main.close()
    with open_project(path, read_only=True) as project:
        assert len(coding.codings_in_transcript(project, transcript_id)) == 1
