"""Times as people read them, in one place for the window and the command line (Qt-free, so
the command line can use it without loading Qt)."""

from __future__ import annotations


def clock(seconds: float, *, hours: bool = False) -> str:
    """02:03 below an hour and 1:02:03 above it, truncated as media players show positions;
    with `hours`, always 0:02:03 (how a quote is cited: meeting and time)."""
    whole = max(0, int(seconds))
    hour, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hour}:{minutes:02d}:{secs:02d}" if hour or hours else f"{minutes:02d}:{secs:02d}"
