"""Find and replace in the window. Replacements go through the undo stack as one step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.edit_commands import EditTextCommand
from app.editor_actions import EditorActions
from storage import transcripts
from storage.project import Project
from storage.search import TextMatch, find_text, replaced_text
from widgets.find_panel import FindOptions, FindPanel


class FindController(QObject):
    def __init__(self, panel: FindPanel, editing: EditorActions, project: Callable[[], Project | None],
                 shown_transcript: Callable[[], int | None], open_transcript: Callable[[int], None]) -> None:
        super().__init__(panel)
        self.panel, self.editing, self.project = panel, editing, project
        self.shown_transcript, self.open_transcript = shown_transcript, open_transcript
        panel.find_next_requested.connect(self.find_next)
        panel.replace_requested.connect(self.replace)
        panel.replace_all_requested.connect(self.replace_all)
        panel.match_activated.connect(self.go_to)

    def matches(self, options: FindOptions) -> list[TextMatch]:
        project = self.project()
        if project is None or not options.needle:
            return []
        self.editing.editor.flush_pending()
        scope = None if options.everywhere else self.shown_transcript()
        if scope is None and not options.everywhere:
            return []
        return find_text(project, options.needle, match_case=options.match_case, whole_words=options.whole_words,
                         transcript_id=scope)

    def find_next(self, options: FindOptions) -> TextMatch | None:
        found = self.matches(options)
        self.panel.show_matches(found)
        editor = self.editing.editor
        here = editor.turn_at_cursor()
        offset = editor.cursor_offset() if here is not None else -1
        shown = self.shown_transcript()
        in_view = [m for m in found if m.transcript_id == shown]
        after = [m for m in in_view if here is not None and (m.position, m.start) > (here.position, offset - 1)
                 and not (m.segment_id == here.id and m.start < offset)]
        target = (after or in_view or found or [None])[0]
        if target is not None:
            self.go_to(target)
        return target

    def go_to(self, match: TextMatch) -> None:
        if match.transcript_id != self.shown_transcript():
            self.open_transcript(match.transcript_id)
        self.editing.editor.select_range(match.segment_id, match.start, match.end)

    def replace(self, options: FindOptions) -> None:
        editor = self.editing.editor
        selected = editor.selected_text()
        if selected and replaced_text(selected, options.needle, options.replacement, match_case=options.match_case,
                                      whole_words=options.whole_words) != selected:
            editor.insert_at_cursor(options.replacement)
            editor.flush_pending()
        self.find_next(options)

    def replace_all(self, options: FindOptions) -> int:
        project = self.project()
        found = self.matches(options)
        if project is None or project.read_only or not found:
            self.panel.show_matches(found)
            return 0
        by_segment: dict[int, TextMatch] = {m.segment_id: m for m in found}
        stack = self.editing.stack
        stack.beginMacro(f"Replace {len(found)} × {options.needle!r}")
        for segment_id, match in by_segment.items():
            text = next(s.text for s in transcripts.segments(project, match.transcript_id) if s.id == segment_id)
            new = replaced_text(text, options.needle, options.replacement, match_case=options.match_case,
                                whole_words=options.whole_words)
            stack.push(EditTextCommand(project, self.editing.editor, self.editing.report, segment_id, new))
        stack.endMacro()
        self.panel.show_matches([])
        self.panel.summary.setText(f"Replaced {len(found)} in {len(by_segment)} turns (Ctrl+Z undoes all of it)")
        return len(found)
