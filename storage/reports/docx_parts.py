"""Word pieces every DOCX report is made of: headings with a code's colour swatch, italic notes,
memo bodies, passages as indented quotes with their citation, and quote boxes (a bordered,
shaded one-cell table, which keeps its box when pasted into a thesis).

python-docx provides the document (its template's styles, A4 pages, the file's properties), but
the report's paragraphs are written here as OOXML text and added in one parse: python-docx adds
each run and property with a search of the element's children, which made 2,000 passages take
twelve seconds; the same paragraphs as text take a fraction of one. Elements are written in the
order the OOXML schema requires (Word refuses a file where they are not; LibreOffice is lenient).
python-docx is imported only when a Word report is written."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from storage.reports.model import xml_safe
from storage.reports.passages import PassageItem

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})")
GREY = "595959"
BOX_FILL = "F4F4F4"
BOX_LINE = "BFBFBF"
MAX_HEADING = 4  # deeper codes share the lowest heading level, so a deep tree stays legible
TEXT_WIDTH = 9071  # twentieths of a point: A4 less two 2.5 cm margins
CM = 567  # twentieths of a point in a centimetre


def hex6(color: str, default: str = "999999") -> str:
    """"#f4c542" (or "#f4c542ff") as Word writes colours: "F4C542"."""
    found = _HEX.match(color.strip())
    return found.group(1).upper() if found else default


def run(text: str, *, bold: bool = False, italic: bool = False, color: str | None = None,
        size: float | None = None) -> str:
    """One run of text; line breaks in `text` become line breaks."""
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + (
        f"<w:color w:val=\"{color}\"/>" if color else "") + (
        f"<w:sz w:val=\"{round(size * 2)}\"/><w:szCs w:val=\"{round(size * 2)}\"/>" if size else "")
    lines = xml_safe(text).split("\n")
    body = "<w:br/>".join(f"<w:t xml:space=\"preserve\">{escape(line)}</w:t>" for line in lines)
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{body}</w:r>"


def paragraph(runs: str, *, style: str | None = None, keep_with_next: bool = False, before: int | None = None,
              after: int | None = None, indent_cm: float = 0.0, right_cm: float = 0.0, align: str | None = None) -> str:
    """A paragraph; spacing in points, properties in the schema's order."""
    properties = (f"<w:pStyle w:val=\"{style}\"/>" if style else "") + ("<w:keepNext/>" if keep_with_next else "")
    if before is not None or after is not None:
        properties += "<w:spacing" + (f" w:before=\"{before * 20}\"" if before is not None else "") + (
            f" w:after=\"{after * 20}\"" if after is not None else "") + "/>"
    if indent_cm or right_cm:
        properties += f"<w:ind w:left=\"{round(indent_cm * CM)}\" w:right=\"{round(right_cm * CM)}\"/>"
    if align:
        properties += f"<w:jc w:val=\"{align}\"/>"
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{runs}</w:p>"


def swatch(color: str) -> str:
    return run("■ ", color=hex6(color))  # BLACK SQUARE: in every font Word and LibreOffice fall back to


