"""Running the transcription job on a worker thread and delivering its results on the GUI
thread through signals. Every job ends with one `finished(result, error)`: one of them None."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app import jobs
from audio.engine import EngineSettings
from audio.remote import EngineProcess
from storage.project import Project


class TranscriptionWorker(QObject):
    prepared = Signal(object)  # jobs.Prepared
    segments_received = Signal(object)  # list[SegmentRecord]
    progress_changed = Signal(object)  # jobs.Progress
    finished = Signal(object, object)  # (TranscriptRecord | None, Exception | None)

    def __init__(self, project: Project, media: Path, settings: EngineSettings) -> None:
        super().__init__()
        self._project, self._media, self._settings = project, media, settings
        self._stop = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("transcription")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._run)
        self.finished.connect(self._thread.quit)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self._thread.wait(milliseconds)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def _run(self) -> None:
        engine = EngineProcess()  # warms up while the recording is probed and hashed
        try:
            prepared = jobs.prepare(self._project, self._media)
            self.prepared.emit(prepared)
            result = jobs.transcribe(
                self._project, prepared, self._settings,
                on_segments=self.segments_received.emit,
                on_progress=self.progress_changed.emit,
                should_stop=self._stop.is_set,
                engine=engine,
            )
        except Exception as error:  # delivered to the window, which explains it to the user
            engine.close()
            self.finished.emit(None, error)
        else:
            self.finished.emit(result, None)
