"""Entry point: `earmark` (the window), its subcommands, and the engine process in frozen builds."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from audio.remote import WORKER_FLAG

    if argv[:1] == [WORKER_FLAG]:
        from audio.worker import main as worker_main

        return worker_main()
    from audio.models import keep_hub_offline

    keep_hub_offline()
    if argv[:1] == ["--self-test"]:
        from app.selftest import run_self_test

        return run_self_test()
    from app.cli import COMMANDS, run

    if argv[:1] and (argv[0] in COMMANDS or argv[0] in ("--version", "-h", "--help")):
        return run(argv)
    from app.gui import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
