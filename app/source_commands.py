"""Undo commands for text sources: create (typed or imported), change details (name, kind,
meeting), and add an empty paragraph (Return at a paragraph's end, which a turn split refuses).

Creating a source is undone by removing it and redone by putting it back under the same ids
(storage.sources.restore_text_source), so commands pushed after it (typing in it, coding it)
still find its turns when they are redone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand, reason
from storage import coding, editing, sources
from storage.analysis_records import CodingState
from storage.project import Project
from storage.records import SegmentRecord
from storage.source_records import SourceDetails, SourceRecord, SourceState, kind_label


class _SourceCommand(ProjectCommand):
    def __init__(self, text: str, project: Project, context: AnalysisContext) -> None:
        super().__init__(text, context.report)
        self.project, self.context = project, context

    def broadcast(self) -> None:
        self.context.sources_changed.emit()

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        text = reason(error)
        self.report(text[:1].upper() + text[1:] if text else "The source could not be changed.")


class CreateSourceCommand(_SourceCommand):
    """A new text source; `opened(transcript id)` shows it in the editor after each redo,
    `removed(transcript id)` lets the editor move off it after the undo."""

    def __init__(self, project: Project, context: AnalysisContext, *, kind: str, name: str, meeting_id: int | None,
                 paragraphs: Sequence[str], source_file: str | None, opened: Callable[[int], None],
                 removed: Callable[[int], None]) -> None:
        verb = f"Import {source_file}" if source_file else f"New {kind_label(kind).lower()} “{name}”"
        super().__init__(verb, project, context)
        self.kind, self.name, self.meeting_id = kind, name, meeting_id
        self.paragraphs, self.source_file = list(paragraphs), source_file
        self.opened, self.removed = opened, removed
        self.source: SourceRecord | None = None
        self._state: SourceState | None = None

    def apply(self) -> None:
        self.source = sources.create_text_source(self.project, self.kind, self.name, meeting_id=self.meeting_id,
                                                 paragraphs=self.paragraphs, source_file=self.source_file)

    def reapply(self) -> None:
        assert self._state is not None
        self.source = sources.restore_text_source(self.project, self._state)

    def revert(self) -> None:
        assert self.source is not None
        self._state = sources.remove_text_source(self.project, self.source.transcript_id)

    def broadcast(self) -> None:
        super().broadcast()
        assert self.source is not None
        if self._state is not None and sources_missing(self.project, self.source.transcript_id):
            self.removed(self.source.transcript_id)
        else:
            self.opened(self.source.transcript_id)


def sources_missing(project: Project, transcript_id: int) -> bool:
    try:
        sources.get_source(project, transcript_id)
    except KeyError:
        return True
    return False


class SourceDetailsCommand(_SourceCommand):
    def __init__(self, project: Project, context: AnalysisContext, transcript_id: int, *, name: str, kind: str,
                 meeting_id: int | None) -> None:
        super().__init__(f"Source details of “{name}”", project, context)
        self.transcript_id, self.after = transcript_id, (name, kind, meeting_id)
        self.before: SourceDetails | None = None

    def apply(self) -> bool | None:
        current = sources.get_source(self.project, self.transcript_id)
        name, kind, meeting_id = self.after
        if (current.name, current.meeting_id) == (name, meeting_id) and (kind == current.kind or not current.text_source):
            return False  # nothing to change: no step on the undo stack

        self.before = sources.set_source_details(self.project, self.transcript_id, name=name, kind=kind,
                                                 meeting_id=meeting_id)
        return None

    def revert(self) -> None:
        assert self.before is not None
        sources.restore_details(self.project, self.transcript_id, self.before)


class AddParagraphCommand(ProjectCommand):
    """An empty paragraph at `position` of the shown text source, with the cursor in it (or
    left at the start of `keep_cursor_in`)."""

    def __init__(self, project: Project, context: AnalysisContext, transcript_id: int, position: int, *,
                 keep_cursor_in: int | None = None) -> None:
        super().__init__("New paragraph", context.report)
        self.project, self.context = project, context
        self.transcript_id, self.position, self.keep_cursor_in = transcript_id, position, keep_cursor_in
        self.paragraph: SegmentRecord | None = None
        self._codings: tuple[CodingState, ...] = ()

    def apply(self) -> None:
        previous = self.paragraph.id if self.paragraph is not None else 0
        self.paragraph = sources.add_paragraph(self.project, self.transcript_id, self.position, segment_id=previous)
        if self._codings:
            coding.restore_codings(self.project, self._codings)
        self.context.editor.insert_turn(self.paragraph)
        # Return at a paragraph's start moves its text down and the cursor with it, as a word processor does.
        self.context.editor.place_cursor(self.keep_cursor_in or self.paragraph.id, 0)

    def revert(self) -> None:
        assert self.paragraph is not None
        _removed, self._codings = editing.delete_turn(self.project, self.paragraph.id)
        self.context.editor.remove_turn(self.paragraph.id)

    def broadcast(self) -> None:
        self.context.codings_changed.emit(self.transcript_id)
