"""The pre-export check's question: listed real names would leave the project in this export;
here is where. Pseudonymise and export (the default), export anyway, or cancel.

Shows data only; the app ran the check (storage.export_text.leaking_names) and acts on `choice`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from storage.pseudonym_records import NameLeak

PSEUDONYMISE = "pseudonymise"
ANYWAY = "anyway"


class NameCheckDialog(QDialog):
    def __init__(self, leaks: Sequence[NameLeak], *, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Real names in the export")
        self.setObjectName("nameCheckDialog")
        self.resize(640, 420)
        self.choice: str | None = None  # PSEUDONYMISE, ANYWAY, or None (cancelled)
        layout = QVBoxLayout(self)
        count = len(leaks)
        heading = QLabel(f"<b>{what} would carry listed real names out of the project</b> "
                         f"({count} place{'s' if count != 1 else ''}).<br>Pseudonymise replaces them in the exported "
                         "file only; the project stays as it is.")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.places = QTreeWidget()
        self.places.setObjectName("leakList")
        self.places.setHeaderLabels(("Name as written", "Listed as", "Where"))
        self.places.setRootIsDecorated(False)
        self.places.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for leak in leaks:
            QTreeWidgetItem(self.places, [leak.text, leak.real_name, leak.place])
        self.places.setColumnWidth(0, 140)
        self.places.setColumnWidth(1, 150)
        layout.addWidget(self.places, 1)
        buttons = QDialogButtonBox()
        self.pseudonymise_button = QPushButton("Pseudonymise and Export")
        self.anyway_button = QPushButton("Export Anyway")
        self.cancel_button = QPushButton("Cancel")
        buttons.addButton(self.pseudonymise_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.anyway_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.pseudonymise_button.setDefault(True)
        self.pseudonymise_button.clicked.connect(lambda: self._choose(PSEUDONYMISE))
        self.anyway_button.clicked.connect(lambda: self._choose(ANYWAY))
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def ask_about_names(leaks: Sequence[NameLeak], what: str, parent: QWidget | None) -> str | None:
    """The pre-export question every export asks: PSEUDONYMISE, ANYWAY, or None (cancelled)."""
    dialog = NameCheckDialog(list(leaks), what=what, parent=parent)
    try:
        dialog.exec()
        return dialog.choice if dialog.choice in (PSEUDONYMISE, ANYWAY) else None
    finally:
        dialog.deleteLater()
