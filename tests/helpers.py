"""Set-up shared by the tests: transcripts made from (speaker, text) turns with evenly spaced
words, the RESEARCH.md code tree, the real main window on a project, a project held open by
another process, a project file left at an old schema revision, and a widget shown at a size.

Importing this module does not import Qt; the window and widget helpers import it when called."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from storage.records import NewSegment, SegmentRecord, Word

if TYPE_CHECKING:
    import pytest

    from app.main_window import MainWindow
    from storage.project import Project

W = TypeVar("W")

# The three-level code tree from RESEARCH.md (findings, themes, codes).
RESEARCH_TREE = {
    "Constructing a shared meaning for professional leadership through partnership working": {
        "Partnership working and professional networks": {},
        "Cross-organisational learning to improve safety and quality": {
            "Reviewing discharge procedures": {}, "Safeguarding vulnerable adults": {}},
    },
    "Creating an entrepreneurial identity through new knowledge and skills": {
        "Shared conceptual frameworks": {
            "Managing conflict": {}, "Understanding different cultures": {}, "Developing clinical pathways": {}},
    },
    "Developing skills and confidence to progress the safety and quality agenda": {
        "Coaching, shadowing and mentoring": {}, "Finding a voice for professional leaders": {}},
}


# --- transcripts -----------------------------------------------------------------------------
def timed_words(text: str, start: float, *, spacing: float = 0.5, length: float = 0.4,
                probability: float = 0.8) -> tuple[Word, ...]:
    """The words of `text`, word i starting at start + i * spacing and lasting `length`."""
    return tuple(Word(token, start + i * spacing, start + i * spacing + length, probability)
                 for i, token in enumerate(text.split()))


def turn_segments(turns: Sequence[tuple[str | None, str]], *, gap: float = 10.0, turn_length: float | None = 9.0,
                  spacing: float = 0.5, word_length: float = 0.4, probability: float = 0.8) -> list[NewSegment]:
    """New turns from (speaker, text) pairs: turn n starts at n * gap and lasts `turn_length`
    (None: until its last word ends); its words as timed_words gives them."""
    segments = []
    for index, (speaker, text) in enumerate(turns):
        start = index * gap
        words = timed_words(text, start, spacing=spacing, length=word_length, probability=probability)
        if turn_length is not None:
            end = start + turn_length
        else:
            end = words[-1].end if words else start + 1
        segments.append(NewSegment(start, end, text, words, speaker))
    return segments


def add_turns(project: Project, name: str, turns: Sequence[tuple[str | None, str]], *, duration: float | None = None,
              gap: float = 10.0, turn_length: float | None = 9.0, spacing: float = 0.5, word_length: float = 0.4,
              probability: float = 0.8) -> tuple[int, list[SegmentRecord]]:
    """A new transcript `name` holding `turns` (see turn_segments), transcribed up to `duration`
    (len(turns) * gap unless given). Returns its id and the stored turns."""
    from storage import transcripts

    transcript = transcripts.create_transcript(project, name, None)
    segments = turn_segments(turns, gap=gap, turn_length=turn_length, spacing=spacing, word_length=word_length,
                             probability=probability)
    rows = transcripts.append_segments(project, transcript.id, segments,
                                       duration if duration is not None else len(turns) * gap)
    return transcript.id, rows


# --- project files ---------------------------------------------------------------------------
@contextmanager
def held_elsewhere(path: Path) -> Iterator[None]:
    """The project at `path` open (and so locked) in another process while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from storage.project import open_project
            project = open_project({str(path)!r}); print("locked", flush=True); sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.communicate("")


def project_at_revision(path: Path, revision: str, *statements: str) -> None:
    """A project file made by an old schema `revision`, with `statements` (SQL) run on it."""
    from sqlalchemy import create_engine

    from storage import migrate

    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        migrate.upgrade(connection, revision)
    engine.dispose()
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


# --- Qt --------------------------------------------------------------------------------------
def use_test_settings() -> None:
    """Keep the application's QSettings under the tests' own names."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    app.setOrganizationName("Earmark-tests")
    app.setApplicationName("Earmark-tests")


@contextmanager
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, path: Path | None = None, *,  # noqa: ANN001
                warnings: list[str] | None = None) -> Iterator[MainWindow]:
    """The real main window, shown, with the project at `path` open (when given); closed after
    the block. A warning message box fails the test, unless `warnings` is given: then the
    warnings' texts are collected there."""
    import pytest
    from PySide6.QtWidgets import QMessageBox

    from app.main_window import MainWindow

    use_test_settings()
    if warnings is None:
        monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail(f"unexpected warning {a[2]}"))
    else:
        monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: warnings.append(text))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if path is not None:
        assert window.open_project_file(path)
    try:
        yield window
    finally:
        window.close()


def show_sized(qtbot, widget: W, width: int, height: int) -> W:  # noqa: ANN001
    """`widget`, closed after the test, resized and shown."""
    qtbot.addWidget(widget)
    widget.resize(width, height)  # type: ignore[attr-defined]
    widget.show()  # type: ignore[attr-defined]
    return widget
