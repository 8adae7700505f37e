"""The codebook in the real window on a real project: building the RESEARCH.md tree through the
Code menu, renaming, recolouring, describing, moving, merging and deleting, each undone from
the shared stack, with the counts in the Codes panel following the stored codings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QColorDialog, QDockWidget, QInputDialog, QMessageBox, QTreeView

from app.codebook_actions import CodebookController
from app.main_window import MainWindow
from storage import codebook, transcripts
from storage.analysis_records import Anchor
from storage.coding import apply_code, codings_in_transcript
from storage.project import create_project, open_project
from tests.helpers import RESEARCH_TREE as TREE, add_turns, open_window
from tests.widgets.test_codebook_tree import index_of, shown

TURNS = [("SN1", "We reviewed the discharge after the death on transfer."),
         ("SW", "Learning across the trust and the council matters."),
         ("CG", "Partnership with the local authority helped us.")]


def make_project(path: Path) -> int:
    with create_project(path) as project:
        transcript_id, _ = add_turns(project, "M04", TURNS)
        return transcript_id


class Answers:
    """Queued answers for the dialogs the controller opens; an unexpected dialog fails the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        self.items: list[str] = []
        self.questions: list[str] = []  # what the confirmations said
        self.confirm = True
        self.item_choices: list[str] = []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (self.texts.pop(0), True))
        monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: (self.texts.pop(0), True))
        monkeypatch.setattr(QInputDialog, "getItem", self._item)
        monkeypatch.setattr(QMessageBox, "question", self._question)
        monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail(f"unexpected warning {a[2]}"))

    def _item(self, parent, title, label, items, *rest):  # noqa: ANN001, ANN002, ANN202
        self.item_choices = list(items)
        return self.items.pop(0), True

    def _question(self, parent, title, text, *rest):  # noqa: ANN001, ANN002, ANN202
        self.questions.append(text)
        return QMessageBox.StandardButton.Yes if self.confirm else QMessageBox.StandardButton.No


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    path = tmp_path / "codebook.earmark"
    transcript_id = make_project(path)
    with open_window(qtbot, monkeypatch, path) as window:
        window.path, window.transcript_id = path, transcript_id
        yield window


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


def controller(window: MainWindow) -> CodebookController:
    return next(c for c in window.analysis if isinstance(c, CodebookController))


def stored(window: MainWindow) -> dict[str, tuple]:
    """name -> (parent name, position, own count, total) as the project file holds it."""
    with open_project(window.path, read_only=True) as project:
        codes = codebook.codes_tree(project)
    names = {code.id: code.name for code in codes}
    return {code.name: (names.get(code.parent_id), code.position, code.count, code.total) for code in codes}


def by_name(window: MainWindow) -> dict[str, int]:
    return {code.name: code.id for code in controller(window).tree.codes()}


def build_tree(window: MainWindow, answers: Answers, tree: dict = TREE, parent: int | None = None) -> None:
    """Through the Code menu: New Code… at the top, New Sub-code… with the parent selected."""
    books = controller(window)
    for name, below in tree.items():
        answers.texts.append(name)
        if parent is None:
            books.new_action.trigger()
        else:
            books.tree.select_code(parent)
            books.new_sub_action.trigger()
        assert books.tree.selected_code_id() == by_name(window)[name], "the new code is selected"
        build_tree(window, answers, below, by_name(window)[name])


def code_passage(window: MainWindow, code_id: int, turn: int, start: int, end: int) -> None:
    project = window.project
    segment = transcripts.segments(project, window.transcript_id)[turn]
    assert apply_code(project, code_id, window.transcript_id, Anchor(segment.id, start), Anchor(segment.id, end))
    window.context.codings_changed.emit(window.transcript_id)
    QApplication.processEvents()  # the counts repaint once the event loop is idle


def test_the_codes_dock_sits_on_the_left_and_the_code_menu_is_there(window: MainWindow) -> None:
    dock = window.findChild(QDockWidget, "codebookDock")
    assert dock is not None and dock.windowTitle() == "Codes" and dock.isVisible()
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    menu = window.context.menu("&Code")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    for text in ("&New Code…", "New &Sub-code…", "&Rename Code…", "Code &Colour…", "Code &Description…",
                 "&Merge Code Into…", "&Delete Code…"):
        assert text in texts
    new_code = next(a for a in menu.actions() if a.text() == "&New Code…")
    assert new_code.shortcut().toString() == "Ctrl+Alt+N"
    assert not controller(window).rename_action.isEnabled(), "nothing selected yet"
    assert controller(window).tree.empty_label.isVisibleTo(controller(window).tree)


