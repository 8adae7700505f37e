"""The meetings view: the list of meetings (code, date, phase, attendance, recorded, a warning on
those below the quorum) beside an editor for the one selected: its code, date, phase, whether it
was recorded, who attended, the transcripts and sources that belong to it, its agenda and notes.

Agenda and notes save themselves after a pause in typing, like memos (widgets/continuous_save.py);
every other change is emitted as a *_requested signal for the app to store (and put on the undo
stack). The view shows data only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QStyle, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from storage.register_records import (
    PHASES, LinkedSource, MeetingRecord, ParticipantRecord, below_quorum, quorum_warning,
)
from widgets.attendance_grid import AttendanceGrid
from widgets.continuous_save import ContinuousSave

MEETING_ID = Qt.ItemDataRole.UserRole
TRANSCRIPT_ID = Qt.ItemDataRole.UserRole
WARNING_COLOUR = QColor("#8a4b00")
LIST_COLUMNS = ("Meeting", "Date", "Phase", "Attendance", "Recorded")
SOURCE_KINDS = {"recording": "transcript", "minutes": "minutes", "field_notes": "field notes",
                "interview_notes": "interview notes", "document": "document"}


def source_text(source: LinkedSource) -> str:
    return f"{source.name} ({SOURCE_KINDS.get(source.kind, source.kind)})"


class MeetingsView(QWidget):
    new_requested = Signal()
    delete_requested = Signal(int)  # meeting id
    memo_requested = Signal(int)
    meeting_selected = Signal(int)  # -1: none
    fields_requested = Signal(int, object)  # meeting id, {"code" | "date" | "phase" | "recorded": value}
    attendance_requested = Signal(int, object)  # meeting id, {participant id: status or None}
    text_edited = Signal(int, str, str)  # meeting id, agenda, notes: after a pause in typing
    quorum_requested = Signal(int)
    link_requested = Signal(int, int)  # meeting id, transcript id
    unlink_requested = Signal(int, int)  # meeting id, transcript id
    open_source_requested = Signal(int)  # transcript id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("meetingsView")
        self._meetings: list[MeetingRecord] = []
        self._participants: list[ParticipantRecord] = []
        self._sources: list[LinkedSource] = []
        self._quorum = 4
        self._shown: MeetingRecord | None = None
        self._read_only = True
        self._loading = False
        self._saver = ContinuousSave(self._save_text, self)
        self._build()
        self._show_meeting(None)

    # --- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._warning_icon = warning_icon
        self.new_button = QPushButton("&New Meeting")
        self.new_button.clicked.connect(self.new_requested.emit)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(lambda: self._emit_shown(self.delete_requested))
        self.memo_button = QPushButton("&Memo…")
        self.memo_button.clicked.connect(lambda: self._emit_shown(self.memo_requested))
        self.quorum = QSpinBox()
        self.quorum.setObjectName("quorumSpin")
        self.quorum.setRange(1, 99)
        self.quorum.setToolTip("How many must attend (present or part) for a meeting to count")
        self.quorum.valueChanged.connect(self._quorum_changed)
        bar = QHBoxLayout()
        for widget in (self.new_button, self.delete_button, self.memo_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(QLabel("&Quorum:", buddy=self.quorum))
        bar.addWidget(self.quorum)

        self.banner = QLabel()
        self.banner.setObjectName("meetingsReadOnly")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff3cd;color:#5c4400;padding:4px;")
        self.banner.hide()
        self.list = QTableWidget(0, len(LIST_COLUMNS))
        self.list.setObjectName("meetingList")
        self.list.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.list.verticalHeader().hide()
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(False)
        header = self.list.horizontalHeader()
        for column in range(len(LIST_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the phase: the one that may be long
        self.list.itemSelectionChanged.connect(self._selection_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.banner)
        left_layout.addWidget(self.list, 1)

        self.code = QLineEdit()
        self.code.setObjectName("meetingCode")
        self.code.setMaximumWidth(90)
        self.code.editingFinished.connect(lambda: self._field_done("code", self.code.text().strip()))
        self.date = QLineEdit()
        self.date.setObjectName("meetingDate")
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.date.setMaximumWidth(110)
        self.date.editingFinished.connect(lambda: self._field_done("date", self.date.text().strip()))
        self.phase = QComboBox()
        self.phase.setObjectName("meetingPhase")
        self.phase.setEditable(True)
        self.phase.addItems(PHASES)
        self.phase.setMinimumWidth(170)
        self.phase.setMaximumWidth(260)
        self.phase.lineEdit().setPlaceholderText("phase of the group's life")
        self.phase.activated.connect(lambda _index: self._field_done("phase", self.phase.currentText().strip()))
        self.phase.lineEdit().editingFinished.connect(lambda: self._field_done("phase", self.phase.currentText().strip()))
        self.recorded = QCheckBox("&Recorded")
        self.recorded.setObjectName("meetingRecorded")
        self.recorded.clicked.connect(lambda checked: self._field_done("recorded", bool(checked)))
        fields = QHBoxLayout()
        fields.addWidget(QLabel("Code:", buddy=self.code))
        fields.addWidget(self.code)
        fields.addWidget(QLabel("Da&te:", buddy=self.date))
        fields.addWidget(self.date)
        fields.addWidget(QLabel("P&hase:", buddy=self.phase))
        fields.addWidget(self.phase, 1)
        fields.addWidget(self.recorded)
        fields.addStretch(1)

        self.warning = QLabel()
        self.warning.setObjectName("quorumWarning")
        self.warning.setStyleSheet("background:#fde7c8;color:#7a3d00;font-weight:bold;padding:4px 6px;"
                                   "border:1px solid #e0a060;border-radius:3px;")
        self.attendance = AttendanceGrid()
        self.attendance.attendance_requested.connect(self._attendance_chosen)
        attendance_box = QGroupBox("Attendance")
        QVBoxLayout(attendance_box).addWidget(self.attendance)

        self.agenda = QPlainTextEdit()
        self.agenda.setObjectName("meetingAgenda")
        self.agenda.setPlaceholderText("Agenda: the items discussed")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("meetingNotes")
        self.notes.setPlaceholderText("Notes: what happened, who took the minutes…")
        for editor in (self.agenda, self.notes):
            editor.textChanged.connect(self._typed)
        self._saver.watch(self.agenda, self.notes)
        texts = QWidget()
        text_layout = QVBoxLayout(texts)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(QLabel("&Agenda", buddy=self.agenda))
        text_layout.addWidget(self.agenda, 1)
        text_layout.addWidget(QLabel("N&otes", buddy=self.notes))
        text_layout.addWidget(self.notes, 1)

        self.sources = QListWidget()
        self.sources.setObjectName("meetingSources")
        self.sources.itemDoubleClicked.connect(lambda item: self.open_source_requested.emit(int(item.data(TRANSCRIPT_ID))))
        self.source_choice = QComboBox()
        self.source_choice.setObjectName("sourceChoice")
        self.source_choice.setToolTip("A transcript or source to link to this meeting")
        self.link_button = QPushButton("&Link to This Meeting")
        self.link_button.clicked.connect(self._link_clicked)
        self.unlink_button = QPushButton("&Unlink Selected")
        self.unlink_button.clicked.connect(self._unlink_clicked)
        sources_box = QGroupBox("Transcripts and sources")
        grid = QGridLayout(sources_box)
        grid.addWidget(self.sources, 0, 0, 1, 2)
        grid.addWidget(self.source_choice, 1, 0, 1, 2)
        grid.addWidget(self.link_button, 2, 0)
        grid.addWidget(self.unlink_button, 2, 1)

        columns = QSplitter(Qt.Orientation.Horizontal)
        columns.addWidget(attendance_box)
        columns.addWidget(texts)
        columns.addWidget(sources_box)
        columns.setSizes([330, 330, 280])
        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addLayout(fields)
        form_layout.addWidget(self.warning)
        form_layout.addWidget(columns, 1)
        self.placeholder = QLabel("Choose a meeting, or add one with New Meeting.")
        self.placeholder.setStyleSheet("color:#666;padding:12px;")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.placeholder)
        right_layout.addWidget(self.form, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([540, 860])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # --- what the app calls ----------------------------------------------------------------------

    def show_meetings(self, meetings: Sequence[MeetingRecord], participants: Sequence[ParticipantRecord],
                      sources: Sequence[LinkedSource], quorum: int) -> None:
        selected = self.selected_id()
        self._meetings, self._participants, self._sources = list(meetings), list(participants), list(sources)
        self._quorum = quorum
        self._loading = True
        try:
            self.quorum.setValue(quorum)
            self.list.setRowCount(0)
            self.list.setRowCount(len(self._meetings))
            for row, meeting in enumerate(self._meetings):
                self._fill_row(row, meeting)
            if selected is not None:
                self._select_row_of(selected)
        finally:
            self._loading = False
        self._show_meeting(self._meeting(self.selected_id()))

    def set_read_only(self, reason: str | None) -> None:
        self._read_only = reason is not None
        self.banner.setText(f"This project is read-only ({reason}): meetings cannot be changed." if reason else "")
        self.banner.setVisible(reason is not None)
        self._update_enabled()

    def selected_id(self) -> int | None:
        rows = self.list.selectionModel().selectedRows()
        return None if not rows else int(self.list.item(rows[0].row(), 0).data(MEETING_ID))

    def select_meeting(self, meeting_id: int) -> None:
        self._select_row_of(meeting_id)

    def shown(self) -> MeetingRecord | None:
        return self._shown

    def focus_date(self) -> None:
        self.date.setFocus()

    def flush_pending(self) -> None:
        """Emit the agenda and notes now if they changed since the last save."""
        self._saver.flush()

    # --- inside ----------------------------------------------------------------------------------

    def _fill_row(self, row: int, meeting: MeetingRecord) -> None:
        attended = f"{meeting.attending} of {len(self._participants)}" if meeting.attendance else "not taken"
        warning = quorum_warning(meeting, self._quorum)
        texts = (meeting.code, meeting.date or "", meeting.phase, attended + (" · below quorum" if warning else ""),
                 "yes" if meeting.recorded else "no")
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(MEETING_ID, meeting.id)
            if column == 3 and warning:
                item.setIcon(self._warning_icon)
                item.setForeground(QBrush(WARNING_COLOUR))
                item.setToolTip(warning)
            self.list.setItem(row, column, item)

    def _select_row_of(self, meeting_id: int) -> None:
        for row, meeting in enumerate(self._meetings):
            if meeting.id == meeting_id:
                self.list.selectRow(row)
                return

    def _meeting(self, meeting_id: int | None) -> MeetingRecord | None:
        return next((m for m in self._meetings if m.id == meeting_id), None)

    def _selection_changed(self) -> None:
        if self._loading:
            return
        meeting = self._meeting(self.selected_id())
        self._show_meeting(meeting)
        self.meeting_selected.emit(-1 if meeting is None else meeting.id)

    def _show_meeting(self, meeting: MeetingRecord | None) -> None:
        same = meeting is not None and self._shown is not None and meeting.id == self._shown.id
        if not same:
            self._saver.flush()  # what was typed belongs to the meeting shown until now
        self._shown = meeting
        self.placeholder.setVisible(meeting is None)
        self.form.setVisible(meeting is not None)
        self._loading = True
        try:
            self.code.setText("" if meeting is None else meeting.code)
            self.date.setText("" if meeting is None or meeting.date is None else meeting.date)
            self.phase.setCurrentText("" if meeting is None else meeting.phase)
            self.recorded.setChecked(meeting is not None and meeting.recorded)
            # Text being typed is not replaced by what was stored before it: only another meeting,
            # or a change from elsewhere (an undo) while nothing is waiting to be saved, refills it.
            if not (same and self._saver.dirty):
                for editor, text in ((self.agenda, "" if meeting is None else meeting.agenda),
                                     (self.notes, "" if meeting is None else meeting.notes)):
                    if editor.toPlainText() != text:
                        editor.setPlainText(text)
            self.attendance.show_attendance(self._participants, meeting)
            self._fill_sources(meeting)
        finally:
            self._loading = False
        warning = "" if meeting is None else quorum_warning(meeting, self._quorum)
        self.warning.setText(warning + (" (attendance not taken yet)" if meeting and not meeting.attendance else ""))
        self.warning.setVisible(bool(warning))
        self._update_enabled()

    def _fill_sources(self, meeting: MeetingRecord | None) -> None:
        self.sources.clear()
        self.source_choice.clear()
        if meeting is None:
            return
        for source in meeting.sources:
            item = QListWidgetItem(source_text(source))
            item.setData(TRANSCRIPT_ID, source.transcript_id)
            item.setToolTip("Double-click to open it")
            self.sources.addItem(item)
        codes = {m.id: m.code for m in self._meetings}
        for source in self._sources:
            if source.meeting_id == meeting.id:
                continue
            elsewhere = f" (now in {codes[source.meeting_id]})" if source.meeting_id in codes else ""
            self.source_choice.addItem(source_text(source) + elsewhere, source.transcript_id)
        if not self.source_choice.count():
            self.source_choice.addItem("no other transcripts", None)
        if not meeting.sources:
            placeholder = QListWidgetItem("none linked yet")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.sources.addItem(placeholder)

    def _update_enabled(self) -> None:
        editable = not self._read_only and self._shown is not None
        self.new_button.setEnabled(not self._read_only)
        self.quorum.setEnabled(not self._read_only)
        self.delete_button.setEnabled(editable)
        self.memo_button.setEnabled(self._shown is not None)
        for widget in (self.code, self.date, self.phase, self.recorded, self.link_button, self.unlink_button,
                       self.source_choice):
            widget.setEnabled(editable)
        self.link_button.setEnabled(editable and self.source_choice.currentData() is not None)
        for editor in (self.agenda, self.notes):
            editor.setReadOnly(not editable)
        self.attendance.set_enabled(editable)

    def _field_done(self, field: str, value: object) -> None:
        meeting = self._shown
        if self._loading or meeting is None or self._read_only:
            return
        current = {"code": meeting.code, "date": meeting.date or "", "phase": meeting.phase,
                   "recorded": meeting.recorded}[field]
        if value != current:
            self.fields_requested.emit(meeting.id, {field: value})

    def _attendance_chosen(self, statuses: dict[int, str | None]) -> None:
        meeting = self._shown
        if meeting is not None and not self._read_only:
            changed = {p: s for p, s in statuses.items() if meeting.status_of(p) != s}
            if changed:
                self.attendance_requested.emit(meeting.id, changed)

    def _typed(self) -> None:
        if not self._loading and self._shown is not None and not self._read_only:
            self._saver.touch()

    def _save_text(self) -> None:
        if self._shown is not None:
            self.text_edited.emit(self._shown.id, self.agenda.toPlainText(), self.notes.toPlainText())

    def _quorum_changed(self, value: int) -> None:
        if not self._loading and not self._read_only and value != self._quorum:
            self.quorum_requested.emit(value)

    def _link_clicked(self) -> None:
        transcript_id = self.source_choice.currentData()
        if self._shown is not None and transcript_id is not None:
            self.link_requested.emit(self._shown.id, int(transcript_id))

    def _unlink_clicked(self) -> None:
        item = self.sources.currentItem()
        if self._shown is not None and item is not None and item.data(TRANSCRIPT_ID) is not None:
            self.unlink_requested.emit(self._shown.id, int(item.data(TRANSCRIPT_ID)))

    def _emit_shown(self, signal: Signal) -> None:  # type: ignore[type-arg]
        if self._shown is not None:
            signal.emit(self._shown.id)
