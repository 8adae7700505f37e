"""What every report shares: its data is built once as frozen records, and everything that must
hold for all of it is done on those records, not in each format's writer.

- `finished` applies the pseudonym list to every text field of a report (speakers, passages,
  code names and descriptions, source names, memo titles, bodies and authors) and drops the
  control characters that XML (DOCX, XLSX) cannot hold, so all formats write the same words;
- `leaks_in` walks the same fields for listed real names: the pre-export check therefore looks
  at exactly what the writers will write;
- `write_file` writes beside the target and renames over it, so a failure never leaves half a
  report nor spoils an earlier one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from storage.atomic_files import save_atomically
from storage.name_matching import NameMatcher
from storage.pseudonym_records import NameLeak

T = TypeVar("T")

# What XML 1.0 refuses (python-docx and openpyxl raise on it); tab and line breaks stay.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def map_texts(record: T, change: Callable[[str], str]) -> T:
    """`record` with `change` applied to every str field, through nested records and tuples.
    Each distinct text is changed once: a report repeats its code paths and source names on
    every row."""
    done: dict[str, str] = {}

    def changed(text: str) -> str:
        result = done.get(text)
        if result is None:
            result = done[text] = change(text)
        return result

    return _mapped(record, changed)


def _mapped(value: Any, change: Callable[[str], str]) -> Any:
    kind = type(value)
    if kind is str:
        return change(value)
    if kind is tuple:
        return tuple(_mapped(item, change) for item in value)
    names = _field_names(kind)
    if names is None:
        return value
    return kind(*[_mapped(getattr(value, name), change) for name in names])


def _field_names(kind: type) -> tuple[str, ...] | None:
    """A record class's fields in their order (None for anything else), looked up once per class:
    reflection on each of thousands of passages cost more than the rest of building them."""
    if kind not in _FIELDS:
        _FIELDS[kind] = (tuple(field.name for field in dataclasses.fields(kind))
                         if dataclasses.is_dataclass(kind) else None)
    return _FIELDS[kind]


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def finished(report: T, matcher: NameMatcher | None) -> T:
    """The report as it will be written: pseudonyms applied when `matcher` is given (an empty
    list changes nothing), and only characters XML can hold."""
    if matcher:
        return map_texts(report, lambda text: xml_safe(matcher.replace(text)))
    return map_texts(report, xml_safe)


def leaks_in(report: Any, matcher: NameMatcher) -> list[NameLeak]:
    """Every listed real name (or variant) in the report's text fields, with where it is: the
    `where` of the innermost record that has one (a passage's code and citation, a memo's title).
    Each distinct text is searched once, and each name as written is listed once per place (a
    passage holds its words both whole and line by line when several people speak in it)."""
    texts: list[tuple[str, str]] = []
    _collect(report, "report", texts)
    found: dict[str, list[tuple[str, str]]] = {}
    leaks = []
    for place, text in texts:
        names = found.get(text)
        if names is None:
            names = found[text] = [(span.pseudonym.real_name, text[span.start:span.end]) for span in matcher.spans(text)]
        leaks += [NameLeak(real_name, written, place) for real_name, written in names]
    return list(dict.fromkeys(leaks))


def _collect(record: Any, place: str, texts: list[tuple[str, str]]) -> None:
    """(place, text) for every text field, in reading order."""
    kind = type(record)
    if kind is str:
        texts.append((place, record))
    elif kind is tuple:
        for item in record:
            _collect(item, place, texts)
    else:
        names = _field_names(kind)
        if names is not None:
            here = getattr(record, "where", place)
            for name in names:
                _collect(getattr(record, name), here, texts)


def write_file(path: Path, write: Callable[[Path], None]) -> None:
    """Run `write(partial)` on a new file beside `path`, then rename it into place
    (storage/atomic_files.py: a failure leaves no partial file and names the file)."""
    save_atomically(path, write)
