"""Undo commands for memos and the research diary: adding and deleting a memo or an entry,
changing an entry's date or type, and linking or unlinking the passages it discusses.

What is NOT here, on purpose: the text of a memo (its title and body). It is saved continuously
while the researcher writes (widgets/memo_panel.py), and each memo body is a QPlainTextEdit with
its own undo (Ctrl+Z while typing in it). Putting every pause in the writing on the shared stack
would bury the transcript's edits and codings under hundreds of memo keystrokes.

Every command broadcasts what it changed: memos_changed always, and codings_changed(-1) for a
memo on a coding, since the coding stripes mark passages that have memos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtGui import QUndoCommand

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand
from storage import memos
from storage.analysis_records import MemoRecord
from storage.project import Project

FIELDS_COMMAND_ID = 5101  # QUndoCommand.id(): consecutive date/type changes of one entry merge


@dataclass(frozen=True)
class NewMemo:
    target_kind: str
    target_id: int | None
    title: str = ""
    body: str = ""
    author: str = ""
    entry_type: str | None = None
    entry_date: str | date | None = None


class _MemoCommand(ProjectCommand):
    obsolete_when_undo_fails = True  # a memo that cannot be saved either way leaves the stack

    def __init__(self, text: str, context: AnalysisContext, project: Project) -> None:
        super().__init__(text, context.report)
        self.context, self.project = context, project
        self.failed = False

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        # A save that fails (a full disk, a memo gone) is reported, and the stack drops the command.
        self.failed = True
        self.report(f"Could not save the memo: {error}")

    def changed(self, record: MemoRecord | None) -> None:
        self.context.memos_changed.emit()
        if record is not None and record.target_kind == "coding":
            self.context.codings_changed.emit(-1)


class AddMemoCommand(_MemoCommand):
    """Add a memo or a diary entry. Undo deletes it, keeping it as it was then (with whatever was
    written in it meanwhile), and redo puts that back under the same id."""

    def __init__(self, context: AnalysisContext, project: Project, new: NewMemo) -> None:
        super().__init__("New diary entry" if new.target_kind == memos.DIARY else "New memo", context, project)
        self.new = new
        self.record: MemoRecord | None = None

    def apply(self) -> None:
        new = self.new
        self.record = memos.add_memo(self.project, new.target_kind, new.target_id, title=new.title, body=new.body,
                                     author=new.author, entry_type=new.entry_type, entry_date=new.entry_date)
        self.changed(self.record)

    def reapply(self) -> None:
        assert self.record is not None
        self.record = memos.restore_memo(self.project, self.record)
        self.changed(self.record)

    def revert(self) -> None:
        assert self.record is not None
        self.record = memos.delete_memo(self.project, self.record.id)
        self.changed(self.record)


class DeleteMemoCommand(_MemoCommand):
    def __init__(self, context: AnalysisContext, project: Project, memo: MemoRecord) -> None:
        what = "diary entry" if memo.target_kind == memos.DIARY else "memo"
        super().__init__(f"Delete {what} “{memo.title or 'untitled'}”", context, project)
        self.memo_id = memo.id
        self.record: MemoRecord | None = None

    def apply(self) -> None:
        self.record = memos.delete_memo(self.project, self.memo_id)  # as it is now, with every link
        self.changed(self.record)

    def revert(self) -> None:
        assert self.record is not None
        self.changed(memos.restore_memo(self.project, self.record))


class EntryFieldsCommand(_MemoCommand):
    """A diary entry's date, type or linked passages (the discrete parts of an entry)."""

    def __init__(self, context: AnalysisContext, project: Project, text: str, entry_id: int, *,
                 entry_type: str | None = None, entry_date: str | None = None,
                 links: tuple[int, ...] | None = None) -> None:
        super().__init__(text, context, project)
        self.entry_id = entry_id
        self.after = {"entry_type": entry_type, "entry_date": entry_date, "links": links}
        self.before: dict[str, object] | None = None

    def id(self) -> int:  # noqa: A003 (Qt's name)
        # Only date/type changes merge: a date typed digit by digit is one step to undo.
        return FIELDS_COMMAND_ID if self.after["links"] is None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, EntryFieldsCommand) or other.entry_id != self.entry_id or other.failed:
            return False
        self.after = {**self.after, **{key: value for key, value in other.after.items() if value is not None}}
        return True

    def apply(self) -> None:
        before, after = memos.update_memo(self.project, self.entry_id, **self.after)  # type: ignore[arg-type]
        if self.before is None:  # the first time; a redo after undo finds the same state before
            self.before = {"entry_type": before.entry_type, "entry_date": before.entry_date, "links": before.links}
        self.changed(after)

    def revert(self) -> None:
        assert self.before is not None
        wanted = {key: self.before[key] for key, value in self.after.items() if value is not None}
        _, after = memos.update_memo(self.project, self.entry_id, **wanted)  # type: ignore[arg-type]
        self.changed(after)
