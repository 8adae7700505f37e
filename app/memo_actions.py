"""Memos and the research diary in the window: the Memos dock beside the transcript, the
Research Diary dock, their menu entries, and what they ask of storage.

Text typed into a memo or an entry is stored as it is written (MemoPanel / DiaryView save after a
pause); adding, deleting, linking and an entry's date or type go on the undo stack
(app/memo_commands.py explains why the text does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDockWidget

from app.analysis_context import AnalysisContext
from app.cli_format import stamp
from app.memo_commands import AddMemoCommand, DeleteMemoCommand, EntryFieldsCommand, NewMemo
from storage import codebook, coding, editing, meetings, memos, participants, retrieval, transcripts
from storage.analysis_records import MEMO_TARGETS, CodingRecord, MemoRecord
from storage.errors import ProjectError
from storage.project import Project
from widgets.diary_view import DiaryView
from widgets.memo_panel import MemoPanel

Point = tuple[int, int]  # (turn position in the transcript, code-point offset in the turn)
NO_PASSAGE = "Select a coded passage first."


def clip(text: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word."""
    line = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    if len(line) <= width:
        return line
    cut = line[:width].rsplit(" ", 1)[0] if " " in line[:width] else line[:width]
    return cut.rstrip(" ,;:.") + "…"


def coding_at(codings: Sequence[CodingRecord], positions: dict[int, int], start: Point, end: Point) -> CodingRecord | None:
    """The coding a cursor (start == end) or a selection means: one that covers exactly the
    selection, else the innermost that contains it, else the innermost it overlaps."""
    def point(anchor) -> Point:  # noqa: ANN001
        return positions.get(anchor.segment_id, -1), anchor.offset

    if start == end:
        candidates = [c for c in codings if point(c.start) <= start <= point(c.end)]
    else:
        candidates = [c for c in codings if point(c.start) < end and point(c.end) > start]
    if not candidates:
        return None

    def rank(c: CodingRecord) -> tuple[bool, bool, tuple[int, int], Point]:
        first, last = point(c.start), point(c.end)
        exact = (first, last) == (start, end)
        contains = first <= start and end <= last
        return not exact, not contains, (-first[0], -first[1]), last  # innermost: starts latest, ends soonest

    return min(candidates, key=rank)


