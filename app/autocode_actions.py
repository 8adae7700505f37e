"""Auto-coding in the window: Analysis ▸ Auto-code… opens the dialog (widgets/autocode_dialog.py),
answers its previews through storage.autocode, and codes the passages as one undoable command.

The dialog is window-modal, so the transcripts cannot change while it is open: the turns read
for the preview's times and surrounding words are kept until it closes, and each keystroke's
preview costs one search, not a re-read of every transcript it touches.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence

from app.analysis_context import AnalysisContext
from app.undo import FAILURES, ProjectCommand
from storage import transcripts
from storage.analysis_records import Anchor, AutocodeMatch, CodingState
from storage.autocode import apply_autocode, find_matches, new_matches, speaker_turns
from storage.codebook import DeletedCodes, codes_tree, create_code, delete_code, find_code, restore_code
from storage.coding import delete_codings, restore_codings
from storage.editing import speaker_labels
from storage.errors import ProjectError
from storage.passages import clip_left, clip_right, word_span
from storage.project import Project
from storage.records import SegmentRecord
from widgets.autocode_dialog import PREVIEW_ROWS, AutocodeDialog, AutocodeOptions, MatchContext

CONTEXT_CHARS = 48  # of the turn shown on each side of a match in the preview


class AutocodeCommand(ProjectCommand):
    """Code `matches` with one code, creating the code first when `code_id` is None. Undo removes
    the codings (and the code it created); redo puts them back under the same ids."""

    undo_failures = (ProjectError, KeyError)  # deleting codings and a code raises no ValueError

    def __init__(self, context: AnalysisContext, project: Project, code_id: int | None, code_name: str,
                 matches: Sequence[AutocodeMatch]) -> None:
        super().__init__(f"Auto-code with “{code_name}”", context.report)
        self.context, self.project = context, project
        self.code_id, self.code_name, self.matches = code_id, code_name, list(matches)
        self.creates_code = code_id is None
        self.coding_ids: list[int] = []
        self.error: str | None = None
        self._removed: list[CodingState] = []
        self._removed_code: DeletedCodes | None = None

    def apply(self) -> None:
        if self.code_id is None:
            self.code_id = create_code(self.project, self.code_name).id
        try:
            self.coding_ids = apply_autocode(self.project, self.code_id, self.matches)
        except FAILURES:
            if self.creates_code:  # leave no empty code behind a failed auto-coding
                delete_code(self.project, self.code_id)
            raise

    def reapply(self) -> None:
        if self._removed_code is not None:
            restore_code(self.project, self._removed_code)
        restore_codings(self.project, self._removed)

    def revert(self) -> None:
        self._removed = delete_codings(self.project, self.coding_ids)
        if self.creates_code and self.code_id is not None:
            self._removed_code = delete_code(self.project, self.code_id)

    def broadcast(self) -> None:
        self.context.codes_changed.emit()
        self.context.codings_changed.emit(-1)

    def report_failure(self, error: Exception, *, undoing: bool) -> None:
        if undoing:
            self.report(f"Undo failed: {error}")
        else:
            self.error = f"Auto-coding failed: {error}"  # the stack drops the command: there is nothing to undo
            self.report(self.error)
        self.broadcast()  # a failure halfway may have changed codes or codings all the same


class AutocodeController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.action = context.action(context.menu("&Analysis"), "Auto-&code…", "autocode", self.open_dialog)
        self.dialog: AutocodeDialog | None = None
        self._turns: dict[int, dict[int, SegmentRecord]] = {}  # transcript -> turn id -> turn, while the dialog is open
        context.project_changed.connect(self._close_dialog)

    # --- the dialog ------------------------------------------------------------------------------

    def open_dialog(self) -> AutocodeDialog | None:
        project = self.context.writable_project()  # says why when there is none or it is read-only
        if project is None:
            return None
        self.context.editor.flush_pending()  # search the text as typed, not as last saved
        self._close_dialog()
        transcript_id = self.context.transcript_id()
        try:
            name = transcripts.get_transcript(project, transcript_id).name if transcript_id is not None else None
            codes, speakers = codes_tree(project), speaker_labels(project)
        except (ProjectError, KeyError) as error:
            self.context.report(f"Cannot auto-code: {error}")
            return None
        dialog = AutocodeDialog(codes, speakers, transcript_name=name, code_id=self.context.last_code_id,
                                parent=self.context.window)
        dialog.preview_requested.connect(self.preview)
        dialog.apply_requested.connect(self.apply)
        dialog.passage_activated.connect(self._show_passage)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        dialog.open()  # window-modal: the transcripts stay as searched until it closes
        dialog.pattern.setFocus()
        return dialog

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()

    def _forget(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog, self._turns = None, {}

    # --- preview ---------------------------------------------------------------------------------

    def preview(self, options: AutocodeOptions) -> None:
        project, dialog = self.context.project(), self.dialog
        if project is None or dialog is None:
            return
        try:
            matches = self._find(project, options)
            code_id = self._code_id(project, options)
            fresh = matches if code_id is None else new_matches(project, code_id, matches)
            contexts = self._contexts(project, matches[:PREVIEW_ROWS], {(m.start, m.end) for m in fresh})
            skipped = len(self._find(project, options, left_out=True))
        except (ValueError, ProjectError, KeyError) as error:
            dialog.show_preview([], str(error))
            return
        dialog.show_preview(matches, None, contexts=contexts, already_coded=len(matches) - len(fresh))
        if skipped:
            # The dialog's summary line, plus what consent leaves out (storage/consent.py).
            summary = dialog.count.text().rstrip(".")
            dialog.count.setText(f"{summary}. {skipped_text(skipped)}")

    def _find(self, project: Project, options: AutocodeOptions, *, left_out: bool = False) -> list[AutocodeMatch]:
        """What the options find; with `left_out`, what they find in turns left out of analysis
        instead (never coded: the preview says how many)."""
        transcript_id = self.context.transcript_id()
        where = None if options.everywhere or transcript_id is None else [transcript_id]
        if options.mode == "speaker":
            return speaker_turns(project, options.speaker, transcript_ids=where, left_out=left_out) if options.speaker else []
        return find_matches(project, options.pattern, regex=options.regex, whole_words=options.whole_words,
                            match_case=options.match_case, scope=options.scope,  # type: ignore[arg-type]
                            transcript_ids=where, left_out=left_out)

    @staticmethod
    def _code_id(project: Project, options: AutocodeOptions) -> int | None:
        if options.code_id is not None:
            return options.code_id
        code = find_code(project, options.code_name) if options.code_name else None
        return code.id if code is not None else None

    def _contexts(self, project: Project, matches: Sequence[AutocodeMatch],
                  fresh: set[tuple[Anchor, Anchor]]) -> list[MatchContext]:
        contexts = []
        for match in matches:
            turn = self._turn(project, match.transcript_id, match.start.segment_id)
            text = turn.text if turn is not None else match.text
            start, end = (match.start.offset, match.end.offset) if turn is not None else (0, len(text))
            times = word_span(text, turn.words, start, end) if turn is not None else None
            start_time = times[0] if times else (turn.start if turn is not None else None)
            contexts.append(MatchContext(start_time, clip_left(text[:start], CONTEXT_CHARS), clip_right(text[end:], CONTEXT_CHARS),
                                         (match.start, match.end) not in fresh))
        return contexts

    def _turn(self, project: Project, transcript_id: int, segment_id: int) -> SegmentRecord | None:
        if transcript_id not in self._turns:
            self._turns[transcript_id] = {turn.id: turn for turn in transcripts.segments(project, transcript_id)}
        return self._turns[transcript_id].get(segment_id)

    # --- apply -----------------------------------------------------------------------------------

    def apply(self, options: AutocodeOptions) -> None:
        project, dialog = self.context.writable_project(), self.dialog
        if project is None or dialog is None:
            return
        name = options.code_name
        if not name:
            self.context.report("Choose a code, or type a name for a new one.")
            return
        try:
            matches = self._find(project, options)  # what the options find now, not an older preview
            code_id = self._code_id(project, options)
            fresh = new_matches(project, code_id, matches) if code_id is not None else matches
        except (ValueError, ProjectError, KeyError) as error:
            dialog.show_preview([], str(error))
            return
        if not fresh:
            self.context.report(f"Nothing new to code: every passage found has “{name}” already.")
            return
        if code_id is not None:
            name = next((code.name for code in codes_tree(project) if code.id == code_id), name)
        command = AutocodeCommand(self.context, project, code_id, name, fresh)
        self.context.stack.push(command)
        if command.error is not None:
            dialog.show_preview([], command.error)
            return
        self.context.last_code_id = command.code_id
        dialog.accept()
        undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
        self.context.report(f"Coded {_passages(len(command.coding_ids))} with “{name}”. Undo with {undo}.")

    def _show_passage(self, match: AutocodeMatch) -> None:
        self.context.open_passage(match.transcript_id, match.start.segment_id, match.start.offset, match.end.offset,
                                  match.end.segment_id)


def skipped_text(count: int) -> str:
    return (f"{_passages(count)} in turns left out of analysis (consent) "
            f"{'is' if count == 1 else 'are'} skipped.")


def _passages(count: int) -> str:
    return f"{count:,} passage" + ("" if count == 1 else "s")
