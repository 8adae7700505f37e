"""Consent in the real window (app/consent_actions.py, widgets/excluded_turns.py): the turns of an
observe-only participant are greyed with the reason, follow a consent change in the register, a
speaker change and their undo at once, cannot be coded (the refusal names who and why), and
auto-coding's preview says how many matches it skipped.

The study (tests/storage/coding_data.py): M01 turn 1 is SW's, "That was a shock for everyone.
The learning was huge!", coded "Learning" before SW's consent changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from app.autocode_actions import AutocodeController
from app.codebook_actions import CodebookController
from app.consent_actions import ConsentController
from app.main_window import MainWindow
from storage import codebook, coding
from tests.helpers import open_window
from tests.storage.coding_data import M01, build_study
from tests.storage.test_consent import REFUSAL, link, set_consent

SW_TURN = 1


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    path = tmp_path / "study.earmark"
    study = build_study(path)
    link(study.project, "SW", "observe_only")
    study.project.close()  # the window takes the project's lock
    with open_window(qtbot, monkeypatch, path) as main:
        main.resize(1100, 700)
        main.show_transcript(study.m01)
        main.study = study
        yield main


def turn_id(window: MainWindow, turn: int) -> int:
    return window.view.segment_at_block(turn).id


def margin_tooltip(window: MainWindow, turn: int) -> str:
    """What the speaker margin's tooltip says over a turn (the event Qt sends on hovering)."""
    view = window.view
    block = view.document().findBlockByNumber(turn)
    y = round(view.blockBoundingGeometry(block).translated(view.contentOffset()).top()) + 4
    margin = view.excluded.margin
    QToolTip.hideText()
    QApplication.sendEvent(margin, QHelpEvent(QEvent.Type.ToolTip, QPoint(4, y), margin.mapToGlobal(QPoint(4, y))))
    return QToolTip.text() if QToolTip.isVisible() else ""


def background(window: MainWindow, turn: int):  # noqa: ANN201
    """The colour painted at the right end of a turn's first line (past its text)."""
    view = window.view
    block = view.document().findBlockByNumber(turn)
    top = view.blockBoundingGeometry(block).translated(view.contentOffset()).top()
    image = view.viewport().grab().toImage()
    return image.pixelColor(view.viewport().width() - 3, round(top) + 3)


def codebook_counts(window: MainWindow) -> dict[str, tuple[int, int]]:
    tree = next(c for c in window.analysis if isinstance(c, CodebookController)).tree
    return {code.name: (code.count, code.total) for code in tree.codes()}


