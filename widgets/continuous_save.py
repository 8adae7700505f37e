"""Continuous saving of memo text, shared by the memo panel and the research diary.

Both edit one memo at a time (a diary entry is a memo on the diary) in a title line and a body
that save themselves: a pause of SAVE_SETTLE_MS, or leaving the editor, emits the text, so
there is no Save button to forget. The views show data only; the app stores the text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidgetItem, QPlainTextEdit, QWidget

SAVE_SETTLE_MS = 600  # as the transcript editor: stored within a second of a pause
MEMO_ID = Qt.ItemDataRole.UserRole  # what a MemoForm's list items carry


class ContinuousSave(QObject):
    """Calls `save` SAVE_SETTLE_MS after the last change, or at once on `flush` (switching to
    another memo, leaving the editor, closing)."""

    def __init__(self, save: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._save = save
        self.dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_SETTLE_MS)
        self._timer.timeout.connect(self.flush)

    def touch(self) -> None:
        self.dirty = True
        self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self.dirty:
            self.dirty = False
            self._save()

    def forget(self) -> None:
        """Drop a pending save (the memo it belonged to is gone)."""
        self._timer.stop()
        self.dirty = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusOut:
            self.flush()  # a dialog or another window takes over: store what was typed
        return False

    def watch(self, *editors: QWidget) -> None:
        for editor in editors:
            editor.installEventFilter(self)


class MemoForm(QWidget):
    """A view that edits one memo at a time, chosen in a list whose items carry the memo's id
    (MEMO_ID). It makes the title, body and byline (object names "<name>Title" and so on; the
    view lays them out) and saves what is typed in them. A view supplies _show_memo(),
    _update_enabled() and _emit_edited(), and calls _current_changed when the list's current
    item changes."""

    delete_requested = Signal(int)  # memo id

    def __init__(self, name: str, title_hint: str, body_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: int | None = None  # the memo in the editor
        self._loading = False  # the view is filling the editors: that is not typing
        self._read_only = False
        self._saver = ContinuousSave(self._save_now, self)
        self.title = QLineEdit()
        self.title.setObjectName(f"{name}Title")
        self.title.setPlaceholderText(title_hint)
        self.title.textEdited.connect(self._typed)
        self.body = QPlainTextEdit()
        self.body.setObjectName(f"{name}Body")
        self.body.setPlaceholderText(body_hint)
        self.body.textChanged.connect(self._typed)
        self.byline = QLabel()
        self.byline.setObjectName(f"{name}Byline")
        self.byline.setEnabled(False)  # drawn greyed: it is information, not a control
        self._saver.watch(self.title, self.body)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_enabled()

    def flush_pending(self) -> None:
        """Emit the editor's text now if it changed since the last save."""
        self._saver.flush()

    # --- what the view supplies ------------------------------------------------------------------

    def _show_memo(self, memo_id: int | None) -> None:
        raise NotImplementedError

    def _update_enabled(self) -> None:
        raise NotImplementedError

    def _emit_edited(self, memo_id: int, title: str, body: str) -> None:
        raise NotImplementedError

    # --- inside ----------------------------------------------------------------------------------

    def _current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if not self._loading:
            self._show_memo(None if current is None else int(current.data(MEMO_ID)))

    def _typed(self, *_args: object) -> None:
        if not self._loading and self._shown is not None and not self._read_only:
            self._saver.touch()

    def _save_now(self) -> None:
        if self._shown is not None:
            self._emit_edited(self._shown, self.title.text(), self.body.toPlainText())

    def _delete_clicked(self) -> None:
        if self._shown is not None:
            self.flush_pending()
            self.delete_requested.emit(self._shown)
