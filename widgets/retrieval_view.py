"""Retrieval: every passage coded with a code, across all transcripts, filtered by speaker and
transcript, with the passage shown bold inside a line of its context.

The list is a table model with one painting delegate, not a widget per row: a code that runs
through seventeen meetings can have thousands of passages, and the view only paints the rows on
screen. `PassageList` is also what the code matrix shows below itself for a clicked cell.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSplitter, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QTextBrowser, QVBoxLayout, QWidget,
)

from storage.analysis_records import CodeRecord, Passage
from widgets.clock import clock

CODE, TRANSCRIPT, SPEAKER, TIME, TEXT = range(5)
HEADERS = ("Code", "Transcript", "Speaker", "Time", "Passage")
PASSAGE_ROLE = Qt.ItemDataRole.UserRole
PARTS_ROLE = Qt.ItemDataRole.UserRole + 1  # (context before, the passage, context after)
TURN_BREAK = " / "  # how storage.retrieval shows a turn break inside the one-line context
INDENT = "\u2003"  # an em space per tree level: plain spaces are too narrow to read as a tree
NO_SPEAKER = "(no speaker)"

Index = QModelIndex | QPersistentModelIndex


def time_span(passage: Passage) -> str:
    if not passage.timed:
        return "text source"  # minutes, notes: no times
    return f"{clock(passage.start_time, hours=True)}–{clock(passage.end_time, hours=True)}"


def context_parts(passage: Passage) -> tuple[str, str, str]:
    """The context split around the passage. The passage's own text locates it, so a « or » that
    somebody typed into a transcript cannot move the bold part."""
    context = passage.context
    marked = "«" + passage.text.replace("\n", TURN_BREAK) + "»"
    at = context.find(marked)
    if at >= 0:
        return context[:at], marked[1:-1], context[at + len(marked):]
    opening, closing = context.find("«"), context.rfind("»")
    if opening < 0 or closing < opening:
        return "", context or passage.text.replace("\n", TURN_BREAK), ""
    return context[:opening], context[opening + 1:closing], context[closing + 1:]


def summary(passages: Sequence[Passage]) -> str:
    count, transcripts = len(passages), len({p.transcript_id for p in passages})
    return (f"{count} passage{'s' * (count != 1)} in {transcripts} transcript{'s' * (transcripts != 1)}"
            if count else "No passages")


class PassageModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._passages: list[Passage] = []
        self._parts: dict[int, tuple[str, str, str]] = {}  # by row, worked out when first painted

    def set_passages(self, passages: Sequence[Passage]) -> None:
        self.beginResetModel()
        self._passages, self._parts = list(passages), {}
        self.endResetModel()

    def passages(self) -> list[Passage]:
        return list(self._passages)

    def passage(self, row: int) -> Passage | None:
        return self._passages[row] if 0 <= row < len(self._passages) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._passages)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        passage = self.passage(index.row())
        if passage is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (passage.code_name, passage.transcript_name, passage.speaker or NO_SPEAKER, time_span(passage),
                    passage.context)[column]
        if role == PARTS_ROLE:
            if index.row() not in self._parts:
                self._parts[index.row()] = context_parts(passage)
            return self._parts[index.row()]
        if role == PASSAGE_ROLE:
            return passage
        if role == Qt.ItemDataRole.ToolTipRole and column == TEXT:
            return passage.text
        return None


class ContextDelegate(QStyledItemDelegate):
    """Paints the context on one line: the passage bold, the words around it muted. When it does
    not fit, a little of what comes before stays and the passage gets the rest of the room."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        before, marked, after = index.data(PARTS_ROLE) or ("", "", "")
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, item.widget).adjusted(3, 0, -3, 0)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        strong = item.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = strong if selected else item.palette.color(QPalette.ColorRole.PlaceholderText)
        bold = QFont(item.font)
        bold.setBold(True)
        plain_metrics, bold_metrics = QFontMetrics(item.font), QFontMetrics(bold)
        room = rect.width()
        widths = [plain_metrics.horizontalAdvance(before), bold_metrics.horizontalAdvance(marked),
                  plain_metrics.horizontalAdvance(after)]
        if sum(widths) > room:
            if widths[0] > room // 4:
                before = plain_metrics.elidedText(before, Qt.TextElideMode.ElideLeft, room // 4)
                widths[0] = plain_metrics.horizontalAdvance(before)
            marked = bold_metrics.elidedText(marked, Qt.TextElideMode.ElideRight, room - widths[0])
            widths[1] = bold_metrics.horizontalAdvance(marked)
            after = plain_metrics.elidedText(after, Qt.TextElideMode.ElideRight, max(0, room - widths[0] - widths[1]))
            widths[2] = plain_metrics.horizontalAdvance(after)
        painter.save()
        painter.setClipRect(rect)
        x = rect.x()
        for text, font, colour, width in ((before, item.font, muted, widths[0]), (marked, bold, strong, widths[1]),
                                          (after, item.font, muted, widths[2])):
            if text:
                painter.setFont(font)
                painter.setPen(colour)
                painter.drawText(QRect(x, rect.y(), width + 1, rect.height()),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            x += width
        painter.restore()


class PassageTable(QTableView):
    """Enter or a double-click opens a passage (`activated`); Space plays it."""

    play_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.play_pressed.emit()
            return
        super().keyPressEvent(event)


class PassageList(QWidget):
    """A count, the passages in a table, the chosen one in full below, and Play / Open buttons."""

    open_requested = Signal(object)  # Passage
    play_requested = Signal(object)  # Passage

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PassageModel(self)
        self.table = PassageTable()
        self.table.setObjectName("passageTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(TEXT, ContextDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # Fixed row heights and column widths: measuring 2,000 rows to fit them would cost more
        # than everything else the list does.
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.table.horizontalHeader()
        columns.setStretchLastSection(True)
        columns.setHighlightSections(False)
        self._fit_columns()
        self.table.activated.connect(lambda index: self._emit(self.open_requested, index.row()))
        self.table.play_pressed.connect(lambda: self._emit(self.play_requested, self.table.currentIndex().row()))
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_current(current.row()))

        self.count_label = QLabel("No passages")
        self.count_label.setObjectName("passageCount")
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play the chosen passage (Space)")
        self.play_button.clicked.connect(lambda: self._emit(self.play_requested, self.table.currentIndex().row()))
        self.open_button = QPushButton("Open in Transcript")
        self.open_button.setToolTip("Show the chosen passage in its transcript (Enter or double-click)")
        self.open_button.clicked.connect(lambda: self._emit(self.open_requested, self.table.currentIndex().row()))
        self.preview = QTextBrowser()
        self.preview.setObjectName("passagePreview")
        self.preview.setOpenLinks(False)
        self.preview.setPlaceholderText("Choose a passage to read it in full.")

        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.play_button)
        bar.addWidget(self.open_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self._show_current(-1)

    def show_passages(self, passages: Sequence[Passage], *, caption: str = "", empty_text: str = "") -> None:
        """Show passages; `caption` goes before the count, `empty_text` replaces it when none."""
        # A refresh (a coding added, a turn edited) keeps the chosen passage and the scroll
        # position, so the list does not jump under someone reading it.
        chosen = self.current_passage()
        scrolled = self.table.verticalScrollBar().value()
        self.model.set_passages(passages)
        self._fit_columns()
        text = summary(passages) if passages or not empty_text else empty_text
        self.count_label.setText(f"{caption}: {text}" if caption and passages else text)
        row = next((r for r, p in enumerate(passages) if chosen is not None and p.coding_id == chosen.coding_id), -1)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, TEXT))
            self.table.verticalScrollBar().setValue(scrolled)
        elif passages:
            self.table.setCurrentIndex(self.model.index(0, TEXT))
        self._show_current(max(row, 0) if passages else -1)

    def passages(self) -> list[Passage]:
        return self.model.passages()

    def current_passage(self) -> Passage | None:
        return self.model.passage(self.table.currentIndex().row())

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, TEXT))

    def _fit_columns(self) -> None:
        """Widths from the distinct names shown (a few dozen strings, not a measure of every
        row), capped so that the passage itself keeps most of the room."""
        metrics, passages = self.table.fontMetrics(), self.model.passages()
        char = metrics.averageCharWidth()
        samples = {
            CODE: {p.code_name for p in passages}, TRANSCRIPT: {p.transcript_name for p in passages},
            SPEAKER: {p.speaker or NO_SPEAKER for p in passages}, TIME: {"0:00:00–0:00:00"},
        }
        for column, texts in samples.items():
            header = metrics.horizontalAdvance(HEADERS[column]) + 3 * char
            widest = max((metrics.horizontalAdvance(text) for text in texts), default=0) + 2 * char
            self.table.setColumnWidth(column, min(max(header, widest), 30 * char))

    def _emit(self, signal: Any, row: int) -> None:
        passage = self.model.passage(row)
        if passage is not None:
            signal.emit(passage)

    def _show_current(self, row: int) -> None:
        passage = self.model.passage(row)
        self.play_button.setEnabled(passage is not None)
        self.open_button.setEnabled(passage is not None)
        if passage is None:
            self.preview.clear()
            return
        before, _marked, after = context_parts(passage)
        body = html.escape(passage.text).replace("\n", "<br>")
        self.preview.setHtml(
            f"<p style='color:#555'>{html.escape(passage.code_name)} · {html.escape(passage.transcript_name)} · "
            f"{html.escape(passage.speaker or NO_SPEAKER)} · {time_span(passage)}</p>"
            f"<p><span style='color:#666'>{html.escape(before)}</span><b>{body}</b>"
            f"<span style='color:#666'>{html.escape(after)}</span></p>")


