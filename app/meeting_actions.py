"""The meetings in the window: the Meetings dock (list, attendance, quorum warning, linked
transcripts, agenda and notes) and what it asks of storage.

Changes to a meeting's code, date, phase, recorded flag, attendance and links, to the quorum, and
adding or deleting a meeting, are undo commands (app/register_commands.py). Agenda and notes are
stored as they are typed, like memos, and are not on the shared stack. Requests from the view
arrive queued, as in app/register_actions.py: the grid's radio buttons are rebuilt by the change
they ask for.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMessageBox

from app.analysis_context import AnalysisContext
from app.register_commands import (
    AddMeetingCommand, AttendanceCommand, DeleteMeetingCommand, LinkTranscriptCommand, MeetingFieldsCommand,
    QuorumCommand,
)
from storage import meetings, memos, participants
from storage.errors import ProjectError
from storage.register_records import DEFAULT_QUORUM, MeetingRecord
from widgets.meeting_editor import MeetingsView

QUEUED = Qt.ConnectionType.QueuedConnection


class MeetingsController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.view = MeetingsView()
        self.dock: QDockWidget = context.add_dock("Meetings", self.view, "meetingsDock",
                                                  Qt.DockWidgetArea.BottomDockWidgetArea)
        view = self.view
        view.new_requested.connect(self.add, QUEUED)
        view.delete_requested.connect(self.delete, QUEUED)
        view.memo_requested.connect(lambda meeting_id: context.memo_on("meeting", meeting_id))
        view.fields_requested.connect(self.change_fields, QUEUED)
        view.attendance_requested.connect(self.change_attendance, QUEUED)
        view.text_edited.connect(self.save_text)
        view.quorum_requested.connect(self.change_quorum, QUEUED)
        view.link_requested.connect(lambda meeting_id, transcript_id: self.link(transcript_id, meeting_id), QUEUED)
        view.unlink_requested.connect(lambda _meeting_id, transcript_id: self.link(transcript_id, None), QUEUED)
        view.open_source_requested.connect(self.open_source)
        self.dock.visibilityChanged.connect(lambda visible: visible and self.refresh())
        context.register_changed.connect(self.refresh)
        context.sources_changed.connect(self.refresh)
        context.project_changed.connect(self.refresh)
        context.project_closing.connect(view.flush_pending)
        self.refresh()

    def show(self) -> None:
        if self.context.project() is None:
            self.context.report("Open a project first.")
            return
        self.dock.show()
        self.dock.raise_()
        self.refresh()

    def refresh(self) -> None:
        project = self.context.project()
        if project is None:
            self.view.show_meetings([], [], [], DEFAULT_QUORUM)
            self.view.set_read_only("no project is open")
            return
        if not self.dock.isVisible():
            return  # caught up when shown
        try:
            data = (meetings.list_meetings(project), participants.list_participants(project), meetings.sources(project),
                    meetings.quorum(project))
        except ProjectError as error:
            self.context.report(str(error))
            return
        self.view.set_read_only(project.read_only_reason)
        self.view.show_meetings(*data)

    def view_meetings(self) -> list[MeetingRecord]:
        """The meetings as stored now (for questions such as "where did this participant attend")."""
        project = self.context.project()
        return [] if project is None else meetings.list_meetings(project)

    def _meeting(self, meeting_id: int) -> MeetingRecord | None:
        project = self.context.project()
        try:
            return None if project is None else meetings.get_meeting(project, meeting_id)
        except KeyError:
            self.context.report("That meeting no longer exists.")
            return None

    # --- changes ---------------------------------------------------------------------------------

    def add(self) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        command = AddMeetingCommand(project, self.context)
        self.context.stack.push(command)
        if command.record is not None:
            self.show()
            self.view.select_meeting(command.record.id)
            self.view.focus_date()
            self.context.report(f"Meeting {command.record.code} added: give it a date, a phase and who attended.")

    def change_fields(self, meeting_id: int, fields: dict[str, object]) -> None:
        project = self.context.writable_project()
        meeting = self._meeting(meeting_id)
        if project is None or meeting is None:
            self.refresh()
            return
        self.context.stack.push(MeetingFieldsCommand(project, self.context, meeting, fields))
        self.refresh()  # shows the stored value when the change was refused (a bad date, a taken code)

    def change_attendance(self, meeting_id: int, statuses: dict[int, str | None]) -> None:
        project = self.context.writable_project()
        meeting = self._meeting(meeting_id)
        if project is None or meeting is None:
            self.refresh()
            return
        self.context.stack.push(AttendanceCommand(project, self.context, meeting, statuses))

    def change_quorum(self, value: int) -> None:
        project = self.context.writable_project()
        if project is not None:
            self.context.stack.push(QuorumCommand(project, self.context, value))

    def save_text(self, meeting_id: int, agenda: str, notes: str) -> None:
        """Agenda and notes after a pause in typing: stored at once, not on the undo stack. Only
        this view shows them, so no signal goes out (register_changed would make every view that
        depends on consent look again, at every pause in the typing)."""
        project = self.context.project()
        if project is None:
            return
        if project.read_only:
            self.context.report("This project is read-only: the meeting's notes cannot be saved.")
            return
        try:
            meetings.update_meeting(project, meeting_id, agenda=agenda, notes=notes)
        except KeyError:
            return  # deleted (an undo) while it was being written
        except ProjectError as error:
            self.context.report(f"Could not save the meeting's notes: {error}")

    def link(self, transcript_id: int, meeting_id: int | None) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        names = {s.transcript_id: s.name for s in meetings.sources(project)}
        name = names.get(transcript_id, "transcript")
        meeting = None if meeting_id is None else self._meeting(meeting_id)
        text = f"Link {name} to meeting {meeting.code}" if meeting is not None else f"Unlink {name} from its meeting"
        self.context.stack.push(LinkTranscriptCommand(project, self.context, text, transcript_id, meeting_id))

    def delete(self, meeting_id: int) -> None:
        project = self.context.writable_project()
        meeting = self._meeting(meeting_id)
        if project is None or meeting is None:
            return
        notes = memos.memos_for(project, "meeting", meeting_id)
        what = [f"{len(meeting.attendance)} attendance entries removed" if meeting.attendance else "",
                f"{len(meeting.sources)} transcript(s) left standing alone" if meeting.sources else "",
                f"{len(notes)} memo(s) on it deleted" if notes else ""]
        detail = "; ".join(part for part in what if part)
        answer = QMessageBox.question(
            self.context.window, "Delete Meeting",
            f"Delete meeting {meeting.code}?" + (f"\n\n{detail[:1].upper()}{detail[1:]}." if detail else "")
            + "\n\nUndo (Ctrl+Z) brings it back.")
        if answer == QMessageBox.StandardButton.Yes:
            self.view.flush_pending()
            self.context.stack.push(DeleteMeetingCommand(project, self.context, meeting))

    def open_source(self, transcript_id: int) -> None:
        project = self.context.project()
        if project is None:
            return
        first = meetings.first_turn(project, transcript_id)
        if first is None:
            self.context.report("That transcript has no turns yet.")
            return
        self.context.open_passage(transcript_id, first, 0)
