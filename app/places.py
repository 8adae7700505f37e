"""Where Earmark puts the projects it creates for the user."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from platformdirs import user_documents_dir

from resources import sample_recording

SAMPLE_FOLDER = "Earmark sample"


def documents_folder() -> Path:
    return Path(user_documents_dir()) / "Earmark"


def project_for_media(media: Path) -> Path:
    """Beside the recording when that folder is writable (the project then stores the media
    path relative to itself), else in the user's Earmark documents folder."""
    media = Path(media).absolute()
    if os.access(media.parent, os.W_OK):
        return media.with_suffix(".earmark")
    folder = documents_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{media.stem}.earmark"


def prepare_sample() -> tuple[Path, Path]:
    """Copy the bundled sample meeting into the user's documents (the installed copy may be
    read-only) and return (project path, media path)."""
    folder = documents_folder() / SAMPLE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    media = folder / sample_recording().name
    if not media.exists():
        shutil.copyfile(sample_recording(), media)
    return folder / "Sample meeting.earmark", media
