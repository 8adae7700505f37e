"""Undo commands for the codebook: create, rename, recolour, describe, move, merge, delete.

Each redo()/undo() changes the project through storage.codebook and then broadcasts what
changed (codes_changed; codings_changed(-1) and memos_changed when codings and memos moved or
went away), so every view refreshes itself. A change that fails on the first redo (a
read-only file, a code deleted meanwhile, a move under itself) is reported and marks the
command obsolete, so the stack drops it (app/undo.py).

Redo after undo repeats the change on the ids undo put back: restore_code and undo_merge
restore codes under their old ids, so later commands on the stack still find them.
"""

from __future__ import annotations

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand, reason
from storage import codebook
from storage.analysis_records import CodeRecord
from storage.project import Project


class _CodebookCommand(ProjectCommand):
    codings_move = False  # merges and deletions change codings (and memos) too

    def __init__(self, text: str, project: Project, context: AnalysisContext) -> None:
        super().__init__(text, context.report)
        self.project, self.context = project, context

    def broadcast(self) -> None:
        self.context.codes_changed.emit()
        if self.codings_move:
            self.context.codings_changed.emit(-1)
            self.context.memos_changed.emit()

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        text = reason(error)
        self.report(text[:1].upper() + text[1:] if text else "The codebook could not be changed.")


class CreateCodeCommand(_CodebookCommand):
    def __init__(self, project: Project, context: AnalysisContext, name: str, parent_id: int | None) -> None:
        super().__init__(f"New code “{name}”", project, context)
        self.name, self.parent_id = name, parent_id
        self.code: CodeRecord | None = None
        self._deleted: codebook.DeletedCodes | None = None

    def apply(self) -> None:
        self.code = codebook.create_code(self.project, self.name, self.parent_id)

    def reapply(self) -> None:
        assert self._deleted is not None
        codebook.restore_code(self.project, self._deleted)  # the same id, colour and place

    def revert(self) -> None:
        assert self.code is not None
        self._deleted = codebook.delete_code(self.project, self.code.id)


class _CodeFieldCommand(_CodebookCommand):
    """Rename, recolour or describe: store the new value; undo stores the old one."""

    def __init__(self, text: str, project: Project, context: AnalysisContext, code_id: int, value: str) -> None:
        super().__init__(text, project, context)
        self.code_id, self.value = code_id, value
        self.before: CodeRecord | None = None

    def apply(self) -> None:
        self.before, _after = self.store(self.value)

    def revert(self) -> None:
        assert self.before is not None
        self.store(self.old_value(self.before))

    def store(self, value: str) -> tuple[CodeRecord, CodeRecord]:
        raise NotImplementedError

    def old_value(self, before: CodeRecord) -> str:
        raise NotImplementedError


class RenameCodeCommand(_CodeFieldCommand):
    def __init__(self, project: Project, context: AnalysisContext, code_id: int, old_name: str, name: str) -> None:
        super().__init__(f"Rename code “{old_name}” to “{name}”", project, context, code_id, name)

    def store(self, value: str) -> tuple[CodeRecord, CodeRecord]:
        return codebook.rename_code(self.project, self.code_id, value)

    def old_value(self, before: CodeRecord) -> str:
        return before.name


class RecolourCodeCommand(_CodeFieldCommand):
    def __init__(self, project: Project, context: AnalysisContext, code_id: int, name: str, colour: str) -> None:
        super().__init__(f"Colour of code “{name}”", project, context, code_id, colour)

    def store(self, value: str) -> tuple[CodeRecord, CodeRecord]:
        return codebook.set_code_color(self.project, self.code_id, value)

    def old_value(self, before: CodeRecord) -> str:
        return before.color


class DescribeCodeCommand(_CodeFieldCommand):
    def __init__(self, project: Project, context: AnalysisContext, code_id: int, name: str, description: str) -> None:
        super().__init__(f"Description of code “{name}”", project, context, code_id, description)

    def store(self, value: str) -> tuple[CodeRecord, CodeRecord]:
        return codebook.describe_code(self.project, self.code_id, value)

    def old_value(self, before: CodeRecord) -> str:
        return before.description


class MoveCodeCommand(_CodebookCommand):
    def __init__(self, project: Project, context: AnalysisContext, code_id: int, name: str, parent_id: int | None,
                 position: int) -> None:
        super().__init__(f"Move code “{name}”", project, context)
        self.code_id, self.parent_id, self.position = code_id, parent_id, position
        self.before: CodeRecord | None = None

    def apply(self) -> None:
        self.before = codebook.move_code(self.project, self.code_id, self.parent_id, self.position)

    def revert(self) -> None:
        assert self.before is not None
        codebook.move_code(self.project, self.code_id, self.before.parent_id, self.before.position)


class MergeCodesCommand(_CodebookCommand):
    codings_move = True

    def __init__(self, project: Project, context: AnalysisContext, source_id: int, target_id: int,
                 source_name: str, target_name: str) -> None:
        super().__init__(f"Merge code “{source_name}” into “{target_name}”", project, context)
        self.source_id, self.target_id = source_id, target_id
        self.merge: codebook.CodeMerge | None = None

    def apply(self) -> None:
        self.merge = codebook.merge_codes(self.project, self.source_id, self.target_id)
        _forget_last_code(self.context, {self.source_id})

    def revert(self) -> None:
        assert self.merge is not None
        codebook.undo_merge(self.project, self.merge)


class DeleteCodeCommand(_CodebookCommand):
    codings_move = True

    def __init__(self, project: Project, context: AnalysisContext, code_id: int, name: str) -> None:
        super().__init__(f"Delete code “{name}”", project, context)
        self.code_id = code_id
        self.deleted: codebook.DeletedCodes | None = None

    def apply(self) -> None:
        self.deleted = codebook.delete_code(self.project, self.code_id)
        _forget_last_code(self.context, {state.id for state in self.deleted.codes})

    def revert(self) -> None:
        assert self.deleted is not None
        codebook.restore_code(self.project, self.deleted)


def _forget_last_code(context: AnalysisContext, gone: set[int]) -> None:
    """Apply Last Code must not reach for a code that no longer exists."""
    if context.last_code_id in gone:
        context.last_code_id = None
