"""The encryption commands of the command line: `earmark new FILE [--encrypted]`, `earmark encrypt
FILE`, `earmark decrypt FILE`, `earmark password FILE`.

Passwords come as app/cli_projects.py describes (--password-file, EARMARK_PASSWORD, or a prompt in
a terminal); a new password is typed twice. Every input is checked before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli_projects import (
    LOST_PASSWORD_WARNING, PASSWORD_VARIABLE, add_password_option, add_project_argument, ask, ask_new_password,
    can_prompt, given_password, read_password_file,
)
from storage.errors import ProjectError

if TYPE_CHECKING:
    from storage.encryption import Conversion

ENCRYPTION_COMMANDS = ("new", "encrypt", "decrypt", "password")
_GIVE = f"--password-file PATH or {PASSWORD_VARIABLE}"


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    new = commands.add_parser("new", help="create an empty project, encrypted if asked")
    new.add_argument("project", type=Path, help="the .earmark file to create")
    new.add_argument("--encrypted", action="store_true",
                     help="encrypt it with a password (asked twice, or from --password-file or EARMARK_PASSWORD)")
    add_password_option(new)

    encrypt = commands.add_parser("encrypt", help="encrypt a project with a password (a lost password cannot be recovered)")
    add_project_argument(encrypt, help="the .earmark project to encrypt")

    decrypt = commands.add_parser("decrypt", help="remove a project's encryption")
    add_project_argument(decrypt, help="the encrypted .earmark project")

    password = commands.add_parser("password", help="change an encrypted project's password")
    add_project_argument(password, help="the encrypted .earmark project")
    password.add_argument("--new-password-file", type=Path, default=None,
                          help="read the new password from this file (otherwise it is asked twice)")


def run_command(args: argparse.Namespace) -> int:
    if args.command == "new":
        return _new(args)
    if args.command == "encrypt":
        return _encrypt(args)
    if args.command == "decrypt":
        return _decrypt(args)
    return _change_password(args)


def _new(args: argparse.Namespace) -> int:
    from storage.project import create_project

    path = args.project.absolute()
    if path.exists():
        raise ProjectError(f"{path} already exists: choose another name, or open it instead.")
    password = given_password(args)
    if args.encrypted or password is not None:
        if password is None:
            password = ask_new_password(path, _GIVE)
        else:
            print(LOST_PASSWORD_WARNING, file=sys.stderr)
    with create_project(path, password) as project:
        print(f"Created {project.path}{' (encrypted)' if project.encrypted else ''}.")
    return 0


def _encrypt(args: argparse.Namespace) -> int:
    from storage.encryption import encrypt_project, is_encrypted

    path = _existing(args.project)
    if is_encrypted(path):
        raise ProjectError(f"{path} is already encrypted; `earmark password` changes its password. Nothing was changed.")
    password = given_password(args)
    if password is None:
        password = ask_new_password(path, _GIVE)
    else:
        print(LOST_PASSWORD_WARNING, file=sys.stderr)
    _report(encrypt_project(path, password), f"Encrypted {path}.", "encrypted with the same password too")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    from storage.encryption import decrypt_project

    path = _encrypted(args.project)
    _report(decrypt_project(path, _current_password(args, path)),
            f"Removed the encryption of {path}: anyone who has the file can now read it.",
            "no longer encrypted either")
    return 0


def _change_password(args: argparse.Namespace) -> int:
    from storage.encryption import change_password, check_password

    path = _encrypted(args.project)
    old = _current_password(args, path)
    check_password(path, old)  # a wrong old password is told before a new one is typed twice
    if args.new_password_file is not None:
        new = read_password_file(args.new_password_file)
    else:
        new = ask_new_password(path, "--new-password-file PATH")
    _report(change_password(path, old, new), f"Changed the password of {path}.", "under the new password too")
    return 0


def _existing(path: Path) -> Path:
    path = path.absolute()
    if not path.is_file():
        raise ProjectError(f"{path} does not exist: check the name.")
    return path


def _encrypted(path: Path) -> Path:
    from storage.encryption import is_encrypted

    path = _existing(path)
    if not is_encrypted(path):
        raise ProjectError(f"{path} is not encrypted: there is no password to remove or change. Nothing was changed.")
    return path


def _current_password(args: argparse.Namespace, path: Path) -> str:
    password = given_password(args)
    if password is not None:
        return password
    if not can_prompt():
        raise ProjectError(f"{path} is encrypted: give its password with {_GIVE} "
                           "(or run the command in a terminal to be asked).")
    return ask(f"Password for {path}: ")


def _report(done: Conversion, headline: str, backups_now: str) -> None:
    from storage.backups import backup_dir

    print(headline)
    folder = backup_dir(done.path)
    if done.backups_converted:
        many = done.backups_converted != 1
        print(f"Its {done.backups_converted} backup{'s' if many else ''} in {folder} {'are' if many else 'is'} {backups_now}.")
    if done.backups_removed:
        print(f"{done.backups_removed} backup{'s' if done.backups_removed != 1 else ''} in {folder} could not be "
              "converted and were removed, so that no copy stays readable without the password.")
