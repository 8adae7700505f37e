"""The participant register: one row per participant (role code, role, organisation, consent,
linked speaker labels, attributes), edited in place.

Code, role and organisation are edited in their cells; consent in a combo box; speakers and
attributes open a dialog on double-click (or the buttons above). Participants who consented to be
observed only, or who withdrew, are drawn greyed, and the reason is said in the row's tooltip and
below the table: their words are left out of analysis. The view shows data only and emits
*_requested signals; the app changes the project and shows the register again.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from storage.register_records import CONSENT_LABELS, EXCLUDED_LABELS, ParticipantRecord

COLUMNS = ("Code", "Role", "Organisation", "Consent", "Speakers", "Attributes")
CODE, ROLE, ORGANISATION, CONSENT, SPEAKERS, ATTRIBUTES = range(len(COLUMNS))
FIELDS = {CODE: "role_code", ROLE: "role", ORGANISATION: "organisation"}  # columns edited in place
PARTICIPANT_ID = Qt.ItemDataRole.UserRole
EXCLUDED_COLOUR = QColor("#8a8a8a")
EMPTY_TEXT = ("No participants yet. Add one for each role code (SN1, CS…): names never go in the register. "
              "A participant whose code matches a speaker label in a transcript is linked to it at once.")


def attributes_text(participant: ParticipantRecord) -> str:
    return " · ".join(f"{name}: {value}" if value else name for name, value in participant.attributes)


class ParticipantRegister(QWidget):
    add_requested = Signal()
    field_edited = Signal(int, str, str)  # participant id, "role_code" | "role" | "organisation", the new text
    consent_requested = Signal(int, str)  # participant id, consent level
    speakers_requested = Signal(int)  # participant id: choose the speaker labels that are them
    attributes_requested = Signal(int)  # participant id: edit the free attributes
    remove_requested = Signal(int)
    memo_requested = Signal(int)
    link_matching_requested = Signal()  # link every unlinked speaker label that equals a role code
    selection_changed = Signal(int)  # participant id, -1 for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("participantRegister")
        self._participants: list[ParticipantRecord] = []
        self._loading = False
        self._read_only = True

        self.add_button = QPushButton("&Add Participant…")
        self.add_button.clicked.connect(self.add_requested.emit)
        self.speakers_button = QPushButton("&Speakers…")
        self.speakers_button.setToolTip("Which speaker labels in the transcripts are this participant")
        self.speakers_button.clicked.connect(lambda: self._emit_selected(self.speakers_requested))
        self.attributes_button = QPushButton("A&ttributes…")
        self.attributes_button.clicked.connect(lambda: self._emit_selected(self.attributes_requested))
        self.memo_button = QPushButton("&Memo…")
        self.memo_button.clicked.connect(lambda: self._emit_selected(self.memo_requested))
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(lambda: self._emit_selected(self.remove_requested))
        self.match_button = QPushButton()
        self.match_button.setObjectName("linkMatchingButton")
        self.match_button.clicked.connect(self.link_matching_requested.emit)
        self.match_button.hide()
        bar = QHBoxLayout()
        for button in (self.add_button, self.speakers_button, self.attributes_button, self.memo_button,
                       self.remove_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.match_button)

        self.banner = QLabel()
        self.banner.setObjectName("registerReadOnly")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff3cd;color:#5c4400;padding:4px;")
        self.banner.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("participantTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, mode in ((CODE, QHeaderView.ResizeMode.ResizeToContents), (ROLE, QHeaderView.ResizeMode.Stretch),
                             (ORGANISATION, QHeaderView.ResizeMode.Interactive),
                             (CONSENT, QHeaderView.ResizeMode.ResizeToContents),
                             (SPEAKERS, QHeaderView.ResizeMode.Interactive), (ATTRIBUTES, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(ORGANISATION, 140)
        header.resizeSection(SPEAKERS, 90)
        self.table.itemChanged.connect(self._item_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("registerEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color:#666;padding:12px;")
        self.excluded = QLabel()
        self.excluded.setObjectName("registerExcluded")
        self.excluded.setWordWrap(True)
        self.excluded.setStyleSheet("color:#6b6b6b;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.excluded)
        self._update_enabled()

    # --- what the app calls ----------------------------------------------------------------------

    def show_participants(self, participants: Sequence[ParticipantRecord], matching: Sequence[str] = ()) -> None:
        """Show the register; `matching` are unlinked speaker labels that equal a role code."""
        selected = self.selected_id()
        self._participants = list(participants)
        self._loading = True
        try:
            self.table.setRowCount(0)
            self.table.setRowCount(len(self._participants))
            for row, participant in enumerate(self._participants):
                self._fill_row(row, participant)
        finally:
            self._loading = False
        self.empty.setVisible(not self._participants)
        reasons = [f"{p.role_code} ({EXCLUDED_LABELS[p.consent]})" for p in self._participants if p.excluded]
        self.excluded.setText(f"Left out of analysis: {'; '.join(reasons)}. Their turns stay in the transcripts, "
                              "greyed, and are left out of coding, retrieval, counts and exports." if reasons else "")
        self.excluded.setVisible(bool(reasons))
        self.match_button.setText(f"Link Matching Speakers ({', '.join(matching)})" if matching else "")
        self.match_button.setToolTip("Link each speaker label that equals a role code to that participant")
        self.match_button.setVisible(bool(matching))
        if selected is not None:
            self.select(selected)
        self._update_enabled()

    def set_read_only(self, reason: str | None) -> None:
        """None: editable. Otherwise the register says why nothing can change, and changes nothing."""
        self._read_only = reason is not None
        self.banner.setText(f"This project is read-only ({reason}): the register cannot be changed." if reason else "")
        self.banner.setVisible(reason is not None)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if self._read_only else
                                   QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, CONSENT)
            if combo is not None:
                combo.setEnabled(not self._read_only)
        self._update_enabled()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), CODE)
        return None if item is None else int(item.data(PARTICIPANT_ID))

    def select(self, participant_id: int) -> None:
        for row, participant in enumerate(self._participants):
            if participant.id == participant_id:
                self.table.selectRow(row)
                return

    def participants(self) -> list[ParticipantRecord]:
        return list(self._participants)

    # --- inside ----------------------------------------------------------------------------------

    def _fill_row(self, row: int, participant: ParticipantRecord) -> None:
        tip = participant.exclusion_reason
        texts = {CODE: participant.role_code, ROLE: participant.role, ORGANISATION: participant.organisation,
                 SPEAKERS: ", ".join(participant.speakers) or "none linked", ATTRIBUTES: attributes_text(participant)}
        for column, text in texts.items():
            item = QTableWidgetItem(text)
            item.setData(PARTICIPANT_ID, participant.id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if column in FIELDS:
                flags |= Qt.ItemFlag.ItemIsEditable
            else:
                item.setToolTip("Double-click to choose" if column == SPEAKERS else "Double-click to edit")
            item.setFlags(flags)
            if participant.excluded or (column == SPEAKERS and not participant.speakers):
                item.setForeground(QBrush(EXCLUDED_COLOUR))
            if participant.excluded:
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
                item.setToolTip(tip)
            self.table.setItem(row, column, item)
        combo = QComboBox()
        combo.setObjectName(f"consent_{participant.role_code}")
        for key, label in CONSENT_LABELS.items():
            combo.addItem(label, key)
        combo.setCurrentIndex(max(0, combo.findData(participant.consent)))
        combo.setEnabled(not self._read_only)
        combo.setToolTip(tip or "Full consent: everything this participant says can be analysed")
        if participant.excluded:
            # Italic like the rest of the row, but not grey: the combo is how consent is given back.
            combo.setStyleSheet("font-style:italic;")
        combo.activated.connect(lambda _index, c=combo, p=participant.id: self._consent_chosen(p, str(c.currentData())))
        self.table.setCellWidget(row, CONSENT, combo)

    def _consent_chosen(self, participant_id: int, consent: str) -> None:
        if not self._read_only:
            self.consent_requested.emit(participant_id, consent)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() not in FIELDS or self._read_only:
            return
        participant_id = int(item.data(PARTICIPANT_ID))
        self.field_edited.emit(participant_id, FIELDS[item.column()], item.text())

    def _double_clicked(self, row: int, column: int) -> None:
        item = self.table.item(row, CODE)
        if item is None or self._read_only:
            return
        if column == SPEAKERS:
            self.speakers_requested.emit(int(item.data(PARTICIPANT_ID)))
        elif column == ATTRIBUTES:
            self.attributes_requested.emit(int(item.data(PARTICIPANT_ID)))

    def _emit_selected(self, signal: Signal) -> None:  # type: ignore[type-arg]
        participant_id = self.selected_id()
        if participant_id is not None:
            signal.emit(participant_id)

    def _selection_changed(self) -> None:
        self._update_enabled()
        selected = self.selected_id()
        self.selection_changed.emit(-1 if selected is None else selected)

    def _update_enabled(self) -> None:
        chosen = self.selected_id() is not None
        self.add_button.setEnabled(not self._read_only)
        self.match_button.setEnabled(not self._read_only)
        for button in (self.speakers_button, self.attributes_button, self.remove_button):
            button.setEnabled(chosen and not self._read_only)
        self.memo_button.setEnabled(chosen)
