"""Coding in the transcript editor: applying, removing and playing codes where the researcher
reads. Every route to apply a code ends in `apply_code_to_selection`: the Code menu (Quick Code,
Apply Last Code), the editor's context menu, a code dropped from the codebook onto the selected
words, and the codebook itself through AnalysisContext.apply_code.

The editor paints the codings (widgets/coding_highlighter.py, coding_margin.py); this controller
keeps them current. Its own commands update the editor with the one coding they changed and then
announce codings_changed / codes_changed with `_quiet` set, so it does not re-read what it just
wrote; a change announced by anyone else (an edit, a merge, an undo elsewhere) re-reads the shown
transcript's codings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QColor, QContextMenuEvent, QIcon, QPixmap, QTextCursor
from PySide6.QtWidgets import QMenu

from app.analysis_context import AnalysisContext
from app.coding_commands import ApplyCodeCommand, CreateAndApplyCommand, RemoveCodingCommand
from app.shortcuts import keys_for
from storage import codebook, coding, memos
from storage.analysis_records import Anchor, CodeRecord, CodingRecord
from storage.errors import ProjectError
from storage.passages import turn_span_times
from storage.project import Project
from widgets.quick_code import QuickCodePopup

NO_SELECTION = "Select the words to code first."
NO_PASSAGE = "Put the cursor in a coded passage (or select words) first."
RECENT = 8  # codes remembered for Quick Code's first rows


class CodingController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context, self.editor = context, context.editor
        self._quiet = 0  # > 0 while announcing changes this controller has already shown
        self._recent: list[int] = []
        self._codes: dict[int, CodeRecord] | None = None  # names and colours, until codes change
        self._authors: dict[str, str] = {}
        self._menus: list[QMenu] = []  # context menus being shown (kept alive until closed)
        self.popup = QuickCodePopup(self.editor)
        self.popup.code_chosen.connect(self.apply_code_to_selection)
        self.popup.create_requested.connect(self.create_and_apply)

        menu = context.menu("&Code")
        context.action(menu, "&Quick Code…", "quick_code", self.quick_code)
        context.action(menu, "Apply &Last Code", "apply_last_code", self.apply_last_code)
        context.action(menu, "&Remove Code from Passage…", "remove_code", self.remove_code)
        context.action(menu, "&Play Passage", "play_passage", self.play_passage)
        context.provide(apply_code=self.apply_code_to_selection)

        editor = self.editor
        # Context menus from the mouse arrive at the viewport, from the keyboard (the Menu key)
        # at the editor; the filter answers both, keeping the cursor where the keyboard left it.
        editor.viewport().installEventFilter(self)
        editor.installEventFilter(self)
        editor.codings.code_dropped.connect(self.apply_code_to_selection)
        editor.codings.coding_clicked.connect(self._coding_clicked)
        editor.codings.margin.memo_text_for = self.memo_text

        context.codings_changed.connect(self._codings_changed)
        context.codes_changed.connect(self._codes_changed)
        context.memos_changed.connect(self.refresh)  # memo markers on the stripes
        context.transcript_shown.connect(lambda _transcript: self.refresh())
        context.project_changed.connect(self._project_changed)

    # --- keeping the editor current ------------------------------------------------------------

    def refresh(self) -> None:
        """Show the shown transcript's codings as stored."""
        project, transcript_id = self.context.project(), self.context.transcript_id()
        if project is None or transcript_id is None:
            self.editor.set_codings([])
            return
        try:
            records = coding.codings_in_transcript(project, transcript_id)
        except ProjectError as error:
            self.context.report(f"Cannot read the codings: {error}")
            return
        self.editor.set_codings(records)

    def _codings_changed(self, transcript_id: int) -> None:
        if not self._quiet and transcript_id in (-1, self.context.transcript_id()):
            self.refresh()

    def _codes_changed(self) -> None:
        if not self._quiet:
            self._codes = None
            self.refresh()  # names and colours

    def _project_changed(self) -> None:
        self._codes, self._recent = None, []
        self.context.last_code_id = None  # a code id of another project means nothing here
        self.refresh()

    # What the undo commands call (app/coding_commands.py's CodingChanges).
    def show_added(self, records: Sequence[CodingRecord]) -> None:
        shown = [record for record in records if record.transcript_id == self.context.transcript_id()]
        if shown:
            self.editor.codings.add_codings(shown)

    def show_removed(self, coding_ids: Sequence[int]) -> None:
        self.editor.codings.remove_codings(coding_ids)

    def announce(self, transcript_id: int, *, codebook_changed: bool = False) -> None:
        if codebook_changed:
            self._codes = None  # a code was made or deleted here: names are read again
        self._quiet += 1
        try:
            self.context.codings_changed.emit(transcript_id)  # the codebook's counts follow this
            if codebook_changed:
                self.context.codes_changed.emit()
        finally:
            self._quiet -= 1

    def report(self, message: str) -> None:
        self.context.report(message)

    # --- applying ------------------------------------------------------------------------------

    def apply_code_to_selection(self, code_id: int) -> None:
        """Apply a code to the selected words (every route to apply a code comes here)."""
        target = self._target()
        if target is None:
            return
        project, transcript_id, start, end = target
        code = self._code(project, code_id)
        if code is None:
            self.context.report("That code no longer exists.")
            return
        command = ApplyCodeCommand(project, self, code, transcript_id, start, end, self._author(project))
        self.context.stack.push(command)
        if command.record is not None:
            self._used(code.id)
            self.context.report(f"Coded with “{code.name}”.")

    def create_and_apply(self, name: str) -> None:
        """Create a code with `name` and apply it, as one undoable step (an existing code of that
        name is applied instead)."""
        target = self._target()
        if target is None:
            return
        project, transcript_id, start, end = target
        existing = codebook.find_code(project, name)
        if existing is not None:
            self.apply_code_to_selection(existing.id)
            return
        command = CreateAndApplyCommand(project, self, name, transcript_id, start, end, self._author(project))
        self.context.stack.push(command)
        self._codes = None
        if command.record is not None and command.code is not None:
            self._used(command.code.id)
            self.context.report(f"Created the code “{command.code.name}” and coded the passage with it.")

    def apply_last_code(self) -> None:
        code_id = self.context.last_code_id
        if code_id is None:
            self.context.report("No code applied yet: use Quick Code (Ctrl+K) or the codebook first.")
            return
        self.apply_code_to_selection(code_id)

    def quick_code(self) -> None:
        """Open the Quick Code palette at the text cursor."""
        if self._target() is None:
            return
        project = self.context.project()
        assert project is not None
        self.popup.set_codes(list(self._code_map(project).values()), self._recent)
        rect = self.editor.cursorRect()
        self.popup.open_at(self.editor.viewport().mapToGlobal(rect.bottomLeft()))

    def _target(self) -> tuple[Project, int, Anchor, Anchor] | None:
        """The writable project, the shown transcript and the selected passage, or None after
        saying what is missing or why it cannot be coded. Pending keystrokes are saved first, so
        the anchors are current."""
        project = self.context.writable_project()
        if project is None:
            return None
        transcript_id = self.context.transcript_id()
        if transcript_id is None:
            self.context.report("Choose a transcript first.")
            return None
        self.editor.flush_pending()
        passage = self.editor.selected_passage()
        if passage is None or not self.editor.selected_text().strip():
            self.context.report(NO_SELECTION)
            return None
        start_id, start, end_id, end = passage
        anchors = Anchor(start_id, start), Anchor(end_id, end)
        # Words of someone whose words are left out of analysis cannot be coded (storage/consent.py):
        # said before a code is chosen or made, naming who and why.
        refusal = coding.consent_refusal(project, *anchors)
        if refusal is not None:
            self.context.report(refusal)
            return None
        return project, transcript_id, anchors[0], anchors[1]

    def _used(self, code_id: int) -> None:
        self.context.last_code_id = code_id
        self._recent = [code_id, *[c for c in self._recent if c != code_id]][:RECENT]

    # --- removing ------------------------------------------------------------------------------

    def remove_code(self) -> None:
        """Remove a code from the passage at the cursor: at once when there is one, else the
        researcher picks it from a menu at the cursor."""
        if self.context.writable_project() is None:
            return
        self.editor.flush_pending()
        found = self.editor.codings_at_cursor()
        if not found:
            self.context.report("No code on the passage at the cursor.")
            return
        if len(found) == 1:
            self.remove_coding(found[0])
            return
        menu = self._new_menu()
        menu.setTitle("Remove which code?")
        self._fill_remove_menu(menu, found)
        menu.popup(self.editor.viewport().mapToGlobal(self.editor.cursorRect().bottomLeft()))

    def remove_coding(self, record: CodingRecord) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        self.context.stack.push(RemoveCodingCommand(project, self, record))
        self.context.report(f"Removed “{record.code_name}” from the passage.")

    # --- playing and memos -----------------------------------------------------------------------

    def play_passage(self) -> None:
        """Play the selected words, or the coded passage at the cursor: exactly its words."""
        transcript_id = self.context.transcript_id()
        span = self.passage_times()
        if transcript_id is None or span is None:
            self.context.report(NO_PASSAGE)
            return
        self.context.play_span(transcript_id, *span)

    def passage_times(self) -> tuple[float, float] | None:
        editor = self.editor
        editor.flush_pending()
        passage = editor.selected_passage()
        if passage is None:
            innermost = self._innermost(editor.codings_at_cursor())
            if innermost is None:
                return None
            passage = (innermost.start.segment_id, innermost.start.offset, innermost.end.segment_id, innermost.end.offset)
        start_id, start, end_id, end = passage
        first, last = editor.block_of(start_id), editor.block_of(end_id)
        if first is None or last is None:
            return None
        turns = [editor.segment_at_block(number) for number in range(first, last + 1)]
        return turn_span_times([(t.text, t.words, t.start, t.end) for t in turns if t is not None], start, end)

    def memo_on_passage(self) -> None:
        innermost = self._innermost(self.editor.codings_at_cursor())
        if innermost is None:
            self.context.report("Put the cursor in a coded passage to write a memo on it.")
            return
        memo_on = getattr(self.context, "memo_on", None)
        if memo_on is None:
            self.context.report("Memos are not available.")
            return
        memo_on("coding", innermost.id)

    def memo_text(self, coding_id: int) -> str:
        """The memo text of a coding, for the stripe's tooltip."""
        project = self.context.project()
        if project is None:
            return ""
        try:
            found = memos.memos_for(project, "coding", coding_id)
        except ProjectError:
            return ""
        return "\n\n".join(f"{memo.title}\n{memo.body}".strip() for memo in found)

    def _coding_clicked(self, coding_id: int) -> None:
        record = self.editor.codings.coding(coding_id)
        if record is not None:
            self.context.report(f"Passage coded “{record.code_name}” selected.")

    # --- the context menu --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.ContextMenu or watched not in (self.editor, self.editor.viewport()):
            return False
        by_mouse = event.reason() == QContextMenuEvent.Reason.Mouse  # type: ignore[attr-defined]
        if by_mouse and watched is self.editor.viewport():
            position = event.pos()  # type: ignore[attr-defined]
        else:
            position = self.editor.cursorRect().center()
        self.show_context_menu(position, move_cursor=by_mouse)
        return True

    def show_context_menu(self, position: QPoint, *, move_cursor: bool = True) -> None:
        menu = self.build_context_menu(position, move_cursor=move_cursor)
        menu.popup(self.editor.viewport().mapToGlobal(position))

    def build_context_menu(self, position: QPoint, *, move_cursor: bool = True) -> QMenu:
        """The editor's context menu at `position` (viewport coordinates): coding first, then
        Qt's own entries (copy, paste, select all). A right click outside the selection first
        puts the cursor on the clicked word, so the menu is about what was clicked."""
        editor = self.editor
        cursor = editor.textCursor()
        clicked = editor.cursorForPosition(position).position()
        if move_cursor and not (cursor.hasSelection() and cursor.selectionStart() <= clicked <= cursor.selectionEnd()):
            cursor.setPosition(clicked, QTextCursor.MoveMode.MoveAnchor)
            editor.setTextCursor(cursor)
        project = self.context.project()
        has_selection = editor.textCursor().hasSelection()
        writable = project is not None and not project.read_only
        menu = self._new_menu()
        apply_menu = menu.addMenu("Apply Code")
        codes = list(self._code_map(project).values()) if project is not None else []
        self._fill_code_tree(apply_menu, codes)
        apply_menu.setEnabled(writable and has_selection and bool(codes))
        quick = menu.addAction(f"Quick Code…\t{_key_text('quick_code')}", self.quick_code)
        quick.setEnabled(writable and has_selection)
        found = editor.codings_at_cursor()
        remove_menu = menu.addMenu("Remove Code")
        self._fill_remove_menu(remove_menu, found)
        remove_menu.setEnabled(writable and bool(found))
        play = menu.addAction(f"Play Passage\t{_key_text('play_passage')}", self.play_passage)
        play.setEnabled(has_selection or bool(found))
        memo = menu.addAction("Memo on Passage…", self.memo_on_passage)
        memo.setEnabled(bool(found))
        menu.addSeparator()
        standard = editor.createStandardContextMenu(position)
        standard.setParent(menu, standard.windowFlags())  # its actions live as long as this menu
        for action in standard.actions():
            if action.text().replace("&", "").split("\t")[0] not in ("Undo", "Redo"):  # undo is the app's stack's
                menu.addAction(action)
        return menu

    def _fill_code_tree(self, menu: QMenu, codes: Sequence[CodeRecord]) -> None:
        """Codes as nested submenus: a code with sub-codes opens to "Apply “name”" and its children."""
        children: dict[int | None, list[CodeRecord]] = {}
        for code in codes:
            children.setdefault(code.parent_id, []).append(code)

        def add(target: QMenu, parent_id: int | None, depth: int) -> None:
            for code in children.get(parent_id, []):
                apply: Callable[[], None] = lambda code_id=code.id: self.apply_code_to_selection(code_id)  # noqa: E731
                if code.id in children and depth < 12:
                    sub = target.addMenu(_swatch(code.color), code.name)
                    sub.addAction(_swatch(code.color), f"Apply “{code.name}”", apply)
                    sub.addSeparator()
                    add(sub, code.id, depth + 1)
                else:
                    target.addAction(_swatch(code.color), code.name, apply)

        add(menu, None, 0)
        if not codes:
            menu.addAction("No codes yet: use Quick Code to create one").setEnabled(False)

    def _fill_remove_menu(self, menu: QMenu, found: Sequence[CodingRecord]) -> None:
        for record in found:
            menu.addAction(_swatch(record.color), record.code_name,
                           lambda record=record: self.remove_coding(record))

    def _new_menu(self) -> QMenu:
        menu = QMenu(self.editor)
        self._menus.append(menu)
        menu.aboutToHide.connect(lambda: self._forget_menu(menu))
        return menu

    def _forget_menu(self, menu: QMenu) -> None:
        # Later, not now: a triggered action's slot runs after aboutToHide.
        if menu in self._menus:
            self._menus.remove(menu)
            menu.deleteLater()

    # --- small look-ups ------------------------------------------------------------------------------

    def _code_map(self, project: Project) -> dict[int, CodeRecord]:
        if self._codes is None:
            self._codes = {code.id: code for code in codebook.codes_tree(project)}
        return self._codes

    def _code(self, project: Project, code_id: int) -> CodeRecord | None:
        found = self._code_map(project).get(code_id)
        if found is None:  # made since the map was read
            self._codes = None
            found = self._code_map(project).get(code_id)
        return found

    def _author(self, project: Project) -> str:
        key = str(project.path)
        if key not in self._authors:
            self._authors[key] = memos.default_author(project)
        return self._authors[key]

    def _innermost(self, found: Sequence[CodingRecord]) -> CodingRecord | None:
        """Of codings around one spot, the one that starts last (the most specific)."""
        block_of = self.editor.block_of
        return max(found, key=lambda r: (block_of(r.start.segment_id) or 0, r.start.offset), default=None)


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _key_text(shortcut_id: str) -> str:
    keys = keys_for(shortcut_id)
    return keys[0].toString() if keys else ""
