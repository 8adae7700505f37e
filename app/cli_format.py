"""Text formatting shared by the command line and the window: times and the progress line."""

from __future__ import annotations

import math

from widgets.clock import clock


def hms(seconds: float) -> str:
    """0:01:02, always with hours: how a quote is cited (meeting and time) in `earmark passages`."""
    return clock(seconds, hours=True)


def stamp(seconds: float) -> str:
    """00:01:02.345, the precise form used in `earmark show`."""
    milliseconds = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def time_left(seconds: float | None) -> str:
    if seconds is None:
        return "estimating time left"
    if seconds < 1:
        return "finishing"
    if seconds < 60:
        return f"{int(math.ceil(seconds))} s left"
    return f"{clock(seconds)} left"


def progress_bar(fraction: float, width: int = 30) -> str:
    filled = int(round(width * max(0.0, min(1.0, fraction))))
    return "[" + "#" * filled + "." * (width - filled) + "]"
