"""Type into the editor, wait 2 s, kill the app (SIGKILL), reopen: the edit is there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from storage import transcripts
from storage.project import open_project
from tests.app.test_editor_in_window import make_project
from tests.conftest import ROOT

APP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from app.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("Earmark-tests")
    window = MainWindow()
    window.show()
    window.open_project_file(Path(sys.argv[1]))

    def type_text():
        view = window.view
        cursor = QTextCursor(view.document().findBlockByNumber(2))
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        view.setTextCursor(cursor)
        view.setFocus()
        QTest.keyClicks(view, " Agreed by all.")
        print("typed", flush=True)

    QTimer.singleShot(300, type_text)
    app.exec()
""")


def test_edit_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "killed.earmark"
    transcript_id = make_project(path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen([sys.executable, "-c", APP, str(path)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "typed"
        time.sleep(2.0)
        assert process.poll() is None, process.stderr.read()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    with open_project(path) as project:  # the lock died with the process
        text = transcripts.segments(project, transcript_id)[2].text
    assert text == "We need to review the transfer policy. Agreed by all."
