"""The codebook: the code tree with a colour swatch, the name and how many passages each code
has, a filter on top, a context menu, in-place renaming and drag and drop.

It shows CodeRecords and emits intents; the app decides what they mean for the project.
A drop is interpreted here (which parent, which position) because only the view knows where
the pointer was; the tree is then rebuilt from the stored codebook, so what it shows is always
what the project holds. Drags out of the tree carry MIME_TYPE with the code id, so the editor
can code its selection with a code dropped onto it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from PySide6.QtCore import QByteArray, QItemSelectionModel, QMimeData, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import (
    QBrush, QColor, QDrag, QDropEvent, QFont, QIcon, QKeyEvent, QPainter, QPixmap, QStandardItem, QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QLineEdit, QMenu, QTreeView, QVBoxLayout, QWidget,
)

from storage.analysis_records import CodeRecord

MIME_TYPE = "application/x-earmark-code"
CODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_TEXT = "No codes yet: right-click here and choose New Code."
ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
             | Qt.ItemFlag.ItemIsDropEnabled)
DRAG_ACTIONS = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
# Double-click and Enter apply the code (the frequent action); F2 or a click on the selected
# code renames it in place.
EDIT_TRIGGERS = QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked

Index = QModelIndex | QPersistentModelIndex


def code_mime(code_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_TYPE, QByteArray(str(code_id).encode("ascii")))
    return data


def code_id_from_mime(data: QMimeData | None) -> int | None:
    """The code a drag carries, or None when it carries none (or garbage)."""
    if data is None or not data.hasFormat(MIME_TYPE):
        return None
    raw = bytes(data.data(MIME_TYPE).data()).decode("ascii", errors="replace").strip()
    return int(raw) if raw.isdigit() else None


def count_text(code: CodeRecord, has_children: bool) -> str:
    """"12" for a code's own passages; "12 (30)" when it has sub-codes (30 with them)."""
    return f"{code.count} ({code.total})" if has_children else str(code.count)


@cache
def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(colour) if QColor(colour).isValid() else QColor("#cccccc")
    painter.setPen(fill.darker(150))
    painter.setBrush(fill)
    painter.drawRoundedRect(1, 1, 12, 12, 3, 3)
    painter.end()
    return QIcon(pixmap)


class _CodeModel(QStandardItemModel):
    """Items hold the code id; drops and name edits are handed to the tree as intents and
    never change the items themselves (the refresh after the change does that)."""

    def __init__(self, tree: CodebookTree) -> None:
        super().__init__(0, 2, tree)
        self._tree = tree
        self.setHorizontalHeaderLabels(["Code", "Passages"])

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # noqa: N802
        ids = [index.data(CODE_ID_ROLE) for index in indexes if index.column() == 0]
        return code_mime(ids[0]) if ids and ids[0] is not None else None

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return DRAG_ACTIONS

    supportedDropActions = supportedDragActions  # noqa: N815

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                        parent: Index) -> bool:
        return not self._tree.read_only and code_id_from_mime(data) is not None

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: Index) -> bool:
        code_id = code_id_from_mime(data)
        if code_id is None or self._tree.read_only:
            return False
        parent_id = parent.siblingAtColumn(0).data(CODE_ID_ROLE) if parent.isValid() else None
        return self._tree.drop_code(code_id, parent_id, row, merge=self._tree.view.shift_drop)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role == Qt.ItemDataRole.EditRole and index.column() == 0:
            code_id = index.data(CODE_ID_ROLE)
            name = " ".join(str(value).split())
            if code_id is not None and name and name != index.data(Qt.ItemDataRole.DisplayRole):
                self._tree.rename_requested.emit(code_id, name)
            return False
        return super().setData(index, value, role)


