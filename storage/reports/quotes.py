"""The coded passages as documents: as block quotes under each code's heading (the passages
report in DOCX and HTML), or as quote boxes ready to paste into a thesis (the quotes report).
Both walk the same PassageReport: a heading per code in code-tree order, nested by depth, with
the code's colour and its description in italics, then its passages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage.reports import docx_parts, html_parts
from storage.reports.passages import CodeSection, PassageItem, PassageReport


def write_passages_docx(report: PassageReport, path: Path) -> None:
    _write_docx(report, path, lambda flow, item, section: flow.passage(item))


def write_quotes_docx(report: PassageReport, path: Path) -> None:
    _write_docx(report, path, lambda flow, item, section: flow.quote_box(item, section.color))


def passages_html(report: PassageReport) -> str:
    return _html(report, lambda item, section: html_parts.passage(item))


def quotes_html(report: PassageReport) -> str:
    return _html(report, lambda item, section: html_parts.quote_box(item, section.color))


def _write_docx(report: PassageReport, path: Path,
                add_item: Callable[[docx_parts.Flow, PassageItem, CodeSection], None]) -> None:
    document, flow = docx_parts.new_document(report.title, report.subtitle)
    for section in report.sections:
        flow.heading(section.name, section.level + 1, section.color)
        if section.description:
            flow.note(section.description, keep_with_next=True)
        for item in section.passages:
            add_item(flow, item, section)
    docx_parts.save(document, flow, path)


def _html(report: PassageReport, item_html: Callable[[PassageItem, CodeSection], str]) -> str:
    body: list[str] = []
    for section in report.sections:
        body.append("<section class=\"code\">")
        body.append(html_parts.heading(section.name, section.level + 1, section.color))
        if section.description:
            body.append(html_parts.note(section.description, "description"))
        body.extend(item_html(item, section) for item in section.passages)
        body.append("</section>")
    return html_parts.page(report.title, report.subtitle, body)
