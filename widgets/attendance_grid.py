"""Who attended one meeting: a row per participant with Present, Part and Absent as radio buttons.

No button ticked means no entry yet (attendance not taken). Participants whose words are left out
of analysis still attend, so they have a row like everyone; their code is greyed with the reason.
The grid shows data only and emits attendance_requested with the statuses to store.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QPushButton, QRadioButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from storage.register_records import ATTENDANCE_STATUSES, MeetingRecord, ParticipantRecord

STATUS_TITLES = {"present": "Present", "part": "Part", "absent": "Absent"}


class AttendanceGrid(QWidget):
    attendance_requested = Signal(object)  # participant id -> "present" | "part" | "absent" | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceGrid")
        self._groups: dict[int, QButtonGroup] = {}
        self._participants: list[ParticipantRecord] = []
        self.table = QTableWidget(0, 1 + len(ATTENDANCE_STATUSES))
        self.table.setObjectName("attendanceTable")
        self.table.setHorizontalHeaderLabels(["Participant", *(STATUS_TITLES[s] for s in ATTENDANCE_STATUSES)])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)  # one line a participant: the role is cut short, whole in the tooltip
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.table.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.all_present = QPushButton("All &Present")
        self.all_present.clicked.connect(lambda: self._request_all("present"))
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Forget the attendance taken for this meeting")
        self.clear.clicked.connect(lambda: self._request_all(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_present)
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_attendance(self, participants: Sequence[ParticipantRecord], meeting: MeetingRecord | None) -> None:
        self._participants = list(participants)
        self._groups.clear()
        self.table.setRowCount(0)
        self.table.setRowCount(len(self._participants))
        for row, participant in enumerate(self._participants):
            name = participant.role_code + (f"  ({participant.role})" if participant.role else "")
            item = QTableWidgetItem(name)
            item.setToolTip(name)
            if participant.excluded:
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(f"{name}\n{participant.exclusion_reason}")
            self.table.setItem(row, 0, item)
            group = QButtonGroup(self.table)
            group.setExclusive(True)
            status = None if meeting is None else meeting.status_of(participant.id)
            for column, key in enumerate(ATTENDANCE_STATUSES, start=1):
                button = QRadioButton()
                button.setObjectName(f"attend_{participant.role_code}_{key}")
                button.setAccessibleName(f"{participant.role_code} {STATUS_TITLES[key]}")
                button.setChecked(status == key)
                group.addButton(button, column)
                cell = QWidget()
                box = QHBoxLayout(cell)
                box.setContentsMargins(0, 0, 0, 0)
                box.setAlignment(Qt.AlignmentFlag.AlignCenter)
                box.addWidget(button)
                self.table.setCellWidget(row, column, cell)
                # clicked, not toggled: only the researcher's choice is a change, not showing one
                button.clicked.connect(lambda _checked=False, p=participant.id, s=key: self._request(p, s))
            self._groups[participant.id] = group

    def set_enabled(self, enabled: bool) -> None:
        self.table.setEnabled(enabled)
        self.all_present.setEnabled(enabled)
        self.clear.setEnabled(enabled)

    def button(self, participant_id: int, status: str) -> QRadioButton:
        """The radio button for one participant and status (for keyboard users' tests and tools)."""
        return self._groups[participant_id].button(1 + ATTENDANCE_STATUSES.index(status))  # type: ignore[return-value]

    def _request(self, participant_id: int, status: str) -> None:
        self.attendance_requested.emit({participant_id: status})

    def _request_all(self, status: str | None) -> None:
        if self._participants:
            self.attendance_requested.emit({p.id: status for p in self._participants})