class Flow:
    """A report's paragraphs and tables in reading order, added to the document at the end."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def heading(self, text: str, level: int, color: str | None = None) -> None:
        """A heading at `level` (0 = the title, 1 = highest), a code's colour as a square before it."""
        style = "Title" if level == 0 else f"Heading{min(max(level, 1), MAX_HEADING)}"
        self.parts.append(paragraph((swatch(color) if color else "") + run(text), style=style, keep_with_next=True))

    def note(self, text: str, *, italic: bool = True, grey: bool = False, indent_cm: float = 0.0,
             size: float | None = None, after: int | None = None, keep_with_next: bool = False) -> None:
        self.parts.append(paragraph(run(text, italic=italic, color=GREY if grey else None, size=size),
                                    indent_cm=indent_cm, after=after, keep_with_next=keep_with_next))

    def line(self, runs: str, *, indent_cm: float = 0.0, after: int | None = None) -> None:
        self.parts.append(paragraph(runs, indent_cm=indent_cm, after=after))

    def body(self, text: str, *, indent_cm: float = 0.0) -> None:
        """A memo's body: a paragraph per blank-line-separated block, its single line breaks kept."""
        for block in re.split(r"\n\s*\n", text.strip()):
            if block.strip():
                self.parts.append(paragraph(run(block.strip("\n")), indent_cm=indent_cm))

    def passage(self, item: PassageItem, *, indent_cm: float = 1.0) -> None:
        """An indented block quote, then "— SN1 (M03, 00:12:34)" in small grey type, kept on the
        same page as the quote."""
        self.parts.append(paragraph(spoken(item, quoted=False), keep_with_next=True, after=0, indent_cm=indent_cm,
                                    right_cm=0.5))
        who = f"{item.speaker} " if item.speaker and not item.turns else ""
        self.parts.append(paragraph(run(f"— {who}{item.citation}", color=GREY, size=9), after=8, indent_cm=indent_cm))

    def quote_box(self, item: PassageItem, color: str) -> None:
        """"SN1 said: “…”" and its citation in a one-cell table: a thin grey border, a thicker left
        border in the code's colour, a light shading, a row that does not split across pages."""
        sides = "".join(
            f"<w:{side} w:val=\"single\" w:sz=\"{24 if side == 'left' else 4}\" w:space=\"0\" "
            f"w:color=\"{hex6(color) if side == 'left' else BOX_LINE}\"/>"
            for side in ("top", "left", "bottom", "right"))
        cell = (paragraph(spoken(item, quoted=True), before=4, after=2, keep_with_next=True)
                + paragraph(run(item.citation, size=9), after=4, align="right"))
        self.parts.append(
            f"<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{sides}</w:tblBorders>"
            f"<w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" "
            f"w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>"
            f"<w:tblGrid><w:gridCol w:w=\"{TEXT_WIDTH}\"/></w:tblGrid>"
            f"<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>"
            f"<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{BOX_FILL}\"/></w:tcPr>{cell}</w:tc></w:tr></w:tbl>")
        self.parts.append(paragraph("", after=0))  # tables would otherwise touch each other

    def write(self, document: DocumentObject) -> None:
        """Add everything to the document's body, before its closing section properties."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        body = document.element.body
        parsed = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.parts)}</w:body>")
        end = body.sectPr
        for child in list(parsed):
            if end is not None:
                end.addprevious(child)
            else:
                body.append(child)


def spoken(item: PassageItem, *, quoted: bool) -> str:
    """The passage's words as runs; "SN1 said: “…”" in a quote box; each line with its speaker
    when several people speak in it."""
    if item.turns:
        lines = []
        for speaker, line in item.turns:
            words = run(f"“{line}”" if quoted and speaker else line, italic=quoted)
            lines.append((run(f"{speaker}: ", bold=True) if speaker else "") + words)
        return "<w:r><w:br/></w:r>".join(lines)
    said = run(f"{item.speaker} said: ", bold=True) if quoted and item.speaker else ""
    return said + run(f"“{item.text}”" if quoted else item.text, italic=quoted)


def new_document(title: str, subtitle: str) -> tuple[DocumentObject, Flow]:
    """A document on A4 with black headings, its title and date line already in the flow."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4: the template is US Letter
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Earmark"
    properties.title = title
    properties.created = properties.modified = datetime.now(timezone.utc).replace(microsecond=0)
    properties.revision = 1
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        document.styles[name].font.color.rgb = None  # the template's blue: black reads as a thesis does
    flow = Flow()
    flow.heading(title, 0)
    flow.note(subtitle, italic=False, grey=True, after=12)
    return document, flow


def save(document: DocumentObject, flow: Flow, path: Path) -> None:
    flow.write(document)
    document.save(str(path))
