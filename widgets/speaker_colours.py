"""A colour for each speaker label, the same in every session and on every machine.

The editor's margin writes the speaker in it and draws a bar of it beside the turn, so a reader
sees who speaks without reading the label. Colours must therefore be:
- stable: a label keeps its colour when other speakers come and go, across runs (Python's own
  hash() is salted per process, so a CRC of the label is used instead);
- readable: text in them on the white (or near-white) margin passes WCAG AA (contrast >= 4.5);
- distinct for the labels automatic labelling makes: "Speaker 1", "Speaker 2"… take the palette
  in order, so the first ten never share a colour. Other labels (SN1, SW, a name) hash into it.
"""

from __future__ import annotations

import functools
import re
import zlib

from PySide6.QtGui import QColor, QIcon, QPixmap

# Dark enough for text on white; ordered so that neighbours differ in hue as much as possible.
PALETTE: tuple[str, ...] = (
    "#1f5fa8",  # blue
    "#b34700",  # burnt orange
    "#2e7d32",  # green
    "#6a3d9a",  # purple
    "#00695c",  # teal
    "#ad1457",  # raspberry
    "#795548",  # brown
    "#455a64",  # slate
    "#c62828",  # red
    "#5b6b00",  # olive
    "#0d47a1",  # navy
    "#8e24aa",  # magenta
)
NUMBERED = re.compile(r"^speaker\s+(\d+)$", re.IGNORECASE)


def speaker_colour(label: str | None) -> QColor | None:
    """The colour of a speaker label; None for a turn without a speaker."""
    if label is None or not label.strip():
        return None
    return QColor(PALETTE[palette_index(label)])


@functools.lru_cache(maxsize=256)  # asked for every visible turn on every margin repaint
def palette_index(label: str) -> int:
    """Where in PALETTE a label's colour is: "Speaker n" takes place n - 1 (wrapping), any
    other label a place fixed by its text (case and surrounding spaces aside)."""
    key = " ".join(label.split())
    numbered = NUMBERED.match(key)
    if numbered is not None and int(numbered.group(1)) > 0:
        return (int(numbered.group(1)) - 1) % len(PALETTE)
    return zlib.crc32(key.casefold().encode("utf-8")) % len(PALETTE)


def speaker_swatch(label: str | None, size: int = 12) -> QIcon:
    """A small square of the speaker's colour, for menus and lists (empty for no speaker)."""
    colour = speaker_colour(label)
    if colour is None:
        return QIcon()
    pixmap = QPixmap(size, size)
    pixmap.fill(colour)
    return QIcon(pixmap)


def contrast_on_white(colour: QColor) -> float:
    """WCAG contrast ratio of `colour` against white (1 to 21)."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                 + 0.0722 * channel(colour.blueF()))
    return 1.05 / (luminance + 0.05)
