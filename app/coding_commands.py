"""Undo commands for coding in the editor: apply a code, remove a coding, create a code and
apply it. redo()/undo() call storage.coding and storage.codebook (Orange's way) and then tell
everyone: the editor is updated in place with the one coding that changed (re-reading 2,000
codings would cost more than the whole change may take), and codings_changed / codes_changed
are announced for the other views (the codebook's counts, retrieval).

A command whose first redo() changes nothing, or fails, marks itself obsolete, so the stack
drops it; the reason goes to the status bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from app.undo import ProjectCommand, reason
from storage import codebook, coding
from storage.analysis_records import Anchor, CodeRecord, CodingRecord, CodingState
from storage.codebook import DeletedCodes
from storage.project import Project


class CodingChanges(Protocol):
    """What the commands tell (app/coding_actions.py's CodingController)."""

    def show_added(self, records: Sequence[CodingRecord]) -> None: ...
    def show_removed(self, coding_ids: Sequence[int]) -> None: ...
    def announce(self, transcript_id: int, *, codebook_changed: bool = False) -> None: ...  # codings_changed, codes_changed
    def report(self, message: str) -> None: ...


class _CodingCommand(ProjectCommand):
    codebook_changed = False  # whether it makes or deletes codes (not just counts)

    def __init__(self, text: str, project: Project, changes: CodingChanges, transcript_id: int) -> None:
        super().__init__(text, changes.report)
        self.project, self.changes, self.transcript_id = project, changes, transcript_id

    def broadcast(self) -> None:
        self.changes.announce(self.transcript_id, codebook_changed=self.codebook_changed)

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        self.report(f"{'Undo ' if undoing else ''}{self.text()}: {reason(error)}")

    def reapply(self) -> None:  # redo after an undo: put back exactly what apply() made
        raise NotImplementedError


class ApplyCodeCommand(_CodingCommand):
    """Code a passage. Undo removes the coding; redo restores it under the same id, so memos
    and diary links made to it meanwhile still point at it."""

    def __init__(self, project: Project, changes: CodingChanges, code: CodeRecord, transcript_id: int,
                 start: Anchor, end: Anchor, author: str = "") -> None:
        super().__init__(f"Apply code “{code.name}”", project, changes, transcript_id)
        self.code, self.start, self.end, self.author = code, start, end, author
        self.record: CodingRecord | None = None
        self.state: CodingState | None = None

    def apply(self) -> bool:
        self.record = coding.apply_code(self.project, self.code.id, self.transcript_id, self.start, self.end, self.author)
        if self.record is None:
            self.changes.report(f"“{self.code.name}” is already on exactly these words.")
            return False
        self.changes.show_added([self.record])
        return True

    def revert(self) -> None:
        assert self.record is not None
        self.state = coding.remove_coding(self.project, self.record.id)
        self.changes.show_removed([self.record.id])

    def reapply(self) -> None:
        assert self.record is not None and self.state is not None
        coding.restore_codings(self.project, [self.state])
        self.changes.show_added([_record(self.record, self.state)])


class RemoveCodingCommand(_CodingCommand):
    def __init__(self, project: Project, changes: CodingChanges, record: CodingRecord) -> None:
        super().__init__(f"Remove code “{record.code_name}”", project, changes, record.transcript_id)
        self.record = record
        self.state: CodingState | None = None

    def apply(self) -> bool:
        self.state = coding.remove_coding(self.project, self.record.id)
        self.changes.show_removed([self.record.id])
        return True

    def reapply(self) -> None:
        coding.delete_codings(self.project, [self.record.id])
        self.changes.show_removed([self.record.id])

    def revert(self) -> None:
        assert self.state is not None
        coding.restore_codings(self.project, [self.state])
        self.changes.show_added([_record(self.record, self.state)])


class CreateAndApplyCommand(_CodingCommand):
    """Create a code and apply it, as one step to undo: undo deletes the code (and so its one
    coding); redo restores both under their old ids."""

    codebook_changed = True

    def __init__(self, project: Project, changes: CodingChanges, name: str, transcript_id: int,
                 start: Anchor, end: Anchor, author: str = "", parent_id: int | None = None) -> None:
        super().__init__(f"Create and apply code “{' '.join(name.split())}”", project, changes, transcript_id)
        self.name, self.start, self.end, self.author, self.parent_id = name, start, end, author, parent_id
        self.code: CodeRecord | None = None
        self.record: CodingRecord | None = None
        self.deleted: DeletedCodes | None = None

    def apply(self) -> bool:
        self.code = codebook.create_code(self.project, self.name, self.parent_id)
        self.record = coding.apply_code(self.project, self.code.id, self.transcript_id, self.start, self.end, self.author)
        if self.record is None:  # an empty passage: leave no code behind
            codebook.delete_code(self.project, self.code.id)
            self.changes.report("Select the words to code first.")
            return False
        self.changes.show_added([self.record])
        return True

    def revert(self) -> None:
        assert self.code is not None and self.record is not None
        self.deleted = codebook.delete_code(self.project, self.code.id)
        self.changes.show_removed([self.record.id])

    def reapply(self) -> None:
        assert self.deleted is not None and self.record is not None
        codebook.restore_code(self.project, self.deleted)
        self.changes.show_added([self.record])


def _record(template: CodingRecord, state: CodingState) -> CodingRecord:
    """The coding as restored: its anchors as stored at removal (the same words, since every
    later edit has been undone by then)."""
    return replace(template, start=state.start, end=state.end)
