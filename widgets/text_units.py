"""The one place where Qt's text positions meet Python's.

Qt counts UTF-16 code units; Python strings (and every offset stored in the project) count
code points. Characters outside the Basic Multilingual Plane (emoji, some scripts) are two
UTF-16 units but one code point, so every position crossing the editor's boundary goes
through these two functions.
"""

from __future__ import annotations


def qt_to_index(text: str, units: int) -> int:
    """Code-point index in `text` of the UTF-16 position `units`."""
    if text.isascii():
        return units
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def index_to_qt(text: str, index: int) -> int:
    """UTF-16 position of the code-point index `index` in `text`."""
    if text.isascii():
        return index
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)
