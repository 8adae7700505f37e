"""File ▸ Import ▸ Transcript File…: what was read from the file (format, turns, speakers, time
span, and every warning with its line), and where it goes: tied to one of the project's
recordings so that it plays in sync (offered only when the transcript's times fit inside it), in
a meeting, under a name. A file without times cannot play in sync: it becomes a text source, and
the dialog asks which kind.

Shows data and hands back the choices; the app read the file and does the import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget, QVBoxLayout,
    QWidget,
)

from storage.source_records import TEXT_SOURCE_KINDS, MeetingChoice, kind_label
from widgets.clock import clock

NO_RECORDING = "(none: not tied to a recording)"
MEETING_OF_RECORDING = "(the recording's meeting, or none)"
FORMAT_NAMES = {
    "srt": "SubRip subtitles (SRT)", "vtt": "WebVTT captions", "sbv": "YouTube captions (SBV)",
    "nvivo-windows": "NVivo timestamped transcript (Windows)", "nvivo-mac": "NVivo timestamped transcript (Mac)",
    "plain": "Plain text, one “SPEAKER: text” turn a line",
}
MUTED = "color: palette(placeholder-text);"
WARNING_COLOUR = "#8a5300"


def format_name(fmt: str, file_name: str) -> str:
    name = FORMAT_NAMES.get(fmt, fmt)
    return f"{name}, in a Word document" if file_name.lower().endswith(".docx") else name


@dataclass(frozen=True)
class TranscriptPreview:
    """What a transcript file holds, as read before anything is imported."""

    file_name: str
    format: str  # srt | vtt | sbv | nvivo-windows | nvivo-mac | plain
    turns: int
    speakers: tuple[tuple[str, int], ...]  # (label, turns), most turns first
    start: float | None  # of the first timed turn; None when the file has no times
    end: float | None
    warnings: tuple[str, ...] = ()  # what was mended on the way in, each naming its line

    @property
    def timed(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class RecordingOption:
    id: int
    label: str  # the file name, and its transcript's name when it has one
    duration: float


@dataclass(frozen=True)
class TranscriptImportChoices:
    recording_id: int | None
    meeting_id: int | None
    name: str
    kind: str  # the text-source kind an untimed file becomes


class TranscriptImportDialog(QDialog):
    """`recording_id`: the recording to preselect (the app offers the shown transcript's when the
    times fit). `allowance`: seconds a transcript may run past its recording's end."""

    def __init__(self, preview: TranscriptPreview, recordings: Sequence[RecordingOption],
                 meetings: Sequence[MeetingChoice], *, name: str, recording_id: int | None = None,
                 meeting_id: int | None = None, allowance: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptImportDialog")
        self.setWindowTitle("Import a Transcript File")
        self.setMinimumWidth(560)
        self.preview, self.allowance = preview, allowance
        layout = QVBoxLayout(self)
        layout.addLayout(self._facts(preview))
        if preview.warnings:
            layout.addWidget(self._warnings(preview.warnings))
        layout.addWidget(self._separator_label("Where it goes"))
        form = QFormLayout()
        self.recording = QComboBox()
        self.recording.setObjectName("importRecording")
        self.recording.addItem(NO_RECORDING, None)
        model = self.recording.model()
        for option in recordings:
            fits = preview.timed and (preview.end or 0.0) <= option.duration + allowance
            text = f"{option.label} ({clock(option.duration)})" + ("" if fits else " — too short for this transcript")
            self.recording.addItem(text, option.id)
            if not fits and isinstance(model, QStandardItemModel):
                item = model.item(self.recording.count() - 1)
                item.setEnabled(False)  # import_transcript would refuse it: do not offer it
        found = self.recording.findData(recording_id) if recording_id is not None else -1
        if found > 0 and self._enabled(found):
            self.recording.setCurrentIndex(found)
        self.meeting = QComboBox()
        self.meeting.setObjectName("importMeeting")
        self.meeting.addItem(MEETING_OF_RECORDING if preview.timed else "(none)", None)
        for meeting in meetings:
            self.meeting.addItem(meeting.label, meeting.id)
        self.meeting.setCurrentIndex(max(self.meeting.findData(meeting_id), 0) if meeting_id is not None else 0)
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        for value in TEXT_SOURCE_KINDS:
            self.kind.addItem(kind_label(value), value)
        self.kind.setCurrentIndex(TEXT_SOURCE_KINDS.index("document"))
        self.name = QLineEdit(name)
        self.name.setObjectName("importName")
        self.name.setPlaceholderText("for example: M04 transcript (Teams)")
        self.name.selectAll()
        if preview.timed:
            form.addRow("&Recording:", self.recording)
            hint = ("Tied to a recording, the transcript plays in sync with it. "
                    if recordings else "The project has no recordings yet: the transcript is imported on its own. ")
            form.addRow("", self._hint(hint + "Without one, its times are kept for a recording added later."))
        else:
            self.recording.setEnabled(False)
            form.addRow("&Kind:", self.kind)
            form.addRow("", self._hint("The file gives no times, so it cannot play in sync with a recording: "
                                       "it becomes a text source, one paragraph a turn."))
        form.addRow("&Meeting:", self.meeting)
        form.addRow("&Name:", self.name)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._check)
        self._check()
        self.name.setFocus()

    def _facts(self, preview: TranscriptPreview) -> QFormLayout:
        facts = QFormLayout()
        facts.setObjectName("importFacts")
        self.fact_labels: dict[str, QLabel] = {}
        speakers = ", ".join(f"{escape(label)} ({count})" for label, count in preview.speakers[:12])
        if len(preview.speakers) > 12:
            speakers += f" and {len(preview.speakers) - 12} more"
        span = (f"{clock(preview.start or 0.0, hours=True)} – {clock(preview.end or 0.0, hours=True)}"
                if preview.timed else "no times in the file")
        rows = (("file", "File:", f"<b>{escape(preview.file_name)}</b>"),
                ("format", "Format:", escape(format_name(preview.format, preview.file_name))),
                ("turns", "Turns:", f"{preview.turns}"),
                ("speakers", "Speakers:", speakers or "none named"),
                ("span", "Time span:", span))
        for key, title, text in rows:
            label = QLabel(text)
            label.setObjectName(f"importFact_{key}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = label
            facts.addRow(title, label)
        return facts

    def _warnings(self, warnings: Sequence[str]) -> QWidget:
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 4, 0, 0)
        count = len(warnings)
        title = QLabel(f"<span style='color:{WARNING_COLOUR}'><b>{count} thing{'s' if count != 1 else ''} mended "
                       "on the way in</b></span> (the file itself is not changed):")
        inner.addWidget(title)
        self.warning_list = QListWidget()
        self.warning_list.setObjectName("importWarnings")
        self.warning_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.warning_list.setWordWrap(True)
        self.warning_list.addItems(list(warnings))
        # As tall as its lines, up to six; more scroll.
        row = max(self.warning_list.sizeHintForRow(0), self.fontMetrics().height() + 4)
        self.warning_list.setFixedHeight(row * min(len(warnings), 6) + 2 * self.warning_list.frameWidth() + 4)
        inner.addWidget(self.warning_list)
        return box

    @staticmethod
    def _separator_label(text: str) -> QLabel:
        label = QLabel(f"<b>{escape(text)}</b>")
        label.setContentsMargins(0, 8, 0, 0)
        return label

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(MUTED)
        return label

    def _enabled(self, index: int) -> bool:
        model = self.recording.model()
        return not isinstance(model, QStandardItemModel) or model.item(index).isEnabled()

    def _check(self) -> None:
        self.import_button.setEnabled(bool(self.name.text().strip()))

    def choices(self) -> TranscriptImportChoices:
        return TranscriptImportChoices(
            recording_id=self.recording.currentData() if self.preview.timed else None,
            meeting_id=self.meeting.currentData(), name=self.name.text().strip(),
            kind=self.kind.currentData() or "document")