class MemoController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.panel = MemoPanel()
        self.diary = DiaryView()
        self.memo_dock: QDockWidget = context.add_dock("Memos", self.panel, "memoDock")
        self.diary_dock: QDockWidget = context.add_dock("Research Diary", self.diary, "diaryDock")
        self._view_project: Project | None = None  # the project the views show (saves go only there)
        self._refreshing = self._again = False
        self._given_labels: dict[tuple[str, int | None], str] = {}  # from views that name their things
        # A save of typed text is announced on the next turn of the event loop, not inside the
        # save: it happens while the panel switches memos, and must not rebuild the list under it.
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(context.memos_changed.emit)

        code_menu = context.menu("&Code")
        code_menu.addSeparator()
        # Ctrl+M: the passage at the cursor when there is one, else the transcript (see memo_at_cursor).
        context.action(code_menu, "&Memo…", "memo", self.memo_at_cursor)
        context.action(code_menu, "Memo on This &Transcript", None, self.memo_on_transcript)
        context.action(code_menu, "Memo on This Turn's &Speaker", None, self.memo_on_speaker)
        context.action(code_menu, "Memo on the &Project", None, lambda: self.memo_on("project", None))
        panel_toggle = self.memo_dock.toggleViewAction()
        panel_toggle.setText("Memos &Panel")
        code_menu.addAction(panel_toggle)
        context.action(context.menu("&Analysis"), "Research &Diary", "diary", self.show_diary)
        context.provide(memo_on=self.memo_on, open_memo=self.open_memo)

        self.panel.memo_edited.connect(self.save_text)
        self.panel.new_memo_requested.connect(self._new_memo_on_target)
        self.panel.delete_requested.connect(self.delete_memo)
        self.diary.new_entry_requested.connect(self.new_entry)
        self.diary.entry_edited.connect(self.save_text)
        self.diary.entry_fields_changed.connect(self.change_entry)
        self.diary.delete_requested.connect(self.delete_memo)
        self.diary.entry_selected.connect(self._show_links)
        self.diary.link_requested.connect(self.link_passage)
        self.diary.unlink_requested.connect(self.unlink_passage)
        self.diary.open_passage_requested.connect(self.open_passage)
        for dock in (self.memo_dock, self.diary_dock):  # hidden views are not kept current: catch up on show
            dock.visibilityChanged.connect(lambda visible: visible and self.refresh())

        context.memos_changed.connect(self.refresh)
        context.codes_changed.connect(self.refresh)  # a renamed code renames the panel's heading
        # Codings change with every code applied and every correction saved: the linked passages'
        # text and times are brought up to date once the event loop is idle, off that path.
        self._codings_refresh = QTimer(self)
        self._codings_refresh.setSingleShot(True)
        self._codings_refresh.setInterval(0)
        self._codings_refresh.timeout.connect(self.refresh)
        context.codings_changed.connect(lambda _transcript: self._codings_refresh.start())
        context.project_changed.connect(self._project_changed)
        context.project_closing.connect(self._project_closing)
        context.transcript_shown.connect(self._transcript_shown)

    # --- memos on things -----------------------------------------------------------------------

    def memo_on(self, kind: str, target_id: int | None, label: str | None = None) -> None:
        """Show the memos on a thing, beginning one when there is none, and put the cursor in it."""
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
            return
        if kind not in MEMO_TARGETS or kind == memos.DIARY:
            self.context.report(f"Cannot write a memo on a {kind}.")
            return
        if label:
            self._given_labels[(kind, target_id)] = label
        label = label or self.target_label(project, kind, target_id)
        existing = memos.memos_for(project, kind, target_id)
        self._show_panel(kind, target_id, label, existing)
        if not existing:
            self._add_memo(kind, target_id)
        self.panel.focus_body()

    def memo_at_cursor(self) -> None:
        """Ctrl+M. In a coded passage (or with one selected): a memo on that passage, as that is
        what the researcher is looking at. Elsewhere in a transcript: a memo on the transcript
        (memos have no turn target; a thought about one turn belongs to the whole meeting). With
        no transcript open: a memo on the project."""
        transcript_id = self.context.transcript_id()
        if transcript_id is None or self.context.project() is None:
            self.memo_on("project", None)
            return
        found = self.coding_under_cursor(transcript_id)
        if found is not None:
            self.memo_on("coding", found.id)
        else:
            self.memo_on("transcript", transcript_id)

    def memo_on_transcript(self) -> None:
        transcript_id = self.context.transcript_id()
        if transcript_id is None:
            self.context.report("Choose a transcript first.")
            return
        self.memo_on("transcript", transcript_id)

    def memo_on_speaker(self) -> None:
        """A memo on the speaker of the turn at the cursor (a participant, once they are linked)."""
        project, turn = self.context.project(), self.context.editor.turn_at_cursor()
        if project is None or turn is None or not turn.speaker:
            self.context.report("Put the cursor in a turn that has a speaker first.")
            return
        speaker_id = editing.speaker_id(project, turn.speaker)
        if speaker_id is not None:
            self.memo_on("speaker", speaker_id, f"speaker {turn.speaker}")

    def open_memo(self, memo_id: int) -> None:
        """Show one memo (from search results, a stripe's marker, …) where it belongs."""
        project = self.context.project()
        if project is None:
            return
        try:
            memo = memos.get_memo(project, memo_id)
        except KeyError:
            self.context.report("That memo no longer exists.")
            return
        if memo.target_kind == memos.DIARY:
            self.show_diary()
            self.diary.select_entry(memo_id)
            return
        label = self.target_label(project, memo.target_kind, memo.target_id)
        self._show_panel(memo.target_kind, memo.target_id, label, memos.memos_for(project, memo.target_kind, memo.target_id),
                         select_id=memo_id)
        self.panel.focus_body()

    def target_label(self, project: Project, kind: str, target_id: int | None) -> str:
        """How the panel names what a memo is on: code “Managing conflict”, passage ‘…’ in M04."""
        try:
            if kind == "project" or target_id is None:
                return "project"
            if kind == "transcript":
                return f"transcript {transcripts.get_transcript(project, target_id).name}"
            if kind == "code":
                return f"code “{codebook.get_code(project, target_id).name}”"
            if kind == "coding":
                state = coding.coding_state(project, target_id)
                name = transcripts.get_transcript(project, state.transcript_id).name
                return f"passage ‘{clip(coding.coded_text(project, target_id), 40)}’ in {name}"
            if kind == "participant":
                return f"participant {participants.get_participant(project, target_id).role_code}"
            if kind == "meeting":
                meeting = meetings.get_meeting(project, target_id)
                return f"meeting {meeting.code}" + (f" ({meeting.date})" if meeting.date else "")
        except KeyError:
            return f"a {kind} that no longer exists"
        # Speakers: no service names them by id; their views pass a label.
        return self._given_labels.get((kind, target_id), f"{kind} {target_id}")

    def _show_panel(self, kind: str, target_id: int | None, label: str, existing: Sequence[MemoRecord],
                    select_id: int | None = None) -> None:
        self.memo_dock.show()
        self.memo_dock.raise_()
        self.panel.show_target(kind, target_id, label, existing, select_id)

    def _new_memo_on_target(self) -> None:
        if self.panel.target is not None:
            self._add_memo(*self.panel.target)
            self.panel.focus_body()

    def _add_memo(self, kind: str, target_id: int | None) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        command = AddMemoCommand(self.context, project, NewMemo(kind, target_id, author=memos.default_author(project)))
        self.context.stack.push(command)
        if command.record is not None and not command.failed:
            self.panel.select_memo(command.record.id)

    def save_text(self, memo_id: int, title: str, body: str) -> None:
        """A memo's or entry's text after a pause in typing: stored at once, not undoable."""
        project = self.context.project()
        if project is None or project is not self._view_project:
            return  # the project was closed meanwhile; its views are being cleared
        if project.read_only:
            self.context.report("This project is read-only: the memo cannot be saved.")
            return
        try:
            before, after = memos.update_memo(project, memo_id, title=title, body=body)
        except KeyError:
            return  # deleted (an undo) while it was being written; the delete keeps what was stored
        except (ProjectError, ValueError) as error:
            self.context.report(f"Could not save the memo: {error}")
            return
        if after != before:
            self._announce.start()

    def delete_memo(self, memo_id: int) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        try:
            memo = memos.get_memo(project, memo_id)
        except KeyError:
            return
        self.context.stack.push(DeleteMemoCommand(self.context, project, memo))
        what = "Diary entry" if memo.target_kind == memos.DIARY else "Memo"
        self.context.report(f"{what} deleted. Undo (Ctrl+Z) brings it back.")

    # --- the research diary ----------------------------------------------------------------------

    def show_diary(self) -> None:
        if self.context.project() is None:
            self.context.report("Open a project first.")
            return
        self.diary_dock.show()
        self.diary_dock.raise_()
        self.refresh()

    def new_entry(self, entry_type: str) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        new = NewMemo(memos.DIARY, None, author=memos.default_author(project), entry_type=entry_type,
                      entry_date=date.today())
        command = AddMemoCommand(self.context, project, new)
        self.context.stack.push(command)
        if command.record is not None and not command.failed:
            self.diary.select_entry(command.record.id)
            self.diary.focus_title()

    def change_entry(self, entry_id: int, entry_type: str, entry_date: str) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        entry = self._entry(project, entry_id)
        if entry is not None and (entry.entry_type, entry.entry_date) != (entry_type, entry_date):
            self.context.stack.push(EntryFieldsCommand(self.context, project, "Change diary entry", entry_id,
                                                       entry_type=entry_type, entry_date=entry_date))

    def _entry(self, project: Project, entry_id: int) -> MemoRecord | None:
        try:
            return memos.get_memo(project, entry_id)
        except KeyError:
            self.context.report("That diary entry no longer exists.")
            return None

    def link_passage(self, entry_id: int) -> None:
        """Link the coded passage selected (or under the cursor) in the transcript to an entry."""
        project = self.context.writable_project()
        transcript_id = self.context.transcript_id()
        if project is None:
            return
        found = self.coding_under_cursor(transcript_id) if transcript_id is not None else None
        if found is None:
            self.context.report(NO_PASSAGE)
            return
        entry = self._entry(project, entry_id)
        if entry is None:
            return
        if found.id in entry.links:
            self.context.report("That passage is already linked to this entry.")
            return
        self.context.stack.push(EntryFieldsCommand(self.context, project, "Link passage", entry_id,
                                                   links=(*entry.links, found.id)))
        self.context.report(f"Linked a passage coded “{found.code_name}”.")

    def unlink_passage(self, entry_id: int, coding_id: int) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        entry = self._entry(project, entry_id)
        if entry is None:
            return
        links = tuple(link for link in entry.links if link != coding_id)
        self.context.stack.push(EntryFieldsCommand(self.context, project, "Unlink passage", entry_id, links=links))

    def open_passage(self, coding_id: int) -> None:
        project = self.context.project()
        if project is None:
            return
        try:
            state = coding.coding_state(project, coding_id)
        except KeyError:
            self.context.report("That passage is no longer coded.")
            return
        self.context.open_passage(state.transcript_id, state.start.segment_id, state.start.offset, state.end.offset,
                                  state.end.segment_id)

    def link_labels(self, project: Project, links: Sequence[int]) -> list[tuple[int, str]]:
        """ "SN1, M04 00:12:31: ‘…’" for each linked passage. Read through retrieval, so a
        passage shows exactly as in the retrieval view (its speaker and the time of its words)."""
        states = []
        for coding_id in links:
            try:
                states.append(coding.coding_state(project, coding_id))
            except KeyError:
                continue  # removed since the link was read
        wanted = {state.id for state in states}
        found = {p.coding_id: p for p in retrieval.coded_passages(project, sorted({s.code_id for s in states}),
                                                                 context_chars=0) if p.coding_id in wanted}
        labels = []
        for coding_id in links:
            passage = found.get(coding_id)
            if passage is not None:
                who = f"{passage.speaker}, " if passage.speaker else ""
                labels.append((coding_id, f"{who}{passage.transcript_name} {stamp(passage.start_time)[:8]}: "
                                          f"‘{clip(passage.text, 70)}’ ({passage.code_name})"))
        return labels

    def _show_links(self, entry_id: int) -> None:
        project = self.context.project()
        entry = next((e for e in self.diary.visible_entries() if e.id == entry_id), None)
        if project is not None and entry is not None:
            self.diary.show_links(entry_id, self.link_labels(project, entry.links))

    # --- where the cursor is ---------------------------------------------------------------------

    def coding_under_cursor(self, transcript_id: int) -> CodingRecord | None:
        project, editor = self.context.project(), self.context.editor
        if project is None:
            return None
        editor.flush_pending()  # typed text moves codings: compare with where they are now
        positions, texts = {}, {}
        for block in range(editor.segment_count()):
            turn = editor.segment_at_block(block)
            if turn is not None:
                positions[turn.id], texts[block] = block, turn.text
        selection = editor.selected_passage()
        if selection is not None:
            start = (positions.get(selection[0], -1), selection[1])
            end = (positions.get(selection[2], -1), selection[3])
            if end[1] == 0 and end[0] > start[0]:  # a selection of whole turns ends at the next one's start
                end = (end[0] - 1, len(texts.get(end[0] - 1, "")))
        else:
            turn = editor.turn_at_cursor()
            if turn is None:
                return None
            start = end = (positions[turn.id], editor.cursor_offset())
        return coding_at(coding.codings_in_transcript(project, transcript_id), positions, start, end)

    # --- keeping the views current -----------------------------------------------------------------

    def refresh(self) -> None:
        """Show what storage holds now. A change broadcast while refreshing (a memo saved as the
        panel switches memos) runs one more refresh afterwards instead of re-entering this one."""
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        try:
            self._again = True
            while self._again:
                self._again = False
                self._refresh_once()
        finally:
            self._refreshing = False

    def _refresh_once(self) -> None:
        project = self.context.project()
        if project is None:
            return
        if self.panel.target is not None and self.memo_dock.isVisible():
            kind, target_id = self.panel.target
            self.panel.show_target(kind, target_id, self.target_label(project, kind, target_id),
                                   memos.memos_for(project, kind, target_id))
        if self.diary_dock.isVisible():
            self.diary.show_entries(memos.diary_entries(project))

    def _project_changed(self) -> None:
        project = self.context.project()
        self.panel.clear()
        self.diary.clear()
        self._given_labels.clear()
        self._view_project = project
        if project is not None:
            self.panel.set_read_only(project.read_only)
            self.diary.set_read_only(project.read_only)
            self.refresh()

    def _transcript_shown(self, transcript_id: int) -> None:
        # The panel beside the transcript follows it while it shows a transcript's memos (or
        # nothing yet); a memo on a code or passage stays until the researcher leaves it.
        project = self.context.project()
        if project is not None and (self.panel.target is None or self.panel.target[0] == "transcript"):
            self.panel.show_target("transcript", transcript_id, self.target_label(project, "transcript", transcript_id),
                                   memos.memos_for(project, "transcript", transcript_id))

    def _project_closing(self) -> None:
        self.panel.flush_pending()  # a memo typed a moment ago is saved before the project closes
        self.diary.flush_pending()
