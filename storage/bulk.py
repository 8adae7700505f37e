"""Building many small objects at once (a three-hour meeting's 30,000 words, 2,000 codings).

Python's cyclic garbage collector runs every few hundred allocations and walks the whole young
generation, and with a large heap its older passes walk much more: building the turns of a
three-hour meeting spent almost half its time in collections. None of these records can form
a cycle, so the collector is paused while they are built, and runs normally afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
