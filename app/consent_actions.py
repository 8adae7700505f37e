"""Consent in the window: keeps the editor's greyed turns (and the views that count passages) in
step with the participant register.

Which turns are left out, and why, is storage/consent.py's rule; this controller only asks it
again whenever the answer may have changed: another transcript shown, the register changed
(consent, a speaker linked or unlinked, and their undo), and any undoable edit, since setting a
turn's speaker, renaming or merging a speaker label and splitting or merging turns all go
through the undo stack. The question is one small query, so asking after every change is
cheaper than working out which changes matter; after an undoable change it is asked once the
event loop is idle, so applying a code or saving a keystroke is not held up by it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from app.analysis_context import AnalysisContext
from storage import consent
from storage.errors import ProjectError


class ConsentController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context, self.editor = context, context.editor
        context.transcript_shown.connect(lambda _transcript_id: self.refresh())
        context.project_changed.connect(self.refresh)
        context.register_changed.connect(self._register_changed)
        self._later = QTimer(self)  # several changes in one event-loop turn: one refresh
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.refresh)
        context.stack.indexChanged.connect(lambda _index: self._later.start())

    def refresh(self) -> None:
        """Grey the shown transcript's turns whose words are left out of analysis."""
        self._later.stop()
        project, transcript_id = self.context.project(), self.context.transcript_id()
        if project is None or transcript_id is None:
            self.editor.set_excluded_turns({})
            return
        try:
            with project.session() as session:
                turns = consent.excluded_turns(session, transcript_id)
        except ProjectError as error:
            self.context.report(f"Cannot read who consented to what: {error}")
            return
        self.editor.set_excluded_turns({segment_id: why.reason for segment_id, why in turns.items()},
                                       {segment_id: why.short for segment_id, why in turns.items()})

    def refresh_pending(self) -> bool:
        """Whether a refresh is due once the event loop is idle (after an undoable change)."""
        return self._later.isActive()

    def _register_changed(self) -> None:
        self.refresh()
        # Codebook counts, the matrix and retrieval leave excluded turns out: a consent change
        # changes what they show, as a change of codes would.
        self.context.codes_changed.emit()
