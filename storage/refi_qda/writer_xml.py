"""Small pieces for writing REFI-QDA XML the same way every time: GUIDs derived from stable
things, dates in the standard's form, text made safe for XML 1.0, and a serialisation whose
bytes depend only on the tree (so two exports of an unchanged project are identical).

Writing uses the standard library's ElementTree: it only ever writes what Earmark built.
Reading another tool's XML goes through safe_xml.py instead.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

# Every GUID Earmark derives (users, variables, sync points, Coding elements...) is a name-based
# UUID (version 5) in this namespace, so the same things give the same GUID in every export.
EARMARK_GUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:earmark:refi-qda")

# XML 1.0 allows tab, line feed and carriage return, and nothing else below U+0020; nor the
# surrogates or U+FFFE/U+FFFF. A transcript pasted from elsewhere may hold such characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def derived_guid(*parts: str) -> str:
    """A GUID for something that has none in the project, made from what identifies it."""
    return str(uuid.uuid5(EARMARK_GUIDS, "\x1f".join(parts)))


def xml_text(text: str) -> str:
    """`text` as XML 1.0 can carry it: forbidden control characters dropped, line ends as LF
    (an XML parser turns CR LF into LF anyway; doing it here keeps what we wrote what is read)."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def date_time(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC ("2024-03-01T09:30:00Z"). Stored times are naive UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def milliseconds(seconds: float) -> int:
    return int(round(seconds * 1000))


class Builder:
    """Makes elements, leaving out attributes whose value is None and cleaning every string for
    XML. Tags are written unqualified: serialised() declares the namespace as the default one
    on the root, so every element is in it when read."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def root(self, tag: str, /, **attributes: object) -> ET.Element:
        element = ET.Element(tag)
        self._set(element, attributes)
        return element

    def child(self, parent: ET.Element, tag: str, text: str | None = None, /, **attributes: object) -> ET.Element:
        element = ET.SubElement(parent, tag)
        self._set(element, attributes)
        if text is not None:
            element.text = xml_text(text)
        return element

    @staticmethod
    def _set(element: ET.Element, attributes: dict[str, object]) -> None:
        for key, value in attributes.items():  # in the order given: the bytes stay the same
            if value is None:
                continue
            if isinstance(value, bool):
                element.set(key, "true" if value else "false")
            else:
                element.set(key, xml_text(str(value)))


def serialised(root: ET.Element, namespace: str) -> bytes:
    """UTF-8 bytes with an XML declaration, indented, `namespace` as the root's default one."""
    root.attrib = {"xmlns": namespace, **root.attrib}  # ElementTree's default_namespace refuses plain attributes
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
