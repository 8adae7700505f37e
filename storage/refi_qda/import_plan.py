"""What an import will write, read whole from the XML before the project is touched.

The reader (import_read.py, import_sources.py) turns project.qde or a .qdc into a Plan of plain
objects; the writer (import_write.py) puts the Plan into the project in one transaction. Between
the two nothing can fail on the file any more, so a broken file changes nothing.

The Tracker makes sure nothing is dropped silently: every element the reader uses is marked, and
afterwards each element that was not (with everything inside it) is counted by name into a
warning, with the reason Earmark gives for that kind of element.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.etree.ElementTree import Element

from storage.refi_qda.import_text import Units
from storage.refi_qda.safe_xml import local_name

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOUR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")

# Why an element of this kind is not imported (the rest get "Earmark does not know it").
UNSUPPORTED = {
    "Set": "sets are not supported",
    "Graph": "graphs (maps) are not supported",
    "Link": "links between items are not supported",
    "PDFSource": "PDF sources are not supported; export them as text",
    "PictureSource": "picture sources are not supported",
    "AudioSelection": "codings on the sound itself (not on its transcript) are not supported",
    "VideoSelection": "codings on the video itself (not on its transcript) are not supported",
    "VariableValue": "variables of sources are not supported (only of cases)",
    "SourceRef": "links from cases to sources are not supported",
    "SelectionRef": "links from cases to selections are not supported",
    "CodeRef": "links from cases to codes are not supported",
    "Coding": "codings of a whole source (with no selection) are not supported",
    "NoteRef": "a note can belong to one thing only; further references to it were not kept",
    "PlainTextSelection": "codings inside notes are not supported",
}


@dataclass(frozen=True)
class PlannedCode:
    guid: str
    name: str
    color: str | None
    description: str
    parent_guid: str | None


@dataclass(frozen=True)
class PlannedTurn:
    text: str
    speaker: str | None
    start: float | None  # seconds; None in a text source
    end: float | None


@dataclass(frozen=True)
class PlannedCoding:
    guids: tuple[str, ...]  # what refers to it (the first is kept when the project has no such coding yet)
    code_guid: str
    first_turn: int
    start_offset: int
    last_turn: int
    end_offset: int
    author: str
    created_at: datetime | None


@dataclass(frozen=True)
class PlannedSource:
    guid: str
    name: str
    kind: str  # "document" (a text source) or "recording" (a transcript)
    turns: tuple[PlannedTurn, ...]
    codings: tuple[PlannedCoding, ...]
    source_file: str | None


@dataclass(frozen=True)
class PlannedNote:
    guid: str
    title: str
    body: str
    author: str
    created_at: datetime | None
    updated_at: datetime | None
    target_guid: str | None  # a code, source, selection, coding or case; None: the project


@dataclass(frozen=True)
class PlannedCase:
    guid: str
    name: str
    attributes: tuple[tuple[str, str], ...]


@dataclass
class Plan:
    file_name: str
    codes: list[PlannedCode] = field(default_factory=list)
    sources: list[PlannedSource] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    cases: list[PlannedCase] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meetings: dict[str, dict[str, str]] = field(default_factory=dict)  # source GUID -> {"meeting": code, ...}
    units: dict[str, Units] = field(default_factory=dict)  # source GUID -> how its positions counted


class Tracker:
    """Marks the elements the reader used; reports the rest (see the module doc)."""

    def __init__(self) -> None:
        self._used: set[int] = set()
        self.dropped: Counter[str] = Counter()

    def use(self, *elements: Element) -> None:
        self._used.update(id(element) for element in elements)

    def drop(self, element: Element) -> None:
        """An element the reader saw and chose not to import: counted, and its insides too."""
        self.dropped[local_name(element)] += 1
        self.use(*element.iter())

    def warnings(self, root: Element) -> list[str]:
        counts = Counter(self.dropped)
        stack = [root]
        while stack:
            element = stack.pop()
            if id(element) in self._used:
                stack.extend(element)
            else:
                counts[local_name(element)] += 1  # and nothing inside it is counted again
        messages = []
        for name, count in sorted(counts.items()):
            what = f"{count} <{name}> element{'s were' if count != 1 else ' was'} not imported"
            messages.append(f"{what}: {UNSUPPORTED.get(name, 'Earmark does not know this element')}.")
        return messages


def guid_of(element: Element, attribute: str = "guid") -> str | None:
    """A GUID attribute in Earmark's form (lower case, no braces), or None when it is missing or
    not a GUID."""
    found = _GUID.match((element.get(attribute) or "").strip())
    return found.group(1).lower() if found else None


def colour_of(element: Element) -> str | None:
    """#rrggbb from a colour attribute (#rgb widened), or None."""
    found = _COLOUR.match((element.get("color") or "").strip())
    if not found:
        return None
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits.lower()


def date_of(element: Element, attribute: str) -> datetime | None:
    """An xsd:dateTime attribute as naive UTC (how the project stores times), or None."""
    value = (element.get(attribute) or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
