"""Undo commands for transcript edits (Orange's way: redo()/undo() call the model).

Each command changes the project through storage.editing and then shows the result in the
editor. The first redo() runs when the command is pushed. A save that fails (a full disk, a
file gone read-only) marks the command obsolete, so the stack drops it, and is reported.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from storage import editing
from storage.errors import ProjectError
from storage.project import Project
from storage.records import SegmentRecord
from widgets.transcript_editor import TranscriptEditor

Report = Callable[[str], None]


class _EditCommand(QUndoCommand):
    def __init__(self, text: str, project: Project, editor: TranscriptEditor, report: Report) -> None:
        super().__init__(text)
        self.project, self.editor, self.report = project, editor, report
        self._done_once = False

    def redo(self) -> None:
        try:
            if self._done_once:
                self.reapply()
            else:
                self.apply()
                self._done_once = True
        except (ProjectError, KeyError, ValueError) as error:
            self.setObsolete(True)
            self.report(str(error))

    def undo(self) -> None:
        try:
            self.revert()
        except (ProjectError, KeyError) as error:
            self.report(str(error))

    def apply(self) -> None: ...  # the first time: compute and store the change
    def reapply(self) -> None: ...  # redo after an undo: store the recorded result again
    def revert(self) -> None: ...


class _TurnChangeCommand(_EditCommand):
    """A change to one turn whose before and after states are all undo needs."""

    def __init__(self, text: str, project: Project, editor: TranscriptEditor, report: Report,
                 change: Callable[[], tuple[SegmentRecord, SegmentRecord]]) -> None:
        super().__init__(text, project, editor, report)
        self.change = change
        self.before: SegmentRecord | None = None
        self.after: SegmentRecord | None = None

    def apply(self) -> None:
        self.before, self.after = self.change()
        self.editor.update_turn(self.after)

    def reapply(self) -> None:
        assert self.after is not None
        self.editor.update_turn(editing.put_turn(self.project, self.after))

    def revert(self) -> None:
        assert self.before is not None
        self.editor.update_turn(editing.put_turn(self.project, self.before))


class EditTextCommand(_TurnChangeCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, text: str) -> None:
        super().__init__("Edit text", project, editor, report,
                         lambda: editing.edit_turn_text(project, segment_id, text))


class SetSpeakerCommand(_TurnChangeCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, label: str | None) -> None:
        super().__init__("Change speaker", project, editor, report,
                         lambda: editing.set_turn_speaker(project, segment_id, label))


class SplitTurnCommand(_EditCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int, offset: int) -> None:
        super().__init__("Split turn", project, editor, report)
        self.segment_id, self.offset = segment_id, offset
        self.parts: tuple[SegmentRecord, SegmentRecord, SegmentRecord] | None = None

    def apply(self) -> None:
        self.parts = editing.split_turn(self.project, self.segment_id, self.offset)
        _, first, second = self.parts
        self.editor.update_turn(first)
        self.editor.insert_turn(second)
        self.editor.place_cursor(second.id, 0)

    def reapply(self) -> None:
        assert self.parts is not None
        _, first, second = self.parts
        self.editor.update_turn(editing.put_turn(self.project, first))
        self.editor.insert_turn(editing.insert_turn(self.project, second))

    def revert(self) -> None:
        assert self.parts is not None
        before, _, second = self.parts
        editing.unsplit(self.project, before, second.id)
        self.editor.remove_turn(second.id)
        self.editor.update_turn(before)
        self.editor.place_cursor(before.id, self.offset)


class MergeTurnsCommand(_EditCommand):
    def __init__(self, project: Project, editor: TranscriptEditor, report: Report, segment_id: int) -> None:
        super().__init__("Merge turns", project, editor, report)
        self.segment_id = segment_id
        self.parts: tuple[SegmentRecord, SegmentRecord, SegmentRecord] | None = None

    def apply(self) -> None:
        self.parts = editing.merge_with_next(self.project, self.segment_id)
        first, second, merged = self.parts
        self.editor.remove_turn(second.id)
        self.editor.update_turn(merged)
        self.editor.place_cursor(merged.id, len(first.text) + 1)

    def reapply(self) -> None:
        assert self.parts is not None
        _, second, merged = self.parts
        editing.delete_turn(self.project, second.id)
        self.editor.remove_turn(second.id)
        self.editor.update_turn(editing.put_turn(self.project, merged))

    def revert(self) -> None:
        assert self.parts is not None
        first, second, _ = self.parts
        editing.unmerge(self.project, first, second)
        self.editor.update_turn(first)
        self.editor.insert_turn(second)


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

    def reapply(self) -> None:
        self.apply()

    def revert(self) -> None:
        assert self.change is not None
        editing.undo_speaker_change(self.project, self.change)
        self.refresh()
