"""Starting the window: `earmark`, `earmark PROJECT.earmark`, `earmark AUDIO`, `earmark --sample`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def run_gui(argv: list[str]) -> int:
    args = parse_arguments(argv)
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow, window_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Earmark")
    app.setOrganizationName("Earmark")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(window_icon())
    window = MainWindow()
    window.show()
    if args.sample:
        window.open_sample()
    elif args.path is not None:
        if args.path.suffix.lower() == ".earmark":
            window.open_project_file(args.path)
        else:
            window.start_with_media(args.path)
    return app.exec()
