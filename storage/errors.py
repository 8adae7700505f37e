"""Errors that storage/ raises for the user to read: each names the file and what to do."""

from __future__ import annotations


class ProjectError(Exception):
    """A project file cannot be created, opened or written. The message is for the user."""


class ReadOnlyProjectError(ProjectError):
    """A change was asked of a project that is open read-only."""
