"""The main window: the project's recordings and transcripts on the left, the transcript in
the middle filling in live while transcription runs, and the job bar with progress, time left
and Cancel underneath. It wires services, workers and widgets; the widgets only show data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget,
)

from app import dialogs, settings
from app.cli_format import time_left
from app.encryption_actions import EncryptionActions, title_marks
from widgets.clock import clock
from app.jobs import Prepared, Progress
from app.workers import TranscriptionWorker
from audio.engine import EngineSettings
from audio.remote import Cancelled
from storage import recordings, transcripts
from storage.errors import ProjectError
from storage.project import Project, create_project
from storage.records import SegmentRecord, TranscriptRecord
from app.playback import PlaybackController
from app.shortcuts import BY_ID, ShortcutBinder
from widgets.find_panel import FindPanel
from widgets.job_bar import JobBar
from widgets.player_bar import PlayerBar
from widgets.project_panel import ProjectPanel
from widgets.transcript_editor import TranscriptEditor

MEDIA_FILTER = "Audio and video (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.aac *.wma *.mp4 *.mov *.mkv *.webm *.avi);;All files (*)"
PROJECT_FILTER = "Earmark projects (*.earmark)"


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.worker: TranscriptionWorker | None = None
        self._job_transcript: int | None = None
        self._shown_transcript: int | None = None
        self.setWindowTitle("Earmark")
        self.resize(1200, 760)
        self._build_widgets()
        self._build_actions()
        self._restore_layout()
        self._refresh_actions()

    # --- construction ----------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.view = TranscriptEditor()
        self.shortcuts = ShortcutBinder()
        self.player_bar = PlayerBar()
        self.playback = PlaybackController(self.player_bar, self.view, self)
        self.job_bar = JobBar()
        self.job_bar.cancel_requested.connect(self.cancel_transcription)
        self.read_only_banner = QLabel()
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setStyleSheet("background:#fff3cd;color:#5c4400;padding:6px;")
        self.read_only_banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.player_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.job_bar)
        self.setCentralWidget(central)

        self.panel = ProjectPanel()
        self.panel.transcript_selected.connect(self.show_transcript)
        dock = QDockWidget("Project", self)
        dock.setObjectName("projectDock")
        dock.setWidget(self.panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [320], Qt.Orientation.Horizontal)
        self.find_panel = FindPanel()
        self.find_dock = QDockWidget("Find and Replace", self)
        self.find_dock.setObjectName("findDock")
        self.find_dock.setWidget(self.find_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.find_dock)
        self.find_dock.hide()
        self.statusBar().showMessage("Open a project or add a recording to begin.")

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New Project…", QKeySequence.StandardKey.New, self.choose_new_project)
        self.open_action = self._action(file_menu, "&Open Project…", QKeySequence.StandardKey.Open, self.choose_project)
        file_menu.addSeparator()
        self.add_action = self._action(file_menu, "&Add Recording and Transcribe…", "add_recording", self.choose_recording)
        self.sample_action = self._action(file_menu, "Open the &Sample Meeting", None, self.open_sample)
        file_menu.addSeparator()
        self.encryption = EncryptionActions(self, file_menu)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        from app.editor_actions import EditorActions

        self.editing = EditorActions(self, self.view, lambda: self.project, self.playback_position,
                                     self._report, self.reload_transcript, self.shortcuts)
        self.editing.build_menu(self.menuBar().addMenu("&Edit"))

        from app.find import FindController

        from app.analysis import install_analysis
        from app.analysis_context import AnalysisContext

        self.context = AnalysisContext(self, self.view, self.editing.stack, self.shortcuts, lambda: self.project,
                                       lambda: self._shown_transcript, self._go_to_transcript,
                                       self.playback.play_span, self._report)
        self.editing.on_codings_changed = lambda: self.context.codings_changed.emit(self._shown_transcript or -1)
        self.context.sources_changed.connect(self.refresh_project)
        self.analysis = install_analysis(self.context)
        self.find = FindController(self.find_panel, self.editing, lambda: self.project,
                                   lambda: self._shown_transcript, self._go_to_transcript)
        edit_menu = self.editing.menu
        edit_menu.addSeparator()
        self._action(edit_menu, "&Find and Replace…", "find", lambda: self.start_find(everywhere=False))
        self._action(edit_menu, "Find in &All Transcripts…", "find_all", lambda: self.start_find(everywhere=True))

        play_menu = self.menuBar().addMenu("&Playback")
        playback = self.playback
        for text, shortcut_id, slot in (
            ("&Play / Pause", "play_pause", playback.toggle), ("Skip &Back", "skip_back", lambda: playback.skip(-1)),
            ("Skip &Forward", "skip_forward", lambda: playback.skip(1)), ("&Slower", "slower", playback.slower),
            ("F&aster", "faster", playback.faster), ("&Loop the Current Turn", "loop_turn", playback.toggle_loop),
            ("F&ollow Playback", "follow", playback.toggle_follow),
        ):
            self._action(play_menu, text, shortcut_id, slot)
        play_menu.addSeparator()
        self._action(play_menu, "Playback &Settings…", None, lambda: playback.configure(self))

        job_menu = self.menuBar().addMenu("&Transcription")
        self.resume_action = self._action(job_menu, "&Transcribe or Resume Selected", "transcribe", self.resume_selected)
        self.cancel_action = self._action(job_menu, "&Cancel Transcription", "cancel", self.cancel_transcription)
        job_menu.addSeparator()
        self._action(job_menu, "Transcription &Settings…", "Ctrl+,", self.edit_transcription_settings)

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard Shortcuts…", "shortcuts", self.show_shortcuts)
        self._action(help_menu, "&About Earmark", None, self.show_about)

    def _action(self, menu, text, shortcut, slot) -> QAction:  # noqa: ANN001
        """`shortcut`: an id from app/shortcuts.py (configurable), a standard key, or None."""
        action = QAction(text, self)
        if isinstance(shortcut, str) and shortcut in BY_ID:
            self.shortcuts.bind(action, shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _restore_layout(self) -> None:
        geometry, state = settings.WINDOW_GEOMETRY.get(), settings.WINDOW_STATE.get()
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        if state:
            self.restoreState(QByteArray(state))

    def _refresh_actions(self) -> None:
        busy = self.worker is not None
        writable = self.project is not None and not self.project.read_only
        self.add_action.setEnabled(not busy and (self.project is None or writable))
        self.sample_action.setEnabled(not busy)
        self.new_action.setEnabled(not busy)
        self.open_action.setEnabled(not busy)
        self.resume_action.setEnabled(not busy and writable and self.panel.selected_transcript() is not None)
        self.cancel_action.setEnabled(busy)
        self.encryption.refresh(busy)

    # --- projects --------------------------------------------------------------------------

    def open_project_file(self, path: Path) -> bool:
        """Open `path`, asking for its password if it is encrypted (app/encryption_actions.py)."""
        project = self.encryption.open(path)
        if project is None:
            return False
        self._set_project(project)
        return True

    def create_project_file(self, path: Path, password: str | None = None) -> bool:
        try:
            project = create_project(path, password)
        except ProjectError as error:
            self.show_error("Cannot create the project", str(error))
            return False
        self._set_project(project)
        return True

    def _set_project(self, project: Project) -> None:
        self._close_project()
        self.project = project
        settings.remember_project(str(project.path))
        self.setWindowTitle(f"{project.path.stem} — Earmark{title_marks(project)}")
        self.view.setReadOnly(project.read_only)
        if project.read_only:
            self.read_only_banner.setText(f"Read-only: {project.read_only_reason}. Changes cannot be saved.")
            self.read_only_banner.show()
        else:
            self.read_only_banner.hide()
        self.refresh_project()
        self.context.project_changed.emit()
        self.statusBar().showMessage(f"Opened {project.path}", 5000)
        first = next(iter(transcripts.list_transcripts(project)), None)
        if first is not None:
            self.panel.select_transcript(first.id)
        self._refresh_actions()

    def _close_project(self) -> None:
        self.playback.stop()
        self.view.flush_pending()
        if self.project is not None:
            self.context.project_closing.emit()
        self.editing.clear()
        if self.project is not None:
            self.project.close()
        self.project = None
        self._shown_transcript = None
        self.view.clear_segments()
        self.context.project_changed.emit()

    def refresh_project(self) -> None:
        if self.project is None:
            return
        self.panel.show_project(recordings.list_recordings(self.project), transcripts.list_transcripts(self.project))

    def show_transcript(self, transcript_id: int) -> None:
        if self.project is None:
            return
        self.view.flush_pending()  # undo history spans transcripts: undo goes back to where it was
        opened_other = transcript_id != self._shown_transcript
        self._shown_transcript = transcript_id
        self.view.set_segments(transcripts.segments(self.project, transcript_id))
        if opened_other:
            record = transcripts.get_transcript(self.project, transcript_id)
            recording = recordings.get_recording(self.project, record.recording_id) if record.recording_id else None
            self.playback.open_recording(recording)
            self.context.transcript_shown.emit(transcript_id)
        self._refresh_actions()

    def start_find(self, everywhere: bool) -> None:
        self.find_dock.show()
        self.find_panel.start(self.view.selected_text(), everywhere)

    def _go_to_transcript(self, transcript_id: int) -> None:
        self.panel.select_transcript(transcript_id)
        self.show_transcript(transcript_id)

    def reload_transcript(self) -> None:
        if self._shown_transcript is not None:
            self.show_transcript(self._shown_transcript)

    def playback_position(self) -> float:
        return self.playback.position()

    def _report(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # --- transcription ---------------------------------------------------------------------

    def transcribe(self, media: Path) -> None:
        if self.project is None or self.worker is not None:
            return
        engine_settings = EngineSettings(
            model=settings.MODEL.get(), language=settings.LANGUAGE.get() or None, mode=settings.MODE.get(),
        )
        worker = TranscriptionWorker(self.project, media, engine_settings)
        worker.prepared.connect(self._job_prepared)
        worker.segments_received.connect(self._segments_received)
        worker.progress_changed.connect(self._progress_changed)
        worker.finished.connect(self._job_finished)
        self.worker = worker
        self.job_bar.start(f"Transcribing {media.name}")
        self._refresh_actions()
        worker.start()

    def resume_selected(self) -> None:
        transcript_id = self.panel.selected_transcript()
        if self.project is None or transcript_id is None:
            return
        record = transcripts.get_transcript(self.project, transcript_id)
        if record.recording_id is None:
            self.statusBar().showMessage(f"{record.name} is a text source or has no recording: there is nothing to "
                                         "transcribe.", 8000)
            return
        recording = recordings.get_recording(self.project, record.recording_id)
        if recording.audio_deleted:
            self.statusBar().showMessage(f"The audio of {recording.media_path.name} was removed (recorded in the "
                                         "audit): it cannot be transcribed again.", 8000)
            return
        if record.status == "done":
            self.statusBar().showMessage(f"{record.name} is already transcribed.", 5000)
            return
        self.transcribe(recordings.get_recording(self.project, record.recording_id).media_path)

    def cancel_transcription(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.job_bar.stopping()

    def _job_prepared(self, prepared: Prepared) -> None:
        self._job_transcript = prepared.transcript.id
        self.refresh_project()
        self.panel.select_transcript(prepared.transcript.id)
        self.show_transcript(prepared.transcript.id)
        self.panel.show_running(prepared.transcript.id, prepared.transcript.transcribed_until / max(prepared.recording.duration, 1e-9))
        self.view.set_transcribing(True)

    def _segments_received(self, segments: list[SegmentRecord]) -> None:
        if segments and segments[0].transcript_id == self._shown_transcript:
            self.view.append_segments(segments)

    def _progress_changed(self, progress: Progress) -> None:
        detail = f"{clock(progress.covered)} of {clock(progress.duration)} · {time_left(progress.seconds_left)}"
        self.job_bar.set_progress(progress.fraction, detail)
        if self._job_transcript is not None:
            self.panel.show_running(self._job_transcript, progress.fraction)

    def _job_finished(self, result: TranscriptRecord | None, error: Exception | None) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
        self.job_bar.finish()
        self.view.set_transcribing(False)
        self._job_transcript = None
        self.refresh_project()
        if result is not None:
            self.statusBar().showMessage(f"Transcribed {result.name}: {result.segment_count} turns, {result.word_count} words.")
        elif isinstance(error, Cancelled):
            self.statusBar().showMessage("Transcription stopped. What was done is saved; choose Transcribe or Resume (Ctrl+T) to go on.")
        elif error is not None:
            self.show_error("Transcription failed", str(error))
        self._refresh_actions()

    # --- dialogs ---------------------------------------------------------------------------

    def choose_new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", str(Path.home() / "Untitled.earmark"), PROJECT_FILTER)
        if path:
            target = Path(path).with_suffix(".earmark")
            go_ahead, password = self.encryption.new_project_password(target)
            if go_ahead:
                self.create_project_file(target, password)

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(Path.home()), PROJECT_FILTER)
        if path:
            self.open_project_file(Path(path))

    def choose_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a recording", str(Path.home()), MEDIA_FILTER)
        if path:
            self.start_with_media(Path(path))

    def start_with_media(self, media: Path) -> None:
        """Transcribe `media` into the open project, or into a new project beside it."""
        from app.places import project_for_media

        if self.project is None:
            target = project_for_media(media)
            opened = self.open_project_file(target) if target.exists() else self.create_project_file(target)
            if not opened:
                return
        self.transcribe(media)

    def open_sample(self) -> None:
        from app.places import prepare_sample

        try:
            project_path, media = prepare_sample()
        except OSError as error:
            self.show_error("Cannot prepare the sample", f"Copying the sample meeting failed: {error}")
            return
        opened = self.open_project_file(project_path) if project_path.exists() else self.create_project_file(project_path)
        if opened and self.project is not None:
            existing = transcripts.list_transcripts(self.project)
            if not existing or existing[0].status != "done":
                self.transcribe(media)

    def edit_transcription_settings(self) -> None:
        dialogs.edit_transcription_settings(self)

    def show_shortcuts(self) -> None:
        dialogs.show_shortcuts(self)

    def show_about(self) -> None:
        dialogs.show_about(self)

    def show_error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        QMessageBox.warning(self, title, message)

    # --- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait()
        self.playback.close()
        settings.WINDOW_GEOMETRY.set(self.saveGeometry().data())
        settings.WINDOW_STATE.set(self.saveState().data())
        self._close_project()
        event.accept()


def window_icon() -> QIcon:
    from resources import icon_path

    path = icon_path()
    return QIcon(str(path)) if path.exists() else QIcon()
