"""The user's application settings, each declared once with its default (Picard's way),
stored with QSettings. Per-project settings live in the project file (storage/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    description: str

    def get(self) -> T:
        value = QSettings().value(self.key, self.default)
        if isinstance(self.default, bool):
            return (value in (True, "true", "1", 1)) if not isinstance(value, bool) else value  # type: ignore[return-value]
        if isinstance(self.default, int):
            return int(value)  # type: ignore[return-value]
        if isinstance(self.default, float):
            return float(value)  # type: ignore[return-value]
        if isinstance(self.default, list):
            return list(value) if isinstance(value, (list, tuple)) else ([value] if value else [])  # type: ignore[return-value]
        return value  # type: ignore[return-value]

    def set(self, value: T) -> None:
        QSettings().setValue(self.key, value)


MODEL = Option("transcription/model", "tiny.en", "Whisper model: tiny.en (bundled), a folder or a downloaded name")
LANGUAGE = Option("transcription/language", "", "Language code, or empty to detect")
MODE = Option("transcription/mode", "auto", "auto (sequential under 5 minutes, else batched), batched or sequential")
OUTPUT_DEVICE = Option("playback/device", -1, "PortAudio output device index; -1 for the system default")
REWIND_ON_RESUME = Option("playback/rewind_on_resume", 2.0, "Seconds to rewind when playback resumes")
SKIP_SECONDS = Option("playback/skip_seconds", 5.0, "Seconds Skip back / Skip forward jump")
RECENT_PROJECTS = Option("files/recent_projects", [], "Projects opened lately, newest first")
WINDOW_GEOMETRY = Option("window/geometry", b"", "Main window geometry")
WINDOW_STATE = Option("window/state", b"", "Main window dock layout")

MAX_RECENT = 8


def remember_project(path: str) -> None:
    recent = [p for p in RECENT_PROJECTS.get() if p != path]
    RECENT_PROJECTS.set([path, *recent][:MAX_RECENT])