def test_observe_only_turns_are_greyed_with_the_reason(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view = window.view
    assert view.excluded_turns() == {turn_id(window, SW_TURN): REFUSAL}
    assert view.excluded.marker(turn_id(window, SW_TURN)) == "observe only"
    assert view.excluded.marker(turn_id(window, 0)) is None
    assert margin_tooltip(window, SW_TURN) == REFUSAL
    assert margin_tooltip(window, 0) != REFUSAL
    base = view.palette().base().color()
    assert background(window, 0) == base
    grey = background(window, SW_TURN)
    assert grey != base and grey.lightness() < base.lightness()  # greyed (and hatched)
    # SW's coding made before the consent changed is kept and still painted (faded), not hidden.
    learning = window.study.codings["learning"]
    assert learning in view.codings.highlighter.index.by_id


def test_a_consent_change_in_the_register_greys_and_counts_at_once(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view, sw_turn = window.view, turn_id(window, SW_TURN)
    assert codebook_counts(window)["Learning"] == (0, 2)
    set_consent(window.project, "SW", "full")
    window.context.register_changed.emit()  # what the register does after a change (and its undo)
    assert view.excluded_turns() == {}
    qtbot.waitUntil(lambda: codebook_counts(window)["Learning"] == (1, 3))
    set_consent(window.project, "SW", "withdrawn")
    window.context.register_changed.emit()
    assert view.excluded_turns() == {sw_turn: "SW withdrew consent: their words are left out of analysis"}
    assert view.excluded.marker(sw_turn) == "withdrawn"
    qtbot.waitUntil(lambda: codebook_counts(window)["Learning"] == (0, 2))


def greyed(qtbot, window: MainWindow, *turns: int) -> None:  # noqa: ANN001
    """The greyed turns, once the refresh that follows an edit (asked when the event loop is next
    idle) has run, are exactly these."""
    controller = next(c for c in window.analysis if isinstance(c, ConsentController))
    qtbot.waitUntil(lambda: not controller.refresh_pending(), timeout=2000)
    assert set(window.view.excluded_turns()) == {turn_id(window, turn) for turn in turns}


def test_speaker_changes_and_their_undo_regrey(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    view, stack = window.view, window.editing.stack
    window.editing.set_speaker(turn_id(window, 0), "SW")  # the first turn was SW's after all
    greyed(qtbot, window, 0, SW_TURN)
    stack.undo()
    greyed(qtbot, window, SW_TURN)
    window.editing.rename_speaker("SW", "SW1")  # the participant link stays with the renamed label
    assert view.segment_at_block(SW_TURN).speaker == "SW1"
    greyed(qtbot, window, SW_TURN)
    window.editing.split(turn_id(window, SW_TURN), len("That was a shock"))  # both halves are SW1's
    greyed(qtbot, window, SW_TURN, SW_TURN + 1)
    stack.undo()
    stack.undo()
    assert view.segment_at_block(SW_TURN).speaker == "SW"
    greyed(qtbot, window, SW_TURN)
    window.editing.rename_speaker("SW", "SN1")  # merged into SN1, who consented: no longer greyed
    greyed(qtbot, window)


def test_undoing_a_speaker_merge_greys_the_turns_again(window: MainWindow, qtbot) -> None:  # noqa: ANN001
    window.editing.rename_speaker("SW", "SN1")
    window.editing.stack.undo()
    assert window.view.segment_at_block(SW_TURN).speaker == "SW"
    greyed(qtbot, window, SW_TURN)


def test_applying_a_code_to_excluded_words_is_refused_with_who_and_why(window: MainWindow) -> None:
    view, project = window.view, window.project
    partnership = window.study.codes["Partnership"]
    before = len(coding.codings_in_transcript(project, window.study.m01))
    view.select_range(turn_id(window, SW_TURN), 0, len("That was"))
    window.context.apply_code(partnership)
    assert REFUSAL in window.statusBar().currentMessage()
    # A selection from SN1's turn into SW's is refused too, and Quick Code does not even open.
    view.select_passage(turn_id(window, 0), 0, turn_id(window, SW_TURN), 4)
    window.context.apply_code(partnership)
    assert REFUSAL in window.statusBar().currentMessage()
    next(a for a in window.context.menu("&Code").actions() if a.text() == "&Quick Code…").trigger()
    assert not _quick_code_popup(window).isVisible()
    assert len(coding.codings_in_transcript(project, window.study.m01)) == before
    assert window.editing.stack.count() == 0  # nothing to undo: nothing was done
    # SN1's words alone are coded as usual.
    view.select_range(turn_id(window, 0), 0, len("Hot issues"))
    window.context.apply_code(partnership)
    assert window.statusBar().currentMessage() == "Coded with “Partnership”."
    assert codebook.get_code(project, partnership).count == 2


def _quick_code_popup(window: MainWindow):  # noqa: ANN202
    from app.coding_actions import CodingController

    return next(c for c in window.analysis if isinstance(c, CodingController)).popup


def test_auto_coding_preview_says_how_many_it_skipped(window: MainWindow) -> None:
    action = next(a for a in window.context.menu("&Analysis").actions() if a.text() == "Auto-&code…")
    action.trigger()
    dialog = next(c for c in window.analysis if isinstance(c, AutocodeController)).dialog
    assert dialog is not None
    dialog.pattern.setText("learning")
    dialog.set_scope("sentence")
    dialog.all_transcripts.setChecked(True)
    dialog.code.setEditText("lessons learnt")
    dialog.request_preview()
    assert dialog.count.text() == ("2 passages in 1 transcript; 0 already coded with this code. "
                                   "1 passage in turns left out of analysis (consent) is skipped.")
    dialog.apply_button.click()
    code = codebook.find_code(window.project, "lessons learnt")
    assert code is not None and code.count == 2
    assert all("learning was huge" not in coding.coded_text(window.project, r.id).lower()
               for r in coding.codings_in_transcript(window.project, window.study.m02))
    assert M01[SW_TURN][1] not in [coding.coded_text(window.project, r.id)
                                   for r in coding.codings_in_transcript(window.project, window.study.m01)]
