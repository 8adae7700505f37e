"""Startup time of the frozen app: from process start until its main window is mapped on screen.

    xvfb-run -a python tests/benchmarks/startup.py [PATH_TO_EARMARK] [--runs 5] [--max 3.0] [-- APP_ARGS]

PATH_TO_EARMARK defaults to dist/earmark/earmark (the PyInstaller bundle); `earmark` on PATH also
works. It runs under the current DISPLAY, so start it with xvfb-run on a machine without a screen.
It needs xdotool (apt-get install xdotool) or, failing that, xwininfo (x11-utils).

Each run starts the app with a fresh HOME (no settings, no recent projects), polls every 10 ms
for a visible window named "Earmark" that belongs to the process, and stops the app. The first
run includes cold disk caches; the reported figure is the median. Goal: 3 s or less.
Prints one line per run and then `startup_s=<median>`; with --max, exits 1 above it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 3.0
ROOT = Path(__file__).resolve().parents[2]


def window_shown(pid: int) -> bool:
    """Whether the process has a mapped (viewable) top-level window titled Earmark."""
    if shutil.which("xdotool"):
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--pid", str(pid), "--name", "Earmark"],
            capture_output=True, text=True,
        )
        return bool(found.stdout.strip())
    found = subprocess.run(["xwininfo", "-name", "Earmark"], capture_output=True, text=True)
    return "IsViewable" in found.stdout


def measure(command: list[str], timeout: float) -> float | None:
    home = tempfile.mkdtemp(prefix="earmark-startup-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_DATA_HOME=f"{home}/.local/share",
               XDG_CACHE_HOME=f"{home}/.cache")
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                print(f"the app exited with code {process.returncode} before showing a window", file=sys.stderr)
                return None
            if window_shown(process.pid):
                return time.monotonic() - started
            time.sleep(0.01)
        print(f"no window within {timeout:.0f} s", file=sys.stderr)
        return None
    finally:
        # The app's engine process (if any) is in the same new session: end the whole group.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, app_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", nargs="?", default=str(ROOT / "dist" / "earmark" / "earmark"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--max", type=float, default=None, help=f"exit 1 if the median is above this (goal {GOAL_SECONDS} s)")
    args = parser.parse_args(argv)

    if not os.environ.get("DISPLAY"):
        print("no DISPLAY: run under xvfb-run -a", file=sys.stderr)
        return 2
    if not (shutil.which("xdotool") or shutil.which("xwininfo")):
        print("needs xdotool or xwininfo: apt-get install xdotool", file=sys.stderr)
        return 2
    app = shutil.which(args.app) or args.app
    if not Path(app).is_file():
        print(f"{args.app} not found: build it with resources/packaging/build_linux.sh or give its path", file=sys.stderr)
        return 2

    times = []
    for run in range(1, args.runs + 1):
        seconds = measure([app, *app_args], args.timeout)
        if seconds is None:
            return 1
        times.append(seconds)
        print(f"run {run}: {seconds:.2f} s{' (cold caches)' if run == 1 else ''}", flush=True)
    median = statistics.median(times)
    verdict = "within" if median <= GOAL_SECONDS else "OVER"
    print(f"median {median:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s: {verdict} the {GOAL_SECONDS:.0f} s goal")
    print(f"startup_s={median:.2f}")
    return 1 if args.max is not None and median > args.max else 0


if __name__ == "__main__":
    sys.exit(main())
