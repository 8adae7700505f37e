"""HTML pieces for the reports that have an HTML form: one self-contained UTF-8 file with its
style sheet inside, no scripts and nothing fetched from anywhere (a Content-Security-Policy says
so to the browser as well), every piece of project text escaped, and a print style that keeps a
quote and its citation on one page.

Project text is never trusted as markup: a passage that reads "<script>" shows those characters.
The only value from the project that goes into an attribute is a code's colour, and only when it
is a plain #rrggbb colour."""

from __future__ import annotations

import html
import re

from storage.reports.passages import PassageItem

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}")

STYLE = """
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.45; max-width: 46em; margin: 2em auto;
       padding: 0 1em; color: #111; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2, h3, h4, h5 { font-family: "Helvetica Neue", Arial, sans-serif; margin: 1.4em 0 0.4em; }
.meta { color: #555; margin-top: 0; }
.description, .note { font-style: italic; color: #333; }
.swatch { display: inline-block; width: 0.75em; height: 0.75em; margin-right: 0.4em; border: 1px solid #777; }
blockquote.passage { margin: 0.6em 0 0.9em 2em; }
blockquote.passage p { margin: 0; }
.cite { font-size: 0.85em; color: #555; margin-top: 0.2em; }
figure.quote { margin: 0.8em 0; padding: 0.6em 0.9em; background: #f4f4f4; border: 1px solid #bfbfbf;
               border-left-width: 4px; }
figure.quote blockquote { margin: 0; font-style: italic; }
figure.quote figcaption { text-align: right; font-size: 0.85em; color: #444; margin-top: 0.3em; }
.speaker { font-weight: bold; font-style: normal; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  blockquote.passage, figure.quote { break-inside: avoid; page-break-inside: avoid; }
  figure.quote { background: none; }
}
"""


def esc(text: str) -> str:
    """Project text as HTML text: escaped, line breaks kept."""
    return html.escape(text, quote=True).replace("\n", "<br>\n")


def page(title: str, subtitle: str, body: list[str]) -> str:
    head = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"Earmark\">\n"
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n<p class=\"meta\">{esc(subtitle)}</p>\n"
    )
    return head + "\n".join(body) + "\n</body>\n</html>\n"


def heading(text: str, level: int, color: str | None = None) -> str:
    tag = f"h{min(max(level, 1), 4) + 1}"  # h1 is the report's title
    swatch = ""
    if color is not None and _COLOR.match(color):
        swatch = f"<span class=\"swatch\" style=\"background:{color[:7]}\"></span>"
    return f"<{tag}>{swatch}{esc(text)}</{tag}>"


def note(text: str, css: str = "note") -> str:
    return f"<p class=\"{css}\">{esc(text)}</p>"


def body_text(text: str) -> str:
    return "\n".join(f"<p>{esc(block.strip())}</p>" for block in re.split(r"\n\s*\n", text.strip()) if block.strip())


def spoken(item: PassageItem, *, quoted: bool) -> str:
    """The passage's words; each line with its speaker when several people speak in it."""
    if item.turns:
        lines = []
        for speaker, line in item.turns:
            words = f"“{esc(line)}”" if quoted and speaker else esc(line)
            lines.append(f"<span class=\"speaker\">{esc(speaker)}:</span> {words}" if speaker else words)
        return "<br>\n".join(lines)
    if quoted:
        said = f"<span class=\"speaker\">{esc(item.speaker)} said:</span> " if item.speaker else ""
        return f"{said}“{esc(item.text)}”"
    return esc(item.text)


def passage(item: PassageItem) -> str:
    who = f"{item.speaker} " if item.speaker and not item.turns else ""
    return (f"<blockquote class=\"passage\"><p>{spoken(item, quoted=False)}</p>"
            f"<p class=\"cite\">— {esc(who + item.citation)}</p></blockquote>")


def quote_box(item: PassageItem, color: str) -> str:
    accent = f" style=\"border-left-color:{color[:7]}\"" if _COLOR.match(color) else ""
    return (f"<figure class=\"quote\"{accent}><blockquote>{spoken(item, quoted=True)}</blockquote>"
            f"<figcaption>{esc(item.citation)}</figcaption></figure>")
