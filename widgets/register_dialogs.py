"""Small dialogs of the participant register: a new participant, a participant's free attributes,
and which speaker labels stand for a participant. They show data and return what was chosen;
the app decides what to store.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from storage.register_records import CONSENT_LABELS, ParticipantRecord, SpeakerLink

SPEAKER_ID = Qt.ItemDataRole.UserRole


class NewParticipantDialog(QDialog):
    """Role code, role, organisation and consent of a new participant. OK waits for a role code
    that is not taken yet (case aside), and says why it waits."""

    def __init__(self, taken: Sequence[str], suggested_code: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Participant")
        self._taken = {code.casefold() for code in taken}
        self.code = QLineEdit(suggested_code)
        self.code.setObjectName("newParticipantCode")
        self.code.setPlaceholderText("a role code such as SN1 or CS: never a name")
        self.role = QLineEdit()
        self.role.setPlaceholderText("e.g. Senior Nurse, overall accountability for professional practice")
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText("e.g. NHS trust")
        self.consent = QComboBox()
        for key, label in CONSENT_LABELS.items():
            self.consent.addItem(label, key)
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#a33;")
        form = QFormLayout()
        form.addRow("Role &code:", self.code)
        form.addRow("&Role:", self.role)
        form.addRow("&Organisation:", self.organisation)
        form.addRow("C&onsent:", self.consent)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.code.textChanged.connect(self._check)
        self._check()
        self.resize(460, self.sizeHint().height())

    def _check(self) -> None:
        code = " ".join(self.code.text().split())
        problem = ("" if code and code.casefold() not in self._taken else
                   f"There is already a participant {code}." if code else "Give the participant a role code.")
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def values(self) -> tuple[str, str, str, str]:
        """(role code, role, organisation, consent level)."""
        return (" ".join(self.code.text().split()), self.role.text().strip(), self.organisation.text().strip(),
                str(self.consent.currentData()))


class AttributesDialog(QDialog):
    """A participant's free attributes as name and value rows (years in post, profession…)."""

    def __init__(self, role_code: str, attributes: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Attributes of {role_code}")
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("attributesTable")
        self.table.setHorizontalHeaderLabels(["Attribute", "Value"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for name, value in attributes:
            self.add_row(name, value)
        add = QPushButton("&Add Attribute")
        add.clicked.connect(lambda: self._add_and_edit())
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._remove_current)
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#a33;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemChanged.connect(lambda _item: self._check())
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Facts you may want to compare by, such as profession or years in post. No names."))
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(480, 320)
        self._check()

    def add_row(self, name: str = "", value: str = "") -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        self.table.setItem(row, 1, QTableWidgetItem(value))
        return row

    def _add_and_edit(self) -> None:
        row = self.add_row()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def _remove_current(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())
            self._check()

    def attributes(self) -> list[tuple[str, str]]:
        """The rows with a name, in order (rows left wholly empty are dropped)."""
        pairs = []
        for row in range(self.table.rowCount()):
            name, value = (self.table.item(row, column) for column in (0, 1))
            name_text = name.text().strip() if name else ""
            value_text = value.text().strip() if value else ""
            if name_text or value_text:
                pairs.append((name_text, value_text))
        return pairs

    def _check(self) -> None:
        names = [name for name, _value in self.attributes()]
        problem = ("Every attribute needs a name." if "" in names else
                   "Each attribute name may appear once." if len(set(names)) != len(names) else "")
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)


class SpeakerLinkDialog(QDialog):
    """Which transcript speaker labels stand for one participant. A label linked to someone else
    says so; ticking it moves it here (a label stands for one participant at most)."""

    def __init__(self, participant: ParticipantRecord, links: Sequence[SpeakerLink], codes: dict[int, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Speakers of {participant.role_code}")
        self.list = QListWidget()
        self.list.setObjectName("speakerLinkList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for link in links:
            text = link.label
            if link.participant_id is not None and link.participant_id != participant.id:
                text += f"   (now {codes.get(link.participant_id, 'another participant')})"
            item = QListWidgetItem(text)
            item.setData(SPEAKER_ID, link.speaker_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if link.participant_id == participant.id else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        hint = ("Tick the speaker labels in the transcripts that are this participant." if links else
                "No transcript has speaker labels yet.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(hint))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(360, 360)

    def chosen(self) -> set[int]:
        """The ids of the speakers ticked."""
        return {int(self.list.item(row).data(SPEAKER_ID)) for row in range(self.list.count())
                if self.list.item(row).checkState() == Qt.CheckState.Checked}
