"""Dialogs for text sources and for removing a recording's audio.

SourceDialog asks for a text source's kind, name and meeting (and, for a new one, optional text
to start with); the same form edits an existing source's details and confirms a document's
import. RemoveAudioDialog says what removing a recording's audio deletes, what it keeps, and that
it cannot be undone. They show data and hand back the choices; the app does the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget,
)

from storage.source_records import TEXT_SOURCE_KINDS, AudioFacts, MeetingChoice, kind_label
from widgets.clock import clock

NO_MEETING = "(none: it stands alone)"


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class SourceChoices:
    kind: str
    name: str
    meeting_id: int | None
    text: str


class SourceDialog(QDialog):
    """mode: "new" (with a text box), "import" (names the file) or "details" (an existing source;
    `kinds` empty keeps the kind fixed, as for a recording's transcript)."""

    def __init__(self, meetings: Sequence[MeetingChoice], *, mode: str = "new", name: str = "",
                 kind: str = "field_notes", meeting_id: int | None = None, file_name: str = "",
                 kinds: Sequence[str] = TEXT_SOURCE_KINDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceDialog")
        self.setWindowTitle({"new": "New Text Source", "import": "Import Document"}.get(mode, "Source Details"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = {
            "new": "Minutes, field notes or interview notes typed in here become a source you can code and "
                   "search like a transcript. Each paragraph is one turn; press Return for a new paragraph.",
            "import": f"Import {file_name}: each paragraph becomes one turn (table rows too).",
        }.get(mode)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("sourceKind")
        for value in kinds:
            self.kind.addItem(kind_label(value), value)
        if kind in kinds:
            self.kind.setCurrentIndex(list(kinds).index(kind))
        self.name = QLineEdit(name)
        self.name.setObjectName("sourceName")
        self.name.setPlaceholderText("for example: Field notes, M04")
        self.meeting = QComboBox()
        self.meeting.setObjectName("sourceMeeting")
        self.meeting.addItem(NO_MEETING, None)
        for meeting in meetings:
            self.meeting.addItem(meeting.label, meeting.id)
        found = self.meeting.findData(meeting_id)
        self.meeting.setCurrentIndex(max(found, 0))
        if kinds:
            form.addRow("&Kind:", self.kind)
        form.addRow("&Name:", self.name)
        form.addRow("&Meeting:", self.meeting)
        if not meetings:
            hint = QLabel("No meetings yet: add them in the meeting register to link sources to them.")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: palette(placeholder-text);")
            form.addRow("", hint)
        layout.addLayout(form)
        self.text = QPlainTextEdit()
        self.text.setObjectName("sourceText")
        self.text.setPlaceholderText("Optional: paste or type the notes here (one paragraph per line), or type them "
                                     "in the editor afterwards. “SN1: …” at a paragraph's start sets its speaker "
                                     "when SN1 is a known speaker or role code.")
        if mode == "new":
            layout.addWidget(self.text, 1)
        else:
            self.text.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            {"new": "Create", "import": "Import"}.get(mode, "Save"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name.text().strip()))

    def choices(self) -> SourceChoices:
        return SourceChoices(kind=self.kind.currentData() or "", name=self.name.text().strip(),
                             meeting_id=self.meeting.currentData(), text=self.text.toPlainText())


class RemoveAudioDialog(QDialog):
    """Confirms removing a recording's audio: what goes, what stays, and that it is final."""

    def __init__(self, facts: AudioFacts, warning: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("removeAudioDialog")
        self.setWindowTitle("Remove the Audio")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self.text_for(facts))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        if warning:
            caution = QLabel(warning)
            caution.setObjectName("removeAudioWarning")
            caution.setWordWrap(True)
            caution.setStyleSheet("color:#8a1c00;")
            layout.addWidget(caution)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.remove = self.buttons.addButton("Remove the Audio", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.remove.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)  # Return must not destroy
        layout.addWidget(self.buttons)

    @staticmethod
    def text_for(facts: AudioFacts) -> str:
        transcripts = ", ".join(f"“{escape(name)}”" for name in facts.transcripts) or "(no transcript yet)"
        name, path = escape(facts.file_name), escape(facts.path)
        deleted = (f"<p><b>This deletes {name}</b> ({clock(facts.duration)}) from disk:<br>"
                   f"<code>{path}</code></p>") if facts.exists else (
                   f"<p>The file {name} is already gone from <code>{path}</code>; "
                   "the removal will be recorded.</p>")
        return (
            "<p>Consent forms promise that tapes are destroyed once transcribed.</p>"
            f"{deleted}"
            f"<p><b>Kept:</b> the transcript {transcripts} ({counted(facts.turns, 'turn')}), its "
            f"{counted(facts.codings, 'coding')} and {counted(facts.memos, 'memo')}. Playback will be off for it.</p>"
            "<p>The removal is recorded in the project's audit (file name, content hash, duration and time). "
            "Copies elsewhere (a backup, the recorder) are not touched.</p>"
            "<p><b>This cannot be undone.</b></p>"
        )
