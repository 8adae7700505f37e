"""Long exchange work (a REFI-QDA import takes seconds: NVivo's 152 codes and 303 codings about ten)
on a worker thread, while a modal busy dialog keeps the window painted and the user's hands off
the project. The work is a plain storage function; its result, or its exception, comes back on
the GUI thread (DESIGN.md: plain functions for work, adapters for threads, results on the GUI
thread). The project has one writer: the dialog is modal, and the caller saved what was typed first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
POLL_MS = 30
SHOW_AFTER_MS = 400  # quick work finishes without a dialog flashing up


def run_with_progress(parent: QWidget, label: str, work: Callable[[], T]) -> T:
    """`work()` on a thread; returns its result, or raises what it raised, here."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:  # handed to the GUI thread, which raises it to the caller
            outcome["error"] = error

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("Please wait")
    dialog.setCancelButton(None)  # a transaction half-way cannot be stopped; it ends or rolls back
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    worker = threading.Thread(target=run, name="exchange", daemon=True)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)
    timer.timeout.connect(lambda: worker.is_alive() or loop.quit())
    worker.start()
    timer.start()
    try:
        if worker.is_alive():
            loop.exec()
    finally:
        timer.stop()
        worker.join()
        dialog.reset()
        dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]
