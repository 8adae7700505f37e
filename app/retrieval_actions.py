"""Retrieval, the code matrix and full-text search in the window: three docks and their
entries in the Analysis menu. Nothing here changes the project, so nothing goes on the undo
stack; every view refreshes itself when codes, codings or the project change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget
from sqlalchemy.exc import SQLAlchemyError

from app.analysis_context import AnalysisContext
from storage import codebook, fulltext, retrieval, transcripts
from storage.analysis_records import Matrix, Passage, SearchHit
from storage.editing import speaker_labels
from storage.errors import ProjectError
from storage.project import Project
from widgets.matrix_view import MatrixView
from widgets.retrieval_view import RetrievalView
from widgets.search_panel import SearchPanel

# What a read can fail with and the user should be told about (a damaged or vanished file, a
# lock held too long by another program); anything else is a bug and should be seen as one.
READ_ERRORS = (ProjectError, SQLAlchemyError, OSError)
T = TypeVar("T")


class RetrievalController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.view = RetrievalView()
        self.matrix = MatrixView()
        self.search = SearchPanel()
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.retrieval_dock = context.add_dock("Coded Passages", self.view, "retrievalDock", bottom)
        self.matrix_dock = context.add_dock("Code Matrix", self.matrix, "matrixDock", bottom)
        self.search_dock = context.add_dock("Search", self.search, "searchDock")
        context.window.tabifyDockWidget(self.retrieval_dock, self.matrix_dock)
        # The matrix's chosen cell, so a refresh lists the same cell again: (code id, column or None for its row).
        self._cell: tuple[int, str | None] | None = None
        self._holding = False  # True while several choices change at once: read the passages after
        self._stale: set[QDockWidget] = set()  # docks to refresh when they are next shown
        self._refresh_timer = QTimer(self)  # several changes in one event-loop turn: one refresh
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_visible)

        self.view.query_changed.connect(self.refresh_passages)
        self.view.open_requested.connect(self.open_passage)
        self.view.play_requested.connect(self.play_passage)
        self.matrix.by_changed.connect(lambda _by: self._matrix_changed())
        self.matrix.cell_requested.connect(self.show_cell)
        self.matrix.row_requested.connect(lambda code_id: self.show_cell(code_id, None))
        self.matrix.open_requested.connect(self.open_passage)
        self.matrix.play_requested.connect(self.play_passage)
        self.search.search_requested.connect(self.run_search)
        self.search.open_requested.connect(self.open_hit)
        for dock in (self.retrieval_dock, self.matrix_dock, self.search_dock):
            dock.visibilityChanged.connect(lambda visible, dock=dock: visible and self._refresh_if_stale(dock))

        menu = context.menu("&Analysis")
        self.retrieve_action = context.action(menu, "Coded &Passages…", "retrieve", self.show_retrieval)
        self.matrix_action = context.action(menu, "Code &Matrix", "matrix", self.show_matrix)
        self.search_action = context.action(menu, "&Search Transcripts and Memos…", "search", self.show_search)

        context.codes_changed.connect(lambda: self._changed(self.retrieval_dock, self.matrix_dock))
        context.codings_changed.connect(lambda _tid: self._changed(self.retrieval_dock, self.matrix_dock))
        context.memos_changed.connect(lambda: self._changed(self.search_dock))
        # Consent decides which turns are searched, retrieved and counted (storage/consent.py).
        context.register_changed.connect(lambda: self._changed(self.retrieval_dock, self.matrix_dock, self.search_dock))
        context.project_changed.connect(self._project_changed)
        context.provide(show_passages=self.show_passages)

    # --- menu entries ----------------------------------------------------------------------------

    def show_retrieval(self) -> None:
        """Coded Passages…: the code chosen in the codebook if it tells, else the one chosen before."""
        if self._project() is None:
            return
        self._holding = True  # one read at the end, not one per combo filled or code chosen
        try:
            self._fill_choices()
            chosen = self._codebook_selection()
            if chosen is not None:
                self.view.select_code(chosen)
            self._raise(self.retrieval_dock)
        finally:
            self._holding = False
        self.refresh_passages()
        self.view.passage_list.table.setFocus()

    def show_passages(self, code_id: int) -> None:
        """Every passage of one code (and its sub-codes, if that box is ticked), in the retrieval dock."""
        if self._project() is None:
            return
        self._holding = True
        try:
            self._fill_choices()
            found = self.view.select_code(code_id)
            if found:
                self._raise(self.retrieval_dock)
        finally:
            self._holding = False
        if not found:
            self.context.report("That code no longer exists.")
            return
        self.refresh_passages()

    def show_matrix(self) -> None:
        if self._project() is None:
            return
        self._raise(self.matrix_dock)
        self.refresh_matrix()

    def show_search(self) -> None:
        if self._project() is None:
            return
        self._raise(self.search_dock)
        self.search.start(self.context.editor.selected_text())

    # --- reading ---------------------------------------------------------------------------------

    def refresh_passages(self) -> None:
        if self._holding:
            return
        project, code_id = self.context.project(), self.view.code_id()
        if project is None or code_id is None:
            self.view.show_passages([])
            return
        passages = self._read(lambda: retrieval.coded_passages(
            project, retrieval.with_subcodes(project, [code_id]) if self.view.with_subcodes() else [code_id],
            speaker=self.view.speaker(), transcript_id=self.view.transcript_id()))
        self.view.show_passages(passages or [])

    def refresh_matrix(self) -> None:
        project = self.context.project()
        if project is None:
            return
        matrix = self._read(lambda: retrieval.code_matrix(project, "speaker" if self.matrix.by() == "speaker" else "transcript"))
        if matrix is not None:
            self.matrix.show_matrix(matrix)
            if self._cell is not None:
                self.show_cell(*self._cell)

    def show_cell(self, code_id: int, column: str | None) -> None:
        """The passages behind one count (or, with no column, behind a code's row total)."""
        project = self.context.project()
        if project is None:
            return
        by = "speaker" if self.matrix.by() == "speaker" else "transcript"
        names = {code.id: code.name for code in self.matrix.model.matrix.codes}
        if code_id not in names:
            self._cell = None
            self.matrix.clear_passages()
            return
        self._cell = (code_id, column)
        if column is None:
            passages = self._read(lambda: retrieval.coded_passages(project, [code_id]))
        else:
            passages = self._read(lambda: retrieval.passages_in_cell(project, code_id, by, column))
        caption = f"{names[code_id]} · {column}" if column is not None else names[code_id]
        self.matrix.show_cell_passages(caption, passages or [])

    def run_search(self, query: str) -> None:
        project = self.context.project()
        if project is None or not query:
            self.search.show_results([])
            return
        self.context.editor.flush_pending()  # what was just typed is searchable too
        self.search.show_results(self._read(lambda: fulltext.search(project, query)) or [])

    # --- going places ----------------------------------------------------------------------------

    def open_passage(self, passage: Passage) -> None:
        self.context.open_passage(passage.transcript_id, passage.start.segment_id, passage.start.offset,
                                  passage.end.offset, passage.end.segment_id)

    def play_passage(self, passage: Passage) -> None:
        if not passage.timed:
            self.context.report(f"{passage.transcript_name} is a text source: there is no audio to play.")
            return
        self.context.play_span(passage.transcript_id, passage.start_time, passage.end_time)

    def open_hit(self, hit: SearchHit) -> None:
        if hit.kind == "memo":
            self.context.report(f"Memo: {hit.title or '(untitled)'}")  # what the user sees if no memo view answers
            self.context.open_memo(hit.id)
            return
        if hit.transcript_id is None:
            return
        terms = fulltext.query_terms(self.search.query())
        length = len(terms[0]) if terms else 0
        self.context.open_passage(hit.transcript_id, hit.id, hit.offset, hit.offset + length)

    # --- keeping up with changes -----------------------------------------------------------------

    def _changed(self, *docks: QDockWidget) -> None:
        self._stale.update(docks)
        self._refresh_timer.start()

    def _refresh_visible(self) -> None:
        for dock in list(self._stale):
            if dock.isVisible():
                self._refresh_if_stale(dock)

    def _refresh_if_stale(self, dock: QDockWidget) -> None:
        if dock not in self._stale:
            return
        self._stale.discard(dock)
        if dock is self.retrieval_dock:
            self._fill_choices()  # asks for the passages again through query_changed
        elif dock is self.matrix_dock:
            self.refresh_matrix()
        elif self.search.query():
            self.run_search(self.search.query())

    def _project_changed(self) -> None:
        self._cell = None
        self.matrix.clear_passages()
        self.search.show_results([])
        # Ids are per project: a code chosen in the last one must not pick another code in this one.
        self.view.set_choices([], [], [])
        self.matrix.show_matrix(Matrix(codes=(), columns=(), counts={}))
        self._changed(self.retrieval_dock, self.matrix_dock, self.search_dock)

    def _matrix_changed(self) -> None:
        self._cell = None
        self.matrix.clear_passages()
        self.refresh_matrix()

    # --- inside ----------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        project = self.context.project()
        if project is None:
            self.view.set_choices([], [], [])
            return
        choices = self._read(lambda: (codebook.codes_tree(project), speaker_labels(project),
                                      [(t.id, t.name) for t in transcripts.list_transcripts(project)]))
        if choices is not None:
            self.view.set_choices(*choices)

    def _codebook_selection(self) -> int | None:
        return self.context.selected_code_id()

    def _project(self) -> Project | None:
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
        return project

    def _raise(self, dock: QDockWidget) -> None:
        self._stale.discard(dock)  # the caller reads it now: showing it need not read it again
        dock.show()
        dock.raise_()

    def _read(self, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except READ_ERRORS as error:
            self.context.report(f"Could not read the project: {error}")
            return None
