"""Help → Keyboard Shortcuts: every command with its keys, editable, with a reset."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QKeySequenceEdit, QLabel, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)


class ShortcutsDialog(QDialog):
    """`rows`: (id, group, title, current keys, default keys). `on_save(id, keys)` stores a change."""

    def __init__(self, rows: Sequence[tuple[str, str, str, list[str], list[str]]], fixed: Sequence[str],
                 on_save: Callable[[str, list[str]], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(760, 680)
        self._rows, self._on_save = list(rows), on_save
        layout = QVBoxLayout(self)
        intro = QLabel("Click a key to change it, then press the new keys (a foot pedal's key works too). "
                       "Playback keys work while you type.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self._rows), 4)
        self.table.setHorizontalHeaderLabels(["Group", "Command", "Key", "Second key"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            self.table.setColumnWidth(column, 170)
        self._editors: list[tuple[QKeySequenceEdit, QKeySequenceEdit]] = []
        for row, (_, group, title, keys, _defaults) in enumerate(self._rows):
            for column, text in enumerate((group, title)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, item)
            first, second = QKeySequenceEdit(), QKeySequenceEdit()
            for edit, key in ((first, keys[0] if keys else ""), (second, keys[1] if len(keys) > 1 else "")):
                edit.setKeySequence(QKeySequence(key))
                edit.setClearButtonEnabled(True)
            self.table.setCellWidget(row, 2, first)
            self.table.setCellWidget(row, 3, second)
            self._editors.append((first, second))
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Fixed keys: " + "; ".join(fixed) + "."))
        layout.itemAt(layout.count() - 1).widget().setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout.addWidget(buttons)

    def restore_defaults(self) -> None:
        for (first, second), (_, _, _, _, defaults) in zip(self._editors, self._rows):
            first.setKeySequence(QKeySequence(defaults[0] if defaults else ""))
            second.setKeySequence(QKeySequence(defaults[1] if len(defaults) > 1 else ""))

    def save(self) -> None:
        for (first, second), (shortcut_id, *_rest) in zip(self._editors, self._rows):
            keys = [edit.keySequence().toString() for edit in (first, second) if not edit.keySequence().isEmpty()]
            self._on_save(shortcut_id, keys)
        self.accept()
