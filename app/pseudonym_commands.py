"""Undo commands for the pseudonym list (add, edit, remove) and for replacing names in the
project (one step for the whole run, however many turns and memos it touched).

Redo after undo puts back exactly what the first redo made: a list entry under its old id;
replacing runs again on the same matches, whose text undo restored exactly. After each change
`refreshed` is called (the controller refreshes an open dialog), and a replacement broadcasts
codings_changed and memos_changed and shows the changed turns in the editor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand, reason
from storage import pseudonyms
from storage.errors import ProjectError
from storage.project import Project
from storage.pseudonym_records import PseudonymMatch, PseudonymRecord
from storage.records import SegmentRecord


class PseudonymCommand(ProjectCommand):
    def __init__(self, text: str, project: Project, context: AnalysisContext, refreshed: Callable[[], None]) -> None:
        super().__init__(text, context.report)
        self.project, self.context, self.refreshed = project, context, refreshed
        self.error: str | None = None  # why the first redo failed, for the dialog to show

    def broadcast(self) -> None:
        self.refreshed()

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        text = reason(error)
        self.error = text[:1].upper() + text[1:] if text else "The pseudonyms could not be changed."
        self.report(f"Undo failed: {self.error}" if undoing else self.error)


class AddPseudonymCommand(PseudonymCommand):
    def __init__(self, project: Project, context: AnalysisContext, refreshed: Callable[[], None], real_name: str,
                 replacement: str, variants: Sequence[str]) -> None:
        super().__init__(f"Add pseudonym “{replacement}”", project, context, refreshed)
        self.real_name, self.replacement, self.variants = real_name, replacement, list(variants)
        self.entry: PseudonymRecord | None = None

    def apply(self) -> None:
        self.entry = pseudonyms.add_pseudonym(self.project, self.real_name, self.replacement, self.variants)

    def reapply(self) -> None:
        assert self.entry is not None
        pseudonyms.restore_pseudonym(self.project, self.entry)

    def revert(self) -> None:
        assert self.entry is not None
        pseudonyms.remove_pseudonym(self.project, self.entry.id)


class EditPseudonymCommand(PseudonymCommand):
    def __init__(self, project: Project, context: AnalysisContext, refreshed: Callable[[], None], pseudonym_id: int,
                 real_name: str, replacement: str, variants: Sequence[str]) -> None:
        super().__init__(f"Change pseudonym “{replacement}”", project, context, refreshed)
        self.pseudonym_id, self.values = pseudonym_id, (real_name, replacement, list(variants))
        self.before: PseudonymRecord | None = None

    def apply(self) -> bool:
        self.before, after = pseudonyms.update_pseudonym(self.project, self.pseudonym_id, *self.values)
        return after != self.before  # nothing changed: nothing to undo

    def revert(self) -> None:
        assert self.before is not None
        pseudonyms.update_pseudonym(self.project, self.pseudonym_id, self.before.real_name, self.before.replacement,
                                    self.before.variants)


class RemovePseudonymCommand(PseudonymCommand):
    def __init__(self, project: Project, context: AnalysisContext, refreshed: Callable[[], None],
                 entry: PseudonymRecord) -> None:
        super().__init__(f"Remove pseudonym “{entry.replacement}”", project, context, refreshed)
        self.entry = entry

    def apply(self) -> None:
        self.entry = pseudonyms.remove_pseudonym(self.project, self.entry.id)

    def revert(self) -> None:
        pseudonyms.restore_pseudonym(self.project, self.entry)


class PseudonymiseCommand(PseudonymCommand):
    """Replace the chosen matches in turns and memos; undo puts text, word times, codings and
    memos back exactly (storage.pseudonyms.undo_pseudonymisation)."""

    undo_failures = (ProjectError, KeyError)

    def __init__(self, project: Project, context: AnalysisContext, refreshed: Callable[[], None],
                 matches: Sequence[PseudonymMatch]) -> None:
        super().__init__(f"Pseudonymise {len(matches)} name{'s' if len(matches) != 1 else ''}", project, context,
                         refreshed)
        self.matches = list(matches)
        self.result: pseudonyms.Pseudonymisation | None = None

    def apply(self) -> None:
        self.result = pseudonyms.apply_matches(self.project, self.matches)
        self._show([change.after for change in self.result.turn_changes])

    def revert(self) -> None:
        assert self.result is not None
        pseudonyms.undo_pseudonymisation(self.project, self.result)
        self._show([change.before for change in self.result.turn_changes])

    def _show(self, turns: list[SegmentRecord]) -> None:
        for turn in turns:
            self.context.editor.update_turn(turn)  # turns of other transcripts are ignored there

    def broadcast(self) -> None:
        self.context.codings_changed.emit(-1)
        if self.result is not None and self.result.memos_before:
            self.context.memos_changed.emit()
        super().broadcast()