class _CodeView(QTreeView):
    """A tree view that starts its own drags (so no drop target can remove rows from it),
    remembers whether Shift was held at a drop, and turns Enter and Delete into intents."""

    enter_pressed = Signal()
    delete_pressed = Signal()
    editor_closed = Signal()

    def __init__(self, model: QStandardItemModel) -> None:
        super().__init__()
        self.shift_drop = False
        self.setModel(model)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(EDIT_TRIGGERS)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        index = self.currentIndex().siblingAtColumn(0)
        data = self.model().mimeData([index]) if index.isValid() else None
        if data is None:
            return
        drag = QDrag(self)
        drag.setMimeData(data)
        drag.setPixmap(self.viewport().grab(self.visualRect(index)))  # the row as it looks
        drag.exec(DRAG_ACTIONS, Qt.DropAction.MoveAction)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.shift_drop = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        try:
            super().dropEvent(event)
        finally:
            self.shift_drop = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        signal = {Qt.Key.Key_Return: self.enter_pressed, Qt.Key.Key_Enter: self.enter_pressed,
                  Qt.Key.Key_Delete: self.delete_pressed}.get(Qt.Key(event.key()))
        if signal is None or self.state() == QAbstractItemView.State.EditingState:
            super().keyPressEvent(event)
        else:
            signal.emit()

    def closeEditor(self, editor: QWidget, hint: QAbstractItemView.EndEditHint) -> None:  # noqa: N802
        super().closeEditor(editor, hint)
        self.editor_closed.emit()


