"""The one shape of every undo command (Orange's way: redo()/undo() call the model).

The first redo() runs when the command is pushed: apply() computes and stores the change and
records what undo needs. A redo after an undo runs reapply(), which puts back exactly what
apply() made (by default by running apply() again). undo() runs revert(). After each one that
worked, broadcast() tells the views what changed.

A storage call that fails (a full disk, a file gone read-only, a row deleted meanwhile) is
reported, not raised: on redo it also marks the command obsolete, so the stack drops it.
apply() may return False when there was nothing to do; the command is then dropped without a
report (apply() says why, if anyone should hear it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from storage.errors import ProjectError

Report = Callable[[str], None]
FAILURES: tuple[type[Exception], ...] = (ProjectError, KeyError, ValueError)


class ProjectCommand(QUndoCommand):
    undo_failures: tuple[type[Exception], ...] = FAILURES  # what undo() reports instead of raising
    obsolete_when_undo_fails = False  # whether a failed undo drops the command too

    def __init__(self, text: str, report: Report) -> None:
        super().__init__(text)
        self.report = report
        self._done_once = False

    def redo(self) -> None:
        try:
            if self._done_once:
                self.reapply()
            elif self.apply() is False:
                self.setObsolete(True)
                return
            else:
                self._done_once = True
        except FAILURES as error:
            self.setObsolete(True)
            self.report_failure(error, undoing=False)
            return
        self.broadcast()

    def undo(self) -> None:
        try:
            self.revert()
        except self.undo_failures as error:
            if self.obsolete_when_undo_fails:
                self.setObsolete(True)
            self.report_failure(error, undoing=True)
            return
        self.broadcast()

    def apply(self) -> bool | None:  # the first time: make the change; False when there was nothing to do
        raise NotImplementedError

    def reapply(self) -> None:  # redo after an undo; most changes simply run again
        self.apply()

    def revert(self) -> None:
        raise NotImplementedError

    def broadcast(self) -> None:
        """Tell the views what a redo or undo changed (nothing, unless a command says so)."""

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        self.report(str(error))


def reason(error: Exception) -> str:
    """The message of an error, without the quotes KeyError puts around it."""
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
