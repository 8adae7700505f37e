"""The participant register in the window: the Participants dock, the Project menu (register,
meetings, the write-up exports) and what the register asks of storage.

Every change is an undo command on the shared stack (app/register_commands.py) that broadcasts
register_changed; the register shows itself again on that signal, whoever changed what. The
view's requests arrive queued (on the next turn of the event loop): a request comes from inside a
table cell or a combo box that showing the register again replaces, and a widget must not be
deleted inside its own signal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from app.analysis_context import AnalysisContext
from app.meeting_actions import MeetingsController
from app.register_commands import (
    AddParticipantCommand, AttributesCommand, ConsentCommand, DeleteParticipantCommand, LinkSpeakersCommand,
    ParticipantFieldsCommand,
)
from storage import memos, participants, writeup
from storage.errors import ProjectError
from storage.pseudonym_records import NameLeak
from storage.register_records import CONSENT_LABELS, ParticipantRecord
from widgets.name_check_dialog import PSEUDONYMISE, ask_about_names
from widgets.participant_register import ParticipantRegister
from widgets.register_dialogs import AttributesDialog, NewParticipantDialog, SpeakerLinkDialog

QUEUED = Qt.ConnectionType.QueuedConnection
EXPORT_FILTERS = "Word document (*.docx);;CSV spreadsheet (*.csv)"


class RegisterController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.view = ParticipantRegister()
        self.dock = context.add_dock("Participants", self.view, "participantDock", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.meetings = MeetingsController(context)
        context.window.tabifyDockWidget(self.dock, self.meetings.dock)
        view = self.view
        view.add_requested.connect(self.add, QUEUED)
        view.field_edited.connect(self.edit_field, QUEUED)
        view.consent_requested.connect(self.change_consent, QUEUED)
        view.speakers_requested.connect(self.choose_speakers, QUEUED)
        view.attributes_requested.connect(self.edit_attributes, QUEUED)
        view.remove_requested.connect(self.remove, QUEUED)
        view.memo_requested.connect(lambda participant_id: context.memo_on("participant", participant_id))
        view.link_matching_requested.connect(self.link_matching, QUEUED)
        self._build_menu()
        self.dock.visibilityChanged.connect(lambda visible: visible and self.refresh())
        context.register_changed.connect(self.refresh)
        context.project_changed.connect(self.refresh)
        # New speaker labels appear as transcripts are made and edited: catch up when one is shown.
        context.sources_changed.connect(self.refresh)
        context.transcript_shown.connect(lambda _transcript_id: self.refresh())
        self.refresh()

    def _build_menu(self) -> None:
        menu, add = self.context.menu("&Project"), self.context.action
        add(menu, "Participant &Register…", None, self.show_register)
        add(menu, "&Meetings…", None, self.meetings.show)
        menu.addSeparator()
        add(menu, "Export &Roles Table…", None, lambda: self.ask_export("roles"))
        add(menu, "Export Meeting &Time-Plan…", None, lambda: self.ask_export("timeplan"))

    # --- showing the register ------------------------------------------------------------------

    def show_register(self) -> None:
        if self.context.project() is None:
            self.context.report("Open a project first.")
            return
        self.dock.show()
        self.dock.raise_()
        self.refresh()

    def refresh(self) -> None:
        project = self.context.project()
        if project is None:
            self.view.show_participants([])
            self.view.set_read_only("no project is open")
            return
        if not self.dock.isVisible():
            return  # hidden views are not kept current: they catch up when shown
        try:
            register = participants.list_participants(project)
            matching = [link.label for link, _participant in participants.matching_speakers(project)]
        except ProjectError as error:
            self.context.report(str(error))
            return
        self.view.set_read_only(project.read_only_reason)
        self.view.show_participants(register, [] if project.read_only else matching)

    def _participant(self, participant_id: int) -> ParticipantRecord | None:
        found = next((p for p in self.view.participants() if p.id == participant_id), None)
        if found is None:
            self.context.report("That participant no longer exists.")
        return found

    # --- changes ---------------------------------------------------------------------------------

    def add(self) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        taken = [p.role_code for p in self.view.participants()]
        unlinked = [link.label for link in participants.speaker_links(project) if link.participant_id is None
                    and link.label.casefold() not in {code.casefold() for code in taken}]
        dialog = NewParticipantDialog(taken, unlinked[0] if unlinked else "", self.context.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        code, role, organisation, consent = dialog.values()
        command = AddParticipantCommand(project, self.context, code, role, organisation, consent)
        self.context.stack.push(command)
        if command.record is not None:
            self.view.select(command.record.id)
            linked = f", linked to the speaker {', '.join(command.record.speakers)}" if command.record.speakers else ""
            self.context.report(f"Participant {code} added{linked}.")

    def edit_field(self, participant_id: int, field: str, text: str) -> None:
        project = self.context.writable_project()
        participant = self._participant(participant_id)
        if project is None or participant is None:
            self.refresh()
            return
        self.context.stack.push(ParticipantFieldsCommand(project, self.context, participant_id, participant.role_code,
                                                         {field: text}))
        self.refresh()  # shows the stored value when the change was refused or changed nothing

    def change_consent(self, participant_id: int, consent: str) -> None:
        project = self.context.writable_project()
        participant = self._participant(participant_id)
        if project is None or participant is None or participant.consent == consent:
            self.refresh()
            return
        command = ConsentCommand(project, self.context, participant_id, participant.role_code, consent)
        self.context.stack.push(command)
        if command.before is not None and not command.isObsolete():
            label = CONSENT_LABELS.get(consent, consent).lower()
            effect = ("everything they say can be analysed" if consent == "full"
                      else "their turns are left out of analysis from now on")
            self.context.report(f"{participant.role_code}: {label}; {effect}. The change is in the audit; "
                                "Undo (Ctrl+Z) reverses it.")

    def choose_speakers(self, participant_id: int) -> None:
        project = self.context.writable_project()
        participant = self._participant(participant_id)
        if project is None or participant is None:
            return
        links = participants.speaker_links(project)
        codes = {p.id: p.role_code for p in self.view.participants()}
        dialog = SpeakerLinkDialog(participant, links, codes, self.context.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = dialog.chosen()
        changes = [(link.speaker_id, participant_id) for link in links
                   if link.speaker_id in chosen and link.participant_id != participant_id]
        changes += [(link.speaker_id, None) for link in links
                    if link.speaker_id not in chosen and link.participant_id == participant_id]
        if changes:
            self.context.stack.push(LinkSpeakersCommand(project, self.context, f"Speakers of {participant.role_code}",
                                                        changes))

    def link_matching(self) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        matching = participants.matching_speakers(project)
        if not matching:
            self.context.report("Every speaker label that matches a role code is linked already.")
            return
        self.context.stack.push(LinkSpeakersCommand(project, self.context, "Link matching speakers",
                                                    [(link.speaker_id, p.id) for link, p in matching]))
        self.context.report("Linked " + ", ".join(f"{link.label} to {p.role_code}" for link, p in matching) + ".")

    def edit_attributes(self, participant_id: int) -> None:
        project = self.context.writable_project()
        participant = self._participant(participant_id)
        if project is None or participant is None:
            return
        dialog = AttributesDialog(participant.role_code, participant.attributes, self.context.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.context.stack.push(AttributesCommand(project, self.context, participant_id, participant.role_code,
                                                      dialog.attributes()))

    def remove(self, participant_id: int) -> None:
        project = self.context.writable_project()
        participant = self._participant(participant_id)
        if project is None or participant is None:
            return
        notes = memos.memos_for(project, "participant", participant_id)
        attended = sum(1 for m in self.meetings.view_meetings() if m.status_of(participant_id) is not None)
        what = [f"{len(participant.speakers)} speaker label(s) unlinked (their turns stay)" if participant.speakers else "",
                f"attendance at {attended} meeting(s) removed" if attended else "",
                f"{len(notes)} memo(s) on them deleted" if notes else ""]
        detail = "; ".join(part for part in what if part)
        answer = QMessageBox.question(
            self.context.window, "Remove Participant",
            f"Remove {participant.role_code} from the register?" + (f"\n\n{detail[:1].upper()}{detail[1:]}." if detail else "")
            + "\n\nUndo (Ctrl+Z) brings everything back.")
        if answer == QMessageBox.StandardButton.Yes:
            self.context.stack.push(DeleteParticipantCommand(project, self.context, participant))

    # --- write-up outputs ------------------------------------------------------------------------

    def ask_export(self, which: str) -> None:
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
            return
        title = "Export Roles Table" if which == "roles" else "Export Meeting Time-Plan"
        start = project.path.with_name(f"{project.path.stem} {'roles' if which == 'roles' else 'time-plan'}.docx")
        chosen, chosen_filter = QFileDialog.getSaveFileName(self.context.window, title, str(start), EXPORT_FILTERS)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in writeup.FORMATS:  # no extension typed: the one of the filter chosen
            path = path.with_name(path.name + (".csv" if "csv" in chosen_filter.lower() else ".docx"))
        self.export(which, path)

    def export(self, which: str, path: Path) -> Path | None:
        """Write the roles table or the time-plan to `path` (DOCX or CSV by its extension), after
        the pre-export check: listed real names in it are pseudonymised, or written, as the
        researcher chooses (or nothing is written)."""
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
            return None
        what = "Roles table" if which == "roles" else "Meeting time-plan"
        try:
            table = (writeup.roles_table if which == "roles" else writeup.timeplan_table)(project)
            leaks = writeup.leaking_names(project, table)
            if leaks:
                choice = self._ask_about_names(leaks, f"The {what.lower()}")
                if choice is None:
                    self.context.report("Export cancelled: nothing was written.")
                    return None
                if choice == PSEUDONYMISE:
                    table = writeup.pseudonymised(project, table)
            written = writeup.write_table(table, path)
        except ProjectError as error:
            QMessageBox.warning(self.context.window, "Export", str(error))
            self.context.report(str(error))
            return None
        self.context.report(f"{what} written to {written}.")
        return written

    def _ask_about_names(self, leaks: list[NameLeak], what: str) -> str | None:
        """PSEUDONYMISE, ANYWAY or None (cancel): the pre-export check's question."""
        return ask_about_names(leaks, what, self.context.window)
