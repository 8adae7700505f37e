"""Starting the window: `earmark`, `earmark PROJECT.earmark`, `earmark AUDIO`, `earmark --sample`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from app.main_window import MainWindow
from app.version import __version__


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="earmark",
        description="Open the Earmark window. Subcommands for headless work: transcribe, info, show, models.",
    )
    parser.add_argument("path", nargs="?", type=Path, help="a project (.earmark) to open, or a recording to transcribe")
    parser.add_argument("--sample", action="store_true", help="open the bundled sample meeting and transcribe it")
    parser.add_argument("--version", action="version", version=f"earmark {__version__}")
    return parser.parse_args(argv)


class _FileOpenFilter(QObject):
    """macOS opens a double-clicked .earmark file with an event, not a command-line argument."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FileOpen:
            path = Path(event.file())  # type: ignore[attr-defined]
            if path.suffix.lower() == ".earmark":
                self._window.open_project_file(path)
            else:
                self._window.start_with_media(path)
            return True
        return False


def run_gui(argv: list[str]) -> int:
    args = parse_arguments(argv)
    from PySide6.QtWidgets import QApplication

    from app.main_window import window_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Earmark")
    app.setOrganizationName("Earmark")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("earmark")  # Wayland's app id: matches earmark.desktop
    app.setWindowIcon(window_icon())
    window = MainWindow()
    app.installEventFilter(_FileOpenFilter(window))
    window.show()
    if args.sample:
        window.open_sample()
    elif args.path is not None:
        if args.path.suffix.lower() == ".earmark":
            window.open_project_file(args.path)
        else:
            window.start_with_media(args.path)
    return app.exec()
