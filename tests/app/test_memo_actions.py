"""Memos and the research diary in the real window on a real project: memos on a code and on a
coded passage (author and times), saved as they are typed, deleted and brought back by undo;
diary entries of each type in date order; a passage linked to an entry and opened from it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QTextCursor

from app.main_window import MainWindow
from app.memo_actions import MemoController, coding_at
from storage import codebook, memos
from storage.analysis_records import Anchor, CodingRecord
from storage.coding import apply_code, codings_in_transcript
from storage.project import create_project, open_project
from tests.helpers import add_turns, held_elsewhere, open_window
from widgets.memo_panel import SAVE_SETTLE_MS

TURNS = [("SN1", "We had an unexpected death during transfer between units."),
         ("SW", "That was a shock for everyone, and the learning was huge."),
         ("CG", "We need to review the transfer policy together."),
         ("OT", "Leadership and culture made the difference here.")]
DEATH = "an unexpected death during transfer"
LEARNING = "the learning was huge"


@dataclass
class Study:
    path: Path
    transcript_id: int
    turns: list[int]
    code_conflict: int
    code_discharge: int
    death: int  # coding ids
    learning: int


def make_study(path: Path) -> Study:
    with create_project(path) as project:
        memos.set_default_author(project, "CS")
        transcript_id, rows = add_turns(project, "M04", TURNS)
        conflict = codebook.create_code(project, "Managing conflict").id
        discharge = codebook.create_code(project, "Reviewing discharge procedures").id

        def code(code_id: int, turn: int, words: str) -> int:
            start = TURNS[turn][1].index(words)
            record = apply_code(project, code_id, transcript_id, Anchor(rows[turn].id, start),
                                Anchor(rows[turn].id, start + len(words)))
            assert record is not None
            return record.id

        death, learning = code(discharge, 0, DEATH), code(conflict, 1, LEARNING)
        return Study(path, transcript_id, [row.id for row in rows], conflict, discharge, death, learning)


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    study = make_study(tmp_path / "memos.earmark")
    with open_window(qtbot, monkeypatch, study.path) as window:
        window.study = study
        yield window


def controller(window: MainWindow) -> MemoController:
    return next(c for c in window.analysis if isinstance(c, MemoController))


def stored(window: MainWindow, kind: str, target_id: int | None) -> list[memos.MemoRecord]:
    """What another reader of the file sees (not the window's own connection)."""
    with open_project(window.study.path, read_only=True) as project:
        return memos.memos_for(project, kind, target_id)


def put_cursor(window: MainWindow, turn: int, offset: int) -> None:
    cursor = QTextCursor(window.view.document().findBlockByNumber(turn))
    cursor.movePosition(QTextCursor.MoveOperation.Right, n=offset)
    window.view.setTextCursor(cursor)


def test_memo_on_a_code_has_author_and_times_and_saves_as_typed(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    memo_panel = controller(window).panel
    window.context.memo_on("code", window.study.code_conflict)
    assert controller(window).memo_dock.isVisible()
    assert memo_panel.heading.text() == "Memo on: code “Managing conflict”"
    [memo] = stored(window, "code", window.study.code_conflict)
    assert memo.author == "CS" and memo.created_at == memo.updated_at
    assert memo_panel.current_memo() == memo.id and memo_panel.byline.text().startswith("CS · created ")

    qtbot.keyClicks(memo_panel.body, "Conflict is named, not avoided.")
    qtbot.wait(SAVE_SETTLE_MS + 400)  # past the pause after which a memo saves itself
    [saved] = stored(window, "code", window.study.code_conflict)
    assert saved.id == memo.id and saved.body == "Conflict is named, not avoided."
    assert saved.updated_at > saved.created_at == memo.created_at
    qtbot.waitUntil(lambda: "edited" in memo_panel.byline.text())

    window.context.memo_on("code", window.study.code_conflict)  # again: shows it, starts no other
    assert len(stored(window, "code", window.study.code_conflict)) == 1
    assert memo_panel.body.toPlainText() == "Conflict is named, not avoided."


def test_ctrl_m_in_a_coded_passage_writes_a_memo_on_it_and_elsewhere_on_the_transcript(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    study, memo_panel = window.study, controller(window).panel
    put_cursor(window, 0, TURNS[0][1].index(DEATH) + 5)
    with qtbot.waitSignal(window.context.codings_changed) as changed:  # the stripes mark passages with memos
        window.shortcuts.actions["memo"].trigger()
    assert changed.args == [-1]
    [memo] = stored(window, "coding", study.death)
    assert memo.author == "CS"
    assert memo_panel.heading.text() == f"Memo on: passage ‘{DEATH}’ in M04"
    with open_project(study.path, read_only=True) as project:
        marked = {c.id: c.has_memo for c in codings_in_transcript(project, study.transcript_id)}
    assert marked == {study.death: True, study.learning: False}

    put_cursor(window, 3, 4)  # OT's turn: nothing coded there
    window.shortcuts.actions["memo"].trigger()
    assert len(stored(window, "transcript", study.transcript_id)) == 1
    assert memo_panel.heading.text() == "Memo on: transcript M04"


def test_delete_and_undo_bring_the_memo_back_with_its_text(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    study, memo_panel, stack = window.study, controller(window).panel, window.context.stack
    window.context.memo_on("coding", study.learning)
    qtbot.keyClicks(memo_panel.body, "SW names the learning first.")
    memo_panel.delete_button.click()  # saves what was typed, then deletes
    assert stored(window, "coding", study.learning) == []
    assert memo_panel.list.count() == 0
    stack.undo()
    [back] = stored(window, "coding", study.learning)
    assert back.body == "SW names the learning first." and back.author == "CS"
    assert memo_panel.current_memo() == back.id and memo_panel.body.toPlainText() == back.body
    stack.undo()  # the memo's creation
    assert stored(window, "coding", study.learning) == []
    stack.redo()
    assert [m.body for m in stored(window, "coding", study.learning)] == ["SW names the learning first."]


def test_diary_entries_of_each_type_in_date_order(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    memo_controller = controller(window)
    diary = memo_controller.diary
    window.shortcuts.actions["diary"].trigger()
    assert memo_controller.diary_dock.isVisible()
    written = [("descriptive", "M04: unexpected death during transfer; group subdued", QDate(2010, 3, 9)),
               ("decision", "Code stories over several turns as one passage", QDate(2010, 3, 12)),
               ("interpretive", "Stories carry the learning more than policies do", QDate(2009, 12, 8))]
    for entry_type, title, day in written:
        diary.filter.setCurrentIndex(diary.filter.findData(entry_type))
        diary.new_button.click()
        assert diary.kind.currentData() == entry_type and diary.date.date() == QDate.currentDate()
        qtbot.keyClicks(diary.title, title)
        diary.date.setDate(day)
    diary.filter.setCurrentIndex(0)
    qtbot.wait(SAVE_SETTLE_MS + 400)
    with open_project(window.study.path, read_only=True) as project:
        entries = memos.diary_entries(project)
    assert [(e.entry_type, e.title, e.entry_date, e.author) for e in entries] == [
        ("interpretive", written[2][1], "2009-12-08", "CS"), ("descriptive", written[0][1], "2010-03-09", "CS"),
        ("decision", written[1][1], "2010-03-12", "CS")]
    assert [e.id for e in diary.visible_entries()] == [e.id for e in entries]
    window.context.stack.undo()  # the last date change
    with open_project(window.study.path, read_only=True) as project:
        assert memos.diary_entries(project)[-1].entry_date == date.today().isoformat()


def test_link_a_passage_to_an_entry_and_open_it(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    study, memo_controller = window.study, controller(window)
    diary = memo_controller.diary
    memo_controller.show_diary()
    diary.new_button.click()
    entry_id = diary.current_entry()
    assert entry_id is not None

    put_cursor(window, 3, 2)  # nothing coded here
    diary.link_button.click()
    assert window.statusBar().currentMessage() == "Select a coded passage first."

    start = TURNS[0][1].index(DEATH)
    window.view.select_range(study.turns[0], start, start + len(DEATH))
    diary.link_button.click()
    with open_project(study.path, read_only=True) as project:
        assert memos.get_memo(project, entry_id).links == (study.death,)
    assert diary.links.count() == 1
    assert diary.links.item(0).text().startswith(f"SN1, M04 00:00:01: ‘{DEATH}’")  # its first word at 1.0 s

    put_cursor(window, 2, 0)
    diary.links.itemActivated.emit(diary.links.item(0))
    assert window.view.selected_text() == DEATH

    window.context.stack.undo()
    with open_project(study.path, read_only=True) as project:
        assert memos.get_memo(project, entry_id).links == ()
    assert diary.links.count() == 0


def test_a_read_only_project_starts_no_memo_and_says_why(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "shared.earmark"
    make_study(path)
    with held_elsewhere(path):
        assert window.open_project_file(path) and window.project.read_only
        window.context.memo_on("project", None)
        assert "read-only" in window.statusBar().currentMessage()
        assert memos.memos_for(window.project, "project", None) == []
        assert not controller(window).panel.new_button.isEnabled()


def record(coding_id: int, start: tuple[int, int], end: tuple[int, int]) -> CodingRecord:
    return CodingRecord(coding_id, 1, "c", "#000", 1, Anchor(start[0], start[1]), Anchor(end[0], end[1]))


def test_the_coding_meant_is_the_exact_one_else_the_innermost() -> None:
    positions = {10: 0, 11: 1}
    outer, inner, other = record(1, (10, 0), (11, 20)), record(2, (10, 5), (10, 15)), record(3, (11, 0), (11, 5))
    codings = [outer, inner, other]
    assert coding_at(codings, positions, (0, 7), (0, 7)) is inner  # a cursor inside both
    assert coding_at(codings, positions, (0, 2), (0, 2)) is outer
    assert coding_at(codings, positions, (0, 0), (1, 20)) is outer  # exactly selected
    assert coding_at(codings, positions, (1, 1), (1, 3)) is other
    assert coding_at(codings, positions, (1, 30), (1, 30)) is None


def test_closing_the_window_right_after_typing_keeps_the_text(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window.context.memo_on("project", None)
    qtbot.keyClicks(controller(window).panel.body, "Member checking in May.")
    window.close()  # well within the pause after which it would save itself
    assert [m.body for m in stored(window, "project", None)] == ["Member checking in May."]


def test_ctrl_z_in_a_memo_undoes_typing_there_not_the_last_command(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    memo_panel, stack = controller(window).panel, window.context.stack
    window.context.memo_on("transcript", window.study.transcript_id)
    window.activateWindow()
    memo_panel.body.setFocus()
    qtbot.waitUntil(memo_panel.body.hasFocus)
    qtbot.keyClicks(memo_panel.body, "Tense")
    steps = stack.index()
    qtbot.keySequence(memo_panel.body, "Ctrl+Z")
    assert memo_panel.body.toPlainText() == "" and stack.index() == steps
    assert len(stored(window, "transcript", window.study.transcript_id)) == 1  # the memo itself is still there


def test_memo_on_the_speaker_of_the_turn_at_the_cursor(window: MainWindow) -> None:
    put_cursor(window, 2, 3)  # CG's turn
    controller(window).memo_on_speaker()
    with open_project(window.study.path, read_only=True) as project:
        from storage.editing import speaker_id

        cg = speaker_id(project, "CG")
    assert cg is not None and len(stored(window, "speaker", cg)) == 1
    assert controller(window).panel.heading.text() == "Memo on: speaker CG"
