"""The only way XML from outside (project.qde, a .qdc codebook) is parsed.

defusedxml with every door shut: a DTD is refused outright (forbid_dtd), and so are entity
declarations and external references, which closes XXE (an entity that reads a local file or a
URL), the billion-laughs and quadratic-blowup expansions. REFI-QDA files never need a DTD. The
bytes are capped before parsing and the element tree's depth after it (the importer walks the
code tree, which must not run out of stack). Every refusal is an ExchangeError naming the file,
and for broken XML the line and column.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as defused
from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from storage.refi_qda import ExchangeError

MAX_XML_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 256  # a code tree 250 levels deep is no codebook a person made


def parse_xml(data: bytes, file_name: str, *, limit: int = MAX_XML_BYTES) -> Element:
    """The root element of `data`; `file_name` is what messages call it ("study.qdpx:
    project.qde")."""
    if len(data) > limit:
        raise ExchangeError(f"{file_name} is refused: it is {len(data) // (1024 * 1024)} MB of XML, more than the "
                            f"{limit // (1024 * 1024)} MB Earmark reads. It is damaged or not a REFI-QDA file.")
    try:
        root = defused.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as error:
        raise ExchangeError(_hostile(file_name, "declares a DTD (<!DOCTYPE …>)")) from error
    except EntitiesForbidden as error:
        raise ExchangeError(_hostile(file_name, f"declares the entity {error.name!r}")) from error
    except ExternalReferenceForbidden as error:
        raise ExchangeError(_hostile(file_name, "refers to an external resource")) from error
    except DefusedXmlException as error:
        raise ExchangeError(_hostile(file_name, f"uses a forbidden XML feature ({error})")) from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        raise ExchangeError(f"{file_name}, line {line}, column {column + 1}: the XML is broken ({reason}). "
                            "The file is damaged or was not written completely: export it again.") from error
    _check_depth(root, file_name)
    return root


def local_name(element: Element) -> str:
    """The tag without its namespace: "{urn:QDA-XML:project:1.0}Code" -> "Code"."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def namespace_of(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _check_depth(root: Element, file_name: str) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExchangeError(f"{file_name} is refused: its elements are nested more than {MAX_DEPTH} deep, "
                                "which no REFI-QDA project needs. It is damaged or not a REFI-QDA file.")
        stack.extend((child, depth + 1) for child in element)


def _hostile(file_name: str, what: str) -> str:
    return (f"{file_name} is refused: it {what}. REFI-QDA files never need that, and it can make a program read "
            "files on this computer or run out of memory. Earmark has changed nothing; export the file again "
            "from the program that made it.")
