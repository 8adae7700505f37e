"""The password dialogs of encrypted projects: asking for the password on opening, choosing one
for a new project or when encrypting, removing the encryption and changing the password.

One dialog class with the fields each case needs. A new password is typed twice, and the
warning that a lost password cannot be recovered stands above the fields, before anything is
typed. The dialog only collects text; the app checks the password against the file and, when it
is wrong, shows the dialog again with `show_error`.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget,
)

ERROR_COLOUR = "#b00020"
TEXT_WIDTH = 460  # wide enough that the warning wraps onto a few lines, not a narrow column
WARNING_STYLE = "background:#fff3cd;color:#5c4400;padding:8px;border:1px solid #e6d08a;"
SHORT_PASSWORD = 10  # below this a hint suggests a few words instead; not enforced
LOST_PASSWORD_WARNING = (
    "<b>A lost password cannot be recovered.</b> Without it nobody can open this project again: "
    "not you, not your IT department, not the makers of Earmark. Keep it somewhere safe, such as "
    "a password manager."
)
READABLE_WARNING = (
    "<b>Without encryption, anyone who gets a copy of the file can read the transcripts.</b> Its "
    "backups are decrypted too."
)


class PasswordDialog(QDialog):
    """`current`: a field for the project's password now. `choose`: two fields for a new one.
    `optional`: the text of a checkbox that must be ticked before the new password is asked."""

    def __init__(self, title: str, intro: str, *, current: bool = False, choose: bool = False,
                 optional: str | None = None, warning: str | None = None, accept_text: str = "OK",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        # Wrapped labels need their height for the dialog's width; the dialog grows to fit them.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setMinimumWidth(TEXT_WIDTH)
        layout.addWidget(self.intro)
        self.encrypt_box: QCheckBox | None = None
        if optional is not None:
            self.encrypt_box = QCheckBox(optional)
            self.encrypt_box.toggled.connect(self._update)
            layout.addWidget(self.encrypt_box)
        self.warning = QLabel(warning or "")
        self.warning.setObjectName("passwordWarning")
        self.warning.setWordWrap(True)
        self.warning.setMinimumWidth(TEXT_WIDTH)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setVisible(bool(warning))  # up front: shown before any password is typed
        layout.addWidget(self.warning)

        form = QFormLayout()
        self.current = self._field("Password:" if not choose else "Current password:", form) if current else None
        self.new = self._field("New password:" if current else "Password:", form) if choose else None
        self.repeat = self._field("Repeat it:", form) if choose else None
        layout.addLayout(form)
        self.show_text = QCheckBox("Show what I type")
        self.show_text.toggled.connect(self._show_text)
        layout.addWidget(self.show_text)
        self._error = ""
        self.message = QLabel()
        self.message.setObjectName("passwordMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(accept_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def _field(self, label: str, form: QFormLayout) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.textChanged.connect(self._update)
        form.addRow(label, field)
        return field

    # --- what was typed ------------------------------------------------------------------------

    def encrypt_chosen(self) -> bool:
        """Whether a new password is wanted (always, unless the checkbox is unticked)."""
        return self.new is not None and (self.encrypt_box is None or self.encrypt_box.isChecked())

    def current_password(self) -> str:
        return self.current.text() if self.current is not None else ""

    def new_password(self) -> str | None:
        return self.new.text() if self.new is not None and self.encrypt_chosen() else None

    # --- feedback ------------------------------------------------------------------------------

    def show_error(self, text: str) -> None:
        """After a wrong password: say so, empty the field and put the cursor back in it."""
        self._error = text
        if self.current is not None:
            self.current.clear()  # keeps the error: it goes when the user types again
            self.current.setFocus()
        self._update()

    def _show_text(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for field in (self.current, self.new, self.repeat):
            if field is not None:
                field.setEchoMode(mode)

    def _update(self) -> None:
        choosing = self.encrypt_chosen()
        for field in (self.new, self.repeat):
            if field is not None:
                field.setEnabled(choosing)
        if self.encrypt_box is not None:
            self.show_text.setEnabled(choosing)
        ready, hint = True, ""
        if self.current is not None and not self.current.text():
            ready = False
        elif self.current is not None:
            self._error = ""
        if choosing and self.new is not None and self.repeat is not None:
            new, repeat = self.new.text(), self.repeat.text()
            if not new:
                ready = False
            elif repeat and repeat != new:
                ready, hint = False, "The two passwords differ."
            elif repeat != new:
                ready = False
            if new and len(new) < SHORT_PASSWORD:
                hint = hint or "A short password is easy to guess: a few unrelated words make a strong one."
        self.message.setStyleSheet(f"color:{ERROR_COLOUR};" if self._error else "color:#5c4400;")
        self.message.setText(self._error or hint)
        self.ok_button.setEnabled(ready)


def opening_dialog(file_name: str, parent: QWidget | None = None) -> PasswordDialog:
    return PasswordDialog(
        "Encrypted project", f"<b>{escape(file_name)}</b> is encrypted. Enter its password to open it.",
        current=True, accept_text="Open", parent=parent,
    )


def new_project_dialog(file_name: str, parent: QWidget | None = None) -> PasswordDialog:
    return PasswordDialog(
        "New project", f"Create <b>{escape(file_name)}</b>. An encrypted project cannot be read without its "
        "password, by anyone who copies the file or finds the computer.",
        choose=True, optional="Encrypt this project with a password", warning=LOST_PASSWORD_WARNING,
        accept_text="Create", parent=parent,
    )


def encrypt_dialog(file_name: str, parent: QWidget | None = None) -> PasswordDialog:
    return PasswordDialog(
        "Encrypt project", f"Encrypt <b>{escape(file_name)}</b> and its backups with a password. The project "
        "closes and reopens; the undo history is cleared.",
        choose=True, warning=LOST_PASSWORD_WARNING, accept_text="Encrypt", parent=parent,
    )


def remove_encryption_dialog(file_name: str, parent: QWidget | None = None) -> PasswordDialog:
    return PasswordDialog(
        "Remove encryption", f"Store <b>{escape(file_name)}</b> unencrypted. Enter its password to confirm. "
        "The project closes and reopens; the undo history is cleared.",
        current=True, warning=READABLE_WARNING, accept_text="Remove Encryption", parent=parent,
    )


def change_password_dialog(file_name: str, parent: QWidget | None = None) -> PasswordDialog:
    return PasswordDialog(
        "Change password", f"Change the password of <b>{escape(file_name)}</b> and its backups. The project "
        "closes and reopens; the undo history is cleared.",
        current=True, choose=True, warning=LOST_PASSWORD_WARNING, accept_text="Change Password", parent=parent,
    )
