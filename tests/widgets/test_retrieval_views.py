"""The retrieval list, the code matrix and the search panel on their own, with made-up data:
thousands of passages, a heatmap whose colours follow the counts, clicks that ask for a cell."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QTextDocument

from storage.analysis_records import Anchor, CodeRecord, Matrix, Passage, SearchHit
from tests.helpers import show_sized
from widgets.matrix_view import EMPTY, STRONG, MatrixView, heat_color
from widgets.retrieval_view import INDENT, TEXT, RetrievalView, clock, context_parts, time_span
from widgets.search_panel import SearchPanel, snippet_html

SPEAKERS = ("SN1", "SW", "CG", "OT")


def code(code_id: int, name: str, depth: int = 0, parent_id: int | None = None, count: int = 0) -> CodeRecord:
    return CodeRecord(id=code_id, guid=f"g{code_id}", parent_id=parent_id, position=0, name=name, color="#64b5f6",
                      description="", depth=depth, count=count, total=count)


CODES = [code(1, "Learning", count=3), code(2, "Cross-organisational learning", 1, 1, 5),
         code(3, "Reviewing discharge procedures", 2, 2, 7), code(4, "Partnership", count=2)]


def passage(number: int, transcripts: int = 17) -> Passage:
    text = f"passage number {number}"
    return Passage(
        coding_id=number, code_id=3, code_name="Reviewing discharge procedures", transcript_id=number % transcripts + 1,
        transcript_name=f"M{number % transcripts + 1:02d}", speaker=SPEAKERS[number % 4], start_time=number * 7.5,
        end_time=number * 7.5 + 4, text=text, context=f"Before it, «{text}» and after it.",
        start=Anchor(number, 10), end=Anchor(number, 10 + len(text)))


def bold_text(document: QTextDocument) -> list[str]:
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().fontWeight() >= QFont.Weight.Bold:
                found.append(fragment.text())
            iterator += 1
        block = block.next()
    return found


def test_two_thousand_passages_are_listed_and_painted(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, RetrievalView(), 1000, 600)
    passages = [passage(n) for n in range(2000)]
    view.set_choices(CODES, list(SPEAKERS), [(n, f"M{n:02d}") for n in range(1, 18)])
    view.show_passages(passages)
    table = view.passage_list.table
    assert table.model().rowCount() == 2000
    assert view.passage_list.count_label.text() == "2000 passages in 17 transcripts"
    assert table.model().index(1999, TEXT).data() == passages[1999].context
    table.scrollToBottom()
    view.grab()  # paints the visible rows through the context delegate


def test_each_passage_shows_code_transcript_speaker_time_and_its_context(qtbot) -> None:  # noqa: ANN001
    view = RetrievalView()
    qtbot.addWidget(view)
    one = passage(500)
    view.set_choices(CODES, list(SPEAKERS), [])
    view.show_passages([one])
    model = view.passage_list.model
    assert [model.index(0, c).data() for c in range(4)] == [
        "Reviewing discharge procedures", one.transcript_name, "SN1", "1:02:30–1:02:34"]
    assert view.passage_list.count_label.text() == "1 passage in 1 transcript"
    assert bold_text(view.passage_list.preview.document()) == ["passage number 500"]
    assert "Before it, passage number 500 and after it." in view.passage_list.preview.toPlainText()
    assert clock(3725.9) == "1:02:05" and time_span(one) == "1:02:30–1:02:34"


def test_the_bold_part_is_the_passage_even_with_marks_in_the_text() -> None:
    tricky = Passage(1, 1, "c", 1, "M01", "SW", 0, 1, "so «quoted» then", "He said «x» and «so «quoted» then» ok",
                     Anchor(1, 0), Anchor(1, 1))
    assert context_parts(tricky) == ("He said «x» and ", "so «quoted» then", " ok")
    over_turns = Passage(1, 1, "c", 1, "M01", "SW", 0, 1, "first\nsecond", "Before «first / second» after",
                         Anchor(1, 0), Anchor(2, 6))
    assert context_parts(over_turns) == ("Before ", "first / second", " after")


def test_codes_are_an_indented_tree_and_choices_survive_a_refill(qtbot) -> None:  # noqa: ANN001
    view = RetrievalView()
    qtbot.addWidget(view)
    asked: list[int] = []
    view.query_changed.connect(lambda: asked.append(1))
    view.set_choices(CODES, list(SPEAKERS), [(1, "M01"), (2, "M02")])
    assert len(asked) == 1, "a refill asks once, not once per item"
    assert view.code_combo.itemText(2) == f"{INDENT * 2}Reviewing discharge procedures  (7)"
    assert view.code_id() == 1, "the first code until one is chosen"
    assert view.select_code(3) and view.speaker() is None and view.transcript_id() is None
    view.set_filters(speaker="SW", transcript_id=2)
    assert (view.speaker(), view.transcript_id()) == ("SW", 2)
    view.set_choices(CODES[::-1], ["SW", "OT"], [(2, "M02")])
    assert (view.code_id(), view.speaker(), view.transcript_id()) == (3, "SW", 2)
    view.set_choices(CODES[:1], ["OT"], [])
    assert (view.code_id(), view.speaker(), view.transcript_id()) == (1, None, None), "gone choices fall back"
    view.show_passages([])
    assert view.passage_list.count_label.text() == "No passages coded “Learning”"


def test_enter_opens_space_plays(qtbot) -> None:  # noqa: ANN001
    view = RetrievalView()
    qtbot.addWidget(view)
    view.show()
    passages = [passage(n) for n in range(20)]
    view.show_passages(passages)
    table = view.passage_list.table
    view.passage_list.select_row(5)
    table.setFocus()
    with qtbot.waitSignal(view.open_requested) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [passages[5]]
    with qtbot.waitSignal(view.play_requested) as played:
        qtbot.keyClick(table, Qt.Key.Key_Space)
    assert played.args == [passages[5]]
    with qtbot.waitSignal(view.play_requested) as played:
        view.passage_list.play_button.click()
    assert played.args == [passages[5]]
    rect = table.visualRect(table.model().index(2, 1))
    with qtbot.waitSignal(view.open_requested) as opened:
        # QTest's double-click comes without the press before it, which item views need.
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [passages[2]]


def test_heat_colours_scale_from_white_to_the_strong_colour() -> None:
    assert heat_color(0, 10) == EMPTY and heat_color(10, 10) == STRONG
    assert heat_color(0, 0) == EMPTY
    lightness = [heat_color(n, 10).lightness() for n in range(11)]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) > 5
    half = heat_color(5, 10)
    assert abs(half.green() - (255 + STRONG.green()) / 2) <= 1


def matrix() -> Matrix:
    counts = {(1, "SN1"): 2, (2, "SN1"): 1, (2, "SW"): 6, (3, "CG"): 3, (4, "OT"): 1}
    return Matrix(codes=tuple(CODES), columns=SPEAKERS, counts=counts)


def test_matrix_cells_are_coloured_by_count_and_totalled(qtbot) -> None:  # noqa: ANN001
    view = MatrixView()
    qtbot.addWidget(view)
    view.show_matrix(matrix())
    model = view.model
    assert (model.rowCount(), model.columnCount()) == (5, 5)
    background = lambda row, column: model.index(row, column).data(Qt.ItemDataRole.BackgroundRole)  # noqa: E731
    assert background(1, 1) == STRONG, "the largest count (6) is the strongest colour"
    assert background(0, 2) == EMPTY, "nothing is white"
    assert background(2, 2).lightness() < background(0, 0).lightness() < EMPTY.lightness()
    assert [model.index(1, c).data() for c in range(5)] == ["1", "6", "0", "0", "7"], "a row and its total"
    assert [model.index(4, c).data() for c in range(5)] == ["3", "6", "3", "1", "13"], "the Total row"
    assert model.headerData(2, Qt.Orientation.Vertical) == f"{INDENT * 2}Reviewing discharge procedures"
    assert model.headerData(4, Qt.Orientation.Vertical) == "Total"
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) == QColor("#1b1b1b")
    assert "13 passages" in view.note.text()


def test_clicking_a_cell_asks_for_its_passages(qtbot) -> None:  # noqa: ANN001
    view = show_sized(qtbot, MatrixView(), 900, 600)
    view.show_matrix(matrix())
    table = view.table

    def click(row: int, column: int) -> None:
        rect = table.visualRect(view.model.index(row, column))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    with qtbot.waitSignal(view.cell_requested) as asked:
        click(1, 1)
    assert asked.args == [2, "SW"]
    with qtbot.waitSignal(view.row_requested) as asked:
        click(2, 4)
    assert asked.args == [3]
    with qtbot.assertNotEmitted(view.cell_requested), qtbot.assertNotEmitted(view.row_requested):
        click(4, 0)  # the Total row lists nothing
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2) + table.visualRect(
            view.model.index(4, 4)).topLeft())
    view.show_cell_passages("Partnership · OT", [passage(1)])
    assert view.passage_list.count_label.text() == "Partnership · OT: 1 passage in 1 transcript"
    with qtbot.waitSignal(view.by_changed) as changed:
        view.by_transcript.click()
    assert changed.args == ["transcript"]


def test_search_waits_for_a_pause_in_typing_and_renders_marks_bold(qtbot) -> None:  # noqa: ANN001
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.show()
    asked: list[str] = []
    panel.search_requested.connect(asked.append)
    with qtbot.waitSignal(panel.search_requested):
        qtbot.keyClicks(panel.query_box, "discharge")
    assert asked == ["discharge"], "one search for a word typed in one go"
    hits = [SearchHit("turn", 10, 1, "M01 Starting up", "we cannot fix «discharge» on one side", 14),
            SearchHit("memo", 3, None, "Discharge <ideas>", "«discharge» as a theme", 0)]
    panel.show_results(hits)
    assert panel.summary.text().startswith("1 turn and 1 memo found")
    assert snippet_html("a «b» <c>") == "a <b>b</b> &lt;c&gt;"
    assert "&lt;ideas&gt;" in panel.model.index(1).data(Qt.ItemDataRole.UserRole + 1)
    panel.grab()
    panel.activateWindow()
    panel.query_box.setFocus()
    qtbot.waitUntil(panel.query_box.hasFocus)
    qtbot.keyClick(panel.query_box, Qt.Key.Key_Down)
    assert panel.results.hasFocus()
    panel.results.setCurrentIndex(panel.model.index(1))
    with qtbot.waitSignal(panel.open_requested) as opened:
        qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert opened.args == [hits[1]]
    panel.show_results([])
    assert panel.summary.text() == "Nothing found for “discharge”."


def test_a_refresh_keeps_the_chosen_passage(qtbot) -> None:  # noqa: ANN001
    view = RetrievalView()
    qtbot.addWidget(view)
    passages = [passage(n) for n in range(50)]
    view.show_passages(passages)
    view.passage_list.select_row(30)
    view.show_passages([passage(99)] + passages)  # one more passage before it
    assert view.passage_list.current_passage() == passages[30]
    view.show_passages(passages[:10])
    assert view.passage_list.current_passage() == passages[0], "gone: the first one"
