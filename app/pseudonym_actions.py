"""Pseudonyms in the window: Project ▸ Pseudonyms… (the list, a preview of every match, replace
the ticked ones in the transcripts as one undoable step; names in memos are listed for the
researcher to edit in the memo panel, which owns a memo's text and its undo) and File ▸ Export Transcript as Text… with the pre-export
check: when a listed real name would leave the project, a dialog names every place and offers
to pseudonymise the export, to export anyway, or to cancel.

The Pseudonyms dialog is window-modal, so the transcripts cannot change while it shows a
preview; replacing still checks each match's text (storage.pseudonyms.apply_matches).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.analysis_context import AnalysisContext
from app.pseudonym_commands import (
    AddPseudonymCommand, EditPseudonymCommand, PseudonymCommand, PseudonymiseCommand, RemovePseudonymCommand,
)
from storage import backups, pseudonyms, transcripts
from storage.errors import ProjectError
from storage.project import Project
from storage.export_text import leaking_names, write_text_export
from storage.pseudonym_records import NameLeak, PseudonymMatch
from widgets.name_check_dialog import PSEUDONYMISE, ask_about_names
from widgets.pseudonym_dialog import PreviewScope, PseudonymDialog, plural

TEXT_FILTER = "Plain text (*.txt);;All files (*)"


class PseudonymController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.dialog: PseudonymDialog | None = None
        self.open_action = context.action(context.menu("&Project"), "&Pseudonyms…", None, self.open_dialog)
        self.export_action = context.action(None, "Export Transcript as &Text…", None, self.export_text)
        self._place_in_file_menu(self.export_action)
        context.project_changed.connect(self._close_dialog)

    def _place_in_file_menu(self, action: object) -> None:
        """File ▸ Export… sits above Quit (the window builds the File menu; this adds to it)."""
        window = self.context.window
        window.removeAction(action)  # type: ignore[arg-type]
        file_menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&File"), None)
        if not isinstance(file_menu, QMenu):
            self.context.menu("&File").addAction(action)  # type: ignore[arg-type]
            return
        actions = file_menu.actions()
        quit_at = next((i for i, a in enumerate(actions) if a.text() == "&Quit"), len(actions))
        before = actions[quit_at - 1] if quit_at > 0 and actions[quit_at - 1].isSeparator() else (
            actions[quit_at] if quit_at < len(actions) else None)
        if before is None:
            file_menu.addAction(action)  # type: ignore[arg-type]
        else:
            file_menu.insertAction(before, action)  # type: ignore[arg-type]

    # --- the dialog ------------------------------------------------------------------------------

    def open_dialog(self) -> PseudonymDialog | None:
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
            return None
        self.context.editor.flush_pending()  # preview the text as typed, not as last saved
        self._close_dialog()
        transcript_id = self.context.transcript_id()
        try:
            name = transcripts.get_transcript(project, transcript_id).name if transcript_id is not None else None
        except (ProjectError, KeyError):
            name = None
        dialog = PseudonymDialog(transcript_name=name, parent=self.context.window)
        dialog.add_requested.connect(self.add)
        dialog.edit_requested.connect(self.edit)
        dialog.remove_requested.connect(self.remove)
        dialog.preview_requested.connect(lambda _scope: self.refresh_preview())
        dialog.apply_requested.connect(self.apply)
        dialog.match_activated.connect(self._show_match)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        if project.read_only:
            dialog.set_read_only(f"{project.path.name} is read-only ({project.read_only_reason}): the list and the "
                                 "text can be looked at, not changed.")
        self.refresh()
        dialog.open()
        dialog.real_field.setFocus()
        return dialog

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()

    def _forget(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def refresh(self) -> None:
        """Show the list and the preview as they are now (after a change, an undo or a redo)."""
        project, dialog = self.context.project(), self.dialog
        if project is None or dialog is None:
            return
        try:
            dialog.show_entries(pseudonyms.list_pseudonyms(project))
        except ProjectError as error:
            dialog.show_message(str(error), error=True)
        self.refresh_preview()

    def refresh_preview(self) -> None:
        project, dialog = self.context.project(), self.dialog
        if project is None or dialog is None:
            return
        scope: PreviewScope = dialog.scope_options()
        where = None if scope.everywhere else [self.context.transcript_id() or -1]
        try:
            dialog.show_matches(pseudonyms.find_matches(project, where, include_memos=scope.memos))
        except ProjectError as error:
            dialog.show_message(str(error), error=True)

    # --- changing the list -----------------------------------------------------------------------

    def add(self, real_name: str, replacement: str, variants: list[str]) -> None:
        project = self._writable()
        if project is not None:
            self._push(AddPseudonymCommand(project, self.context, self.refresh, real_name, replacement, variants),
                       f"Listed “{real_name}”, replaced by “{replacement}”.")

    def edit(self, pseudonym_id: int, real_name: str, replacement: str, variants: list[str]) -> None:
        project = self._writable()
        if project is not None:
            self._push(EditPseudonymCommand(project, self.context, self.refresh, pseudonym_id, real_name, replacement,
                                            variants), f"Saved “{real_name}” → “{replacement}”.")

    def remove(self, pseudonym_id: int) -> None:
        project = self._writable()
        entry = next((p for p in pseudonyms.list_pseudonyms(project) if p.id == pseudonym_id), None) if project else None
        if project is not None and entry is not None:
            self._push(RemovePseudonymCommand(project, self.context, self.refresh, entry),
                       f"Took “{entry.real_name}” off the list; text already replaced stays so.")

    def apply(self, matches: list[PseudonymMatch]) -> None:
        project = self._writable()
        if project is None or not matches:
            return
        command = PseudonymiseCommand(project, self.context, self.refresh, matches)
        if not self._push(command, None):
            return
        result = command.result
        assert result is not None
        counts = ", ".join(f"{count} × {replacement}" for replacement, count in result.counts)
        where = plural(len(result.turn_changes), "turn") + (
            f" and {plural(len(result.memos_before), 'memo')}" if result.memos_before else "")
        undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
        message = f"Replaced {counts} in {where}. Undo with {undo}."
        if self.dialog is not None:
            self.dialog.accept()
        self.context.report(message)
        self._offer_to_remove_backups(project)

    def _offer_to_remove_backups(self, project: Project) -> None:
        """The rolling backups were taken before the names were replaced and still hold them."""
        held = backups.existing_backups(project.path)
        if not held:
            return
        answer = QMessageBox.question(
            self.context.window, "Backups still hold the real names",
            f"{plural(len(held), 'backup')} of this project in {backups.backup_dir(project.path)} were taken before "
            "the names were replaced, and still hold them.\n\nDelete those backups now? Undo of the replacement "
            "keeps working; the deleted backups cannot be brought back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            removed = backups.remove_backups(project.path)
        except OSError as error:
            self.context.report(f"Could not delete the backups in {backups.backup_dir(project.path)}: {error.strerror}.")
            return
        self.context.report(f"Deleted {plural(removed, 'backup')} that held the real names.")

    def _writable(self) -> Project | None:
        project = self.context.project()
        if project is None or project.read_only:
            self._say("This project is read-only: nothing can be changed." if project else "Open a project first.",
                      error=True)
            return None
        return project

    def _push(self, command: PseudonymCommand, done: str | None) -> bool:
        self.context.stack.push(command)
        if command.error is not None:
            self._say(command.error, error=True)
            return False
        if done:
            self._say(done)
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        if self.dialog is not None:
            self.dialog.show_message(text, error=error)
        else:
            self.context.report(text)

    def _show_match(self, match: PseudonymMatch) -> None:
        if match.transcript_id is not None:
            self.context.open_passage(match.transcript_id, match.source_id, match.offset, match.offset + match.length)
        else:  # a memo is edited in the memo panel, behind this window-modal dialog
            self._close_dialog()
            self.context.open_memo(match.source_id)

    # --- export ----------------------------------------------------------------------------------

    def export_text(self, path: Path | None = None) -> Path | None:
        """Export the shown transcript as plain text, after the pre-export check. `path` skips the
        file dialog (tests, scripts). Returns the file written, or None."""
        project = self.context.project()
        transcript_id = self.context.transcript_id()
        if project is None or transcript_id is None:
            self.context.report("Open a transcript to export it (choose one in the Project panel).")
            return None
        self.context.editor.flush_pending()  # export the text as typed
        try:
            name = transcripts.get_transcript(project, transcript_id).name
            leaks = leaking_names(project, [transcript_id], pseudonymise=False)
        except (ProjectError, KeyError) as error:
            self._export_failed(str(error))
            return None
        pseudonymise = False
        if leaks:
            choice = self.ask_about_names(leaks, f"Exporting “{name}”")
            if choice is None:
                self.context.report("Export cancelled: nothing was written.")
                return None
            pseudonymise = choice == PSEUDONYMISE
        if path is None:
            path = self._choose_file(project.path.parent, project, transcript_id, pseudonymise)
            if path is None:
                return None
        try:
            written = write_text_export(project, path, [transcript_id], pseudonymise=pseudonymise)
        except (ProjectError, KeyError) as error:
            self._export_failed(str(error))
            return None
        notes = [n for n in ("names pseudonymised" if written.pseudonymised else "",
                             f"{plural(written.left_out, 'turn')} left out (consent)" if written.left_out else "") if n]
        self.context.report(f"Exported to {written.path}" + (f" ({'; '.join(notes)})" if notes else "") + ".")
        return written.path

    def ask_about_names(self, leaks: list[NameLeak], what: str) -> str | None:
        """PSEUDONYMISE, ANYWAY or None (cancel): the pre-export check's question."""
        return ask_about_names(leaks, what, self.context.window)

    def _choose_file(self, folder: Path, project: Project, transcript_id: int, pseudonymise: bool) -> Path | None:
        # The suggested name is the transcript's as exported: pseudonymised when the text is.
        name = transcripts.get_transcript(project, transcript_id).name
        shown = pseudonyms.load_matcher(project).replace(name) if pseudonymise else name
        stem = re.sub(r"[^\w .()-]+", "_", shown).strip() or "transcript"
        suggested = folder / f"{stem}.txt"
        chosen, _ = QFileDialog.getSaveFileName(self.context.window, "Export Transcript as Text", str(suggested),
                                                TEXT_FILTER)
        return Path(chosen) if chosen else None

    def _export_failed(self, message: str) -> None:
        QMessageBox.warning(self.context.window, "Cannot export", message)
        self.context.report(message)
