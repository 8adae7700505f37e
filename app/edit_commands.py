"""Undo commands for transcript edits (Orange's way: redo()/undo() call the model).

Each command changes the project through storage.editing and then shows the result in the
editor. The first redo() runs when the command is pushed. A save that fails (a full disk, a
file gone read-only) marks the command obsolete, so the stack drops it, and is reported
(app/undo.py).
"""

from __future__ import annotations

from collections.abc import Callable

from app.undo import ProjectCommand, Report
from storage import editing
from storage.anchors import TextEdit
from storage.errors import ProjectError
from storage.project import Project
from storage.records import SegmentRecord
from widgets.transcript_editor import TranscriptEditor


class _EditCommand(ProjectCommand):
    """A change to the open transcript. Redo after undo runs apply() again: undo restored the
    exact state before, so the same edit gives the same result."""

    undo_failures = (ProjectError, KeyError)  # storage.editing's ValueErrors refuse new edits only

    def __init__(self, text: str, project: Project, editor: TranscriptEditor, report: Report) -> None:
        super().__init__(text, report)
        self.project, self.editor = project, editor
        self.on_codings_changed: Callable[[], None] | None = None

    def codings_changed(self) -> None:
        """Tell whoever paints codings that they may have moved (set by the app)."""
        if self.on_codings_changed is not None:
            self.on_codings_changed()


class EditTextCommand(_EditCommand):
    """A turn's text as typed; `edits` (recorded by the editor) moves codings exactly."""

    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, text: str,
                 edits: list[TextEdit] | None = None) -> None:
        super().__init__("Edit text", project, editor, report)
        self.segment_id, self.text, self.edits = segment_id, text, edits
        self.change: editing.TextChange | None = None

    def apply(self) -> None:
        self.change = editing.edit_turn_text(self.project, self.segment_id, self.text, self.edits)
        self.editor.update_turn(self.change.after)
        self.codings_changed()

    def revert(self) -> None:
        assert self.change is not None
        self.editor.update_turn(editing.undo_text_change(self.project, self.change))
        self.codings_changed()


class SetSpeakerCommand(_EditCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, label: str | None) -> None:
        super().__init__("Change speaker", project, editor, report)
        self.segment_id, self.label = segment_id, label
        self.before: SegmentRecord | None = None

    def apply(self) -> None:
        self.before, after = editing.set_turn_speaker(self.project, self.segment_id, self.label)
        self.editor.update_turn(after)

    def revert(self) -> None:
        assert self.before is not None
        self.editor.update_turn(editing.put_turn(self.project, self.before))


class SplitTurnCommand(_EditCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, offset: int) -> None:
        super().__init__("Split turn", project, editor, report)
        self.segment_id, self.offset = segment_id, offset
        self.change: editing.SplitChange | None = None

    def apply(self) -> None:
        second_id = self.change.second.id if self.change is not None else 0
        self.change = editing.split_turn(self.project, self.segment_id, self.offset, second_id=second_id)
        self.editor.update_turn(self.change.first)
        self.editor.insert_turn(self.change.second)
        self.editor.place_cursor(self.change.second.id, 0)
        self.codings_changed()

    def revert(self) -> None:
        assert self.change is not None
        before = editing.unsplit(self.project, self.change)
        self.editor.remove_turn(self.change.second.id)
        self.editor.update_turn(before)
        self.editor.place_cursor(before.id, self.offset)
        self.codings_changed()


class MergeTurnsCommand(_EditCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int) -> None:
        super().__init__("Merge turns", project, editor, report)
        self.segment_id = segment_id
        self.change: editing.MergeChange | None = None

    def apply(self) -> None:
        self.change = editing.merge_with_next(self.project, self.segment_id)
        self.editor.remove_turn(self.change.second.id)
        self.editor.update_turn(self.change.merged)
        self.editor.place_cursor(self.change.merged.id, len(self.change.first.text) + 1)
        self.codings_changed()

    def revert(self) -> None:
        assert self.change is not None
        editing.unmerge(self.project, self.change)
        self.editor.update_turn(self.change.first)
        self.editor.insert_turn(self.change.second)
        self.codings_changed()


class RenameSpeakerCommand(_EditCommand):
    """Rename or merge a speaker label across the project; `refresh` reloads the open transcript."""

    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, old: str, new: str,
                 refresh: Callable[[], None]) -> None:
        super().__init__(f"Rename speaker {old} to {new}", project, editor, report)
        self.old, self.new, self.refresh = old, new, refresh
        self.change: editing.SpeakerChange | None = None

    def apply(self) -> None:
        self.change = editing.rename_speaker(self.project, self.old, self.new)
        self.refresh()

    def revert(self) -> None:
        assert self.change is not None
        editing.undo_speaker_change(self.project, self.change)
        self.refresh()
