"""Regression test for the PySide6 pin (<6.12).

PySide6-Essentials 6.12.0 on Python 3.11 drops one reference to None on every call of a void
Qt method; after a few thousand calls the interpreter aborts with "none_dealloc". pytest-qt's
waits call processEvents in loops, so a long test run or working session would crash.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

CALLS = 20_000


def test_void_qt_calls_keep_none_alive(qtbot) -> None:  # noqa: ANN001
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS // 2):
        QCoreApplication.processEvents()
        widget.update()
    after = sys.getrefcount(None)
    # A leak-free build keeps the count steady; the broken one loses CALLS references.
    assert after >= before - 100, f"lost {before - after} references to None in {CALLS} void Qt calls"
