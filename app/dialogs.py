"""The window's dialogs that change settings or inform: transcription settings, keyboard
shortcuts, about. Functions of the window, kept apart to keep app/main_window.py small."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app import settings
from app.version import __version__
from storage.errors import ProjectError

if TYPE_CHECKING:
    from app.main_window import MainWindow


def edit_transcription_settings(self: MainWindow) -> None:
    from audio.errors import ModelError
    from audio.models import resolve_model
    from storage.settings import VOCABULARY, set_setting, vocabulary
    from widgets.transcription_settings import TranscriptionChoices, TranscriptionSettingsDialog

    writable = self.project is not None and not self.project.read_only
    current = TranscriptionChoices(
        model=settings.MODEL.get(), language=settings.LANGUAGE.get(), mode=settings.MODE.get(),
        vocabulary=vocabulary(self.project) if self.project is not None else (),
    )
    dialog = TranscriptionSettingsDialog(current, vocabulary_editable=writable, parent=self)
    if not dialog.exec():
        return
    chosen = dialog.choices()
    try:
        resolve_model(chosen.model)
    except ModelError as error:
        self.show_error("Model not usable", f"{error} The previous model ({current.model}) is kept.")
        chosen = TranscriptionChoices(current.model, chosen.language, chosen.mode, chosen.vocabulary)
    settings.MODEL.set(chosen.model)
    settings.LANGUAGE.set(chosen.language)
    settings.MODE.set(chosen.mode)
    if writable and self.project is not None and chosen.vocabulary != current.vocabulary:
        try:
            set_setting(self.project, VOCABULARY, list(chosen.vocabulary))
        except ProjectError as error:
            self.show_error("Cannot save the vocabulary", str(error))


def show_shortcuts(self: MainWindow) -> None:
    from app.shortcuts import FIXED_KEYS, SHORTCUTS, keys_for, save_keys
    from widgets.shortcuts_dialog import ShortcutsDialog

    rows = [(s.id, s.group, s.title, [k.toString() for k in keys_for(s.id)], list(s.defaults)) for s in SHORTCUTS]
    dialog = ShortcutsDialog(rows, FIXED_KEYS, save_keys, self)
    if dialog.exec():
        self.shortcuts.reapply()
        clashes = self.shortcuts.conflicts()
        if clashes:
            key, first, second = clashes[0]
            self.show_error("Two commands share a key", f"{key} is given to both {first!r} and {second!r}; "
                            "only one of them will work. Change one in Help → Keyboard Shortcuts.")


def show_about(self: MainWindow) -> None:
    QMessageBox.about(
        self, "About Earmark",
        f"<h3>Earmark {__version__}</h3><p>Local transcription and qualitative coding. "
        "Recordings and transcripts never leave this computer.</p>",
    )
