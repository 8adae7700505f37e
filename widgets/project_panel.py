"""The project panel: recordings with their transcripts, and text sources (minutes, field notes,
interview notes, documents), grouped under the meeting they belong to, with each one's status.

The window gives it the recordings and transcripts (show_project); the sources controller adds
what it knows of kinds and meetings (set_sources). Either may come first, and each rebuilds the
tree from both, so a refresh from one never loses what the other said. Without any meeting
links the tree is flat, as before meetings existed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from storage.records import RecordingRecord, TranscriptRecord
from storage.source_records import MeetingChoice, SourceRecord, is_text_source, kind_label

STATUS_TEXT = {
    "pending": "not started",
    "running": "transcribing…",
    "interrupted": "interrupted: resume",
    "done": "done",
    "failed": "failed",
}
RECORDING_ROLE = Qt.ItemDataRole.UserRole + 1  # a recording item's id (transcripts use UserRole)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProjectPanel(QTreeWidget):
    """Emits `transcript_selected(id)` when the user picks a transcript or text source, and the
    intents of its context menu: `details_requested(transcript id)`, `remove_audio_requested
    (recording id)`."""

    transcript_selected = Signal(int)
    details_requested = Signal(int)
    remove_audio_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectPanel")
        self.setHeaderLabels(["Recording / source", "Status"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemSelectionChanged.connect(self._selection_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self._items: dict[int, QTreeWidgetItem] = {}
        self._recordings: list[RecordingRecord] = []
        self._transcripts: list[TranscriptRecord] = []
        self._sources: dict[int, SourceRecord] = {}
        self._meetings: list[MeetingChoice] = []

    # --- what to show ------------------------------------------------------------------------

    def show_project(self, recordings: Sequence[RecordingRecord], transcripts: Sequence[TranscriptRecord]) -> None:
        self._recordings, self._transcripts = list(recordings), list(transcripts)
        self._rebuild()

    def set_sources(self, sources: Sequence[SourceRecord], meetings: Sequence[MeetingChoice]) -> None:
        """Kinds and meetings of the transcripts and text sources (from the sources controller)."""
        self._sources = {source.transcript_id: source for source in sources}
        self._meetings = list(meetings)
        self._rebuild()

    def clear_project(self) -> None:
        self._recordings, self._transcripts, self._sources, self._meetings = [], [], {}, []
        self._rebuild()

    def _rebuild(self) -> None:
        selected = self.selected_transcript()
        self.blockSignals(True)
        self.clear()
        self._items = {}
        groups = self._meeting_groups()  # meetings first (by date), then what belongs to none, as added
        for group in groups.values():
            self.addTopLevelItem(group)
        by_recording: dict[int | None, list[TranscriptRecord]] = {}
        for transcript in self._transcripts:
            by_recording.setdefault(transcript.recording_id, []).append(transcript)
        for recording in self._recordings:
            item = self._recording_item(recording)
            children = by_recording.get(recording.id, [])
            for transcript in children:
                item.addChild(self._transcript_item(transcript))
            self._place(item, groups, children[0].id if children else None)
            item.setExpanded(True)
        for transcript in by_recording.get(None, []):
            self._place(self._transcript_item(transcript), groups, transcript.id)
        for group in groups.values():
            if group.childCount():
                group.setExpanded(True)
            else:  # a meeting with nothing linked to it yet
                self.takeTopLevelItem(self.indexOfTopLevelItem(group))
        self.resizeColumnToContents(0)
        self.blockSignals(False)
        if selected is not None and selected in self._items:
            self.select_transcript(selected)

    def _meeting_groups(self) -> dict[int, QTreeWidgetItem]:
        groups = {}
        for meeting in self._meetings:
            group = QTreeWidgetItem([meeting.label, ""])
            font = QFont(group.font(0))
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            group.setToolTip(0, f"Meeting {meeting.code}: its recordings, transcripts and text sources")
            groups[meeting.id] = group
        return groups

    def _place(self, item: QTreeWidgetItem, groups: dict[int, QTreeWidgetItem], transcript_id: int | None) -> None:
        source = self._sources.get(transcript_id) if transcript_id is not None else None
        group = groups.get(source.meeting_id) if source is not None and source.meeting_id is not None else None
        if group is not None:
            group.addChild(item)
        else:
            self.addTopLevelItem(item)

    def _recording_item(self, recording: RecordingRecord) -> QTreeWidgetItem:
        status = "audio removed" if recording.audio_deleted else _duration(recording.duration)
        item = QTreeWidgetItem([recording.media_path.name, status])
        item.setData(0, RECORDING_ROLE, recording.id)
        item.setToolTip(0, str(recording.media_path))
        if recording.audio_deleted:
            item.setForeground(0, QBrush(self.palette().placeholderText().color()))
            item.setToolTip(1, f"{_duration(recording.duration)} of audio, removed (recorded in the audit); "
                               "the transcript, codings and memos are kept.")
        return item

    def _transcript_item(self, transcript: TranscriptRecord) -> QTreeWidgetItem:
        source = self._sources.get(transcript.id)
        item = QTreeWidgetItem([transcript.name, self._status(transcript)])
        item.setData(0, Qt.ItemDataRole.UserRole, transcript.id)
        if is_text_source(transcript.kind):
            where = f" — {source.meeting_code}" if source is not None and source.meeting_code else ""
            origin = f", imported from {source.source_file}" if source is not None and source.source_file else ""
            item.setToolTip(0, f"{kind_label(transcript.kind)}{where}{origin}: a text source, no audio")
        if transcript.error:
            item.setToolTip(1, transcript.error)
        self._items[transcript.id] = item
        return item

    # --- updates while transcription runs --------------------------------------------------------

    def update_transcript(self, transcript: TranscriptRecord) -> None:
        item = self._items.get(transcript.id)
        if item is not None:
            item.setText(1, self._status(transcript))

    def show_running(self, transcript_id: int, fraction: float) -> None:
        item = self._items.get(transcript_id)
        if item is not None:
            item.setText(1, f"transcribing… {fraction * 100:.0f}%")

    # --- selection -------------------------------------------------------------------------------

    def select_transcript(self, transcript_id: int) -> None:
        item = self._items.get(transcript_id)
        if item is not None:
            self.setCurrentItem(item)

    def selected_transcript(self) -> int | None:
        item = self.currentItem()
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def recording_of(self, transcript_id: int) -> int | None:
        return next((t.recording_id for t in self._transcripts if t.id == transcript_id), None)

    def _status(self, transcript: TranscriptRecord) -> str:
        if is_text_source(transcript.kind):  # no paragraph count: Return and merges change it without a refresh
            source = self._sources.get(transcript.id)
            origin = f" · {source.source_file}" if source is not None and source.source_file else ""
            return f"{kind_label(transcript.kind)}{origin}"
        text = STATUS_TEXT.get(transcript.status, transcript.status)
        return f"{text} · {transcript.segment_count} turns" if transcript.segment_count else text

    def _selection_changed(self) -> None:
        transcript_id = self.selected_transcript()
        if transcript_id is not None:
            self.transcript_selected.emit(transcript_id)

    def _context_menu(self, position: QPoint) -> None:
        menu = self.build_context_menu(self.itemAt(position))
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(position))

    def build_context_menu(self, item: QTreeWidgetItem | None) -> QMenu | None:
        if item is None:
            return None
        transcript_id = item.data(0, Qt.ItemDataRole.UserRole)
        recording_id = item.data(0, RECORDING_ROLE)
        if recording_id is None and transcript_id is not None:
            recording_id = self.recording_of(int(transcript_id))
        menu = QMenu(self)
        if transcript_id is not None:
            menu.addAction("Source &Details (Name, Kind, Meeting)…",
                           lambda: self.details_requested.emit(int(transcript_id)))
        if recording_id is not None:
            menu.addAction("&Remove Audio of This Recording…", lambda: self.remove_audio_requested.emit(int(recording_id)))
        return menu if menu.actions() else None