def test_build_the_three_level_tree_rename_recolour_describe_and_undo(window: MainWindow, answers: Answers,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(window, answers)
    codes = stored(window)
    assert len(codes) == 13
    assert codes["Managing conflict"][:2] == ("Shared conceptual frameworks", 0)
    assert codes["Shared conceptual frameworks"][0] == "Creating an entrepreneurial identity through new knowledge and skills"
    books = controller(window)
    assert [name for name, _, _ in shown(books.tree)] == list(TREE)
    steps = window.context.stack.count()
    assert steps == 13

    conflict = by_name(window)["Managing conflict"]
    books.tree.select_code(conflict)
    answers.texts.append("Managing  conflict between organisations ")
    books.rename_action.trigger()
    assert "Managing conflict between organisations" in stored(window)
    assert index_of(books.tree, conflict).data() == "Managing conflict between organisations"

    answers.texts.append("Understanding different cultures")  # a sibling's name: refused, nothing stored
    books.rename_action.trigger()
    assert "already a code" in window.statusBar().currentMessage()
    assert window.context.stack.count() == steps + 1

    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#123456"))
    books.colour_action.trigger()
    answers.texts.append("Disagreements between the NHS trust and the local authority, and how they are settled.")
    books.describe_action.trigger()
    with open_project(window.path, read_only=True) as project:
        code = codebook.get_code(project, conflict)
    assert code.color == "#123456" and code.description.startswith("Disagreements")
    assert index_of(books.tree, conflict).data(Qt.ItemDataRole.ToolTipRole).split("\n")[1].startswith("Disagreements")

    books.tree.model.setData(index_of(books.tree, conflict), "Conflict")  # typed in place (F2)
    assert "Conflict" in stored(window)
    for _ in range(4):
        window.context.stack.undo()
    with open_project(window.path, read_only=True) as project:
        code = codebook.get_code(project, conflict)
    assert (code.name, code.description) == ("Managing conflict", "") and code.color != "#123456"
    assert index_of(books.tree, conflict).data() == "Managing conflict"
    window.context.stack.redo()
    assert "Managing conflict between organisations" in stored(window)


def test_move_by_drop_and_undo(window: MainWindow, answers: Answers) -> None:
    build_tree(window, answers)
    books, ids = controller(window), by_name(window)
    conflict, coaching = ids["Managing conflict"], ids["Coaching, shadowing and mentoring"]
    books.tree.model.dropMimeData(books.tree.model.mimeData([index_of(books.tree, conflict)]),
                                  Qt.DropAction.MoveAction, -1, -1, index_of(books.tree, coaching))
    assert stored(window)["Managing conflict"][:2] == ("Coaching, shadowing and mentoring", 0)
    assert stored(window)["Understanding different cultures"][1] == 0, "the old siblings close up"
    assert shown(books.tree, index_of(books.tree, coaching))[0][0] == "Managing conflict"
    books.tree.drop_code(conflict, None, 0)  # to the very top
    assert stored(window)["Managing conflict"][:2] == (None, 0)
    assert [name for name, _, _ in shown(books.tree)][0] == "Managing conflict"
    window.context.stack.undo()
    window.context.stack.undo()
    assert stored(window)["Managing conflict"][:2] == ("Shared conceptual frameworks", 0)
    assert stored(window)["Understanding different cultures"][1] == 1

    steps = window.context.stack.index()
    frameworks = ids["Shared conceptual frameworks"]
    books.move(frameworks, conflict, 0)  # under its own sub-code: storage refuses, the stack keeps nothing
    assert "cannot be moved under itself" in window.statusBar().currentMessage()
    assert window.context.stack.index() == window.context.stack.count() == steps


def test_merge_moves_the_passages_and_undo_splits_them(window: MainWindow, answers: Answers) -> None:
    build_tree(window, answers, {"Learning": {}, "Partnership": {}, **TREE})
    books, ids = controller(window), by_name(window)
    learning, cross = ids["Learning"], ids["Cross-organisational learning to improve safety and quality"]
    code_passage(window, learning, 1, 0, 8)
    code_passage(window, learning, 0, 3, 11)
    code_passage(window, cross, 1, 0, 8)  # the same words: the merge must not double them
    code_passage(window, ids["Reviewing discharge procedures"], 0, 16, 25)
    constructing = ids["Constructing a shared meaning for professional leadership through partnership working"]
    assert index_of(books.tree, constructing, 1).data() == "0 (2)"
    assert index_of(books.tree, learning, 1).data() == "2"

    books.tree.select_code(learning)
    answers.items.append("Constructing a shared meaning for professional leadership through partnership working"
                         " › Cross-organisational learning to improve safety and quality")
    books.merge_action.trigger()
    assert "Learning" not in answers.item_choices and len(answers.item_choices) == 14, "every other code, by path"
    assert "“Learning” into “Cross-organisational" in answers.questions[-1]
    assert "2 coded passages and 0 sub-codes" in answers.questions[-1] and "Undo" in answers.questions[-1]
    codes = stored(window)
    assert "Learning" not in codes and codes["Cross-organisational learning to improve safety and quality"][2:] == (2, 3)
    assert index_of(books.tree, cross, 1).data() == "2 (3)"
    assert index_of(books.tree, constructing, 1).data() == "0 (3)"
    assert learning not in by_name(window).values()

    window.context.stack.undo()
    codes = stored(window)
    assert codes["Learning"][2] == 2 and codes["Cross-organisational learning to improve safety and quality"][2] == 1
    assert index_of(books.tree, learning, 1).data() == "2" and index_of(books.tree, constructing, 1).data() == "0 (2)"

    answers.confirm = False  # a drag with Shift asks too; No changes nothing
    books.tree.drop_code(ids["Partnership"], ids["Partnership working and professional networks"], -1, merge=True)
    assert "Partnership" in stored(window) and "0 coded passages" in answers.questions[-1]


def test_delete_asks_with_numbers_and_undo_brings_back_codes_and_codings(window: MainWindow, answers: Answers) -> None:
    build_tree(window, answers)
    books, ids = controller(window), by_name(window)
    code_passage(window, ids["Managing conflict"], 1, 0, 8)
    code_passage(window, ids["Developing clinical pathways"], 2, 0, 11)
    code_passage(window, ids["Coaching, shadowing and mentoring"], 0, 0, 11)
    before = codings_in_transcript(window.project, window.transcript_id)
    creating = ids["Creating an entrepreneurial identity through new knowledge and skills"]

    answers.confirm = False
    books.tree.select_code(creating)
    books.delete_action.trigger()
    question = answers.questions[-1]
    assert "“Creating an entrepreneurial identity" in question and "4 sub-codes" in question
    assert "2 coded passages" in question and "Undo" in question
    assert len(stored(window)) == 13, "No keeps everything"

    answers.confirm = True
    books.tree.delete_requested.emit(creating)  # what the Delete key asks for
    codes = stored(window)
    assert len(codes) == 8 and "Managing conflict" not in codes
    assert len(codings_in_transcript(window.project, window.transcript_id)) == 1
    assert [name for name, _, _ in shown(books.tree)] == [list(TREE)[0], list(TREE)[2]]

    window.context.stack.undo()
    assert stored(window)["Managing conflict"] == ("Shared conceptual frameworks", 0, 1, 1)
    assert codings_in_transcript(window.project, window.transcript_id) == before
    assert index_of(books.tree, creating, 1).data() == "0 (2)"
    window.context.stack.redo()
    assert len(stored(window)) == 8


def test_apply_retrieve_and_memo_go_through_the_context(window: MainWindow, answers: Answers) -> None:
    build_tree(window, answers, {"Learning": {}})
    books, learning = controller(window), by_name(window)["Learning"]
    asked: list[tuple] = []
    window.context.provide(apply_code=lambda code_id: asked.append(("apply", code_id)),
                           show_passages=lambda code_id: asked.append(("passages", code_id)),
                           memo_on=lambda kind, target: asked.append(("memo", kind, target)))
    books.tree.apply_requested.emit(learning)
    books.tree.retrieve_requested.emit(learning)
    books.tree.memo_requested.emit(learning)
    assert asked == [("apply", learning), ("passages", learning), ("memo", "code", learning)]


def test_a_read_only_project_changes_nothing_and_says_why(window: MainWindow, answers: Answers) -> None:
    build_tree(window, answers, {"Learning": {}})
    window._set_project(open_project(window.path, read_only=True))
    books = controller(window)
    assert [name for name, _, _ in shown(books.tree)] == ["Learning"]
    books.create(None)
    assert "read-only" in window.statusBar().currentMessage()
    books.tree.select_code(by_name(window)["Learning"])
    assert not books.delete_action.isEnabled() and not books.rename_action.isEnabled()
    assert not books.tree.model.canDropMimeData(books.tree.model.mimeData([index_of(books.tree, by_name(window)["Learning"])]),
                                                Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert answers.texts == [] and answers.questions == []


def test_rename_in_place_with_the_keyboard(window: MainWindow, answers: Answers, qtbot) -> None:  # noqa: ANN001
    build_tree(window, answers, {"learning": {}, "partnership": {}})
    books, learning = controller(window), by_name(window)["learning"]
    books.tree.start_rename(learning)
    editor = books.tree.view.focusWidget()
    assert editor is not books.tree.view, "an editor is open on the name"
    editor.selectAll()
    qtbot.keyClicks(editor, "Learning from each other")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: books.tree.view.state() != QTreeView.State.EditingState)
    assert "Learning from each other" in stored(window)
    assert index_of(books.tree, learning).data() == "Learning from each other", "the refresh that waited is shown"
    assert books.tree.selected_code_id() == learning
    window.context.stack.undo()
    assert index_of(books.tree, learning).data() == "learning"
