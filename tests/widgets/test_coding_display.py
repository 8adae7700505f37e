"""Codings in the transcript editor on their own: tints and code lines at the right UTF-16
positions (text with emoji), overlaps showing every code, the stripes margin (columns, click,
memo marker, tooltips), highlights following what is typed before it is saved, drops of codes
only, and the Quick Code palette."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from storage.analysis_records import Anchor, CodeRecord, CodingRecord
from storage.records import SegmentRecord
from tests.helpers import show_sized, timed_words
from widgets.coding_highlighter import tint
from widgets.coding_margin import MIME_CODE
from widgets.quick_code import QuickCodePopup
from widgets.text_units import index_to_qt
from widgets.transcript_editor import TranscriptEditor

EMOJI_TURN = "we 🙂 reviewed 😢 discharge"
TURNS = [("SN1", EMOJI_TURN), ("SW", "A discharge went wrong on Friday and the family were not told."),
         ("CG", "We need to review the transfer policy."), ("OT", "Our therapists saw the same thing last month.")]
BLUE, PINK, GREEN = "#64b5f6", "#f48fb1", "#6fbf73"


def turns() -> list[SegmentRecord]:
    return [SegmentRecord(101 + n, 1, n, n * 10.0, n * 10.0 + 9, speaker, text,
                          timed_words(text, n * 10.0, probability=0.9)) for n, (speaker, text) in enumerate(TURNS)]


def on(coding_id: int, name: str, colour: str, turn: int, words: str, *, memo: bool = False,
       end_turn: int | None = None, end_words: str | None = None) -> CodingRecord:
    """A coding from the first occurrence of `words` in a turn (to the end of `end_words` in
    `end_turn` for a passage over several turns)."""
    text = TURNS[turn][1]
    start = text.index(words)
    if end_turn is None:
        end_segment, end = 101 + turn, start + len(words)
    else:
        end_text = TURNS[end_turn][1]
        end_segment, end = 101 + end_turn, end_text.index(end_words or "") + len(end_words or "")
    return CodingRecord(coding_id, coding_id * 10, name, colour, 1, Anchor(101 + turn, start), Anchor(end_segment, end), memo)


@pytest.fixture
def editor(qtbot) -> TranscriptEditor:  # noqa: ANN001
    view = show_sized(qtbot, TranscriptEditor(), 900, 400)
    view.set_segments(turns())
    qtbot.waitExposed(view)
    return view


def tints(view: TranscriptEditor, segment_id: int) -> list:
    return [m for m in view.codings.highlighter.marks(segment_id) if not m.underline]


def lines(view: TranscriptEditor, segment_id: int) -> list:
    return [m for m in view.codings.highlighter.marks(segment_id) if m.underline]


def test_a_coding_after_emoji_is_painted_on_its_utf16_positions(editor: TranscriptEditor) -> None:
    editor.set_codings([on(1, "Reviewing discharge", BLUE, 0, "discharge")])
    start = EMOJI_TURN.index("discharge")
    qt_start = index_to_qt(EMOJI_TURN, start)
    assert qt_start == start + 2  # two emoji, two UTF-16 units each
    [tinted] = tints(editor, 101)
    assert tinted.span == (qt_start, qt_start + len("discharge"))
    assert tinted.colour == tint([BLUE], editor.palette().base().color())
    [line] = lines(editor, 101)
    assert line.span == tinted.span and line.colour == QColor(BLUE)
    # The rectangle starts where Qt puts the cursor before "d", not two characters early.
    block = editor.document().findBlockByNumber(0)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + qt_start)
    assert abs(tinted.rect.left() - editor.cursorRect(cursor).left()) <= 2
    # And it really is painted: the pixel at the top of the word (above the letters) is the tint.
    image = editor.viewport().grab().toImage()
    probe = image.pixelColor(int(tinted.rect.center().x()), int(tinted.rect.top()) + 1)
    assert probe == tinted.colour
    assert tints(editor, 102) == []


def test_overlapping_codings_show_both_codes(editor: TranscriptEditor) -> None:
    editor.set_codings([on(1, "Discharge", BLUE, 1, "discharge went wrong"), on(2, "Family", PINK, 1, "wrong on Friday")])
    text = TURNS[1][1]
    pieces = {m.span: m for m in tints(editor, 102)}
    overlap = (text.index("wrong"), text.index("wrong") + len("wrong"))
    assert pieces[overlap].codings == (1, 2)
    base = editor.palette().base().color()
    assert pieces[overlap].colour == tint([BLUE, PINK], base)
    assert pieces[overlap].colour not in (tint([BLUE], base), tint([PINK], base))
    code_lines = lines(editor, 102)
    assert {m.colour.name() for m in code_lines} == {BLUE, PINK}
    blue, pink = (next(m for m in code_lines if m.colour.name() == c) for c in (BLUE, PINK))
    assert pink.rect.top() > blue.rect.top(), "overlapping codes get a line each, one under the other"
    assert blue.rect.bottom() <= editor.blockBoundingGeometry(editor.document().findBlockByNumber(1)).translated(
        editor.contentOffset()).bottom() + 0.5, "code lines stay inside their turn"


def test_a_passage_over_three_turns_paints_the_whole_middle_turn(editor: TranscriptEditor) -> None:
    editor.set_codings([on(1, "Story", GREEN, 1, "family", end_turn=3, end_words="Our therapists")])
    assert tints(editor, 103)[0].span == (0, len(TURNS[2][1]))
    assert tints(editor, 104)[0].span == (0, len("Our therapists"))
    assert tints(editor, 102)[0].span[0] == TURNS[1][1].index("family")


def test_changing_codings_reports_only_the_turns_that_changed(editor: TranscriptEditor) -> None:
    first = [on(1, "Discharge", BLUE, 1, "discharge"), on(2, "Policy", GREEN, 2, "transfer policy")]
    highlighter = editor.codings.highlighter
    assert highlighter.set_codings(first) == {102, 103}
    assert highlighter.set_codings([*first, on(3, "Therapy", PINK, 3, "therapists")]) == {104}
    assert highlighter.set_codings([first[0]]) == {103, 104}
    recoloured = CodingRecord(1, 10, "Discharge", PINK, 1, first[0].start, first[0].end)
    assert highlighter.set_codings([recoloured]) == {102}
    editor.codings.add_codings([first[1]])
    assert tints(editor, 103) and editor.codings.coding(2) == first[1]
    editor.codings.remove_codings([2])
    assert tints(editor, 103) == []


def test_highlight_follows_typing_before_the_save(editor: TranscriptEditor, qtbot) -> None:  # noqa: ANN001
    editor.set_codings([on(1, "Discharge", BLUE, 1, "discharge")])
    editor.place_cursor(102, 2)  # after "A "
    editor.setFocus()
    qtbot.keyClicks(editor, "bad ")
    assert editor.pending_edits()
    text = editor.document().findBlockByNumber(1).text()
    assert tints(editor, 102)[0].span == (text.index("discharge"), text.index("discharge") + len("discharge"))
    editor.place_cursor(102, text.index("discharge") + 3)
    qtbot.keyClicks(editor, "XY")  # inside the coded word: it grows
    text = editor.document().findBlockByNumber(1).text()
    assert "disXYcharge" in text
    assert tints(editor, 102)[0].span == (text.index("disXYcharge"), text.index("disXYcharge") + len("disXYcharge"))


def test_stripes_sit_side_by_side_where_codings_overlap(editor: TranscriptEditor) -> None:
    editor.set_codings([on(1, "Discharge", BLUE, 1, "discharge went wrong"), on(2, "Family", PINK, 1, "the family"),
                        on(3, "Policy", GREEN, 2, "transfer policy"), on(4, "Therapy", BLUE, 3, "therapists")])
    margin = editor.codings.margin
    assert margin.width() == margin.margin_width() > 0
    assert editor.viewportMargins().right() == margin.margin_width()
    stripes = {s.coding.id: s for s in margin.stripes()}
    assert stripes[1].column != stripes[2].column, "two codings in one turn stand side by side"
    assert stripes[3].column == stripes[4].column == 0, "codings in different turns share the first column"
    assert stripes[3].top >= stripes[1].bottom
    assert all(s.label is not None for s in stripes.values()), "every name fits beside its stripe here"


def test_clicking_a_stripe_selects_its_passage(editor: TranscriptEditor, qtbot) -> None:  # noqa: ANN001
    coding = on(1, "Story", GREEN, 1, "family", end_turn=2, end_words="review")
    editor.set_codings([coding])
    margin = editor.codings.margin
    [stripe] = margin.stripes()
    with qtbot.waitSignal(editor.codings.coding_clicked) as clicked:
        qtbot.mouseClick(margin, Qt.MouseButton.LeftButton, pos=stripe.bar.center().toPoint())
    assert clicked.args == [1]
    assert editor.selected_passage() == (102, coding.start.offset, 103, coding.end.offset)
    assert editor.selected_text().endswith("We need to review")


def test_memo_marker_and_tooltips(editor: TranscriptEditor) -> None:
    editor.set_codings([on(1, "Discharge", BLUE, 1, "discharge went wrong"), on(2, "Family", PINK, 1, "family", memo=True)])
    margin = editor.codings.margin
    asked: list[int] = []
    margin.memo_text_for = lambda coding_id: asked.append(coding_id) or "Families hear last: check the ward's leaflet."
    family = next(s for s in margin.stripes() if s.coding.id == 2)
    assert family.coding.has_memo and family.label is not None
    text = margin.tooltip_at(family.label.center().toPoint())
    assert "Family" in text and "check the ward" in text and asked == [2]
    # Over the text: the codes under the pointer, none past the end of the line.
    block = editor.document().findBlockByNumber(1)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + TURNS[1][1].index("family") + 2)
    point = editor.cursorRect(cursor).center()
    assert [c.code_name for c in editor.codings.codings_under(point)] == ["Family"]
    assert editor.codings.codings_under(QPoint(editor.viewport().width() - 5, point.y())) == []


def drag(widget, point: QPointF, mime: QMimeData) -> tuple[bool, bool]:  # noqa: ANN001
    """A drag entering `widget` and dropped at `point`, as Qt delivers one (the drop goes to the
    widget that accepted the enter). Whether the enter and the move were accepted."""
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, move)
    QApplication.sendEvent(widget, QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))
    return enter.isAccepted(), move.isAccepted()


def code_mime(code_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(MIME_CODE, QByteArray(str(code_id).encode("ascii")))
    return mime


def test_only_codes_can_be_dropped_and_only_on_the_selection(editor: TranscriptEditor, qtbot) -> None:  # noqa: ANN001
    editor.select_range(102, 2, 11)  # "discharge"
    viewport = editor.viewport()
    inside = QPointF(editor.cursorRect(editor.textCursor()).center()) - QPointF(20, 0)
    dropped: list[int] = []
    refusals: list[str] = []
    editor.codings.code_dropped.connect(dropped.append)
    editor.refused.connect(refusals.append)
    text = QMimeData()
    text.setText("pasted by dragging")
    assert drag(viewport, inside, text) == (False, False), "text drops stay refused"
    assert drag(viewport, inside, code_mime(42)) == (True, True)
    assert dropped == [42] and not refusals
    far = QPointF(inside.x(), viewport.height() - 5)
    assert drag(viewport, far, code_mime(7)) == (True, False), "the drag shows it cannot land off the selection"
    assert dropped == [42] and refusals and "select" in refusals[0]
    assert editor.document().findBlockByNumber(1).text() == TURNS[1][1], "a drop never changes the text"


CODES = [CodeRecord(1, "g1", None, 0, "Cross-organisational learning", "#64b5f6", "", 0, 0, 0),
         CodeRecord(2, "g2", 1, 0, "Reviewing discharge procedures", "#6fbf73", "", 1, 0, 0),
         CodeRecord(3, "g3", 1, 1, "Safeguarding vulnerable adults", "#f48fb1", "", 1, 0, 0),
         CodeRecord(4, "g4", None, 1, "Discharge letters", "#f4c542", "", 0, 0, 0),
         CodeRecord(5, "g5", None, 2, "Partnership working", "#ba68c8", "", 0, 0, 0)]


@pytest.fixture
def popup(qtbot) -> QuickCodePopup:  # noqa: ANN001
    palette = QuickCodePopup()
    qtbot.addWidget(palette)
    palette.set_codes(CODES, recent=[3])
    palette.open_at(QPoint(100, 100))
    return palette


def test_quick_code_filters_by_substring_with_recent_codes_first(popup: QuickCodePopup, qtbot) -> None:  # noqa: ANN001
    assert popup.isVisible() and popup.rows()[0].startswith("Safeguarding"), "the recent code leads"
    qtbot.keyClicks(popup.edit, "DISCH")
    assert [code.id for code in popup.matching_codes("DISCH")] == [4, 2], "a name beginning with it before one containing it"
    assert popup.rows()[0] == "Discharge letters"
    assert popup.rows()[1].startswith("Reviewing discharge procedures") and "Cross-organisational" in popup.rows()[1]
    assert popup.rows()[-1] == "Create code “DISCH” and apply"
    qtbot.keyClick(popup.edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(popup.code_chosen) as chosen:
        qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert chosen.args == [2] and not popup.isVisible()


def test_quick_code_offers_to_create_when_nothing_matches(popup: QuickCodePopup, qtbot) -> None:  # noqa: ANN001
    qtbot.keyClicks(popup.edit, "  Transfer   worries ")
    assert popup.rows() == ["Create code “Transfer worries” and apply"]
    with qtbot.waitSignal(popup.create_requested) as created:
        qtbot.keyClick(popup.edit, Qt.Key.Key_Enter)
    assert created.args == ["Transfer worries"]
    popup.open_at(QPoint(100, 100))
    qtbot.keyClicks(popup.edit, "partnership working")
    assert popup.rows() == ["Partnership working"], "no create row for a name that exists"
    qtbot.keyClick(popup.edit, Qt.Key.Key_Escape)
    assert not popup.isVisible()
