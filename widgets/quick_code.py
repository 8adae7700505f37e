"""Quick Code: a small palette at the text cursor to apply a code without leaving the keyboard.

Type to filter the codes (a case-insensitive substring of the name), Up/Down to choose, Enter to
apply, Esc to close. The codes used last come first, then names that begin with what was typed,
then the rest in codebook order, because a researcher coding a transcript keeps reaching for the
same handful of codes. When no code has exactly the typed name, the last row offers to create it
and apply it in one step (the first row when nothing matches, so Enter does it).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from storage.analysis_records import CodeRecord

CREATE = "create"  # the role value of the "Create code …" row
VISIBLE_ROWS = 10


class QuickCodePopup(QFrame):
    code_chosen = Signal(int)  # apply this code
    create_requested = Signal(str)  # create a code with this name and apply it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quickCode")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Type a code name…")
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the line edit
        self.list.setUniformItemSizes(True)
        self.hint = QLabel("Enter applies · Esc closes")
        self.hint.setStyleSheet("color: gray; font-size: small;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self._codes: list[CodeRecord] = []
        self._paths: dict[int, str] = {}
        self._recent: list[int] = []
        self.edit.textChanged.connect(self._filter)
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self.accept_current())
        self.list.itemClicked.connect(lambda _item: self.accept_current())

    # --- showing -------------------------------------------------------------------------------

    def set_codes(self, codes: Sequence[CodeRecord], recent: Sequence[int] = ()) -> None:
        """The codebook in tree order (parents before children), and the codes used last,
        most recent first."""
        self._codes = list(codes)
        names = {code.id: code for code in codes}
        self._paths = {}
        for code in codes:
            parents, parent_id = [], code.parent_id
            while parent_id is not None and parent_id in names and len(parents) < 8:
                parents.append(names[parent_id].name)
                parent_id = names[parent_id].parent_id
            self._paths[code.id] = " › ".join(reversed(parents))
        self._recent = [code_id for code_id in recent if code_id in names]
        self._filter(self.edit.text())

    def open_at(self, position: QPoint) -> None:
        """Show below `position` (global coordinates), kept on the screen, with an empty filter."""
        self.edit.clear()
        self._filter("")
        self.resize(self.sizeHint())
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        x, y = position.x(), position.y()
        if screen is not None:
            x = max(screen.left(), min(x, screen.right() - self.width()))
            if y + self.height() > screen.bottom():
                y = max(screen.top(), y - self.height() - 24)  # above the line instead
        self.move(x, y)
        self.show()
        self.edit.setFocus()

    def sizeHint(self) -> QSize:  # noqa: N802
        rows = min(max(self.list.count(), 1), VISIBLE_ROWS)
        row = self.list.sizeHintForRow(0) if self.list.count() else self.fontMetrics().height() + 6
        return QSize(380, self.edit.sizeHint().height() + rows * row + self.hint.sizeHint().height() + 30)

    # --- filtering -----------------------------------------------------------------------------

    def matching_codes(self, text: str) -> list[CodeRecord]:
        """The codes whose name contains `text` (ignoring case), in the order shown."""
        wanted = " ".join(text.split()).casefold()
        matches = [code for code in self._codes if wanted in code.name.casefold()]
        by_id = {code.id: code for code in matches}
        recent = [by_id[code_id] for code_id in self._recent if code_id in by_id]
        rest = [code for code in matches if code.id not in set(self._recent)]
        beginning = [code for code in rest if code.name.casefold().startswith(wanted)]
        inside = [code for code in rest if not code.name.casefold().startswith(wanted)]
        return recent + beginning + inside

    def rows(self) -> list[str]:
        return [self.list.item(n).text() for n in range(self.list.count())]

    def _filter(self, text: str) -> None:
        self.list.clear()
        for code in self.matching_codes(text):
            label = code.name if not self._paths.get(code.id) else f"{code.name}    ({self._paths[code.id]})"
            item = QListWidgetItem(_swatch(code.color), label)
            item.setData(Qt.ItemDataRole.UserRole, code.id)
            item.setToolTip(code.description or code.name)
            self.list.addItem(item)
        name = " ".join(text.split())
        if name and not any(code.name.casefold() == name.casefold() for code in self._codes):
            item = QListWidgetItem(f"Create code “{name}” and apply")
            item.setData(Qt.ItemDataRole.UserRole, CREATE)
            font = item.font()
            font.setItalic(True)
            item.setFont(font)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.hint.setText("Enter applies · Esc closes" if self._codes or name else
                          "No codes yet: type a name to create the first one")
        if self.isVisible():
            self.resize(self.sizeHint())

    # --- keys ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move({Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                            Qt.Key.Key_PageDown: VISIBLE_ROWS, Qt.Key.Key_PageUp: -VISIBLE_ROWS}[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        count = self.list.count()
        if count:
            self.list.setCurrentRow(min(max(self.list.currentRow() + step, 0), count - 1))

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        value = item.data(Qt.ItemDataRole.UserRole)
        name = " ".join(self.edit.text().split())
        self.close()
        if value == CREATE:
            self.create_requested.emit(name)
        else:
            self.code_chosen.emit(int(value))


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)