class CodebookTree(QWidget):
    create_requested = Signal(object)  # parent code id or None
    rename_requested = Signal(int, str)
    recolour_requested = Signal(int)
    describe_requested = Signal(int)
    move_requested = Signal(int, object, int)  # code id, new parent id or None, position among siblings
    merge_requested = Signal(int, int)  # source id, target id
    delete_requested = Signal(int)
    apply_requested = Signal(int)  # apply the code to the editor's selection
    retrieve_requested = Signal(int)
    memo_requested = Signal(int)
    selection_changed = Signal(object)  # the selected code id or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codebookTree")
        self.read_only = False
        self._codes: dict[int, CodeRecord] = {}
        self._children: dict[int | None, list[int]] = {}
        self._items: dict[int, QStandardItem] = {}
        self._collapsed: set[int] = set()  # remembered as collapsed, so new codes show expanded
        self._restoring = False
        self._pending: list[CodeRecord] | None = None
        self._placeholder = EMPTY_TEXT

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter codes…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.returnPressed.connect(self._focus_first_match)

        self.model = _CodeModel(self)
        self.view = _CodeView(self.model)
        self.view.doubleClicked.connect(lambda index: self._emit_for(index, self.apply_requested))
        self.view.enter_pressed.connect(lambda: self._emit_for(self.view.currentIndex(), self.apply_requested))
        self.view.delete_pressed.connect(lambda: self._emit_for(self.view.currentIndex(), self.delete_requested))
        self.view.editor_closed.connect(self._show_pending)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.collapsed.connect(lambda index: self._remember_expansion(index, expanded=False))
        self.view.expanded.connect(lambda index: self._remember_expansion(index, expanded=True))
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.selection_changed.emit(current.siblingAtColumn(0).data(CODE_ID_ROLE)))

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color:#666;padding:12px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)

    # --- showing codes -------------------------------------------------------------------------

    def show_codes(self, records: Sequence[CodeRecord]) -> None:
        """Show the codebook (parents before children, as storage.codebook.codes_tree gives
        it), keeping which codes are collapsed, the selection and the scroll position."""
        if self.view.state() == QAbstractItemView.State.EditingState:
            self._pending = list(records)  # rebuilding now would throw away the name being typed
            return
        self._pending = None
        selected, scroll = self.selected_code_id(), self.view.verticalScrollBar().value()
        self._codes = {code.id: code for code in records}
        self._children = {}
        for code in records:
            self._children.setdefault(code.parent_id, []).append(code.id)
        self._collapsed &= set(self._codes)
        self._restoring = True
        try:
            self.model.removeRows(0, self.model.rowCount())
            self._items = {}
            for code in records:
                parent = self._items.get(code.parent_id) if code.parent_id is not None else None
                row = self._row(code)
                (parent or self.model.invisibleRootItem()).appendRow(row)
                self._items[code.id] = row[0]
            self._apply_filter(self.filter_edit.text())
        finally:
            self._restoring = False
        if selected in self._items:
            self.select_code(selected)
        self.view.verticalScrollBar().setValue(scroll)

    def set_placeholder(self, text: str) -> None:
        """What the panel says when there is no code to show (e.g. no project is open)."""
        self._placeholder = text
        self._update_empty_label()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only else EDIT_TRIGGERS)

    def _row(self, code: CodeRecord) -> list[QStandardItem]:
        has_children = bool(self._children.get(code.id))
        name = QStandardItem(_swatch(code.color), code.name)
        name.setData(code.id, CODE_ID_ROLE)
        name.setToolTip(self._tooltip(code))
        name.setFlags(ROW_FLAGS | Qt.ItemFlag.ItemIsEditable)
        if code.depth == 0:
            font = QFont(name.font())
            font.setBold(True)  # the findings stand out from the codes below them
            name.setFont(font)
        count = QStandardItem(count_text(code, has_children))
        count.setData(code.id, CODE_ID_ROLE)
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        count.setToolTip(f"{code.count} passages coded “{code.name}”"
                         + (f"; {code.total} with its sub-codes" if has_children else ""))
        count.setFlags(ROW_FLAGS)
        if code.total == 0:
            count.setForeground(QBrush(QColor("#888")))
        return [name, count]

    @staticmethod
    def _tooltip(code: CodeRecord) -> str:
        """The full name (long names are cut short in the tree), then the description."""
        lines = [code.name, code.description.strip() or "(no description yet)"]
        if code.merged_from:
            lines.append("Merged from: " + ", ".join(code.merged_from))
        return "\n".join(lines)

    # --- selection -----------------------------------------------------------------------------

    def selected_code_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return index.siblingAtColumn(0).data(CODE_ID_ROLE)

    def select_code(self, code_id: int) -> None:
        if (item := self._items.get(code_id)) is None:
            return
        index = item.index()
        parent = index.parent()
        while parent.isValid():
            self.view.expand(parent)
            parent = parent.parent()
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)

    def codes(self) -> list[CodeRecord]:
        return list(self._codes.values())

    def start_rename(self, code_id: int) -> None:
        """Edit a code's name in place (Rename in the context menu)."""
        if code_id in self._items and not self.read_only:
            self.select_code(code_id)
            self.view.edit(self._items[code_id].index())

    def _emit_for(self, index: QModelIndex, signal: Signal) -> None:  # type: ignore[type-arg]
        code_id = index.siblingAtColumn(0).data(CODE_ID_ROLE) if index.isValid() else None
        if code_id is not None:
            signal.emit(code_id)

    # --- drag and drop -------------------------------------------------------------------------

    def descendants(self, code_id: int) -> list[int]:
        """The code and every code below it."""
        found, frontier = [code_id], [code_id]
        while frontier:
            frontier = [child for parent in frontier for child in self._children.get(parent, [])]
            found.extend(frontier)
        return found

    def drop_code(self, code_id: int, parent_id: int | None, row: int, *, merge: bool = False) -> bool:
        """What dropping `code_id` means, in the model's terms: row -1 with a parent is a drop
        ON that code (a new last child, or with Shift a merge into it); a row is a drop
        BETWEEN the parent's children at that row; row -1 without a parent is empty space
        (the end of the top level). Emits the intent; False when the drop means nothing."""
        if (code := self._codes.get(code_id)) is None:
            return False
        if merge:
            if row != -1 or parent_id is None or parent_id in self.descendants(code_id):
                return False  # a merge needs a code to go into, and not one of its own
            self.merge_requested.emit(code_id, parent_id)
            return True
        if parent_id is not None and parent_id in self.descendants(code_id):
            return False  # under itself
        siblings = [c for c in self._children.get(parent_id, []) if c != code_id]
        if row < 0:
            position = len(siblings)
        else:
            position = row
            if code.parent_id == parent_id and self._children[parent_id].index(code_id) < row:
                position -= 1  # the gap was counted with the code still in its old place
        position = min(max(position, 0), len(siblings))
        if parent_id == code.parent_id and position == self._children[parent_id].index(code_id):
            return False
        self.move_requested.emit(code_id, parent_id, position)
        return True

    # --- filter -------------------------------------------------------------------------------

    def _apply_filter(self, text: str) -> None:
        """Show the codes whose name contains the text, with their ancestors; with no text,
        show everything, collapsed as the user left it."""
        wanted = text.strip().casefold()
        visible: set[int] = set()
        if wanted:
            for code in self._codes.values():
                if wanted in code.name.casefold():
                    current: int | None = code.id
                    while current is not None and current not in visible:
                        visible.add(current)
                        current = self._codes[current].parent_id
        else:
            visible = set(self._codes)
        was_restoring, self._restoring = self._restoring, True
        try:
            for code_id, item in self._items.items():
                index = item.index()
                self.view.setRowHidden(index.row(), index.parent(), code_id not in visible)
                if self._children.get(code_id):
                    self.view.setExpanded(index, bool(wanted) or code_id not in self._collapsed)
        finally:
            self._restoring = was_restoring
        self._update_empty_label(no_match=bool(wanted) and not visible)

    def _update_empty_label(self, no_match: bool = False) -> None:
        self.empty_label.setText(f"No code matches “{self.filter_edit.text().strip()}”." if no_match else self._placeholder)
        self.empty_label.setVisible(no_match or not self._codes)

    def _focus_first_match(self) -> None:
        for code_id, item in self._items.items():
            index = item.index()
            if not self.view.isRowHidden(index.row(), index.parent()) and \
                    self.filter_edit.text().strip().casefold() in self._codes[code_id].name.casefold():
                self.select_code(code_id)
                self.view.setFocus()
                return

    def _remember_expansion(self, index: QModelIndex, *, expanded: bool) -> None:
        code_id = index.siblingAtColumn(0).data(CODE_ID_ROLE)
        if self._restoring or code_id is None or self.filter_edit.text().strip():
            return  # only the user's own clicks on an unfiltered tree count
        (self._collapsed.discard if expanded else self._collapsed.add)(code_id)

    def _show_pending(self) -> None:
        if self._pending is not None:
            self.show_codes(self._pending)

    # --- context menu ---------------------------------------------------------------------------

    def context_menu(self, code_id: int | None) -> QMenu:
        """The menu for a code (or for empty space when `code_id` is None)."""
        menu = QMenu(self)
        code = self._codes.get(code_id) if code_id is not None else None
        writable = not self.read_only
        menu.addAction("New Code…", lambda: self.create_requested.emit(None)).setEnabled(writable)
        if code is None:
            return menu
        menu.addAction("New Sub-code…", lambda: self.create_requested.emit(code.id)).setEnabled(writable)
        menu.addSeparator()
        menu.addAction("Rename", lambda: self.start_rename(code.id)).setEnabled(writable)
        menu.addAction("Colour…", lambda: self.recolour_requested.emit(code.id)).setEnabled(writable)
        menu.addAction("Description…", lambda: self.describe_requested.emit(code.id)).setEnabled(writable)
        merge = menu.addMenu("Merge Into")
        own = set(self.descendants(code.id))
        for other in (other for other in self._codes.values() if other.id not in own):
            merge.addAction("    " * other.depth + other.name,
                            lambda target=other.id: self.merge_requested.emit(code.id, target))
        merge.setEnabled(writable and not merge.isEmpty())
        menu.addAction("Delete…", lambda: self.delete_requested.emit(code.id)).setEnabled(writable)
        menu.addSeparator()
        menu.addAction("Apply to Selection", lambda: self.apply_requested.emit(code.id)).setEnabled(writable)
        menu.addAction("Coded Passages", lambda: self.retrieve_requested.emit(code.id))
        menu.addAction("Memo", lambda: self.memo_requested.emit(code.id))
        return menu

    def _show_context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        code_id = index.siblingAtColumn(0).data(CODE_ID_ROLE) if index.isValid() else None
        if code_id is not None:
            self.select_code(code_id)
        self.context_menu(code_id).exec(self.view.viewport().mapToGlobal(point))
