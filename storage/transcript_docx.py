"""A transcript as a Word document, to read, print, or hand to a supervisor.

Each transcript opens with its name as a heading and a line saying which meeting it belongs to
(code and date), what kind of source it is, and whether names were pseudonymised; several
transcripts follow one another, each on a new page. Every turn is a paragraph: its time in grey
([0:01:02], the form quotes are cited in), the speaker in bold, then the words. Text sources
have no times, so their paragraphs are numbered instead (¶ 3). A turn left out of analysis
(storage/consent.py) keeps its place as an italic grey marker with no words, or is dropped when
placeholders are off. The footer numbers the pages.

Writing follows storage/writeup.py: python-docx, loaded only when a Word file is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from storage.export_text import ExportTurn, clock
from storage.transcript_export_data import ExportSource

GREY = (0x76, 0x76, 0x76)
TIME_COLUMN_CM = 2.2  # wide enough for [10:00:00] and ¶ 9999
KIND_NAMES = {"recording": "Transcript of a recording", "minutes": "Minutes", "field_notes": "Field notes",
              "interview_notes": "Interview notes", "document": "Document"}


def write_docx(sources: Sequence[ExportSource], path: Path, *, placeholders: bool) -> None:
    """Write `sources` to `path` (the caller renames it into place)."""
    from docx import Document  # loaded only when a Word file is asked for
    from docx.enum.text import WD_BREAK

    document = Document()
    properties = document.core_properties
    properties.title = "; ".join(source.name for source in sources)
    properties.author = properties.last_modified_by = "Earmark"  # not the template's "python-docx"
    properties.comments = ""
    _page_numbers(document)
    for number, source in enumerate(sources):
        heading = document.add_heading(source.name, level=1)
        if number:
            heading.paragraph_format.page_break_before = True
        about = document.add_paragraph()
        _grey(about.add_run(_about(source)))
        for turn, _words in source.turns(placeholders=placeholders):
            paragraph = document.add_paragraph()
            _hanging(paragraph)
            _grey(paragraph.add_run(_place(turn) + "\t"))
            if turn.left_out is not None:
                marker = paragraph.add_run(f"[{turn.left_out}; turn left out]")
                marker.italic = True
                _grey(marker)
                continue
            if turn.speaker:
                paragraph.add_run(f"{turn.speaker}:").bold = True
                paragraph.add_run(" ")
            first, *more = turn.text.split("\n")  # a text source's paragraph may hold several lines
            words = paragraph.add_run(first)
            for line in more:
                words.add_break(WD_BREAK.LINE)
                words.add_text(line)
    document.save(str(path))


def _about(source: ExportSource) -> str:
    parts = []
    if source.meeting_code:
        parts.append(f"Meeting {source.meeting_code}" + (f", {_readable(source.meeting_date)}" if source.meeting_date else ""))
    parts.append(KIND_NAMES.get(source.transcript.kind, source.transcript.kind.replace("_", " ").capitalize()))
    if source.transcript.pseudonymised:
        parts.append("names pseudonymised")
    return " · ".join(parts)


def _place(turn: ExportTurn) -> str:
    return f"[{clock(turn.start)}]" if turn.start is not None else f"¶ {turn.position + 1}"


def _readable(day: str | None) -> str:
    try:
        parsed = date.fromisoformat(day or "")
    except ValueError:
        return day or ""
    return f"{parsed.day} {parsed:%b %Y}"


def _grey(run: Any) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(*GREY)


def _hanging(paragraph: Any) -> None:
    """The time (or ¶ number) in a column of its own, the turn's lines indented beside it, so the
    eye runs down the times and the speakers."""
    from docx.shared import Cm, Pt

    layout = paragraph.paragraph_format
    layout.space_after = Pt(6)
    layout.left_indent = Cm(TIME_COLUMN_CM)
    layout.first_line_indent = Cm(-TIME_COLUMN_CM)
    layout.tab_stops.add_tab_stop(Cm(TIME_COLUMN_CM))


def _page_numbers(document: Any) -> None:
    """"Page N" centred in the footer: a PAGE field, which Word and LibreOffice fill in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from docx.shared import Cm

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, as the reports: the template is US Letter
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _grey(footer.add_run("Page "))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "".join(f"{part:02X}" for part in GREY))
    properties.append(colour)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
