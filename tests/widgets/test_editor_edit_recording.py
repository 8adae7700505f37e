"""The editor reports each save with the edits that made it, in code points, so codings can
follow the exact keystrokes. Qt counts UTF-16 units: emoji before the cursor must not shift
the recorded positions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from storage.anchors import TextEdit, map_span
from storage.records import SegmentRecord
from widgets.text_units import index_to_qt
from widgets.transcript_editor import TranscriptEditor

TEXT = "we 🙂 reviewed 😢 the discharge"


def make_editor(qtbot) -> tuple[TranscriptEditor, list]:  # noqa: ANN001
    editor = TranscriptEditor()
    qtbot.addWidget(editor)
    editor.set_segments([SegmentRecord(7, 1, 0, 0.0, 5.0, "SN1", TEXT, ()),
                         SegmentRecord(8, 1, 1, 5.0, 9.0, "SW", "next 🙂 turn", ())])
    saved: list = []
    editor.text_edited.connect(lambda *args: saved.append(args))
    return editor, saved


def put(editor: TranscriptEditor, block: int, offset: int, select_to: int | None = None) -> None:
    text = editor.document().findBlockByNumber(block).text()
    base = editor.document().findBlockByNumber(block).position()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(base + index_to_qt(text, offset))
    if select_to is not None:
        cursor.setPosition(base + index_to_qt(text, select_to), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.setFocus()


def test_typing_after_emoji_is_recorded_in_code_points(qtbot) -> None:  # noqa: ANN001
    editor, saved = make_editor(qtbot)
    at = TEXT.index("the")
    put(editor, 0, at)
    qtbot.keyClicks(editor, "all ")
    put(editor, 0, TEXT.index("reviewed"), TEXT.index("reviewed") + len("reviewed"))
    qtbot.keyClicks(editor, "checked")
    editor.flush_pending()
    segment_id, text, edits = saved[-1]
    assert segment_id == 7 and text == "we 🙂 checked 😢 all the discharge"
    # The recorded edits carry a coding on "the discharge" onto the same words.
    start, end = map_span(TEXT.index("the"), len(TEXT), edits)
    assert text[start:end] == "the discharge"
    assert all(isinstance(edit, TextEdit) for edit in edits)


def test_backspace_over_an_emoji_removes_one_code_point(qtbot) -> None:  # noqa: ANN001
    editor, saved = make_editor(qtbot)
    put(editor, 0, TEXT.index("🙂") + 1)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    editor.flush_pending()
    _, text, edits = saved[-1]
    assert text == "we  reviewed 😢 the discharge"
    assert edits == [TextEdit(TEXT.index("🙂"), 1, 0)]
    start, end = map_span(TEXT.index("the"), len(TEXT), edits)
    assert text[start:end] == "the discharge"
