"""What the analysis views (codebook, coding, memos, retrieval, matrix, search, diary) need
from the main window, in one small object, so each view's controller is wired in one line
and none of them reaches into the window's insides.

Changes are broadcast, not polled (DESIGN.md): a controller that changed codes, codings or
memos emits the matching signal, and every view refreshes only what that signal covers.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from app.shortcuts import ShortcutBinder
from storage.project import Project
from widgets.transcript_editor import TranscriptEditor


class AnalysisContext(QObject):
    codes_changed = Signal()  # the codebook changed: names, colours, tree, counts
    codings_changed = Signal(int)  # codings of this transcript changed (-1: of several or unknown)
    memos_changed = Signal()
    project_changed = Signal()  # a project was opened or closed
    project_closing = Signal()  # the project is about to close: save what is still being typed
    transcript_shown = Signal(int)  # the editor now shows this transcript
    register_changed = Signal()  # participants, consent, meetings, attendance or speaker links changed
    sources_changed = Signal()  # transcripts or text sources were added, removed, renamed or relinked

    def __init__(self, window: QMainWindow, editor: TranscriptEditor, stack: QUndoStack, shortcuts: ShortcutBinder,
                 project: Callable[[], Project | None], transcript_id: Callable[[], int | None],
                 show_transcript: Callable[[int], None], play_span: Callable[[float, float], None],
                 report: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window, self.editor, self.stack, self.shortcuts = window, editor, stack, shortcuts
        self._project, self._transcript_id, self._show, self._play_span = project, transcript_id, show_transcript, play_span
        self.report = report
        self._menus: dict[str, QMenu] = {}
        self._handlers: dict[str, Callable[..., None]] = {}
        self.last_code_id: int | None = None  # the code applied last (Apply Last Code)

    # --- state ---------------------------------------------------------------------------------

    def project(self) -> Project | None:
        return self._project()

    def writable_project(self) -> Project | None:
        """The open project when changes can be saved; otherwise None, after saying why."""
        project = self._project()
        if project is None:
            self.report("Open a project first.")
            return None
        if project.read_only:
            self.report("This project is read-only: changes cannot be saved.")
            return None
        return project

    def transcript_id(self) -> int | None:
        return self._transcript_id()

    # --- going places ----------------------------------------------------------------------------

    def open_passage(self, transcript_id: int, segment_id: int, start: int, end: int | None = None,
                     end_segment_id: int | None = None) -> None:
        """Show a transcript and select a passage in it (code-point offsets)."""
        if transcript_id != self._transcript_id():
            self._show(transcript_id)
        self.editor.flush_pending()
        if end_segment_id is None or end_segment_id == segment_id:
            self.editor.select_range(segment_id, start, start if end is None else end)
        else:
            self.editor.select_passage(segment_id, start, end_segment_id, end or 0)
        self.editor.setFocus()

    def play_span(self, transcript_id: int, start_time: float, end_time: float) -> None:
        """Play exactly start..end seconds of a transcript's recording."""
        if transcript_id != self._transcript_id():
            self._show(transcript_id)
        self._play_span(start_time, end_time)

    # --- one view asking another: handlers the controllers provide (app/analysis.py) ---------

    def provide(self, **handlers: Callable[..., None]) -> None:
        self._handlers.update(handlers)

    def apply_code(self, code_id: int) -> None:
        """Apply a code to the editor's selection (from the codebook, a drop, a shortcut)."""
        self._call("apply_code", code_id)

    def show_passages(self, code_id: int) -> None:
        """Show every passage coded with `code_id` in the retrieval view."""
        self._call("show_passages", code_id)

    def memo_on(self, kind: str, target_id: int | None) -> None:
        """Show (or start) the memo on a project, transcript, code, coding, speaker or meeting."""
        self._call("memo_on", kind, target_id)

    def open_memo(self, memo_id: int) -> None:
        self._call("open_memo", memo_id)

    def selected_code_id(self) -> int | None:
        """The code chosen in the codebook, if any."""
        getter = self._handlers.get("selected_code")
        return getter() if getter is not None else None  # type: ignore[func-returns-value]

    def _call(self, name: str, *args: object) -> None:
        handler = self._handlers.get(name)
        if handler is None:
            self.report("That view is not available.")
            return
        handler(*args)

    # --- building the user interface ------------------------------------------------------------

    def menu(self, title: str) -> QMenu:
        """A top-level menu by title ("&Code", "&Analysis"), created before Help on first use."""
        if title not in self._menus:
            bar = self.window.menuBar()
            help_action = next((a for a in bar.actions() if a.text() == "&Help"), None)
            menu = QMenu(title, self.window)
            bar.insertMenu(help_action, menu) if help_action is not None else bar.addMenu(menu)
            self._menus[title] = menu
        return self._menus[title]

    def action(self, menu: QMenu | None, text: str, shortcut_id: str | None, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.window)
        if shortcut_id:
            self.shortcuts.bind(action, shortcut_id)
        action.triggered.connect(lambda _checked=False: slot())
        if menu is not None:
            menu.addAction(action)
        else:
            self.window.addAction(action)
        return action

    def add_dock(self, title: str, widget: QWidget, object_name: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea, *, visible: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        dock.setVisible(visible)
        return dock
