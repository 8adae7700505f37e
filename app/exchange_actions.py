"""Exchange with other tools in the window: File ▸ Import ▸ (Transcript File…, REFI-QDA Project…,
Codebook…, and the document import of app/source_actions.py), File ▸ Export ▸ (Transcript…, the
shown transcript as plain text from app/pseudonym_actions.py, REFI-QDA Project…, Codebook…) and
Analysis ▸ Reports ▸ …; the exports and reports are app/export_actions.py.

A transcript import is one undo step (app/exchange_commands.py). A REFI-QDA import adds a whole
project's codes, sources, codings, notes and cases in one transaction: too much for the undo stack,
so a backup of the project is taken first (storage/backups.py), and the message after the import
says where it is. Imports run with a wait cursor on the GUI thread: the project has one writer,
and the user should not edit while thousands of rows go in.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

from app.analysis_context import AnalysisContext
from app.encryption_actions import WRONG_PASSWORD, busy_cursor
from app.exchange_commands import ImportTranscriptCommand
from app.exchange_progress import run_with_progress
from app.export_actions import ExportActions, refi_counts, warn
from storage import backups, encryption, recordings, sources, transcripts
from storage.encryption import CipherKey, WrongPasswordError
from storage.errors import ProjectError
from storage.project import Project
from storage.refi_qda.import_ import import_qdc, import_qdpx
from storage.refi_qda.summary import ExchangeSummary
from storage.transcript_formats import ImportedTranscript, read_transcript
from storage.transcript_import import DRIFT_ALLOWED
from widgets.password_dialog import PasswordDialog
from widgets.transcript_import_dialog import (
    RecordingOption, TranscriptImportChoices, TranscriptImportDialog, TranscriptPreview,
)

TRANSCRIPT_FILTER = ("Transcripts (*.srt *.vtt *.sbv *.txt *.docx);;SubRip (*.srt);;WebVTT (*.vtt);;YouTube (*.sbv);;"
                     "Text and Word documents (*.txt *.docx);;All files (*)")
REFI_FILTERS = {"qdpx": "REFI-QDA projects (*.qdpx);;All files (*)", "qdc": "REFI-QDA codebooks (*.qdc);;All files (*)"}
REFI_NAMES = {"qdpx": "REFI-QDA project", "qdc": "REFI-QDA codebook"}
DOCUMENT_IMPORT_TEXT = "&Import Document (TXT, DOCX)…"  # app/source_actions.py's entry, moved under Import
TEXT_EXPORT_TEXT = "Export Transcript as &Text…"  # app/pseudonym_actions.py's entry, moved under Export


class ExchangeController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.exports = ExportActions(context)
        self._build_menus()
        context.project_changed.connect(self.refresh_actions)
        self.refresh_actions()

    # --- menus -----------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        context, window = self.context, self.context.window
        file_menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&File"), None)
        if not isinstance(file_menu, QMenu):
            file_menu = context.menu("&File")
        self.import_menu = QMenu("&Import", window)
        self.import_menu.setObjectName("importMenu")
        self.import_menu.setToolTipsVisible(True)  # a disabled entry says why (read-only project)
        self.export_menu = QMenu("E&xport", window)
        self.export_menu.setObjectName("exportMenu")
        self.import_transcript_action = context.action(
            self.import_menu, "&Transcript File (SRT, VTT, SBV, NVivo, TXT, DOCX)…", "import_transcript",
            self.choose_transcript)
        document = self._take(file_menu, DOCUMENT_IMPORT_TEXT)
        if document is not None:
            document.setText("&Document as a Text Source (TXT, DOCX)…")
            self.import_menu.addAction(document)
        self.import_menu.addSeparator()
        self.import_qdpx_action = context.action(self.import_menu, "&REFI-QDA Project (.qdpx)…", None,
                                                 lambda: self.choose_refi("qdpx"))
        self.import_qdc_action = context.action(self.import_menu, "&Codebook (.qdc)…", None,
                                                lambda: self.choose_refi("qdc"))
        self.export_transcript_action = context.action(self.export_menu, "&Transcript…", "export_transcript",
                                                       self.exports.export_transcripts)
        text_export = self._take(file_menu, TEXT_EXPORT_TEXT)
        if text_export is not None:
            text_export.setText("Shown Transcript as Plain &Text…")
            self.export_menu.addAction(text_export)
        self.export_menu.addSeparator()
        self.export_qdpx_action = context.action(self.export_menu, "&REFI-QDA Project (.qdpx)…", None,
                                                 self.exports.export_qdpx)
        self.export_qdc_action = context.action(self.export_menu, "&Codebook (.qdc)…", None, self.exports.export_qdc)
        self._place(file_menu)
        analysis = context.menu("&Analysis")
        analysis.addSeparator()
        self.reports_menu = analysis.addMenu("&Reports")
        self.reports_menu.setObjectName("reportsMenu")
        self.report_actions = self.exports.add_report_actions(self.reports_menu)

    @staticmethod
    def _take(menu: QMenu, text: str) -> QAction | None:
        """Another controller's File menu entry, taken out of the menu to go into a submenu."""
        action = next((a for a in menu.actions() if a.text() == text), None)
        if action is not None:
            menu.removeAction(action)
        return action

    def _place(self, file_menu: QMenu) -> None:
        """Import ▸ and Export ▸ go just above Quit, in a group of their own."""
        actions = file_menu.actions()
        quit_at = next((i for i, a in enumerate(actions) if a.text() == "&Quit"), len(actions))
        before = actions[quit_at - 1] if quit_at > 0 and actions[quit_at - 1].isSeparator() else (
            actions[quit_at] if quit_at < len(actions) else None)
        if before is None:
            file_menu.addSeparator()
            file_menu.addMenu(self.import_menu)
            file_menu.addMenu(self.export_menu)
            return
        separator = QAction(file_menu)
        separator.setSeparator(True)
        file_menu.insertAction(before, separator)
        file_menu.insertMenu(before, self.import_menu)
        file_menu.insertMenu(before, self.export_menu)

    def refresh_actions(self) -> None:
        project = self.context.project()
        writable = project is not None and not project.read_only
        why = ("Open a project first." if project is None else
               f"{project.path.name} is read-only ({project.read_only_reason}): nothing can be imported into it."
               if project.read_only else "")
        for action in (self.import_transcript_action, self.import_qdpx_action, self.import_qdc_action):
            action.setEnabled(writable)
            action.setToolTip(why or action.text().replace("&", ""))
            action.setStatusTip(why)
        self.exports.refresh_actions([self.export_transcript_action, self.export_qdpx_action,
                                      self.export_qdc_action, *self.report_actions])

    # --- transcript files ------------------------------------------------------------------------

    def choose_transcript(self) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        chosen, _ = QFileDialog.getOpenFileName(self.context.window, "Import a Transcript File",
                                                str(self.exports.folder(project)), TRANSCRIPT_FILTER)
        if chosen:
            self.import_transcript(Path(chosen))

    def import_transcript(self, path: Path, choices: TranscriptImportChoices | None = None) -> int | None:
        """Read `path` (a refusal names the line before anything is asked), show what it holds and
        ask where it goes (`choices` answers for tests), then import it as one undo step. Returns
        the new transcript's id, or None."""
        project = self.context.writable_project()
        if project is None:
            return None
        try:
            with busy_cursor():
                imported = read_transcript(path)
        except ProjectError as error:
            warn(self.context, "Cannot import the transcript", str(error))
            return None
        if choices is None:
            choices = self._ask_where(project, imported)
            if choices is None:
                return None
        self.context.editor.flush_pending()
        command = ImportTranscriptCommand(project, self.context, path, recording_id=choices.recording_id,
                                          meeting_id=choices.meeting_id, name=choices.name,
                                          untimed_kind=choices.kind, shown=self._show, removed=self._removed)
        with busy_cursor():
            self.context.stack.push(command)
        if command.result is None:
            warn(self.context, "Cannot import the transcript", command.error or f"{path.name} was not imported.")
            return None
        record = command.result.transcript
        undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
        mended = len(command.result.warnings)
        self.context.report(f"Imported {path.name} as “{record.name}”: {record.segment_count} turns"
                            + (f", {mended} line{'s' if mended != 1 else ''} mended" if mended else "")
                            + f". Undo ({undo}) removes it again.")
        return record.id

    def _ask_where(self, project: Project, imported: ImportedTranscript) -> TranscriptImportChoices | None:
        preview = transcript_preview(imported)
        options = recording_options(project)
        shown_recording = self._shown_recording(project)
        fits = next((o for o in options if o.id == shown_recording), None)
        preselect = fits.id if fits is not None and (preview.end or 0.0) <= fits.duration + DRIFT_ALLOWED else None
        meetings = sources.meeting_choices(project)
        dialog = TranscriptImportDialog(preview, options, meetings, name=imported.source.stem,
                                        recording_id=preselect if preview.timed else None,
                                        meeting_id=sources.guess_meeting(meetings, imported.source.name),
                                        allowance=DRIFT_ALLOWED, parent=self.context.window)
        try:
            return dialog.choices() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _shown_recording(self, project: Project) -> int | None:
        shown = self.context.transcript_id()
        if shown is None:
            return None
        try:
            return transcripts.get_transcript(project, shown).recording_id
        except (KeyError, ProjectError):
            return None

    def _show(self, transcript_id: int) -> None:
        panel = getattr(self.context.window, "panel", None)
        if panel is not None:
            panel.select_transcript(transcript_id)  # the window shows what the panel selects
        if self.context.transcript_id() != transcript_id:
            first = transcripts.segments(self.context.project(), transcript_id)[:1]  # type: ignore[arg-type]
            if first:
                self.context.open_passage(transcript_id, first[0].id, 0)

    def _removed(self, transcript_id: int) -> None:
        """After the import was undone: show another transcript, or nothing."""
        project = self.context.project()
        if project is None or self.context.transcript_id() != transcript_id:
            return
        others = transcripts.list_transcripts(project)
        panel = getattr(self.context.window, "panel", None)
        if others and panel is not None:
            panel.select_transcript(others[0].id)
        else:
            self.context.editor.clear_segments()

    # --- REFI-QDA --------------------------------------------------------------------------------

    def choose_refi(self, kind: str) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        chosen, _ = QFileDialog.getOpenFileName(self.context.window, f"Import a {REFI_NAMES[kind]}",
                                                str(self.exports.folder(project)), REFI_FILTERS[kind])
        if chosen:
            self.import_refi(Path(chosen))

    def import_refi(self, path: Path, *, confirmed: bool | None = None) -> ExchangeSummary | None:
        """Confirm, back the project up, import `path` (.qdpx or .qdc), then say what came in and
        every warning. `confirmed` answers the question for tests."""
        project = self.context.writable_project()
        if project is None:
            return None
        kind = "qdc" if path.suffix.lower() == ".qdc" else "qdpx"
        what = "its codes" if kind == "qdc" else "its codes, sources, codings, notes and cases"
        if confirmed is None:
            confirmed = QMessageBox.question(
                self.context.window, f"Import a {REFI_NAMES[kind]}",
                f"Add {what} from {path.name} to {project.path.name}?\n\nA backup of the project is taken first, in "
                f"{backups.backup_dir(project.path)}: the import cannot be undone with Undo, but you can go back to "
                "the backup.", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes) == QMessageBox.StandardButton.Yes
        if not confirmed:
            return None
        if getattr(self.context.window, "worker", None) is not None:  # the project has one writer at a time
            self.context.report("A transcription is running: let it finish, or cancel it, before importing.")
            return None
        self.context.editor.flush_pending()
        backup = self._backup(project, f"before-{kind}-import")
        if backup is None:
            return None
        try:
            summary = run_with_progress(self.context.window, f"Importing {path.name}…",
                                        lambda: self._run_import(project, path, kind))
        except ProjectError as error:
            warn(self.context, f"Cannot import {path.name}", f"{error}\n\nThe project was not changed.")
            return None
        for signal in (self.context.codes_changed, self.context.sources_changed, self.context.memos_changed,
                       self.context.register_changed):
            signal.emit()
        self.context.codings_changed.emit(-1)
        self._show_summary(path, summary, backup)
        return summary

    @staticmethod
    def _run_import(project: Project, path: Path, kind: str) -> ExchangeSummary:
        return import_qdc(project, path) if kind == "qdc" else import_qdpx(project, path)

    def _backup(self, project: Project, reason: str) -> Path | None:
        """A backup taken now (an encrypted project's needs its password: the key is not kept)."""
        key: CipherKey | None = None
        if project.encrypted:
            key = self._ask_key(project)
            if key is None:
                return None
        try:
            with busy_cursor():
                taken = backups.take_backup(project.path, reason, force=True, key=key)
        except (OSError, ProjectError, *encryption.database_errors()) as error:
            warn(self.context, "Cannot back up the project",
                 f"Could not take a backup of {project.path.name} in {backups.backup_dir(project.path)} ({error}). "
                 "Nothing was imported; free some space or check the folder's permissions, and try again.")
            return None
        assert taken is not None  # force: always taken
        return taken

    def _ask_key(self, project: Project) -> CipherKey | None:
        dialog = PasswordDialog("Back up the encrypted project",
                                f"<b>{escape(project.path.name)}</b> is encrypted, and so is its backup. Enter its "
                                "password to take the backup before the import.",
                                current=True, accept_text="Back Up and Import", parent=self.context.window)
        try:
            while dialog.exec():
                try:
                    with busy_cursor():
                        return encryption.check_password(project.path, dialog.current_password())
                except WrongPasswordError:
                    dialog.show_error(WRONG_PASSWORD)
            return None
        finally:
            dialog.deleteLater()

    def _show_summary(self, path: Path, summary: ExchangeSummary, backup: Path) -> None:
        counts = refi_counts(summary)
        self.context.report(f"Imported {path.name}: {counts}.")
        box = QMessageBox(QMessageBox.Icon.Information, f"Imported {path.name}",
                          f"Imported from {path.name}: {counts}.", QMessageBox.StandardButton.Ok, self.context.window)
        notes = len(summary.warnings)
        box.setInformativeText(
            (f"{notes} thing{'s' if notes != 1 else ''} to know about (left out or changed on the way in): see "
             "the details. " if notes else "Everything in the file was imported. ")
            + f"The project as it was before is kept in the backup {backup}.")
        if summary.warnings:
            box.setDetailedText("\n".join(f"• {w}" for w in summary.warnings))
        box.exec()
        box.deleteLater()


def transcript_preview(imported: ImportedTranscript) -> TranscriptPreview:
    speakers = Counter(turn.speaker for turn in imported.turns if turn.speaker)
    starts = [turn.start for turn in imported.turns if turn.start is not None]
    ends = [turn.end if turn.end is not None else turn.start for turn in imported.turns if turn.start is not None]
    return TranscriptPreview(file_name=imported.source.name, format=imported.format, turns=len(imported.turns),
                             speakers=tuple(speakers.most_common()), start=min(starts) if starts else None,
                             end=max(e for e in ends if e is not None) if starts else None,
                             warnings=imported.warnings)


def recording_options(project: Project) -> list[RecordingOption]:
    """The project's recordings as the import dialog offers them, named by their transcript."""
    names = {t.recording_id: t.name for t in transcripts.list_transcripts(project) if t.recording_id is not None}
    options = []
    for recording in recordings.list_recordings(project):
        file_name = Path(recording.stored_path).name or recording.media_path.name
        label = f"{names[recording.id]} — {file_name}" if recording.id in names else file_name
        options.append(RecordingOption(recording.id, label, recording.duration))
    return options
