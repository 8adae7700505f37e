"""The transcript editor: the transcript view made editable, turn by turn.

Typing inside a turn is left to Qt; the editor notes which turns changed and, once the user
pauses (EDIT_SETTLE_MS), asks for them to be saved (`text_edited`). Structural keys become
requests instead of text: Enter splits the turn at the cursor, Backspace at a turn's start
merges it into the previous turn, Delete at its end merges the next one in. Edits that would
cross a turn boundary are refused, so a block is always exactly one turn.

Codings are painted under the text, with their stripes in a right margin, by the CodingDisplay
(widgets/coding_margin.py): the app gives it the shown transcript's codings with set_codings.

Undo belongs to the app's QUndoStack (Ctrl+Z / Ctrl+Shift+Z arrive as `undo_requested` /
`redo_requested`); the document keeps no undo history of its own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtGui import QPaintEvent  # the text-source margin
from PySide6.QtWidgets import QTextEdit, QWidget

from storage.analysis_records import CodingRecord
from storage.anchors import TextEdit
from storage.records import SegmentRecord
from widgets.coding_margin import CodingDisplay
from widgets.excluded_turns import ExcludedTurns
from widgets.text_units import index_to_qt, qt_to_index
from widgets.transcript_view import TranscriptView
from widgets.paragraph_margin import paint_paragraph_margin, paragraph_margin_width

EDIT_SETTLE_MS = 600  # saved within a second of the user pausing, as DESIGN.md asks
TOKEN = re.compile(r"\S+")


class TranscriptEditor(TranscriptView):
    text_edited = Signal(int, str, object)  # segment id, its new text, the TextEdits that made it (or None)
    split_requested = Signal(int, int)  # segment id, code-point offset
    merge_requested = Signal(int)  # segment id: merge it with the turn after it
    undo_requested = Signal()
    redo_requested = Signal()
    refused = Signal(str)  # a message for the status bar
    text_source = False  # showing a text source (minutes, notes): no times, paragraphs numbered instead

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(False)
        self.setUndoRedoEnabled(False)
        self.setPlaceholderText(self.IDLE_HINT)
        self.follow_playback = True
        self._dirty: set[int] = set()
        # Per changed turn: its text when last saved or shown, and the edits typed since, in
        # code points, so codings can follow exactly what was typed (storage/anchors.py).
        self._edits: dict[int, list[TextEdit] | None] = {}
        self._typed_text: dict[int, str] = {}
        self._applying = False
        self._index_of: dict[int, int] = {}
        self._starts: list[float] = []
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(EDIT_SETTLE_MS)
        self._settle.timeout.connect(self.flush_pending)
        self.document().contentsChange.connect(self._contents_changed)
        self._highlighted: tuple[SegmentRecord | None, int] = (None, -1)  # the turn and word shown as played
        # Paints codings under the text, with a stripes margin on the right; accepts drops of
        # codes only (text drops stay refused).
        self.codings = CodingDisplay(self)
        # Turns whose words are left out of analysis (consent): greyed, explained in the margin.
        self.excluded = ExcludedTurns(self, self._margin)

    # --- codings (painted by widgets/coding_highlighter.py and coding_margin.py) ---------------

    def set_codings(self, codings: Sequence[CodingRecord]) -> None:
        """Paint these codings of the shown transcript; only turns whose codings changed repaint."""
        self.codings.set_codings(codings)

    # --- turns left out of analysis (widgets/excluded_turns.py) --------------------------------

    def set_excluded_turns(self, reasons: Mapping[int, str], markers: Mapping[int, str] | None = None) -> None:
        """Grey these turns (segment id -> why, e.g. "SW consented to be observed only: their words
        are left out of analysis"), with `markers` (segment id -> e.g. "observe only") under the
        speaker. Every other turn is shown normally."""
        self.excluded.set(reasons, markers)

    def excluded_turns(self) -> dict[int, str]:
        """The greyed turns and why, as last set."""
        return dict(self.excluded.reasons)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self.excluded.paint_under(event.rect())
        super().paintEvent(event)
        self.excluded.paint_over(event.rect())  # fades the text and codings drawn on greyed turns

    def codings_at_cursor(self) -> list[CodingRecord]:
        """The codings on the selection, or on the character at the cursor without one."""
        return self.codings.codings_at_cursor()

    def block_of(self, segment_id: int) -> int | None:
        return self._index_of.get(segment_id)

    def pending_text_edits(self, segment_id: int) -> list[TextEdit] | None:
        """What was typed in a turn since it was last saved (code points); None when not knowable."""
        return self._edits.get(segment_id, [])

    # --- loading and programmatic updates ----------------------------------------------------

    def set_segments(self, segments) -> None:  # noqa: ANN001
        self.flush_pending()
        self.clear_highlight()
        if not segments or not self._segments or segments[0].transcript_id != self._segments[0].transcript_id:
            self.codings.clear()  # another transcript: its codings arrive next (set_codings)
        self._applying = True
        try:
            super().set_segments(segments)
        finally:
            self._applying = False
        self._reindex()

    def append_segments(self, segments) -> None:  # noqa: ANN001
        self._applying = True
        try:
            super().append_segments(segments)
        finally:
            self._applying = False
        self._reindex()

    def clear_segments(self) -> None:
        self.codings.clear()
        self._dirty.clear()
        self._edits.clear()
        self._typed_text.clear()
        self._applying = True
        try:
            super().clear_segments()
        finally:
            self._applying = False
        self._reindex()

    def update_turn(self, record: SegmentRecord) -> None:
        """Show `record` (after a save, an undo or a redo). Rewrites the block only when its
        text differs, so a save of what the user typed never moves the cursor."""
        index = self._index_of.get(record.id)
        if index is None:
            return
        self._segments[index] = record
        block = self.document().findBlockByNumber(index)
        self._edits.pop(record.id, None)
        self._typed_text.pop(record.id, None)
        if block.text() != record.text:
            self._dirty.discard(record.id)
            self._with_block_selected(index, lambda cursor: cursor.insertText(record.text))
        self._starts[index] = record.start
        self._margin.update()

    def insert_turn(self, record: SegmentRecord) -> None:
        """Insert a turn's block at record.position (a split, or an undone merge). Ignored when
        another transcript is shown (an undo of an edit made there)."""
        if self._segments and self._segments[0].transcript_id != record.transcript_id:
            return
        position = min(record.position, len(self._segments))
        self._applying = True
        try:
            cursor = QTextCursor(self.document())
            if position == 0:
                cursor.movePosition(QTextCursor.MoveOperation.Start)
                cursor.insertText(record.text)
                cursor.insertBlock()
            else:
                cursor.setPosition(self.document().findBlockByNumber(position - 1).position())
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
                cursor.insertBlock()
                cursor.insertText(record.text)
        finally:
            self._applying = False
        self._segments.insert(position, record)
        self._renumber_from(position)

    def remove_turn(self, segment_id: int) -> None:
        index = self._index_of.get(segment_id)
        if index is None:
            return
        self._dirty.discard(segment_id)
        self._edits.pop(segment_id, None)
        self._typed_text.pop(segment_id, None)
        self._applying = True
        try:
            block = self.document().findBlockByNumber(index)
            cursor = QTextCursor(block)
            if index > 0:
                cursor.movePosition(QTextCursor.MoveOperation.PreviousBlock)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
                cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            else:
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                if block.next().isValid():
                    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        finally:
            self._applying = False
        del self._segments[index]
        self._renumber_from(index)

    def _renumber_from(self, index: int) -> None:
        # Positions after a structural change follow the blocks; ids stay.
        for number in range(index, len(self._segments)):
            if self._segments[number].position != number:
                self._segments[number] = replace(self._segments[number], position=number)
        self._reindex()
        self._update_margin_width()

    def _reindex(self) -> None:
        self._index_of = {segment.id: number for number, segment in enumerate(self._segments)}
        self._starts = [segment.start for segment in self._segments]

    def _with_block_selected(self, index: int, action) -> None:  # noqa: ANN001
        block = self.document().findBlockByNumber(index)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self._applying = True
        try:
            action(cursor)
        finally:
            self._applying = False

    # --- where the cursor is -----------------------------------------------------------------

    def turn_at_cursor(self) -> SegmentRecord | None:
        return self.segment_at_block(self.textCursor().blockNumber())

    def cursor_offset(self) -> int:
        """The cursor's position in its turn, in code points."""
        cursor = self.textCursor()
        return qt_to_index(cursor.block().text(), cursor.positionInBlock())

    def place_cursor(self, segment_id: int, offset: int) -> None:
        index = self._index_of.get(segment_id)
        if index is None:
            return
        block = self.document().findBlockByNumber(index)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + index_to_qt(block.text(), min(offset, len(block.text()))))
        self.setTextCursor(cursor)

    def select_range(self, segment_id: int, start: int, end: int) -> None:
        """Select code points start..end of a turn and show them."""
        index = self._index_of.get(segment_id)
        if index is None:
            return
        block = self.document().findBlockByNumber(index)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + index_to_qt(block.text(), start))
        cursor.setPosition(block.position() + index_to_qt(block.text(), end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def select_passage(self, start_segment_id: int, start: int, end_segment_id: int, end: int) -> None:
        """Select a passage that may run over several turns (code-point offsets)."""
        first, last = self._index_of.get(start_segment_id), self._index_of.get(end_segment_id)
        if first is None or last is None:
            return
        document = self.document()
        head, tail = document.findBlockByNumber(first), document.findBlockByNumber(last)
        cursor = QTextCursor(head)
        cursor.setPosition(head.position() + index_to_qt(head.text(), min(start, len(head.text()))))
        cursor.setPosition(tail.position() + index_to_qt(tail.text(), min(end, len(tail.text()))), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def selected_passage(self) -> tuple[int, int, int, int] | None:
        """The selection as (start segment id, start offset, end segment id, end offset) in code
        points, or None without a selection."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        document = self.document()
        ends = []
        for position in (cursor.selectionStart(), cursor.selectionEnd()):
            block = document.findBlock(position)
            segment = self.segment_at_block(block.blockNumber())
            if segment is None:
                return None
            ends.append((segment.id, qt_to_index(block.text(), position - block.position())))
        return ends[0][0], ends[0][1], ends[1][0], ends[1][1]

    def selected_text(self) -> str:
        return self.textCursor().selectedText()

    def insert_at_cursor(self, text: str) -> None:
        """Insert text as if typed (a bracketed note, a time stamp)."""
        if self.turn_at_cursor() is None:
            self.refused.emit("Put the cursor in a turn first.")
            return
        if self._crosses_turns():
            self.refused.emit("Select text within one turn.")
            return
        self.textCursor().insertText(text)

    # --- saving --------------------------------------------------------------------------------

    def pending_edits(self) -> bool:
        return bool(self._dirty)

    def flush_pending(self) -> None:
        """Ask for every changed turn to be saved now (before undo, playback jumps, closing)."""
        self._settle.stop()
        dirty, self._dirty = self._dirty, set()
        for segment_id in sorted(dirty, key=lambda i: self._index_of.get(i, -1)):
            index = self._index_of.get(segment_id)
            if index is None:
                continue
            text = self.document().findBlockByNumber(index).text()
            edits = self._edits.pop(segment_id, [])
            self._typed_text.pop(segment_id, None)
            if text != self._segments[index].text:
                self.text_edited.emit(segment_id, text, edits)

    def _contents_changed(self, position: int, removed: int, added: int) -> None:
        if self._applying or not self._segments:
            return
        block = self.document().findBlock(position)
        segment = self.segment_at_block(block.blockNumber())
        if segment is not None:
            self._record_edit(segment, block.text(), position - block.position(), added)
            self._dirty.add(segment.id)
            self._settle.start()

    def _record_edit(self, segment: SegmentRecord, new_text: str, local: int, added: int) -> None:
        """Turn Qt's change (UTF-16 positions) into a TextEdit in code points. Qt may report a
        wider range than what changed, so the range is trimmed to the characters that differ."""
        old_text = self._typed_text.get(segment.id, segment.text)
        self._typed_text[segment.id] = new_text
        position = qt_to_index(new_text, local)
        inserted = qt_to_index(new_text, local + added) - position
        removed = len(old_text) - len(new_text) + inserted
        if removed < 0 or position + removed > len(old_text):
            self._edits[segment.id] = None  # not knowable: storage compares the texts instead
            return
        while removed and inserted and old_text[position] == new_text[position]:
            position, removed, inserted = position + 1, removed - 1, inserted - 1
        while removed and inserted and old_text[position + removed - 1] == new_text[position + inserted - 1]:
            removed, inserted = removed - 1, inserted - 1
        edits = self._edits.setdefault(segment.id, [])
        if (removed or inserted) and edits is not None:
            edits.append(TextEdit(position, removed, inserted))

    # --- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Undo):
            self.flush_pending()
            self.undo_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo) or (
            event.key() == Qt.Key.Key_Z and event.modifiers() == (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        ):
            self.flush_pending()
            self.redo_requested.emit()
            return
        if not self._segments:
            return
        cursor = self.textCursor()
        segment = self.turn_at_cursor()
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if segment is not None and not cursor.hasSelection():
                self.flush_pending()
                self.split_requested.emit(segment.id, self.cursor_offset())
            return
        if key == Qt.Key.Key_Backspace and not cursor.hasSelection() and cursor.positionInBlock() == 0:
            previous = self.segment_at_block(cursor.blockNumber() - 1)
            if previous is not None:
                self.flush_pending()
                self.merge_requested.emit(previous.id)
            return
        if key == Qt.Key.Key_Delete and not cursor.hasSelection() and cursor.atBlockEnd():
            if segment is not None and cursor.blockNumber() + 1 < len(self._segments):
                self.flush_pending()
                self.merge_requested.emit(segment.id)
            return
        if self._crosses_turns() and (event.text() or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)) \
                and not event.matches(QKeySequence.StandardKey.Copy):
            self.refused.emit("That selection spans several turns: edit one turn at a time, or merge them first.")
            return
        super().keyPressEvent(event)  # Paste arrives in insertFromMimeData below

    def insertFromMimeData(self, source) -> None:  # noqa: N802, ANN001
        if self._crosses_turns():
            self.refused.emit("That selection spans several turns: edit one turn at a time.")
            return
        text = source.text() if source is not None and source.hasText() else ""
        self.textCursor().insertText(" ".join(text.split()))  # a pasted newline must not make a turn

    def _crosses_turns(self) -> bool:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return False
        document = self.document()
        return document.findBlock(cursor.selectionStart()).blockNumber() != document.findBlock(cursor.selectionEnd()).blockNumber()

    # --- playback ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            seconds = self.time_at_point(event.position().toPoint())
            if seconds is not None:
                self.seek_requested.emit(seconds)
                return
        super().mousePressEvent(event)

    def time_at_point(self, point) -> float | None:  # noqa: ANN001
        """The start of the word under `point` (viewport coordinates), for Ctrl+click."""
        cursor = self.cursorForPosition(point)
        segment = self.segment_at_block(cursor.blockNumber())
        if segment is None:
            return None
        text = cursor.block().text()
        offset = qt_to_index(text, cursor.positionInBlock())
        for number, match in enumerate(TOKEN.finditer(text)):
            if match.start() <= offset <= match.end() and number < len(segment.words):
                return segment.words[number].start
        return segment.start

    def highlight_time(self, seconds: float) -> None:
        """Mark the word being played and, when following, keep it in view. Called on every
        playback tick: does nothing while the same word is still playing."""
        index = bisect.bisect_right(self._starts, seconds) - 1
        segment = self.segment_at_block(index)
        number = -1
        if segment is not None and seconds <= segment.end + 0.5:
            number = bisect.bisect_right([w.start for w in segment.words], seconds) - 1
        key = (segment, number)
        if key == self._highlighted:
            return
        self._highlighted = key
        selections = []
        if segment is not None and number >= 0:
            block = self.document().findBlockByNumber(index)
            matches = list(TOKEN.finditer(block.text()))
            if 0 <= number < len(matches):
                match = matches[number]
                text = block.text()
                cursor = QTextCursor(block)
                cursor.setPosition(block.position() + index_to_qt(text, match.start()))
                cursor.setPosition(block.position() + index_to_qt(text, match.end()), QTextCursor.MoveMode.KeepAnchor)
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = _played_format()
                selections.append(selection)
                if self.follow_playback:
                    self._keep_visible(cursor)
        self.setExtraSelections(selections)

    def clear_highlight(self) -> None:
        self._highlighted = (None, -1)
        self.setExtraSelections([])

    def _keep_visible(self, cursor: QTextCursor) -> None:
        """Scroll only when the word has left the view, then put it a third of the way down,
        so the text does not jitter while the reader follows it."""
        rect = self.cursorRect(cursor)
        if 0 <= rect.top() and rect.bottom() <= self.viewport().height():
            return
        # QPlainTextEdit scrolls by lines: the bar's value is the first visible line.
        lines_in_view = max(1, self.viewport().height() // max(1, self.fontMetrics().lineSpacing()))
        line = cursor.block().firstLineNumber() + cursor.block().layout().lineForTextPosition(cursor.positionInBlock()).lineNumber()
        self.verticalScrollBar().setValue(max(0, line - lines_in_view // 3))

    # --- text sources: the margin numbers paragraphs, as they have no times ----------------------

    def set_text_source(self, on: bool) -> None:
        """Show the margin of a text source (¶ 1, ¶ 2… and the speaker, if any) or of a
        transcript (times and speakers). A text source's margin does not seek when clicked."""
        self.text_source = on
        self._margin.setToolTip("Paragraph numbers: a text source has no times" if on else "Click a time to play from there")
        self._margin.setCursor(Qt.CursorShape.ArrowCursor if on else Qt.CursorShape.PointingHandCursor)
        self._update_margin_width()
        self._margin.update()

    def margin_width(self) -> int:
        return paragraph_margin_width(self) if self.text_source else super().margin_width()

    def paint_margin(self, event: QPaintEvent) -> None:
        if self.text_source:
            paint_paragraph_margin(self, self._margin, event)
        else:
            super().paint_margin(event)

    def time_at_margin(self, y: int) -> float | None:
        return None if self.text_source else super().time_at_margin(y)


def _played_format() -> QTextCharFormat:
    played = QTextCharFormat()
    played.setBackground(QColor("#ffd54f"))
    played.setForeground(QColor("#1b1b1b"))
    return played
