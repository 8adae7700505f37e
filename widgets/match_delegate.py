"""Paints a cell's text as a little HTML (a match in its context, the match marked) on one line,
for item views whose items carry that HTML under HTML_ROLE; other cells paint as usual."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

HTML_ROLE = Qt.ItemDataRole.UserRole + 20
REPLACEMENT_COLOUR = "#1b5e20"
Index = QModelIndex | QPersistentModelIndex


def marked(before: str, text: str, after: str, replacement: str | None = None) -> str:
    """The context as HTML: the match struck through and followed by its replacement (when
    given), or in bold."""
    def flat(part: str) -> str:
        return escape(part.replace("\n", " "))

    if replacement is None:
        middle = f"<b>{flat(text)}</b>"
    else:
        middle = f"<s>{flat(text)}</s>&nbsp;<b style='color:{REPLACEMENT_COLOUR}'>{flat(replacement)}</b>"
    return f"{flat(before)}{middle}{flat(after)}"


class MatchDelegate(QStyledItemDelegate):
    """Used by the pseudonym preview and the auto-code preview; `html_role` is where a model
    keeps each cell's HTML."""

    def __init__(self, parent: QObject | None = None, *, html_role: int = HTML_ROLE) -> None:
        super().__init__(parent)
        self.html_role = html_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        html = index.data(self.html_role)
        if not html:
            super().paint(painter, option, index)
            return
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        options.text = ""
        style = options.widget.style() if options.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter, options.widget)
        document = QTextDocument()
        document.setDefaultFont(options.font)
        document.setDocumentMargin(0)
        document.setHtml(html)
        context = QAbstractTextDocumentLayout.PaintContext()
        if options.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text, options.palette.color(QPalette.ColorRole.HighlightedText))
        else:
            foreground = index.data(Qt.ItemDataRole.ForegroundRole)
            if isinstance(foreground, QColor):
                context.palette.setColor(QPalette.ColorRole.Text, foreground)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, options, options.widget)
        painter.save()
        top = text_rect.top() + max(0, (text_rect.height() - int(document.size().height())) // 2)
        painter.translate(text_rect.left(), top)
        painter.setClipRect(QRect(0, 0, text_rect.width(), text_rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()
