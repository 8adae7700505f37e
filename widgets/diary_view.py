"""The research diary: dated entries, each descriptive (what happened), interpretive (feelings,
hunches) or a decision, with the coded passages it discusses (RESEARCH.md, step 8).

The list shows each entry's date, its type as a coloured tag, its title and first line; the
form below edits the selected entry. Title and body save themselves after a pause, like a memo;
date, type and links are discrete changes the app may put on the undo stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QSplitter, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from storage.analysis_records import DIARY_ENTRY_TYPES, MemoRecord
from widgets.continuous_save import MEMO_ID, MemoForm
from widgets.memo_panel import memo_byline

TYPE_COLOURS = {"descriptive": "#2d6cb5", "interpretive": "#8a4baf", "decision": "#2e7d4f"}
ALL_TYPES = "All entry types"
ENTRY_ID = MEMO_ID  # where MemoForm looks for the id of the entry chosen
ENTRY = Qt.ItemDataRole.UserRole + 1
CODING_ID = Qt.ItemDataRole.UserRole


def entry_day(entry: MemoRecord) -> str:
    """"Tue 9 Mar 2010": the day the entry describes."""
    try:
        day = date.fromisoformat(entry.entry_date or "")
    except ValueError:
        return entry.entry_date or "(no date)"
    return f"{day:%a} {day.day} {day:%b %Y}"


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


class _EntryDelegate(QStyledItemDelegate):
    """Date and coloured type tag, the title in bold; the body's first line below in grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        entry: MemoRecord = index.data(ENTRY)
        self.initStyleOption(option, index)
        option.text = ""
        if option.widget is not None:
            option.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        rect = option.rect.adjusted(6, 4, -6, -4)
        line = option.fontMetrics.height()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(text_colour)
        day = entry_day(entry)
        day_width = option.fontMetrics.horizontalAdvance("Wed 28 Sep 2010") + 10
        painter.drawText(QRect(rect.left(), rect.top(), day_width, line), Qt.AlignmentFlag.AlignVCenter, day)
        # The type as a tag: small bold white text on the type's colour.
        tag_font = QFont(option.font)
        tag_font.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.85))
        tag_font.setBold(True)
        painter.setFont(tag_font)
        kind = entry.entry_type or ""
        tag_width = painter.fontMetrics().horizontalAdvance(kind) + 12
        tag = QRect(rect.left() + day_width, rect.top() + 1, tag_width, line - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(TYPE_COLOURS.get(kind, "#666666")))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, kind)
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        left = tag.right() + 8
        title = painter.fontMetrics().elidedText(entry.title.strip() or "(untitled entry)", Qt.TextElideMode.ElideRight,
                                                 max(0, rect.right() - left))
        painter.drawText(QRect(left, rect.top(), rect.right() - left, line), Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        painter.setPen(palette.highlightedText().color() if selected else palette.placeholderText().color())
        body = painter.fontMetrics().elidedText(first_line(entry.body), Qt.TextElideMode.ElideRight, rect.width() - day_width)
        painter.drawText(QRect(rect.left() + day_width, rect.top() + line + 2, rect.width() - day_width, line),
                         Qt.AlignmentFlag.AlignVCenter, body)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(320, option.fontMetrics.height() * 2 + 10)


class DiaryView(MemoForm):
    new_entry_requested = Signal(str)  # the entry type to start with
    entry_edited = Signal(int, str, str)  # entry id, title, body: after a pause in typing
    entry_fields_changed = Signal(int, str, str)  # entry id, entry type, date (YYYY-MM-DD)
    # delete_requested(int), the entry id: from MemoForm
    entry_selected = Signal(int)  # the form now shows this entry: the app supplies its passages
    link_requested = Signal(int)  # entry id: link the passage selected in the transcript
    unlink_requested = Signal(int, int)  # entry id, coding id
    open_passage_requested = Signal(int)  # coding id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("diary", "Title: what, where, who was there", "What happened, or what you make of it…", parent)
        self.setObjectName("diaryView")
        self._entries: list[MemoRecord] = []

        self.filter = QComboBox()
        self.filter.setObjectName("diaryFilter")
        self.filter.addItem(ALL_TYPES, "")
        for kind in DIARY_ENTRY_TYPES:
            self.filter.addItem(kind.capitalize(), kind)
        self.filter.currentIndexChanged.connect(lambda _index: self._fill_list(self._shown))
        self.new_button = QPushButton("New Entry")
        self.new_button.clicked.connect(self._new_clicked)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        bar.addWidget(self.new_button)

        self.list = QListWidget()
        self.list.setObjectName("diaryList")
        self.list.setItemDelegate(_EntryDelegate(self.list))
        self.list.currentItemChanged.connect(self._current_changed)

        self.date = QDateEdit()
        self.date.setObjectName("diaryDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.dateChanged.connect(self._fields_changed)
        self.kind = QComboBox()
        self.kind.setObjectName("diaryType")
        for kind in DIARY_ENTRY_TYPES:
            self.kind.addItem(kind, kind)
        self.kind.currentIndexChanged.connect(self._fields_changed)
        self.delete_button = QPushButton("Delete Entry")
        self.delete_button.clicked.connect(self._delete_clicked)
        fields = QHBoxLayout()
        fields.addWidget(self.date)
        fields.addWidget(self.kind)
        fields.addStretch(1)
        fields.addWidget(self.delete_button)
        self.links = QListWidget()
        self.links.setObjectName("diaryLinks")
        self.links.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.links.setWordWrap(True)  # a passage's words matter more than a scroll bar
        self.links.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.links.setMaximumHeight(self.fontMetrics().height() * 9)
        self.links.setToolTip("Double-click a passage to show it in its transcript.")
        self.links.itemActivated.connect(lambda item: self.open_passage_requested.emit(int(item.data(CODING_ID))))
        self.links.currentItemChanged.connect(lambda *_: self._update_enabled())
        self.link_button = QPushButton("Link Selected Passage")
        self.link_button.setToolTip("Link the coded passage selected (or under the cursor) in the transcript.")
        self.link_button.clicked.connect(self._link_clicked)
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.clicked.connect(self._unlink_clicked)
        link_buttons = QHBoxLayout()
        link_buttons.addWidget(self.link_button)
        link_buttons.addWidget(self.unlink_button)
        link_buttons.addStretch(1)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addLayout(fields)
        form_layout.addWidget(self.title)
        form_layout.addWidget(self.body, 1)
        form_layout.addWidget(QLabel("Linked passages"))
        form_layout.addWidget(self.links)
        form_layout.addLayout(link_buttons)
        form_layout.addWidget(self.byline)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(form)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.list.setMinimumHeight(self.fontMetrics().height() * 12)  # about five entries
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self._show_memo(None)

    # --- what the app calls --------------------------------------------------------------------

    def show_entries(self, entries: Sequence[MemoRecord], select_id: int | None = None) -> None:
        """Every diary entry, in the order to show them (by date). The selected entry stays
        selected, and its text in the form is left alone (see MemoPanel.set_memos)."""
        self._entries = list(entries)
        self._fill_list(select_id if select_id is not None else self._shown)

    def show_links(self, entry_id: int, passages: Sequence[tuple[int, str]]) -> None:
        """The passages an entry links to: (coding id, "SN1, M04 00:12:31: ‘…’")."""
        if entry_id != self._shown:
            return
        current = self.links.currentItem()
        keep = current.data(CODING_ID) if current is not None else None
        self.links.clear()
        for coding_id, label in passages:
            item = QListWidgetItem(label)
            item.setData(CODING_ID, coding_id)
            item.setToolTip(label)
            self.links.addItem(item)
            if coding_id == keep:
                self.links.setCurrentItem(item)
        self._update_enabled()

    def select_entry(self, entry_id: int) -> None:
        if all(entry.id != entry_id for entry in self._visible()):
            self.filter.setCurrentIndex(0)  # an entry asked for by name is shown whatever the filter
        self._fill_list(entry_id)

    def current_entry(self) -> int | None:
        return self._shown

    def visible_entries(self) -> list[MemoRecord]:
        return self._visible()

    def focus_title(self) -> None:
        self.title.setFocus()

    def clear(self) -> None:
        self._saver.forget()
        self._entries = []
        self._fill_list(None)

    # --- inside ----------------------------------------------------------------------------------

    def _visible(self) -> list[MemoRecord]:
        kind = self.filter.currentData()
        return [entry for entry in self._entries if not kind or entry.entry_type == kind]

    def _fill_list(self, select_id: int | None) -> None:
        visible = self._visible()
        ids = [entry.id for entry in visible]
        if select_id not in ids:
            select_id = ids[-1] if ids else None  # the latest day: where a diary is usually read on
        self._loading = True
        try:
            self.list.clear()
            for entry in visible:
                item = QListWidgetItem(entry.title)
                item.setData(ENTRY_ID, entry.id)
                item.setData(ENTRY, entry)
                item.setToolTip(entry.body[:400])
                self.list.addItem(item)
                if entry.id == select_id:
                    self.list.setCurrentItem(item)
        finally:
            self._loading = False
        if self.list.currentItem() is not None:
            self.list.scrollToItem(self.list.currentItem())
        self._show_memo(select_id)

    def _show_memo(self, entry_id: int | None) -> None:
        entry = next((e for e in self._entries if e.id == entry_id), None)
        same = entry is not None and entry.id == self._shown
        if not same:
            self._saver.flush()
        self._shown = entry.id if entry is not None else None
        self._loading = True
        try:
            if entry is not None:
                day = QDate.fromString(entry.entry_date or "", "yyyy-MM-dd")
                self.date.setDate(day if day.isValid() else QDate.currentDate())
                self.kind.setCurrentIndex(max(0, self.kind.findData(entry.entry_type)))
                self.byline.setText(memo_byline(entry))
            if not same:
                # A refresh of the entry on show keeps the typed text (it may be newer).
                self.title.setText("" if entry is None else entry.title)
                self.body.setPlainText("" if entry is None else entry.body)
                self.links.clear()
                if entry is None:
                    self.byline.clear()
        finally:
            self._loading = False
        self._update_enabled()
        if entry is not None:
            self.entry_selected.emit(entry.id)

    def _update_enabled(self) -> None:
        shown = self._shown is not None
        editable = shown and not self._read_only
        for widget in (self.date, self.kind, self.title, self.body, self.links):
            widget.setEnabled(shown)
        for widget in (self.title, self.body):
            widget.setReadOnly(self._read_only)
        self.date.setReadOnly(self._read_only)
        self.kind.setEnabled(editable)
        self.new_button.setEnabled(not self._read_only)
        self.delete_button.setEnabled(editable)
        self.link_button.setEnabled(editable)
        self.unlink_button.setEnabled(editable and self.links.currentItem() is not None)

    def _emit_edited(self, memo_id: int, title: str, body: str) -> None:
        self.entry_edited.emit(memo_id, title, body)

    def _fields_changed(self, *_args: object) -> None:
        if self._loading or self._shown is None or self._read_only:
            return
        self._saver.flush()
        self.entry_fields_changed.emit(self._shown, str(self.kind.currentData()), self.date.date().toString("yyyy-MM-dd"))

    def _new_clicked(self) -> None:
        self._saver.flush()
        self.new_entry_requested.emit(str(self.filter.currentData() or DIARY_ENTRY_TYPES[0]))

    def _link_clicked(self) -> None:
        if self._shown is not None:
            self._saver.flush()
            self.link_requested.emit(self._shown)

    def _unlink_clicked(self) -> None:
        item = self.links.currentItem()
        if self._shown is not None and item is not None:
            self.unlink_requested.emit(self._shown, int(item.data(CODING_ID)))
