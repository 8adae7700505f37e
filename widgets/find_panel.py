"""Find and replace: in the open transcript, or across all of them with a list of results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QGridLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget,
)

from storage.search import TextMatch


@dataclass(frozen=True)
class FindOptions:
    needle: str
    replacement: str
    match_case: bool
    whole_words: bool
    everywhere: bool


class FindPanel(QWidget):
    find_next_requested = Signal(object)  # FindOptions
    replace_requested = Signal(object)
    replace_all_requested = Signal(object)
    match_activated = Signal(object)  # TextMatch

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findPanel")
        grid = QGridLayout(self)
        self.needle = QLineEdit()
        self.needle.setPlaceholderText("Find")
        self.needle.returnPressed.connect(lambda: self.find_next_requested.emit(self.options()))
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText("Replace with")
        self.match_case = QCheckBox("Match case")
        self.whole_words = QCheckBox("Whole words")
        self.everywhere = QCheckBox("All transcripts")
        find = QPushButton("Find Next")
        find.clicked.connect(lambda: self.find_next_requested.emit(self.options()))
        replace = QPushButton("Replace")
        replace.clicked.connect(lambda: self.replace_requested.emit(self.options()))
        replace_all = QPushButton("Replace All")
        replace_all.clicked.connect(lambda: self.replace_all_requested.emit(self.options()))
        self.summary = QLabel()
        self.results = QListWidget()
        self.results.itemActivated.connect(lambda item: self.match_activated.emit(item.data(Qt.ItemDataRole.UserRole)))
        grid.addWidget(self.needle, 0, 0, 1, 2)
        grid.addWidget(find, 0, 2)
        grid.addWidget(self.replacement, 1, 0, 1, 2)
        grid.addWidget(replace, 1, 2)
        grid.addWidget(self.match_case, 2, 0)
        grid.addWidget(self.whole_words, 2, 1)
        grid.addWidget(replace_all, 2, 2)
        grid.addWidget(self.everywhere, 3, 0)
        grid.addWidget(self.summary, 3, 1, 1, 2)
        grid.addWidget(self.results, 4, 0, 1, 3)

    def options(self) -> FindOptions:
        return FindOptions(self.needle.text(), self.replacement.text(), self.match_case.isChecked(),
                           self.whole_words.isChecked(), self.everywhere.isChecked())

    def start(self, text: str, everywhere: bool) -> None:
        if text:
            self.needle.setText(text)
        self.everywhere.setChecked(everywhere)
        self.needle.setFocus()
        self.needle.selectAll()

    def show_matches(self, matches: Sequence[TextMatch]) -> None:
        self.results.clear()
        for match in matches:
            item = QListWidgetItem(f"{match.transcript_name} · turn {match.position + 1}: {match.context}")
            item.setData(Qt.ItemDataRole.UserRole, match)
            self.results.addItem(item)
        transcripts = len({m.transcript_id for m in matches})
        self.summary.setText(f"{len(matches)} found in {transcripts} transcript{'s' * (transcripts != 1)}"
                             if matches else "Not found")
