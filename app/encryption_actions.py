"""Encrypted projects in the window: the password asked on opening, the choice to encrypt a new
project, and File ▸ Encrypt Project…, Remove Encryption…, Change Password….

A conversion rewrites the whole file (storage/encryption.py), so the project is closed around it
and opened again afterwards; the undo history cannot survive that and is cleared, which the status
bar says. A password is checked against the file before the project is closed, so a typing
mistake is answered in the dialog and never leaves the window without its project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu

from storage import encryption
from storage.encryption import Conversion, WrongPasswordError
from storage.errors import ProjectError
from storage.project import Project, open_project
from widgets import password_dialog
from widgets.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from app.main_window import MainWindow

WRONG_PASSWORD = ("That password is wrong (or the file is not an Earmark project). Check capitals and the "
                  "keyboard layout, and try again.")
HISTORY_CLEARED = "The undo history was cleared: the project was closed and reopened to rewrite it."


class EncryptionActions:
    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        self.window = window
        self.encrypt_action = self._action(menu, "&Encrypt Project…", self.encrypt)
        self.decrypt_action = self._action(menu, "Remove Encr&yption…", self.remove_encryption)
        self.password_action = self._action(menu, "Change Pass&word…", self.change_password)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def refresh(self, busy: bool) -> None:
        project = self.window.project
        writable = project is not None and not project.read_only and not busy
        self.encrypt_action.setEnabled(writable and project is not None and not project.encrypted)
        self.decrypt_action.setEnabled(writable and project is not None and project.encrypted)
        self.password_action.setEnabled(writable and project is not None and project.encrypted)

    # --- opening and creating ------------------------------------------------------------------

    def open(self, path: Path) -> Project | None:
        """Open `path`, asking for its password while the one given is wrong. None when the user
        cancels (nothing changed) or the project cannot be opened (the error is shown)."""
        path = Path(path)
        try:
            if not encryption.is_encrypted(path):
                return open_project(path)
            dialog = password_dialog.opening_dialog(path.name, self.window)
            while dialog.exec():
                try:
                    with busy_cursor():
                        return open_project(path, dialog.current_password())
                except WrongPasswordError:
                    dialog.show_error(WRONG_PASSWORD)
        except ProjectError as error:
            self.window.show_error("Cannot open the project", str(error))
            return None
        self.window.statusBar().showMessage(f"Did not open {path}: no password was given. Nothing was changed.", 8000)
        return None

    def new_project_password(self, path: Path) -> tuple[bool, str | None]:
        """Ask whether the new project at `path` is to be encrypted: (go ahead, password or None)."""
        dialog = password_dialog.new_project_dialog(path.name, self.window)
        if not dialog.exec():
            return False, None
        return True, dialog.new_password()

    # --- conversions ---------------------------------------------------------------------------

    def encrypt(self) -> None:
        project = self.window.project
        if project is None or project.encrypted:
            return
        dialog = password_dialog.encrypt_dialog(project.path.name, self.window)
        if not dialog.exec() or not dialog.new_password():
            return
        password = dialog.new_password() or ""
        self._convert(project.path, lambda: encryption.encrypt_project(project.path, password),
                      reopen_with=password, reopen_failed_with=None, done="Encrypted")

    def remove_encryption(self) -> None:
        project = self.window.project
        if project is None or not project.encrypted:
            return
        password = self._current_password(password_dialog.remove_encryption_dialog(project.path.name, self.window),
                                          project.path)
        if password is None:
            return
        self._convert(project.path, lambda: encryption.decrypt_project(project.path, password),
                      reopen_with=None, reopen_failed_with=password, done="Removed the encryption of")

    def change_password(self) -> None:
        project = self.window.project
        if project is None or not project.encrypted:
            return
        dialog = password_dialog.change_password_dialog(project.path.name, self.window)
        old = self._current_password(dialog, project.path)
        new = dialog.new_password()
        if old is None or not new:
            return
        self._convert(project.path, lambda: encryption.change_password(project.path, old, new),
                      reopen_with=new, reopen_failed_with=old, done="Changed the password of")

    def _current_password(self, dialog: PasswordDialog, path: Path) -> str | None:
        """The project's password, checked against the file while it stays open; None: cancelled."""
        while dialog.exec():
            try:
                with busy_cursor():
                    encryption.check_password(path, dialog.current_password())
                return dialog.current_password()
            except WrongPasswordError:
                dialog.show_error(WRONG_PASSWORD)
            except ProjectError as error:
                self.window.show_error("Cannot check the password", str(error))
                return None
        return None

    def _convert(self, path: Path, convert: Callable[[], Conversion], *, reopen_with: str | None,
                 reopen_failed_with: str | None, done: str) -> None:
        """Close the project, convert it, open it again (the old way if the conversion failed)."""
        window = self.window
        window._close_project()  # the window's own step, shared with opening another project
        try:
            with busy_cursor():
                result = convert()
        except ProjectError as error:
            self._reopen(path, reopen_failed_with)
            window.show_error("The project was not converted", str(error))
            return
        if self._reopen(path, reopen_with):
            window.statusBar().showMessage(f"{done} {path.name}{backup_note(result)}. {HISTORY_CLEARED}", 20000)

    def _reopen(self, path: Path, password: str | None) -> bool:
        try:
            with busy_cursor():
                project = open_project(path, password)
        except ProjectError as error:
            self.window.show_error("Cannot open the project again", str(error))
            return False
        self.window._set_project(project)
        return True


def backup_note(result: Conversion) -> str:
    notes = []
    if result.backups_converted:
        notes.append(f"{result.backups_converted} backup{'s' if result.backups_converted != 1 else ''} converted too")
    if result.backups_removed:
        notes.append(f"{result.backups_removed} unconvertible backup{'s' if result.backups_removed != 1 else ''} removed")
    return f" ({'; '.join(notes)})" if notes else ""


def title_marks(project: Project) -> str:
    """What the title bar adds after the project's name."""
    return (" [encrypted]" if project.encrypted else "") + (" [read-only]" if project.read_only else "")


@contextmanager
def busy_cursor() -> Iterator[None]:
    """Deriving a key takes a noticeable moment (and converting a large project a few seconds)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
