"""Speakers in the window: Transcription ▸ Label Speakers… (automatic labels, previewed, applied
as one undo step), Download Speaker Model…, and the speaker tools a transcriber fixes the draft
with, one action each: split the selected words off to a new speaker, merge a speaker into
another, link a speaker to a participant. The tools are also on the right-click menu of the
editor's left margin, where each turn's time and speaker are (its "speaker column").

Labelling runs app/speaker_jobs.label_transcript on a worker thread: it only reads the project
(decoding the audio and planning), so nothing is written until the user applies the preview;
the modal dialog keeps the project to one writer meanwhile. Downloading the model is the only
network use, and only when asked for (audio/speaker_weights.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QProgressDialog

from app.analysis_context import AnalysisContext
from app.cli_format import time_left
from app.jobs import Progress
from app.edit_commands import RenameSpeakerCommand, SetSpeakerCommand
from app.register_commands import LinkSpeakersCommand
from app.speaker_commands import (
    ApplySpeakerPlanCommand, SplitOffSpeakerCommand, applied_summary, filtered_plan, next_speaker_label, preview_of,
    reload_editor, whole_words,
)
from audio.speaker_weights import SpeakerWeightsError, load_weights
from storage import editing, participants, recordings, transcripts
from storage.errors import ProjectError
from storage.project import Project
from storage.speaker_labels import SpeakerPlan
from widgets.clock import clock
from widgets.speaker_colours import speaker_swatch
from widgets.speaker_label_dialog import SpeakerLabelDialog, missing_model_box

LABEL_TEXT = "Label &Speakers…"
NOT_LINKED = "(not linked)"


class BackgroundJob(QObject):
    """`work(progress, cancelled)` on a thread; what it passes to `progress` (a fraction, or
    app.jobs.Progress) and its end come back on the GUI thread as signals (DESIGN.md: results
    back on the GUI thread, one (result, error) shape)."""

    progress_changed = Signal(object)
    finished = Signal(object, object)  # (result, None) or (None, the exception)

    def __init__(self, name: str, work: Callable[[Callable[[Any], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work, self._stop = work, threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float = 30.0) -> bool:
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            result = self._work(self.progress_changed.emit, self._stop.is_set)
        except BaseException as error:  # handed to the GUI thread, which explains it
            self.finished.emit(None, error)
        else:
            self.finished.emit(result, None)


class SpeakerController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context, self.editor = context, context.editor
        self.dialog: SpeakerLabelDialog | None = None
        self.plan: SpeakerPlan | None = None  # the last labelling's plan, shown in the dialog
        self.job: BackgroundJob | None = None
        self.download: BackgroundJob | None = None
        self.missing_box: QMessageBox | None = None
        window = context.window
        self.label_action = self._action(LABEL_TEXT, self.label_speakers)
        self.split_action = self._action("Split Selected Words Off to a &New Speaker", self.split_off_selection)
        self.merge_action = self._action("&Merge This Turn's Speaker into Another…", lambda: self.merge_speaker())
        self.link_action = self._action("&Link This Turn's Speaker to a Participant…", lambda: self.link_speaker())
        self.download_action = self._action("&Download Speaker Model…", lambda: self.download_model())
        self.editor.margin_menu_requested.connect(self.show_margin_menu)
        context.project_closing.connect(self._stop_jobs)
        # The window builds its Transcription menu after the analysis controllers: the entries go
        # in once it exists and is filled, so they come after Transcribe and Cancel.
        menu = self._transcription_menu()
        if menu is not None:
            self._fill(menu)
        else:
            window.menuBar().installEventFilter(self)

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        return self.context.action(None, text, None, slot)

    def _transcription_menu(self) -> QMenu | None:
        found = next((a.menu() for a in self.context.window.menuBar().actions() if a.text() == "&Transcription"), None)
        return found if isinstance(found, QMenu) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ActionAdded and event.action().text() == "&Transcription":  # type: ignore[attr-defined]
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: self._fill(self._transcription_menu()))
        return False

    def _fill(self, menu: QMenu | None) -> None:
        menu = menu or self.context.menu("&Transcription")
        menu.addSeparator()
        speakers = menu.addMenu("S&peakers")
        speakers.setObjectName("speakersMenu")
        menu.insertAction(speakers.menuAction(), self.label_action)
        for action in (self.split_action, self.merge_action, self.link_action):
            speakers.addAction(action)
        speakers.addSeparator()
        speakers.addAction(self.download_action)

    # --- Label Speakers… ---------------------------------------------------------------------------

    def label_speakers(self) -> None:
        project, transcript_id = self.context.writable_project(), self.context.transcript_id()
        if project is None:
            return
        if transcript_id is None:
            self.context.report("Show a transcript first: speakers are labelled in the transcript shown.")
            return
        record = transcripts.get_transcript(project, transcript_id)
        recording = recordings.get_recording(project, record.recording_id) if record.recording_id else None
        if recording is None or recording.audio_deleted:
            self.context.report(f"{record.name} has no recording to listen to"
                                + (" (its audio was removed)." if recording is not None else "."))
            return
        note = ""
        try:
            load_weights()
        except SpeakerWeightsError as error:
            if recording.channels < 2:
                self.explain_missing_model(str(error), then_label=True)
                return
            note = "The speaker model is not installed, so only one speaker per channel is possible here."
        self.editor.flush_pending()
        dialog = SpeakerLabelDialog(record.name, channels=recording.channels, estimate_note=note,
                                    parent=self.context.window)
        if note:
            dialog.channel_choice.setChecked(True)
            dialog.auto_choice.setEnabled(False)
            dialog.count_choice.setEnabled(False)
        dialog.start_requested.connect(lambda count: self._start(project, transcript_id, count))
        dialog.cancel_requested.connect(self._cancel)
        dialog.apply_requested.connect(lambda keys: self._apply(project, keys))
        dialog.finished.connect(lambda _result: self._forget_dialog(dialog))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog = dialog
        dialog.open()

    def _start(self, project: Project, transcript_id: int, count: object) -> None:
        from app.speaker_jobs import label_transcript

        if self.dialog is None:
            return
        if self.job is not None:  # closed and opened again while the last run was stopping
            self.dialog.show_failure("The last labelling is still stopping: try again in a moment.")
            return
        self.dialog.show_running("One speaker per channel…" if count == "channels" else "Listening for speakers…")
        job = BackgroundJob("speakers", lambda progress, cancelled: label_transcript(
            project, transcript_id, count=count, progress=progress, cancelled=cancelled), self)
        job.progress_changed.connect(lambda progress: self._progress(job, progress))
        job.finished.connect(lambda plan, error: self._labelled(job, project, transcript_id, plan, error))
        self.job = job
        job.start()

    def _progress(self, job: BackgroundJob, progress: Progress) -> None:
        if self.dialog is not None and job is self.job:
            self.dialog.set_progress(progress.fraction, f"{clock(progress.covered)} of {clock(progress.duration)} · "
                                                        f"{time_left(progress.seconds_left)}")

    def _labelled(self, job: BackgroundJob, project: Project, transcript_id: int, plan: object,
                  error: BaseException | None) -> None:
        job.wait()
        if job is not self.job:
            return
        self.job = None
        dialog = self.dialog
        if dialog is None:
            return
        if job.cancelled():
            dialog.show_failure("Stopped: nothing was changed.")
        elif isinstance(error, SpeakerWeightsError):
            dialog.reject()
            self.explain_missing_model(str(error), then_label=True)
        elif error is not None:
            dialog.show_failure(_message(error))
        else:
            self.plan = plan
            dialog.show_preview(preview_of(plan, transcripts.segments(project, transcript_id)))

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _apply(self, project: Project, keys: tuple[int, ...]) -> None:
        if self.dialog is None or self.plan is None:
            return
        command = ApplySpeakerPlanCommand(project, self.context, filtered_plan(self.plan, keys))
        self.context.stack.push(command)
        self.dialog.accept()
        if command.applied is not None and command.applied.changed:
            self.context.report(f"{applied_summary(command.applied)} Edit ▸ Undo takes it back.")
        elif command.applied is not None:
            self.context.report("Nothing changed: those turns were edited since the preview. Label speakers again.")

    def _forget_dialog(self, dialog: SpeakerLabelDialog) -> None:
        if self.dialog is dialog:
            self.dialog, self.plan = None, None
            self._cancel()
        dialog.deleteLater()

    def _stop_jobs(self) -> None:
        for job in (self.job, self.download):
            if job is not None:
                job.cancel()
                job.wait(10.0)
        if self.dialog is not None:
            self.dialog.reject()

    # --- the speaker model -------------------------------------------------------------------------

    def explain_missing_model(self, message: str, *, then_label: bool = False) -> None:
        """Say the model is missing and how to get it; offer to download it now."""
        box = missing_model_box(message, self.context.window)
        box.download_button.clicked.connect(lambda: self.download_model(then_label=then_label))  # type: ignore[attr-defined]
        box.finished.connect(lambda _result: box.deleteLater())
        self.missing_box = box
        self.context.report(message)
        box.open()

    def download_model(self, *, then_label: bool = False) -> None:
        from audio.speaker_weights import install_weights

        if self.download is not None:
            return
        progress = QProgressDialog("Downloading the speaker model (about 17 MB, once)…", "Cancel", 0, 1000,
                                   self.context.window)
        progress.setWindowTitle("Speaker model")
        progress.setObjectName("speakerModelDownload")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)

        def work(report: Callable[[float], None], cancelled: Callable[[], bool]) -> object:
            def step(done: int, total: int) -> None:
                if cancelled():
                    raise _Stopped()
                report(done / total if total else 0.0)
            return install_weights(progress=step)

        job = BackgroundJob("speaker-model", work, self)
        job.progress_changed.connect(lambda fraction: progress.setValue(round(fraction * 1000)))
        progress.canceled.connect(job.cancel)
        job.finished.connect(lambda path, error: self._downloaded(job, progress, path, error, then_label))
        self.download = job
        progress.show()
        job.start()

    def _downloaded(self, job: BackgroundJob, progress: QProgressDialog, path: object, error: BaseException | None,
                    then_label: bool) -> None:
        job.wait()
        self.download = None
        progress.reset()
        progress.deleteLater()
        if isinstance(error, _Stopped) or job.cancelled():
            self.context.report("Download stopped: the speaker model is not installed.")
        elif error is not None:
            self.context.report(_message(error))
            QMessageBox.warning(self.context.window, "Cannot download the speaker model", _message(error))
        else:
            self.context.report(f"Speaker model installed at {path}.")
            if then_label:
                self.label_speakers()

    # --- the speaker tools: one action each --------------------------------------------------------

    def split_off_selection(self) -> None:
        """Split the selected words off their turn, to a new speaker ("Speaker n"), in one step."""
        project = self.context.writable_project()
        passage = self.editor.selected_passage()
        if project is None:
            return
        if passage is None or passage[0] != passage[2]:
            self.context.report("Select the words of one turn that another person said first.")
            return
        self.editor.flush_pending()
        segment_id, start, _end_id, end = passage
        turn = editing.get_turn(project, segment_id)
        span = whole_words(turn.text, start, end)
        if span is None:
            self.context.report("Select at least one word.")
            return
        label = next_speaker_label(editing.speaker_labels(project))
        self.context.stack.push(SplitOffSpeakerCommand(project, self.context, segment_id, span, label))
        self.context.report(f"The words went to a new turn of {label}: rename or merge it from the margin's menu.")

    def merge_speaker(self, label: str | None = None) -> None:
        """Merge a speaker (the turn's at the cursor) into another: every turn moves to it."""
        project = self.context.writable_project()
        label = label or self._speaker_at_cursor()
        if project is None or label is None:
            return
        others = [other for other in editing.speaker_labels(project) if other != label]
        if not others:
            self.context.report(f"{label} is the only speaker: there is no other to merge it into.")
            return
        target, accepted = QInputDialog.getItem(self.context.window, "Merge speakers",
                                                f"Merge every turn of {label} into:", others, 0, False)
        if accepted and target:
            self._rename(project, label, target)

    def rename_speaker(self, label: str) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        new, accepted = QInputDialog.getText(self.context.window, "Rename speaker",
                                             f"New name for {label} everywhere (an existing name merges them):", text=label)
        if accepted and new.strip() and new.strip() != label:
            self._rename(project, label, new.strip())

    def _rename(self, project: Project, old: str, new: str) -> None:
        self.editor.flush_pending()
        self.context.stack.push(RenameSpeakerCommand(project, self.editor, self.context.report, old, new,
                                                     lambda: reload_editor(self.context, project)))

    def link_speaker(self, label: str | None = None) -> None:
        """Link a speaker label to a participant of the register (or unlink it)."""
        project = self.context.writable_project()
        label = label or self._speaker_at_cursor()
        if project is None or label is None:
            return
        link = next((link for link in participants.speaker_links(project) if link.label == label), None)
        people = participants.list_participants(project)
        if link is None:
            return
        if not people:
            self.context.report("The participant register is empty: add participants first (Project ▸ Participant Register…).")
            return
        names = [NOT_LINKED] + [" — ".join(filter(None, (p.role_code, p.role))) for p in people]
        current = next((i + 1 for i, p in enumerate(people) if p.id == link.participant_id), 0)
        chosen, accepted = QInputDialog.getItem(self.context.window, "Link speaker",
                                                f"{label} is the participant:", names, current, False)
        if not accepted:
            return
        participant_id = None if chosen == NOT_LINKED else people[names.index(chosen) - 1].id
        if participant_id != link.participant_id:
            who = "unlinked" if participant_id is None else f"linked to {chosen}"
            self.context.stack.push(LinkSpeakersCommand(project, self.context, f"Speaker {label} {who}",
                                                        [(link.speaker_id, participant_id)]))

    def set_turn_speaker(self, segment_id: int) -> None:
        project = self.context.writable_project()
        if project is None:
            return
        turn = editing.get_turn(project, segment_id)
        labels = editing.speaker_labels(project)
        label, accepted = QInputDialog.getItem(self.context.window, "Turn speaker", "Speaker (choose, or type a new name):",
                                               labels, labels.index(turn.speaker) if turn.speaker in labels else 0, True)
        if accepted and label.strip() and label.strip() != turn.speaker:
            self.editor.flush_pending()
            self.context.stack.push(SetSpeakerCommand(project, self.editor, self.context.report, segment_id, label.strip()))

    def _speaker_at_cursor(self) -> str | None:
        turn = self.editor.turn_at_cursor()
        if turn is None or not turn.speaker:
            self.context.report("Put the cursor in a turn that has a speaker first.")
            return None
        return turn.speaker

    # --- the margin's menu --------------------------------------------------------------------------

    def build_margin_menu(self, segment_id: int) -> QMenu:
        menu = QMenu(self.editor)
        menu.setObjectName("speakerMarginMenu")
        project = self.context.project()
        writable = project is not None and not project.read_only
        turn = next((self.editor.segment_at_block(i) for i in [self.editor.block_of(segment_id)] if i is not None), None)
        label = turn.speaker if turn is not None else None
        menu.addAction(speaker_swatch(label), "Set This Turn's Speaker…",
                       lambda: self.set_turn_speaker(segment_id)).setEnabled(writable)
        passage = self.editor.selected_passage()
        split = menu.addAction("Split Selected Words Off to a New Speaker", self.split_off_selection)
        split.setEnabled(writable and passage is not None and passage[0] == passage[2])
        if label:
            menu.addSeparator()
            menu.addAction(f"Rename “{label}”…", lambda: self.rename_speaker(label)).setEnabled(writable)
            menu.addAction(f"Merge “{label}” into Another Speaker…", lambda: self.merge_speaker(label)).setEnabled(writable)
            menu.addAction(f"Link “{label}” to a Participant…", lambda: self.link_speaker(label)).setEnabled(writable)
        menu.addSeparator()
        menu.addAction("Label Speakers…", self.label_speakers).setEnabled(writable)
        menu.aboutToHide.connect(lambda: QTimer.singleShot(0, menu.deleteLater))  # after the chosen slot ran
        return menu

    def show_margin_menu(self, segment_id: int, point: QPoint) -> None:
        self.build_margin_menu(segment_id).popup(point)


class _Stopped(Exception):
    """The user cancelled the download (raised from its progress callback)."""


def _message(error: BaseException) -> str:
    if isinstance(error, (ProjectError, SpeakerWeightsError, OSError, ValueError, KeyError)):
        return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return f"Speaker labelling failed: {error.__class__.__name__}: {error}"
