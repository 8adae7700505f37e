"""Text sources and removing the audio, in the window.

File ▸ New Text Source… and Import Document… make minutes, field notes, interview notes or other
documents (typed in, or from .txt and .docx) that open in the editor to be typed, coded and
searched like transcripts. The project panel groups every source under its meeting (its context
menu edits a source's name, kind and meeting, or removes a recording's audio). Transcription ▸
Remove Audio of This Recording… deletes a recording's file after a confirmation that says what
is kept and that it cannot be undone; it is recorded in the audit.

Whenever a transcript is shown, the editor's margin and the player bar follow what it is: a text
source numbers its paragraphs and has no audio; a recording whose audio was removed, or whose file
is missing, keeps its player off and says why.

The window's project panel and playback controller are reached through the window (getattr, so a
window without them still works): the AnalysisContext offers neither.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

from app.analysis_context import AnalysisContext
from app.source_commands import AddParagraphCommand, CreateSourceCommand, SourceDetailsCommand
from storage import recordings, sources, transcripts
from storage.documents import paragraphs_of, read_document
from storage.errors import ProjectError
from storage.project import Project
from storage.source_records import RECORDING_KIND, TEXT_SOURCE_KINDS
from widgets.source_dialog import RemoveAudioDialog, SourceChoices, SourceDialog, counted

DOCUMENT_FILTER = "Text and Word documents (*.txt *.docx);;All files (*)"


class SourceController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.editor = context.editor
        self.panel = getattr(context.window, "panel", None)
        self.playback = getattr(context.window, "playback", None)
        self._build_menus()
        if self.panel is not None:
            self.panel.details_requested.connect(self.edit_details)
            self.panel.remove_audio_requested.connect(self.remove_audio)
        self.editor.installEventFilter(self)
        context.project_changed.connect(self.refresh)
        context.sources_changed.connect(self.refresh)
        context.register_changed.connect(self.refresh)  # meeting codes and dates
        context.transcript_shown.connect(self.follow_shown)

    def _build_menus(self) -> None:
        window = self.context.window
        menus = {action.text(): action.menu() for action in window.menuBar().actions() if action.menu() is not None}
        file_menu, job_menu = menus.get("&File"), menus.get("&Transcription")
        new = QAction("New &Text Source…", window)
        new.triggered.connect(lambda _=False: self.new_source())
        imported = QAction("&Import Document (TXT, DOCX)…", window)
        imported.triggered.connect(lambda _=False: self.choose_document())
        self.new_action, self.import_action = new, imported
        if isinstance(file_menu, QMenu):
            anchor = next((a for a in file_menu.actions() if a.text().startswith("&Add Recording")), None)
            following = file_menu.actions()[file_menu.actions().index(anchor) + 1] if anchor else None
            file_menu.insertActions(following, [new, imported]) if following else file_menu.addActions([new, imported])
        else:
            self.context.menu("&Project").addActions([new, imported])
        target = job_menu if isinstance(job_menu, QMenu) else self.context.menu("&Project")
        target.addSeparator()
        self.remove_audio_action = self.context.action(target, "&Remove Audio of This Recording…", None,
                                                       self.remove_shown_audio)

    # --- showing -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        project = self.context.project()
        if project is None:
            self.editor.set_text_source(False)
            if self.panel is not None and hasattr(self.panel, "clear_project"):
                self.panel.clear_project()
            return
        if self.panel is not None:
            self.panel.set_sources(sources.list_sources(project), sources.meeting_choices(project))
        shown = self.context.transcript_id()
        if shown is not None:
            self.follow_shown(shown)

    def follow_shown(self, transcript_id: int) -> None:
        """The editor's margin and the player bar for the transcript now shown."""
        project = self.context.project()
        if project is None:
            return
        try:
            source = sources.get_source(project, transcript_id)
            why = sources.playback_unavailable(project, transcript_id)
        except KeyError:
            return
        if self.editor.text_source != source.text_source:
            self.editor.set_text_source(source.text_source)
        if why is not None and self.playback is not None:
            self.playback.show_unavailable(why)

    def _open(self, transcript_id: int) -> None:
        """Show a source in the editor with the cursor at its end, ready to type."""
        project = self.context.project()
        if project is None:
            return
        turns = transcripts.segments(project, transcript_id)
        if self.panel is not None:
            self.panel.select_transcript(transcript_id)  # the window shows what the panel selects
        if self.context.transcript_id() != transcript_id and turns:
            self.context.open_passage(transcript_id, turns[0].id, 0)
        self.follow_shown(transcript_id)
        if turns:
            self.editor.place_cursor(turns[-1].id, len(turns[-1].text))
        self.editor.setFocus()

    def _removed(self, transcript_id: int) -> None:
        """After undoing a source's creation: show another transcript, or nothing."""
        project = self.context.project()
        if project is None or self.context.transcript_id() != transcript_id:
            return
        others = transcripts.list_transcripts(project)
        if others and self.panel is not None:
            self.panel.select_transcript(others[0].id)
        else:
            self.editor.clear_segments()
            self.editor.set_text_source(False)

    # --- making sources ----------------------------------------------------------------------------

    def new_source(self, choices: SourceChoices | None = None) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        if choices is None:
            dialog = SourceDialog(sources.meeting_choices(project), mode="new", parent=self.context.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            choices = dialog.choices()
        self._create(project, choices, paragraphs_of(choices.text), None)

    def choose_document(self) -> None:
        if self.context.writable_project() is None:
            return
        path, _ = QFileDialog.getOpenFileName(self.context.window, "Import a document", str(Path.home()), DOCUMENT_FILTER)
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, choices: SourceChoices | None = None) -> bool:
        """Read the document first (a refusal says why before anything is asked), then ask its
        kind, name and meeting, then write it in one step."""
        project = self.context.writable_project()
        if project is None:
            return False
        try:
            paragraphs = read_document(path)
        except ProjectError as error:
            self._warn("Cannot import the document", str(error))
            return False
        if choices is None:
            meetings = sources.meeting_choices(project)
            dialog = SourceDialog(meetings, mode="import", name=path.stem, kind=sources.guess_kind(path.name),
                                  meeting_id=sources.guess_meeting(meetings, path.name),
                                  file_name=f"{path.name} ({len(paragraphs)} paragraphs)", parent=self.context.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            choices = dialog.choices()
        return self._create(project, choices, paragraphs, path.name)

    def _create(self, project: Project, choices: SourceChoices, paragraphs: list[str], source_file: str | None) -> bool:
        self.editor.flush_pending()
        command = CreateSourceCommand(project, self.context, kind=choices.kind, name=choices.name,
                                      meeting_id=choices.meeting_id, paragraphs=paragraphs, source_file=source_file,
                                      opened=self._open, removed=self._removed)
        self.context.stack.push(command)
        if command.source is None:
            return False
        count = len(paragraphs)
        self.context.report(f"{'Imported' if source_file else 'Created'} {command.source.label}"
                            + (f": {count} paragraph{'s' if count != 1 else ''}." if count else ": type the notes in."))
        return True

    def edit_details(self, transcript_id: int, choices: SourceChoices | None = None) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        try:
            source = sources.get_source(project, transcript_id)
        except KeyError:
            return
        if choices is None:
            kinds = TEXT_SOURCE_KINDS if source.text_source else ()
            dialog = SourceDialog(sources.meeting_choices(project), mode="details", name=source.name, kind=source.kind,
                                  meeting_id=source.meeting_id, kinds=kinds, parent=self.context.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            choices = dialog.choices()
        kind = choices.kind if source.text_source else RECORDING_KIND
        self.context.stack.push(SourceDetailsCommand(project, self.context, transcript_id, name=choices.name,
                                                     kind=kind, meeting_id=choices.meeting_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Return at the very start or end of a text source's paragraph (or in an empty one)
        makes a new, empty paragraph, as in a word processor. A turn split, which the editor
        asks for on Return, needs words on both sides: it still handles Return inside a
        paragraph. Seen here before the editor sees the key."""
        if watched is self.editor and event.type() == QEvent.Type.KeyPress and self.editor.text_source \
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            return self._new_paragraph_at_cursor()
        return super().eventFilter(watched, event)

    def _new_paragraph_at_cursor(self) -> bool:
        turn, transcript_id = self.editor.turn_at_cursor(), self.context.transcript_id()
        if turn is None or transcript_id is None or self.editor.textCursor().hasSelection():
            return False
        offset = self.editor.cursor_offset()
        before, after = turn.text[:offset].strip(), turn.text[offset:].strip()
        if before and after:
            return False  # inside the paragraph: the editor splits it
        project = self.context.writable_project()
        if project is None:
            return True
        self.editor.flush_pending()
        at_start = bool(after) and not before  # the new paragraph goes before, the text and cursor move down
        self.context.stack.push(AddParagraphCommand(project, self.context, transcript_id,
                                                    turn.position + (0 if at_start else 1),
                                                    keep_cursor_in=turn.id if at_start else None))
        return True

    # --- removing the audio ------------------------------------------------------------------------

    def remove_shown_audio(self) -> None:
        project, transcript_id = self.context.project(), self.context.transcript_id()
        if project is None:
            self.context.report("Open a project first.")
            return
        record = transcripts.get_transcript(project, transcript_id) if transcript_id is not None else None
        if record is None or record.recording_id is None:
            self.context.report("Open the transcript of a recording first: a text source has no audio to remove.")
            return
        self.remove_audio(record.recording_id)

    def remove_audio(self, recording_id: int, *, confirmed: bool | None = None) -> bool:
        """Confirm, then delete the recording's file. `confirmed` answers the question for tests."""
        project = self.context.writable_project()
        if project is None:
            return False
        if getattr(self.context.window, "worker", None) is not None:
            self.context.report("A transcription is running: let it finish or cancel it before removing audio.")
            return False
        facts = recordings.audio_facts(project, recording_id)
        if facts.removed_on is not None:
            self.context.report(f"The audio of {facts.file_name} was already removed on {facts.removed_on}.")
            return False
        if confirmed is None:
            confirmed = RemoveAudioDialog(facts, self._unfinished(project, recording_id),
                                          self.context.window).exec() == QDialog.DialogCode.Accepted
        if not confirmed:
            return False
        self.editor.flush_pending()
        if self.playback is not None:
            self.playback.close()  # let go of the file before it is deleted
        try:
            after = recordings.remove_audio(project, recording_id)
        except ProjectError as error:
            self._warn("Cannot remove the audio", str(error))
            self.refresh()
            return False
        self.context.sources_changed.emit()
        self.context.report(f"Removed the audio of {after.file_name} (recorded in the audit); its transcript, "
                            f"{counted(after.codings, 'coding')} and {counted(after.memos, 'memo')} are kept.")
        return True

    @staticmethod
    def _unfinished(project: Project, recording_id: int) -> str | None:
        record = transcripts.transcript_for_recording(project, recording_id)
        if record is None or record.status == "done":
            return None
        return (f"Transcription of “{record.name}” is not finished ({record.status}): without the audio it can "
                "never be resumed.")

    def _warn(self, title: str, message: str) -> None:
        self.context.report(message)
        QMessageBox.warning(self.context.window, title, message)
