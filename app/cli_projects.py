"""How every command line command finds and opens its project, so that encrypted projects work
the same everywhere.

An encrypted project's password comes from, in order: `--password-file PATH` (the file's text,
less one trailing newline), the EARMARK_PASSWORD environment variable, or, when the command runs
in a terminal, a prompt that does not echo. A script without a terminal gets a one-line error
saying how to give it, never a prompt that would hang.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from storage.encryption import WrongPasswordError, is_encrypted
from storage.errors import ProjectError

if TYPE_CHECKING:  # storage.project (and SQLAlchemy) load only when a command opens a project
    from storage.project import Project

PASSWORD_VARIABLE = "EARMARK_PASSWORD"
PROMPT_TRIES = 3
LOST_PASSWORD_WARNING = (
    "A lost password cannot be recovered: nobody, not the makers of Earmark either, can open the project "
    "without it. Keep it somewhere safe."
)


def add_project_argument(parser: argparse.ArgumentParser, *, help: str = "the .earmark project file") -> None:
    """The positional PROJECT argument and --password-file, for a command that opens a project."""
    parser.add_argument("project", type=Path, help=help)
    add_password_option(parser)


def add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", type=Path, default=None,
                        help=f"read an encrypted project's password from this file (or set {PASSWORD_VARIABLE})")


def open_for_command(args: argparse.Namespace, *, read_only: bool = False, path: Path | None = None,
                     create_missing: bool = False) -> Project:
    """Open args.project (or `path`) for a command; the caller closes it (use `with`).
    `create_missing`: make a new project when there is none; it is encrypted when a password
    was given (a password means the user wants the data protected; a plain file would not be)."""
    from storage.project import create_project, open_project

    path = Path(path if path is not None else args.project)
    password = given_password(args)
    if create_missing and not path.exists():
        project = create_project(path, password)
        if password is not None:
            print(f"Created {project.path}, encrypted with the password from {password_source(args)}. "
                  f"{LOST_PASSWORD_WARNING}", file=sys.stderr)
        return project
    if password is not None or not is_encrypted(path):
        return open_project(path, password, read_only=read_only)
    if not can_prompt():
        raise ProjectError(f"{path} is encrypted: give its password with --password-file PATH or the "
                           f"{PASSWORD_VARIABLE} environment variable (or run the command in a terminal to be asked).")
    for attempt in range(1, PROMPT_TRIES + 1):
        try:
            return open_project(path, ask(f"Password for {path}: "), read_only=read_only)
        except WrongPasswordError:
            if attempt == PROMPT_TRIES:
                raise
            print("Wrong password; try again.", file=sys.stderr)
    raise AssertionError("unreachable")


def given_password(args: argparse.Namespace, option: str = "password_file") -> str | None:
    """The password from the option's file, else from EARMARK_PASSWORD; None when neither is given."""
    password_file = getattr(args, option, None)
    if password_file is not None:
        return read_password_file(Path(password_file))
    return os.environ.get(PASSWORD_VARIABLE) or None


def password_source(args: argparse.Namespace) -> str:
    return str(args.password_file) if getattr(args, "password_file", None) is not None else PASSWORD_VARIABLE


def read_password_file(path: Path) -> str:
    """The file's text less one trailing newline (an editor adds one; a password may end in spaces)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProjectError(f"The password file {path} is not UTF-8 text: save the password in it as plain text.") from None
    except OSError as error:
        raise ProjectError(f"Cannot read the password file {path}: {error.strerror or error}. "
                           "Check the name and its permissions.") from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise ProjectError(f"The password file {path} is empty: put the project's password in it.")
    return text


def can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise ProjectError("No password was typed. Nothing was changed.") from None


def ask_new_password(path: Path, how: str) -> str:
    """A new password typed twice at a prompt, after the warning that it cannot be recovered.
    `how`: the options that would give it without a terminal, for the error."""
    if not can_prompt():
        raise ProjectError(f"A new password for {path} is needed: give it with {how} "
                           "(or run the command in a terminal to be asked).")
    print(LOST_PASSWORD_WARNING, file=sys.stderr)
    for _ in range(PROMPT_TRIES):
        first = ask(f"New password for {path}: ")
        if not first:
            print("The password cannot be empty; try again.", file=sys.stderr)
        elif ask("Repeat the new password: ") == first:
            return first
        else:
            print("The two passwords differ; try again.", file=sys.stderr)
    raise ProjectError(f"No new password was agreed for {path}. Nothing was changed.")
