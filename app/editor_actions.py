"""The Edit menu: undo and redo, turn and speaker edits, and the transcriber's bracketed notes.

It owns the undo stack and turns the editor's requests into undo commands on the open project.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from app.cli_format import stamp
from app.shortcuts import ShortcutBinder
from app.edit_commands import (
    EditTextCommand, MergeTurnsCommand, RenameSpeakerCommand, SetSpeakerCommand, SplitTurnCommand,
)
from storage import editing
from storage.project import Project
from widgets.transcript_editor import TranscriptEditor

NOTES = (("Pause", "(pause)", "note_pause"), ("Laughs", "(laughs)", "note_laughs"),
         ("Crosstalk", "(crosstalk)", "note_crosstalk"))


class EditorActions(QObject):
    def __init__(self, parent: QWidget, editor: TranscriptEditor, project: Callable[[], Project | None],
                 position: Callable[[], float], report: Callable[[str], None], reload: Callable[[], None],
                 shortcuts: ShortcutBinder) -> None:
        super().__init__(parent)
        self.parent_widget, self.editor, self.project, self.position, self.report = parent, editor, project, position, report
        self._reload = reload
        self.shortcuts = shortcuts
        self.stack = QUndoStack(self)
        self.on_codings_changed: Callable[[], None] | None = None  # text edits move codings: views repaint
        editor.text_edited.connect(self.save_text)
        editor.split_requested.connect(self.split)
        editor.merge_requested.connect(self.merge)
        editor.undo_requested.connect(self.stack.undo)
        editor.redo_requested.connect(self.stack.redo)
        editor.refused.connect(report)

    def build_menu(self, menu: QMenu) -> None:
        self.menu = menu
        undo = self.shortcuts.bind(self.stack.createUndoAction(self, "&Undo"), "undo")
        redo = self.shortcuts.bind(self.stack.createRedoAction(self, "&Redo"), "redo")
        for action in (undo, redo):
            menu.addAction(action)
        menu.aboutToShow.connect(self.editor.flush_pending)  # undo from the menu sees the last keystrokes
        menu.addSeparator()
        self._add(menu, "&Split Turn at Cursor (Return)", None, self.split_at_cursor)
        self._add(menu, "&Merge with Next Turn", "merge_next", self.merge_at_cursor)
        self._add(menu, "Set Turn &Speaker…", "set_speaker", self.choose_speaker)
        self._add(menu, "Rename or Merge a Speaker &Label…", None, self.choose_rename)
        menu.addSeparator()
        notes = menu.addMenu("Insert &Note")
        for name, text, shortcut_id in NOTES:
            self._add(notes, f"{name}  {text}", shortcut_id, lambda _=False, t=text: self.editor.insert_at_cursor(t))
        self._add(notes, "Inaudible  [inaudible 00:00:00]", "note_inaudible", self.insert_inaudible)
        self._add(notes, "Free Note…  (tearfully)", "note_free", self.insert_free_note)
        self._add(menu, "Insert Current &Time", "insert_time", self.insert_time)

    def _add(self, menu: QMenu, text: str, shortcut_id: str | None, slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self.parent_widget)
        if shortcut_id:
            self.shortcuts.bind(action, shortcut_id)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --- commands ----------------------------------------------------------------------------

    def _writable(self) -> Project | None:
        project = self.project()
        if project is None or project.read_only:
            self.report("This project is read-only: changes cannot be saved.")
            return None
        return project

    def save_text(self, segment_id: int, text: str, edits: list | None = None) -> None:
        if (project := self._writable()) is not None:
            self._push(EditTextCommand(project, self.editor, self.report, segment_id, text, edits))

    def split(self, segment_id: int, offset: int) -> None:
        if (project := self._writable()) is not None:
            self._push(SplitTurnCommand(project, self.editor, self.report, segment_id, offset))

    def merge(self, segment_id: int) -> None:
        if (project := self._writable()) is not None:
            self._push(MergeTurnsCommand(project, self.editor, self.report, segment_id))

    def _push(self, command: EditTextCommand | SplitTurnCommand | MergeTurnsCommand) -> None:
        command.on_codings_changed = self.on_codings_changed
        self.stack.push(command)

    def split_at_cursor(self) -> None:
        turn = self.editor.turn_at_cursor()
        if turn is not None:
            self.editor.flush_pending()
            self.split(turn.id, self.editor.cursor_offset())

    def merge_at_cursor(self) -> None:
        turn = self.editor.turn_at_cursor()
        if turn is not None:
            self.editor.flush_pending()
            self.merge(turn.id)

    def set_speaker(self, segment_id: int, label: str | None) -> None:
        if (project := self._writable()) is not None:
            self.stack.push(SetSpeakerCommand(project, self.editor, self.report, segment_id, label))

    def choose_speaker(self) -> None:
        turn, project = self.editor.turn_at_cursor(), self.project()
        if turn is None or project is None:
            return
        labels = editing.speaker_labels(project)
        label, accepted = QInputDialog.getItem(
            self.parent_widget, "Turn speaker", "Speaker (choose, or type a new label such as SN1):",
            labels, labels.index(turn.speaker) if turn.speaker in labels else 0, True,
        ) if labels else QInputDialog.getText(self.parent_widget, "Turn speaker", "Speaker label (for example SN1):")
        if accepted:
            self.editor.flush_pending()
            self.set_speaker(turn.id, label)

    def rename_speaker(self, old: str, new: str) -> None:
        if (project := self._writable()) is not None:
            self.stack.push(RenameSpeakerCommand(project, self.editor, self.report, old, new, self._reload))

    def choose_rename(self) -> None:
        project = self.project()
        labels = editing.speaker_labels(project) if project is not None else []
        if not labels:
            self.report("No speaker labels yet: set a turn's speaker first (Ctrl+Shift+S).")
            return
        old, accepted = QInputDialog.getItem(self.parent_widget, "Rename speaker", "Label to rename:", labels, 0, False)
        if not accepted:
            return
        new, accepted = QInputDialog.getText(
            self.parent_widget, "Rename speaker", f"New label for {old} everywhere (an existing label merges them):")
        if accepted and new.strip():
            self.editor.flush_pending()
            self.rename_speaker(old, new.strip())

    def insert_time(self) -> None:
        self.editor.insert_at_cursor(f"[{stamp(self.position())[:8]}]")

    def insert_inaudible(self) -> None:
        self.editor.insert_at_cursor(f"[inaudible {stamp(self.position())[:8]}]")

    def insert_free_note(self) -> None:
        text, accepted = QInputDialog.getText(self.parent_widget, "Insert a note", "Note (inserted in brackets):")
        if accepted and text.strip():
            self.editor.insert_at_cursor(f"({text.strip().strip('()')})")

    def clear(self) -> None:
        self.stack.clear()
