"""The code matrix: how many passages of each code each speaker (or each transcript) has, as a
heatmap with totals, and the passages behind a cell listed underneath when it is clicked.

Counts are a code's own codings (as the codebook's count), so the totals add up to the number
of codings and no passage is counted twice for a parent and its child.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QLabel, QRadioButton, QSplitter,
    QStyledItemDelegate, QStyleOptionViewItem, QStyle, QTableView, QVBoxLayout, QWidget,
)

from storage.analysis_records import Matrix, Passage
from widgets.retrieval_view import INDENT, PassageList

EMPTY = QColor("#ffffff")
STRONG = QColor("#ef8535")  # the largest count: saturated, yet light enough for dark text (contrast 7:1)
TEXT = QColor("#1b1b1b")
ZERO_TEXT = QColor("#9a9a9a")
TOTAL_BACKGROUND = QColor("#eeeeee")
BY_LABELS = {"speaker": "Speakers", "transcript": "Transcripts"}

Index = QModelIndex | QPersistentModelIndex


def heat_color(count: int, largest: int) -> QColor:
    """White for nothing, STRONG for the largest count, linearly between."""
    share = 0.0 if largest <= 0 else min(1.0, max(0.0, count / largest))
    return QColor(*(round(a + (b - a) * share) for a, b in zip(EMPTY.getRgb()[:3], STRONG.getRgb()[:3])))


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class MatrixModel(QAbstractTableModel):
    """Rows are codes (tree order) and a Total row; columns are speakers or transcripts and a
    Total column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = Matrix(codes=(), columns=(), counts={})
        self._row_totals: list[int] = []
        self._column_totals: list[int] = []
        self._icons: dict[str, QIcon] = {}

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self._row_totals = [sum(matrix.count(code.id, column) for column in matrix.columns) for code in matrix.codes]
        self._column_totals = [sum(matrix.count(code.id, column) for code in matrix.codes) for column in matrix.columns]
        self.endResetModel()

    def code_id(self, row: int) -> int | None:
        return self.matrix.codes[row].id if 0 <= row < len(self.matrix.codes) else None

    def column_name(self, column: int) -> str | None:
        return self.matrix.columns[column] if 0 <= column < len(self.matrix.columns) else None

    def count(self, row: int, column: int) -> int:
        codes, columns = self.matrix.codes, self.matrix.columns
        if row < len(codes) and column < len(columns):
            return self.matrix.count(codes[row].id, columns[column])
        if row < len(codes):
            return self._row_totals[row]
        if column < len(columns):
            return self._column_totals[column]
        return sum(self._row_totals)

    def is_total(self, row: int, column: int) -> bool:
        return row >= len(self.matrix.codes) or column >= len(self.matrix.columns)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or not self.matrix.codes else len(self.matrix.codes) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or not self.matrix.codes else len(self.matrix.columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        codes = self.matrix.codes
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.column_name(section) or "Total"
            return None
        if section >= len(codes):
            if role == Qt.ItemDataRole.DisplayRole:
                return "Total"
            return _bold() if role == Qt.ItemDataRole.FontRole else None
        code = codes[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return INDENT * code.depth + code.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(code.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            return code.description or code.name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, column = index.row(), index.column()
        count = self.count(row, column)
        total = self.is_total(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count)
        if role == Qt.ItemDataRole.BackgroundRole:
            return TOTAL_BACKGROUND if total else heat_color(count, self.matrix.largest)
        if role == Qt.ItemDataRole.ForegroundRole:
            return ZERO_TEXT if count == 0 else TEXT
        if role == Qt.ItemDataRole.FontRole and total:
            return _bold()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            code = self.matrix.codes[row].name if row < len(self.matrix.codes) else "All codes"
            where = self.column_name(column) or "all"
            return f"{code} · {where}: {count} passage{'s' * (count != 1)}"
        return None

    def _icon(self, color: str) -> QIcon:
        if color not in self._icons:
            pixmap = QPixmap(10, 10)
            pixmap.fill(QColor(color) if QColor.isValidColorName(color) else QColor("#cccccc"))
            self._icons[color] = QIcon(pixmap)
        return self._icons[color]


class HeatDelegate(QStyledItemDelegate):
    """Paints the heat colour even on the chosen cell (which gets a dark frame instead of the
    selection colour, so the heatmap stays readable)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        painter.fillRect(option.rect, background if isinstance(background, QColor) else EMPTY)
        font = index.data(Qt.ItemDataRole.FontRole)
        painter.setFont(font if isinstance(font, QFont) else option.font)
        painter.setPen(index.data(Qt.ItemDataRole.ForegroundRole) or TEXT)
        painter.drawText(option.rect, int(Qt.AlignmentFlag.AlignCenter), str(index.data(Qt.ItemDataRole.DisplayRole)))
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(TEXT, 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
        painter.restore()


class MatrixView(QWidget):
    """`by_changed("speaker" | "transcript")` asks for the matrix again; a click on a count emits
    `cell_requested(code id, column)`, on a row's total `row_requested(code id)`."""

    by_changed = Signal(str)
    cell_requested = Signal(int, str)
    row_requested = Signal(int)
    open_requested = Signal(object)  # Passage
    play_requested = Signal(object)  # Passage

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixView")
        self.by_speaker = QRadioButton("Codes × speakers")
        self.by_transcript = QRadioButton("Codes × transcripts")
        self.by_speaker.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_speaker)
        group.addButton(self.by_transcript)
        self.by_speaker.toggled.connect(lambda _on: self.by_changed.emit(self.by()))
        self.note = QLabel()
        self.note.setObjectName("matrixNote")

        self.model = MatrixModel(self)
        self.table = QTableView()
        self.table.setObjectName("matrixTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(HeatDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(True)
        rows = self.table.verticalHeader()
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 8)
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._clicked)

        self.passage_list = PassageList()
        self.passage_list.open_requested.connect(self.open_requested)
        self.passage_list.play_requested.connect(self.play_requested)
        self.passage_list.show_passages([], empty_text="Click a count to list its passages.")

        top = QHBoxLayout()
        top.addWidget(self.by_speaker)
        top.addWidget(self.by_transcript)
        top.addStretch(1)
        top.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.passage_list)
        splitter.setSizes([600, 400])  # proportions: the matrix first, its passages below
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def by(self) -> str:
        return "speaker" if self.by_speaker.isChecked() else "transcript"

    def show_matrix(self, matrix: Matrix) -> None:
        self.model.set_matrix(matrix)
        if not matrix.codes:
            self.note.setText("No codes yet: create codes and code some passages first.")
            return
        total = sum(matrix.counts.values())
        what = BY_LABELS[self.by()].lower()
        self.note.setText(f"{len(matrix.codes)} codes × {len(matrix.columns)} {what} · {total} "
                          f"passage{'s' * (total != 1)} · most in one cell: {matrix.largest}")

    def show_cell_passages(self, caption: str, passages: list[Passage]) -> None:
        self.passage_list.show_passages(passages, caption=caption, empty_text=f"{caption}: no passages")

    def clear_passages(self, message: str = "Click a count to list its passages.") -> None:
        self.passage_list.show_passages([], empty_text=message)

    def cell_index(self, code_id: int, column: str) -> QModelIndex:
        """The model index of one cell (for tests and for keeping the chosen cell on refresh)."""
        rows = [code.id for code in self.model.matrix.codes]
        columns = list(self.model.matrix.columns)
        if code_id not in rows or column not in columns:
            return QModelIndex()
        return self.model.index(rows.index(code_id), columns.index(column))

    def _clicked(self, index: QModelIndex) -> None:
        code_id = self.model.code_id(index.row())
        if code_id is None:
            return  # the Total row: every code at once is not one list anyone reads
        column = self.model.column_name(index.column())
        if column is None:
            self.row_requested.emit(code_id)
        else:
            self.cell_requested.emit(code_id, column)
