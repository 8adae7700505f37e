"""The Pseudonyms dialog: the project's list of real names and their replacements, and a preview
of every match, grouped by name, each with a tick box, so the researcher sees each replacement
before it is made and can leave some out.

The dialog only shows data and asks: `add_requested(real, replacement, variants)`,
`edit_requested(id, real, replacement, variants)`, `remove_requested(id)`,
`preview_requested(PreviewScope)`, `apply_requested(list of PseudonymMatch)` and
`match_activated(PseudonymMatch)`. The app changes the project (app/pseudonym_actions.py) and
answers with show_entries / show_matches / show_message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from storage.pseudonym_records import PseudonymMatch, PseudonymRecord
from widgets.clock import clock
from widgets.match_delegate import HTML_ROLE, MatchDelegate, marked

ERROR_COLOUR = "#b00020"
MATCH_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class PreviewScope:
    everywhere: bool = True  # every transcript; otherwise the one shown in the editor
    memos: bool = True  # memos too (only with every transcript)


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def split_variants(text: str) -> list[str]:
    """"Sarah, S.J.,  SJ" -> ["Sarah", "S.J.", "SJ"]: variants are typed separated by commas."""
    return [part.strip() for part in text.split(",") if part.strip()]


class PseudonymDialog(QDialog):
    add_requested = Signal(str, str, list)
    edit_requested = Signal(int, str, str, list)
    remove_requested = Signal(int)
    preview_requested = Signal(object)  # PreviewScope
    apply_requested = Signal(list)  # the ticked PseudonymMatch records
    match_activated = Signal(object)  # PseudonymMatch: show it in the editor

    def __init__(self, *, transcript_name: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pseudonyms")
        self.setObjectName("pseudonymDialog")
        self.resize(940, 680)
        self._entries: list[PseudonymRecord] = []
        self._filling = False  # show_entries is refilling the table: do not copy a row into the form
        self._read_only = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_list())
        layout.addWidget(self._build_preview(transcript_name), 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        note = QLabel("Ticked matches are replaced in the transcripts, codings kept (Edit ▸ Undo puts them back). "
                      "To keep the project as it is, choose “Pseudonymise” when exporting instead.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        buttons.addWidget(note, 1)
        self.apply_button = QPushButton("Replace Ticked Matches")
        self.apply_button.clicked.connect(self._apply)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        # Return in a field adds or saves the entry; it must never press Replace or Close.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self._update_buttons()

    # --- the list --------------------------------------------------------------------------------

    def _build_list(self) -> QGroupBox:
        box = QGroupBox("Real names and their pseudonyms")
        layout = QVBoxLayout(box)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("pseudonymTable")
        self.table.setHorizontalHeaderLabels(("Real name", "Replaced by", "Also matches"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(1, 180)
        self.table.setMaximumHeight(170)
        self.table.itemSelectionChanged.connect(self._fill_form)
        layout.addWidget(self.table)
        form = QGridLayout()
        self.real_field, self.replacement_field, self.variants_field = QLineEdit(), QLineEdit(), QLineEdit()
        self.real_field.setPlaceholderText("e.g. Sarah Jones")
        self.replacement_field.setPlaceholderText("e.g. SN1, or M (social worker)")
        self.variants_field.setPlaceholderText("other spellings, separated by commas: Sarah, S.J.")
        for column, (label, field) in enumerate((("Real name", self.real_field), ("Replaced by", self.replacement_field),
                                                 ("Also matches", self.variants_field))):
            form.addWidget(QLabel(label), 0, column)
            form.addWidget(field, 1, column)
            field.textChanged.connect(self._update_buttons)
        form.setColumnStretch(2, 1)
        self.add_button, self.save_button, self.remove_button, self.new_button = (
            QPushButton("Add"), QPushButton("Save Changes"), QPushButton("Remove"), QPushButton("New"))
        self.add_button.clicked.connect(self._add)
        self.save_button.clicked.connect(self._save)
        self.remove_button.clicked.connect(self._remove)
        self.new_button.clicked.connect(self._new)
        self.new_button.setToolTip("Clear the fields to list another name")
        for field in (self.real_field, self.replacement_field, self.variants_field):
            field.returnPressed.connect(self._add_or_save)
        for column, button in enumerate((self.add_button, self.save_button, self.remove_button, self.new_button), 3):
            form.addWidget(button, 1, column)
        layout.addLayout(form)
        return box

    def show_entries(self, entries: Sequence[PseudonymRecord]) -> None:
        """Show the list; the form is cleared (what was typed was saved)."""
        self._entries = list(entries)
        self._filling = True
        self.table.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            for column, text in enumerate((entry.real_name, entry.replacement, ", ".join(entry.variants))):
                item = QTableWidgetItem(text)
                item.setData(ENTRY_ROLE, entry.id)
                self.table.setItem(row, column, item)
        self.table.clearSelection()
        self._filling = False
        for field in (self.real_field, self.replacement_field, self.variants_field):
            field.clear()
        self._update_buttons()

    def selected_entry(self) -> PseudonymRecord | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self._entries[min(rows)] if rows else None

    def _fill_form(self) -> None:
        entry = self.selected_entry()
        if entry is not None and not self._filling:
            self.real_field.setText(entry.real_name)
            self.replacement_field.setText(entry.replacement)
            self.variants_field.setText(", ".join(entry.variants))
        self._update_buttons()

    def _typed(self) -> tuple[str, str, list[str]]:
        return self.real_field.text().strip(), self.replacement_field.text().strip(), split_variants(self.variants_field.text())

    def _add(self) -> None:
        real, replacement, variants = self._typed()
        self.add_requested.emit(real, replacement, variants)

    def _save(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            real, replacement, variants = self._typed()
            self.edit_requested.emit(entry.id, real, replacement, variants)

    def _new(self) -> None:
        self.table.clearSelection()
        for field in (self.real_field, self.replacement_field, self.variants_field):
            field.clear()
        self.real_field.setFocus()

    def _add_or_save(self) -> None:
        (self._save if self.selected_entry() is not None else self._add)()

    def _remove(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.remove_requested.emit(entry.id)

    # --- the preview -----------------------------------------------------------------------------

    def _build_preview(self, transcript_name: str | None) -> QGroupBox:
        box = QGroupBox("Every match")
        layout = QVBoxLayout(box)
        options = QHBoxLayout()
        self.scope = QComboBox()
        self.scope.addItem("In every transcript", True)
        if transcript_name is not None:
            self.scope.addItem(f"In “{transcript_name}” only", False)
        self.memos_box = QCheckBox("and list the names in memos")
        self.memos_box.setChecked(True)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.memos_box.toggled.connect(self._scope_changed)
        self.summary = QLabel()
        options.addWidget(self.scope)
        options.addWidget(self.memos_box)
        options.addStretch(1)
        options.addWidget(self.summary)
        layout.addLayout(options)
        self.tree = QTreeWidget()
        self.tree.setObjectName("pseudonymPreview")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(("Where", "Time", "Speaker", "Match in its context"))
        self.tree.setColumnWidth(0, 230)
        self.tree.setColumnWidth(1, 70)
        self.tree.setColumnWidth(2, 80)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegateForColumn(3, MatchDelegate(self.tree))
        self.tree.itemChanged.connect(self._ticks_changed)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)
        return box

    def scope_options(self) -> PreviewScope:
        everywhere = bool(self.scope.currentData())
        return PreviewScope(everywhere, everywhere and self.memos_box.isChecked())

    def _scope_changed(self) -> None:
        self.memos_box.setEnabled(bool(self.scope.currentData()))
        self.preview_requested.emit(self.scope_options())

    def show_matches(self, matches: Sequence[PseudonymMatch]) -> None:
        """Every match in the transcripts under its name, all ticked; matches in memos last,
        under a heading of their own and without tick boxes: a memo's text is the memo panel's
        to change (its own editor and undo), so they are listed for the researcher to open and
        edit there. Exports that carry memos pseudonymise them all the same."""
        self.tree.blockSignals(True)
        self.tree.clear()
        groups: dict[int, list[PseudonymMatch]] = {}
        for match in matches:
            if match.kind == "turn":
                groups.setdefault(match.pseudonym_id, []).append(match)
        for found in groups.values():
            group = self._heading(f"{found[0].real_name} → {found[0].replacement}   "
                                  f"({plural(len(found), 'match', 'matches')})", tickable=True)
            for match in found:
                self._row(group, match, tickable=True)
            group.setCheckState(0, Qt.CheckState.Checked)
        in_memos = [match for match in matches if match.kind != "turn"]
        if in_memos:
            group = self._heading(f"In memos ({plural(len(in_memos), 'match', 'matches')}): not changed here; "
                                  "double-click one to edit it in the memo panel", tickable=False)
            for match in in_memos:
                self._row(group, match, tickable=False)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._ticks_changed()

    def _heading(self, text: str, *, tickable: bool) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self.tree)
        if tickable:
            group.setFlags(group.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
        else:
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        group.setText(0, text)
        group.setFirstColumnSpanned(True)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        return group

    @staticmethod
    def _row(group: QTreeWidgetItem, match: PseudonymMatch, *, tickable: bool) -> None:
        item = QTreeWidgetItem(group)
        if tickable:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
        else:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        item.setText(0, match.where)
        item.setText(1, clock(match.start_time) if match.start_time is not None else "")
        item.setText(2, match.speaker or ("title" if match.kind == "memo_title" else ""))
        item.setText(3, match.context.replace("\n", " "))
        item.setData(3, HTML_ROLE, marked(match.before, match.text, match.after, match.replacement))
        item.setToolTip(3, f"“{match.text}” becomes “{match.replacement}”")
        item.setData(0, MATCH_ROLE, match)

    def all_matches(self) -> list[PseudonymMatch]:
        """The matches that can be replaced here (in transcripts)."""
        return [match for match in self._matches() if match.kind == "turn"]

    def memo_matches(self) -> list[PseudonymMatch]:
        return [match for match in self._matches() if match.kind != "turn"]

    def ticked_matches(self) -> list[PseudonymMatch]:
        return [match for group in self._groups() for child in self._children(group)
                if (match := child.data(0, MATCH_ROLE)) is not None and match.kind == "turn"
                and child.checkState(0) == Qt.CheckState.Checked]

    def _matches(self) -> list[PseudonymMatch]:
        return [child.data(0, MATCH_ROLE) for group in self._groups() for child in self._children(group)]

    def set_ticked(self, match: PseudonymMatch, ticked: bool) -> None:
        for group in self._groups():
            for child in self._children(group):
                if child.data(0, MATCH_ROLE) == match:
                    child.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _groups(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    @staticmethod
    def _children(group: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        return [group.child(i) for i in range(group.childCount())]

    def _ticks_changed(self, *_args: object) -> None:
        total, ticked, in_memos = len(self.all_matches()), len(self.ticked_matches()), len(self.memo_matches())
        names = len({match.pseudonym_id for match in self.all_matches()})
        memo_note = f"; {in_memos:,} in memos" if in_memos else ""
        self.summary.setText(("No listed name occurs in the transcripts" if not total else
                              f"{plural(total, 'match', 'matches')} of {plural(names, 'name')}; {ticked:,} ticked")
                             + memo_note)
        self._update_buttons()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        match = item.data(0, MATCH_ROLE)
        if match is not None:
            self.match_activated.emit(match)

    def _apply(self) -> None:
        chosen = self.ticked_matches()
        if chosen:
            self.apply_requested.emit(chosen)

    # --- state -----------------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def set_read_only(self, reason: str) -> None:
        self._read_only = True
        self.show_message(reason, error=True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        writable = not self._read_only
        real, replacement, _variants = self._typed()
        selected = self.selected_entry() is not None
        self.add_button.setEnabled(writable and not selected and bool(real and replacement))
        self.new_button.setEnabled(selected or bool(real or replacement))
        self.save_button.setEnabled(writable and selected and bool(real and replacement))
        self.remove_button.setEnabled(writable and selected)
        ticked = len(self.ticked_matches())
        self.apply_button.setEnabled(writable and ticked > 0)
        self.apply_button.setText(f"Replace {plural(ticked, 'Match', 'Matches')}" if ticked else "Replace Ticked Matches")
