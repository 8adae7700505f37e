"""Files shipped with Earmark: the sample meeting recording and the application icon."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    # In a frozen build PyInstaller unpacks data under sys._MEIPASS; the layout is the same.
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "resources" if base else Path(__file__).resolve().parent


def sample_recording() -> Path:
    return resources_dir() / "sample" / "meeting.flac"


def icon_path(size: int | None = None) -> Path:
    name = "earmark.png" if size is None else f"earmark-{size}.png"
    return resources_dir() / "icons" / name