class RetrievalView(QWidget):
    """Choose a code (and whether its sub-codes count), filter by speaker and transcript, and
    read the passages. `query_changed` asks the controller for passages again."""

    query_changed = Signal()
    open_requested = Signal(object)  # Passage
    play_requested = Signal(object)  # Passage

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retrievalView")
        self._codes: dict[int, CodeRecord] = {}
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("retrievalCode")
        self.code_combo.setMinimumContentsLength(24)
        self.code_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.subcodes = QCheckBox("With sub-codes")
        self.subcodes.setChecked(True)
        self.speaker_combo = QComboBox()
        self.speaker_combo.setObjectName("retrievalSpeaker")
        self.transcript_combo = QComboBox()
        self.transcript_combo.setObjectName("retrievalTranscript")
        self.transcript_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.transcript_combo.setMinimumContentsLength(14)
        self.passage_list = PassageList()
        self.passage_list.open_requested.connect(self.open_requested)
        self.passage_list.play_requested.connect(self.play_requested)
        for combo in (self.code_combo, self.speaker_combo, self.transcript_combo):
            combo.currentIndexChanged.connect(self._changed)
        self.subcodes.toggled.connect(self._subcodes_toggled)

        top = QHBoxLayout()
        top.addWidget(QLabel("Code:"))
        top.addWidget(self.code_combo, 1)
        top.addWidget(self.subcodes)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Speaker:"))
        filters.addWidget(self.speaker_combo)
        filters.addWidget(QLabel("Transcript:"))
        filters.addWidget(self.transcript_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.passage_list, 1)
        self.set_choices([], [], [])

    # --- choices ---------------------------------------------------------------------------------

    def set_choices(self, codes: Sequence[CodeRecord], speakers: Sequence[str],
                    transcripts: Sequence[tuple[int, str]]) -> None:
        """Fill the code list (an indented tree) and the filters, keeping what was chosen where it
        still exists; then ask once for the passages."""
        chosen = (self.code_id(), self.speaker(), self.transcript_id())
        self._codes = {code.id: code for code in codes}
        with _blocked(self.code_combo, self.speaker_combo, self.transcript_combo):
            self.code_combo.clear()
            for code in codes:
                self.code_combo.addItem(self._code_label(code), code.id)
            self.speaker_combo.clear()
            self.speaker_combo.addItem("All speakers", None)
            for label in speakers:
                self.speaker_combo.addItem(label, label)
            self.transcript_combo.clear()
            self.transcript_combo.addItem("All transcripts", None)
            for transcript_id, name in transcripts:
                self.transcript_combo.addItem(name, transcript_id)
            for combo, value in zip((self.code_combo, self.speaker_combo, self.transcript_combo), chosen):
                self._select(combo, value)
        self._changed()

    def select_code(self, code_id: int) -> bool:
        index = self.code_combo.findData(code_id)
        if index >= 0:
            self.code_combo.setCurrentIndex(index)
        return index >= 0

    def set_filters(self, *, speaker: str | None = None, transcript_id: int | None = None) -> None:
        with _blocked(self.speaker_combo, self.transcript_combo):
            self._select(self.speaker_combo, speaker)
            self._select(self.transcript_combo, transcript_id)
        self._changed()

    # --- what is asked for -----------------------------------------------------------------------

    def code_id(self) -> int | None:
        return self.code_combo.currentData()

    def with_subcodes(self) -> bool:
        return self.subcodes.isChecked()

    def speaker(self) -> str | None:
        return self.speaker_combo.currentData()

    def transcript_id(self) -> int | None:
        return self.transcript_combo.currentData()

    def show_passages(self, passages: Sequence[Passage]) -> None:
        code = self._codes.get(self.code_id() or -1)
        if code is None:
            empty = "No codes yet: create codes and code some passages first." if not self._codes else "Choose a code."
        else:
            filters = [f for f in (self.speaker(), self.transcript_combo.currentText() if self.transcript_id() else None) if f]
            empty = f"No passages coded “{code.name}”" + (f" for {', '.join(filters)}" if filters else "")
        self.passage_list.show_passages(passages, empty_text=empty)

    def passages(self) -> list[Passage]:
        return self.passage_list.passages()

    # --- inside ----------------------------------------------------------------------------------

    def _code_label(self, code: CodeRecord) -> str:
        count = code.total if self.with_subcodes() else code.count
        return f"{INDENT * code.depth}{code.name}  ({count})"

    def _subcodes_toggled(self) -> None:
        for index in range(self.code_combo.count()):
            code = self._codes.get(self.code_combo.itemData(index))
            if code is not None:
                self.code_combo.setItemText(index, self._code_label(code))
        self._changed()

    def _select(self, combo: QComboBox, value: object) -> None:
        index = combo.findData(value) if value is not None else 0
        combo.setCurrentIndex(max(0, index) if combo.count() else -1)

    def _changed(self) -> None:
        self.query_changed.emit()


@contextmanager
def _blocked(*widgets: QWidget) -> Iterator[None]:
    """No query for each item while the combos are refilled: one after."""
    blockers = [QSignalBlocker(widget) for widget in widgets]
    try:
        yield
    finally:
        for blocker in blockers:
            blocker.unblock()
