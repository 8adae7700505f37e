"""File ▸ Export ▸ Transcript…: the format (Word, text, subtitles, NVivo, MAXQDA, JSON), which
transcripts (the one shown, all, or those ticked), and two choices about what leaves the project:
pseudonyms instead of the listed real names, and a placeholder line where a turn is left out for
consent (without it, such turns simply are not there).

Shows data and hands back the choices; the app runs the pre-export check and writes the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
    QListWidgetItem, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

# Human names and file endings of storage.transcript_exports.TRANSCRIPT_FORMATS (a format
# missing here is still offered, under its own name).
TRANSCRIPT_FORMAT_NAMES = {
    "docx": "Word document: speaker, time and text (.docx)",
    "txt": "Plain text (.txt)",
    "srt": "SubRip subtitles (.srt)",
    "vtt": "WebVTT captions with voice tags (.vtt)",
    "nvivo": "NVivo timestamped transcript (.txt)",
    "maxqda": "MAXQDA timestamped transcript (.txt)",
    "json": "JSON with words and times (.json)",
}
SCOPES = ("current", "all", "chosen")
MUTED = "color: palette(placeholder-text);"


@dataclass(frozen=True)
class TranscriptOption:
    id: int
    label: str  # its name, and its meeting when it has one


@dataclass(frozen=True)
class TranscriptExportChoices:
    format: str
    transcript_ids: tuple[int, ...]
    pseudonymise: bool
    placeholders: bool


class TranscriptExportDialog(QDialog):
    """`current_id`: the transcript shown in the editor (None: "this transcript" is not offered)."""

    def __init__(self, formats: Sequence[str], transcripts: Sequence[TranscriptOption], *, current_id: int | None,
                 single_formats: Sequence[str] = (), fmt: str | None = None, pseudonymise: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptExportDialog")
        self.setWindowTitle("Export Transcripts")
        self.setMinimumWidth(520)
        self.transcripts = list(transcripts)
        self.single_formats = tuple(single_formats)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for value in formats:
            self.format.addItem(TRANSCRIPT_FORMAT_NAMES.get(value, value.upper()), value)
        if fmt in formats:
            self.format.setCurrentIndex(list(formats).index(fmt))
        form.addRow("&Format:", self.format)
        layout.addLayout(form)
        self.format_hint = QLabel()
        self.format_hint.setObjectName("exportFormatHint")
        self.format_hint.setWordWrap(True)
        self.format_hint.setStyleSheet(MUTED)
        layout.addWidget(self.format_hint)

        which = QLabel("<b>Which transcripts</b>")
        which.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(which)
        current = next((t for t in self.transcripts if t.id == current_id), None)
        self.current_id = current.id if current is not None else None
        self.scope_buttons = QButtonGroup(self)
        self.current_button = QRadioButton(f"The one shown: {current.label}" if current else "The one shown (none is)")
        count = len(self.transcripts)
        self.all_button = QRadioButton(f"All {count} transcripts and text sources" if count != 1 else
                                       "All: the project has only this one")
        self.chosen_button = QRadioButton("Those ticked below:")
        for number, button in enumerate((self.current_button, self.all_button, self.chosen_button)):
            button.setObjectName(f"exportScope_{SCOPES[number]}")
            self.scope_buttons.addButton(button, number)
            layout.addWidget(button)
        self.current_button.setEnabled(current is not None)
        (self.current_button if current is not None else self.all_button).setChecked(True)
        self.list = QListWidget()
        self.list.setObjectName("exportTranscripts")
        for option in self.transcripts:
            item = QListWidgetItem(option.label)
            item.setData(Qt.ItemDataRole.UserRole, option.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if option.id == current_id else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        # As tall as its rows (three to ten; more scroll): an empty box of grey says nothing.
        row = max(self.list.sizeHintForRow(0), self.fontMetrics().height() + 4)
        self.list.setFixedHeight(row * min(max(len(self.transcripts), 3), 10) + 2 * self.list.frameWidth() + 4)
        layout.addWidget(self.list)
        ticks = QHBoxLayout()
        self.tick_all = QPushButton("Tick All")
        self.tick_none = QPushButton("Tick None")
        self.tick_all.clicked.connect(lambda: self._tick(Qt.CheckState.Checked))
        self.tick_none.clicked.connect(lambda: self._tick(Qt.CheckState.Unchecked))
        ticks.addWidget(self.tick_all)
        ticks.addWidget(self.tick_none)
        ticks.addStretch(1)
        layout.addLayout(ticks)

        self.pseudonymise = QCheckBox("&Pseudonymise: write the listed pseudonyms instead of real names")
        self.pseudonymise.setObjectName("exportPseudonymise")
        self.pseudonymise.setChecked(pseudonymise)
        self.placeholders = QCheckBox("Mark turns left out for consent with a &placeholder line")
        self.placeholders.setObjectName("exportPlaceholders")
        self.placeholders.setChecked(True)
        layout.addWidget(self.pseudonymise)
        layout.addWidget(self.placeholders)
        note = QLabel("Turns of participants who consented to be observed only, or withdrew, never carry their "
                      "words out of the project. Without placeholders they are left out silently.")
        note.setWordWrap(True)
        note.setStyleSheet(MUTED)
        layout.addWidget(note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.scope_buttons.idToggled.connect(lambda _id, _on: self._check())
        self.list.itemChanged.connect(lambda _item: self._check())
        self.format.currentIndexChanged.connect(lambda _index: self._check())
        self._check()

    def _tick(self, state: Qt.CheckState) -> None:
        for row in range(self.list.count()):
            self.list.item(row).setCheckState(state)
        self.chosen_button.setChecked(True)

    def chosen_ids(self) -> tuple[int, ...]:
        scope = SCOPES[max(self.scope_buttons.checkedId(), 0)]
        if scope == "all":
            return tuple(t.id for t in self.transcripts)
        if scope == "current":
            return (self.current_id,) if self.current_id is not None else ()
        return tuple(self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
                     if self.list.item(row).checkState() == Qt.CheckState.Checked)

    def _check(self) -> None:
        self.list.setEnabled(self.chosen_button.isChecked())
        fmt = self.format.currentData()
        single = fmt in self.single_formats
        self.format_hint.setText(
            f"{self.format.currentText().split(' (')[0]}: one file holds one transcript with times. With several "
            "chosen, each goes to its own file in a folder you choose; text sources have no times and are skipped."
            if single else "Several transcripts go into one file, one after another.")
        self.export_button.setEnabled(bool(self.chosen_ids()))

    def choices(self) -> TranscriptExportChoices:
        return TranscriptExportChoices(format=self.format.currentData(), transcript_ids=self.chosen_ids(),
                                       pseudonymise=self.pseudonymise.isChecked(),
                                       placeholders=self.placeholders.isChecked())
