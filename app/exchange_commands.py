"""The undo command of File ▸ Import ▸ Transcript File…: importing is one step, and undoing it
removes the imported transcript again (with its turns; the speakers it named stay known, as after
a failed transcription).

A file without times becomes a text source, which storage/sources.py removes and restores under
the same ids, so redo is exact. A timed transcript has no such restore: redo imports the same
bytes again (kept from the first import, so a file changed or moved since does not matter). SQLite
gives the re-imported rows the ids they had when nothing was added after them, which is the usual
case; when they differ, the steps done in the transcript after the import can no longer be redone,
and the command says so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand, reason
from storage import sources, transcripts
from storage.project import Project
from storage.source_records import SourceState
from storage.transcript_import import TranscriptImport, import_transcript


class ImportTranscriptCommand(ProjectCommand):
    """`shown(transcript id)` shows the transcript after each redo; `removed(transcript id)` lets
    the window move off it after the undo."""

    def __init__(self, project: Project, context: AnalysisContext, path: Path, *, recording_id: int | None,
                 meeting_id: int | None, name: str, untimed_kind: str, shown: Callable[[int], None],
                 removed: Callable[[int], None]) -> None:
        super().__init__(f"Import {Path(path).name}", context.report)
        self.project, self.context, self.path = project, context, Path(path)
        self.options = {"recording_id": recording_id, "meeting_id": meeting_id, "name": name,
                        "untimed_kind": untimed_kind}
        self.shown, self.removed = shown, removed
        self.result: TranscriptImport | None = None
        self.error: str | None = None
        self._bytes: bytes | None = None
        self._text_state: SourceState | None = None
        self._ids: tuple[int, tuple[int, ...]] | None = None  # transcript and turn ids of the first import
        self._present = False

    def apply(self) -> None:
        self._bytes = self.path.read_bytes()
        self.result = import_transcript(self.project, self.path, **self.options)  # type: ignore[arg-type]
        self._ids = self._current_ids(self.result.transcript.id)
        self._present = True

    def reapply(self) -> None:
        assert self.result is not None
        if self._text_state is not None:
            restored = sources.restore_text_source(self.project, self._text_state)
            self._text_state = None
            self._present = True
            assert restored.transcript_id == self.result.transcript.id
            return
        with tempfile.TemporaryDirectory(prefix="earmark-reimport-") as folder:
            copy = Path(folder) / self.path.name  # the same name: it is stored as the source file
            copy.write_bytes(self._bytes or b"")
            self.result = import_transcript(self.project, copy, **self.options)  # type: ignore[arg-type]
        self._present = True
        if self._current_ids(self.result.transcript.id) != self._ids:
            self.report(f"Imported {self.path.name} again, under new ids: what was done in it after the import "
                        "cannot be redone.")

    def revert(self) -> None:
        assert self.result is not None
        transcript_id = self.result.transcript.id
        self.context.editor.flush_pending()
        if self._is_text_source(transcript_id):
            self._text_state = sources.remove_text_source(self.project, transcript_id)
        else:
            transcripts.delete_transcript(self.project, transcript_id)
        self._present = False

    def broadcast(self) -> None:
        assert self.result is not None
        self.context.sources_changed.emit()
        self.context.codings_changed.emit(-1)
        (self.shown if self._present else self.removed)(self.result.transcript.id)

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        # Said as storage says it: its messages start with the file's name, which keeps its case.
        self.error = reason(error) or f"{self.path.name} could not be imported."
        self.report(self.error)

    def _is_text_source(self, transcript_id: int) -> bool:
        try:
            return sources.get_source(self.project, transcript_id).text_source
        except KeyError:
            return False

    def _current_ids(self, transcript_id: int) -> tuple[int, tuple[int, ...]]:
        return transcript_id, tuple(turn.id for turn in transcripts.segments(self.project, transcript_id))
