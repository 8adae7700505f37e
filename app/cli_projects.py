"""How every command line command finds and opens its project, so that encrypted projects work
the same everywhere: `--password-file PATH` or the EARMARK_PASSWORD environment variable.

(Interface settled first; the password handling is filled in by the encryption work.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from storage.project import Project, open_project


def add_project_argument(parser: argparse.ArgumentParser, *, help: str = "the .earmark project file") -> None:
    """The positional PROJECT argument and --password-file, for a command that opens a project."""
    parser.add_argument("project", type=Path, help=help)
    add_password_option(parser)


def add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", type=Path, default=None,
                        help="read an encrypted project's password from this file (or set EARMARK_PASSWORD)")


def open_for_command(args: argparse.Namespace, *, read_only: bool = False, path: Path | None = None) -> Project:
    """Open args.project (or `path`) for a command; the caller closes it (use `with`)."""
    return open_project(path if path is not None else args.project, read_only=read_only)
