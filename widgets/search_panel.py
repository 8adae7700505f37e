"""Full-text search over every transcript and memo: results appear as the user types (after a
short pause, so each key press does not start a search), turns with their transcript's name and
memos with their title, the matched words bold in each snippet."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QLabel, QLineEdit, QListView, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from storage.analysis_records import SearchHit

DEBOUNCE_MS = 250  # long enough to skip the keys of a word typed in one go, short enough to feel live
HIT_ROLE = Qt.ItemDataRole.UserRole
HTML_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def snippet_html(snippet: str) -> str:
    """The snippet with its « » marks as bold (escaped first, so the text cannot inject markup)."""
    return html.escape(snippet).replace("«", "<b>").replace("»", "</b>")


def hit_html(hit: SearchHit) -> str:
    if hit.kind == "memo":
        heading = f"<span style='color:#7a5c00'>Memo</span> <b>{html.escape(hit.title or '(untitled)')}</b>"
    else:
        heading = f"<b>{html.escape(hit.title)}</b>"
    return f"{heading}<br>{snippet_html(hit.snippet)}"


class HitModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:  # plain text: what accessibility and copying get
            return f"{hit.title}: {hit.snippet.replace('«', '').replace('»', '')}"
        if role == HTML_ROLE:
            return hit_html(hit)
        if role == HIT_ROLE:
            return hit
        return None


class HitDelegate(QStyledItemDelegate):
    """Rich text in a list item: the title line and the snippet, wrapped to the list's width."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view

    def _document(self, index: Index, width: int, option: QStyleOptionViewItem) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(4)
        document.setHtml(index.data(HTML_ROLE) or "")
        document.setTextWidth(max(60, width))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        document = self._document(index, item.rect.width(), item)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        context.palette.setColor(QPalette.ColorRole.Text, item.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.save()
        painter.translate(item.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, item.rect.width(), item.rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        width = self.view.viewport().width()
        document = self._document(index, width, option)
        return QSize(width, int(document.size().height()) + 2)


class SearchPanel(QWidget):
    """`search_requested(query)` asks for results; activating one emits `open_requested(hit)`."""

    search_requested = Signal(str)
    open_requested = Signal(object)  # SearchHit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.query_box = QLineEdit()
        self.query_box.setObjectName("searchQuery")
        self.query_box.setPlaceholderText("Search transcripts and memos")
        self.query_box.setClearButtonEnabled(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.search_now)
        self.query_box.textChanged.connect(lambda _text: self.timer.start())
        self.query_box.returnPressed.connect(self.search_now)
        self.summary = QLabel("Type words to find them in every transcript and memo.")
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        self.model = HitModel(self)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)  # rewrap the snippets when the dock is resized
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setAlternatingRowColors(True)
        self.results.activated.connect(self._activated)
        self.query_box.installEventFilter(self)  # Down moves from the query to the results
        layout = QVBoxLayout(self)
        layout.addWidget(self.query_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)

    def start(self, text: str = "") -> None:
        """Focus the query box, starting from `text` (the editor's selection) when given."""
        if text and "\u2029" not in text:
            self.query_box.setText(text)
        self.query_box.setFocus()
        self.query_box.selectAll()

    def query(self) -> str:
        return self.query_box.text().strip()

    def search_now(self) -> None:
        self.timer.stop()
        self.search_requested.emit(self.query())

    def show_results(self, hits: Sequence[SearchHit]) -> None:
        self.model.set_hits(hits)
        query = self.query()
        if not query:
            self.summary.setText("Type words to find them in every transcript and memo.")
        elif not hits:
            self.summary.setText(f"Nothing found for “{query}”.")
        else:
            turns = sum(hit.kind == "turn" for hit in hits)
            memos = len(hits) - turns
            parts = [f"{turns} turn{'s' * (turns != 1)}"] if turns else []
            parts += [f"{memos} memo{'s' * (memos != 1)}"] if memos else []
            self.summary.setText(f"{' and '.join(parts)} found; Enter or double-click opens one.")
        if hits:
            self.results.setCurrentIndex(self.model.index(0))

    def hits(self) -> list[SearchHit]:
        return self.model.hits()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.query_box and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down and self.model.rowCount()):
            self.results.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _activated(self, index: QModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if hit is not None:
            self.open_requested.emit(hit)
