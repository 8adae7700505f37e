"""The project panel: recordings and their transcripts, with each transcript's status."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from storage.records import RecordingRecord, TranscriptRecord

STATUS_TEXT = {
    "pending": "not started",
    "running": "transcribing…",
    "interrupted": "interrupted: resume",
    "done": "done",
    "failed": "failed",
}


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProjectPanel(QTreeWidget):
    """Emits `transcript_selected(id)` when the user picks a transcript."""

    transcript_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectPanel")
        self.setHeaderLabels(["Recording / transcript", "Status"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemSelectionChanged.connect(self._selection_changed)
        self._items: dict[int, QTreeWidgetItem] = {}

    def show_project(self, recordings: Sequence[RecordingRecord], transcripts: Sequence[TranscriptRecord]) -> None:
        selected = self.selected_transcript()
        self.blockSignals(True)
        self.clear()
        self._items = {}
        by_recording: dict[int | None, list[TranscriptRecord]] = {}
        for transcript in transcripts:
            by_recording.setdefault(transcript.recording_id, []).append(transcript)
        for recording in recordings:
            parent = QTreeWidgetItem([recording.media_path.name, _duration(recording.duration)])
            parent.setToolTip(0, str(recording.media_path))
            self.addTopLevelItem(parent)
            for transcript in by_recording.get(recording.id, []):
                parent.addChild(self._transcript_item(transcript))
            parent.setExpanded(True)
        for transcript in by_recording.get(None, []):
            self.addTopLevelItem(self._transcript_item(transcript))
        self.resizeColumnToContents(0)
        self.blockSignals(False)
        if selected is not None and selected in self._items:
            self.select_transcript(selected)

    def update_transcript(self, transcript: TranscriptRecord) -> None:
        item = self._items.get(transcript.id)
        if item is not None:
            item.setText(1, self._status(transcript))

    def show_running(self, transcript_id: int, fraction: float) -> None:
        item = self._items.get(transcript_id)
        if item is not None:
            item.setText(1, f"transcribing… {fraction * 100:.0f}%")

    def select_transcript(self, transcript_id: int) -> None:
        item = self._items.get(transcript_id)
        if item is not None:
            self.setCurrentItem(item)

    def selected_transcript(self) -> int | None:
        item = self.currentItem()
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def _transcript_item(self, transcript: TranscriptRecord) -> QTreeWidgetItem:
        item = QTreeWidgetItem([transcript.name, self._status(transcript)])
        item.setData(0, Qt.ItemDataRole.UserRole, transcript.id)
        if transcript.error:
            item.setToolTip(1, transcript.error)
        self._items[transcript.id] = item
        return item

    @staticmethod
    def _status(transcript: TranscriptRecord) -> str:
        text = STATUS_TEXT.get(transcript.status, transcript.status)
        return f"{text} · {transcript.segment_count} turns" if transcript.segment_count else text

    def _selection_changed(self) -> None:
        transcript_id = self.selected_transcript()
        if transcript_id is not None:
            self.transcript_selected.emit(transcript_id)
