"""The memo panel: the memos on one thing (the project, a transcript, a code, a coded passage…),
newest first, with an editor for the selected one.

Memos save themselves as the researcher writes, like the transcript: a pause of SAVE_SETTLE_MS
(or leaving the editor) emits `memo_edited`, so there is no Save button to forget (the
continuous saving is widgets/continuous_save.py, shared with the diary). The panel shows data
only; the app stores the text and decides what New Memo and Delete do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from storage.analysis_records import MemoRecord
from widgets.continuous_save import SAVE_SETTLE_MS  # noqa: F401 (callers know the pause by this name)
from widgets.continuous_save import MEMO_ID, MemoForm

BYLINE = Qt.ItemDataRole.UserRole + 1


def local_time(moment: datetime) -> datetime:
    """Storage keeps naive UTC; people read their own clock."""
    return moment.replace(tzinfo=timezone.utc).astimezone()


def day_and_time(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M}"


def memo_byline(memo: MemoRecord) -> str:
    """"CS · created 26 Nov 2026 09:14 · edited 10:02": the edit's day only when it differs."""
    created, updated = local_time(memo.created_at), local_time(memo.updated_at)
    parts = [memo.author] if memo.author else []
    parts.append(f"created {day_and_time(created)}")
    if memo.updated_at > memo.created_at:
        parts.append(f"edited {updated:%H:%M}" if updated.date() == created.date() else f"edited {day_and_time(updated)}")
    return " · ".join(parts)


def memo_heading(memo: MemoRecord) -> str:
    """A memo's title, else its first line, else a placeholder."""
    if memo.title.strip():
        return memo.title.strip()
    first = next((line.strip() for line in memo.body.splitlines() if line.strip()), "")
    return first or "(untitled memo)"


class _MemoDelegate(QStyledItemDelegate):
    """Two lines per memo: its heading in bold, then author and times in grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text, option.text = option.text, ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        rect = option.rect.adjusted(6, 3, -6, -3)
        line = option.fontMetrics.height()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        heading = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignVCenter, heading)
        painter.setFont(option.font)
        painter.setPen(palette.highlightedText().color() if selected else palette.placeholderText().color())
        byline = painter.fontMetrics().elidedText(str(index.data(BYLINE) or ""), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.left(), rect.top() + line, rect.width(), line), Qt.AlignmentFlag.AlignVCenter, byline)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(200, option.fontMetrics.height() * 2 + 8)


class MemoPanel(MemoForm):
    memo_edited = Signal(int, str, str)  # memo id, title, body: the editor's text after a pause
    new_memo_requested = Signal()
    # delete_requested(int), the memo id: from MemoForm

    EMPTY_HINT = "No memo on this yet. New Memo (Ctrl+M) starts one."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("memo", "Title", self.EMPTY_HINT, parent)
        self.setObjectName("memoPanel")
        self.target: tuple[str, int | None] | None = None
        self._memos: dict[int, MemoRecord] = {}

        self.heading = QLabel("Memo on: nothing yet")
        self.heading.setObjectName("memoTarget")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.new_button = QPushButton("New Memo")
        self.new_button.clicked.connect(self._new_clicked)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self._delete_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)

        self.list = QListWidget()
        self.list.setObjectName("memoList")
        self.list.setItemDelegate(_MemoDelegate(self.list))
        self.list.currentItemChanged.connect(self._current_changed)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.title)
        editor_layout.addWidget(self.body, 1)
        editor_layout.addWidget(self.byline)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._show_memo(None)

    # --- what the app calls --------------------------------------------------------------------

    def show_target(self, kind: str, target_id: int | None, label: str, memos: Sequence[MemoRecord],
                    select_id: int | None = None) -> None:
        """Show the memos on another thing (or the same one again, refreshed)."""
        same = self.target == (kind, target_id)
        if not same:
            self.flush_pending()
        self.target = (kind, target_id)
        self.heading.setText(f"Memo on: {label}")
        keep = select_id if select_id is not None else (self._shown if same else None)
        self.set_memos(memos, keep)

    def set_memos(self, memos: Sequence[MemoRecord], select_id: int | None = None) -> None:
        """Refresh the list (newest first, as given). The editor is left alone while it shows the
        same memo, so a refresh after a save never moves the cursor or drops a keystroke."""
        self._memos = {memo.id: memo for memo in memos}
        if select_id not in self._memos:
            select_id = self._shown if self._shown in self._memos else (memos[0].id if memos else None)
        self._loading = True
        try:
            self.list.clear()
            for memo in memos:
                item = QListWidgetItem(memo_heading(memo))
                item.setData(MEMO_ID, memo.id)
                item.setData(BYLINE, memo_byline(memo))
                item.setToolTip(memo.body[:400])
                self.list.addItem(item)
                if memo.id == select_id:
                    self.list.setCurrentItem(item)
        finally:
            self._loading = False
        self._show_memo(select_id)

    def select_memo(self, memo_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(MEMO_ID) == memo_id:
                self.list.setCurrentRow(row)
                return

    def current_memo(self) -> int | None:
        return self._shown

    def focus_body(self) -> None:
        self.body.setFocus()
        self.body.moveCursor(QTextCursor.MoveOperation.End)

    def clear(self) -> None:
        self._saver.forget()
        self.target = None
        self.heading.setText("Memo on: nothing yet")
        self.set_memos([])

    # --- inside ----------------------------------------------------------------------------------

    def _show_memo(self, memo_id: int | None) -> None:
        memo = self._memos.get(memo_id) if memo_id is not None else None
        if memo is not None and memo.id == self._shown:
            # The same memo again (a refresh after a save): the editor holds its text, perhaps
            # newer than the record, so only the times change.
            self.byline.setText(memo_byline(memo))
            self._update_enabled()
            return
        self._saver.flush()  # what was typed in the memo being left
        self._shown = memo.id if memo is not None else None
        self._loading = True
        try:
            self.title.setText("" if memo is None else memo.title)
            self.body.setPlainText("" if memo is None else memo.body)
            self.byline.setText("" if memo is None else memo_byline(memo))
        finally:
            self._loading = False
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_memo = self._shown is not None
        self.title.setEnabled(has_memo)
        self.body.setEnabled(has_memo)
        self.title.setReadOnly(self._read_only)
        self.body.setReadOnly(self._read_only)
        self.new_button.setEnabled(self.target is not None and not self._read_only)
        self.delete_button.setEnabled(has_memo and not self._read_only)

    def _emit_edited(self, memo_id: int, title: str, body: str) -> None:
        self.memo_edited.emit(memo_id, title, body)

    def _new_clicked(self) -> None:
        self.flush_pending()
        self.new_memo_requested.emit()
