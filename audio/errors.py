"""Errors that audio/ raises for the user to read: each names the file and what to do."""

from __future__ import annotations


class MediaError(Exception):
    """A media file is missing, empty, damaged or has no audio."""


class ModelError(Exception):
    """A Whisper model cannot be found, verified, downloaded or loaded."""


class EngineError(Exception):
    """The transcription engine failed or stopped unexpectedly."""
