"""The code tree as an outline (DOCX) and as a table (CSV): every code with its place in the
tree, its colour, its description and its counts. `count` is the passages coded with the code
itself, `total` those of the code and every code below it; both count what retrieval shows, so
passages wholly in turns left out of analysis are not counted (storage/codebook.py).

With codes chosen, the outline holds those codes and everything below them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storage.project import Project
from storage.reports import docx_parts
from storage.reports.passages import chosen_codes, code_paths, plural, today

CODE_TREE_COLUMNS = ("Path", "Name", "Parent", "Depth", "Count", "Total", "Colour", "Description")


@dataclass(frozen=True)
class CodeLine:
    path: str
    name: str
    parent: str
    depth: int  # 0 for a top-level code
    count: int
    total: int
    color: str
    description: str

    @property
    def where(self) -> str:
        return f"code {self.path}"


@dataclass(frozen=True)
class CodeOutline:
    title: str
    subtitle: str
    codes: tuple[CodeLine, ...]

    @property
    def rows(self) -> int:
        return len(self.codes)


def build_code_outline(project: Project, code_ids: Sequence[int] | None) -> CodeOutline:
    codes = chosen_codes(project, code_ids)
    paths = code_paths(chosen_codes(project, None))
    names = {code.id: code.name for code in codes}
    lines = tuple(CodeLine(paths[code.id], code.name, names.get(code.parent_id, "") if code.parent_id else "",
                           code.depth, code.count, code.total, code.color, code.description.strip())
                  for code in codes)
    coded = sum(code.count for code in codes)
    return CodeOutline("Code tree", f"{plural(len(lines), 'code')}, {plural(coded, 'coded passage')} · {today()}",
                       lines)


def code_rows(outline: CodeOutline) -> list[tuple[str, ...]]:
    return [(line.path, line.name, line.parent, str(line.depth), str(line.count), str(line.total), line.color,
             line.description) for line in outline.codes]


def write_code_outline_docx(outline: CodeOutline, path: Path) -> None:
    """Top-level codes as headings with their counts below; each code under them a line indented
    by its depth: colour swatch, name in bold, its counts; its description in italics below."""
    document, flow = docx_parts.new_document(outline.title, outline.subtitle)
    top = min((line.depth for line in outline.codes), default=0)
    for line in outline.codes:
        depth = line.depth - top
        counts = (plural(line.count, "passage") if line.total == line.count
                  else f"{plural(line.count, 'passage')}, {line.total} with the codes below it")
        if depth == 0:
            flow.heading(line.name, 1, line.color)
            flow.note(counts, italic=False, grey=True, size=9, keep_with_next=bool(line.description))
        else:
            flow.line(docx_parts.swatch(line.color) + docx_parts.run(line.name, bold=True)
                      + docx_parts.run(f"  ({counts})", size=9),
                      indent_cm=0.9 * depth, after=0 if line.description else 4)
        if line.description:
            flow.note(line.description, indent_cm=0.9 * depth + (0.5 if depth else 0), after=6)
    docx_parts.save(document, flow, path)
