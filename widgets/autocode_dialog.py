"""The Auto-code dialog: find passages by a word, a phrase or a pattern (or take every turn of a
speaker), see them listed as the search is typed, and code them all with one code in one step.

The dialog only shows data: it asks for a preview with `preview_requested(AutocodeOptions)` a
moment after the user stops typing, and is answered with `show_preview(...)`; Apply is
`apply_requested(AutocodeOptions)`. The app does the finding and the coding (app/autocode_actions.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QCompleter, QDialog, QFormLayout,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QRadioButton, QStyledItemDelegate,
    QStyleOptionViewItem, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from storage.analysis_records import AutocodeMatch, CodeRecord
from widgets.clock import clock
from widgets.match_delegate import MatchDelegate

PREVIEW_DELAY_MS = 250  # long enough not to search on every key, short enough to feel live
PREVIEW_ROWS = 500  # rows listed; the count and Apply still cover every match
SCOPES = (("word", "the matching words"), ("sentence", "the whole sentence"), ("turn", "the whole turn"))
ERROR_COLOUR = "#b00020"
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class AutocodeOptions:
    """What to look for, where, and which code to apply."""

    mode: str = "pattern"  # "pattern" | "speaker"
    pattern: str = ""
    regex: bool = False
    whole_words: bool = True
    match_case: bool = False
    scope: str = "word"  # "word" | "sentence" | "turn"
    speaker: str = ""
    everywhere: bool = False  # all transcripts; otherwise the one shown in the editor
    code_id: int | None = None  # an existing code picked from the list
    code_name: str = ""  # the code field's text: a name no code has creates that code


@dataclass(frozen=True)
class MatchContext:
    """What the preview shows around a match besides the match itself."""

    start_time: float | None  # of the first word it covers
    before: str  # a few words before it in its turn
    after: str
    already_coded: bool = False  # the chosen code covers exactly this passage already


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


class PreviewModel(QAbstractTableModel):
    HEADERS = ("Transcript", "Speaker", "Time", "Passage")
    PASSAGE = 3
    HTML_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matches: list[AutocodeMatch] = []
        self._contexts: list[MatchContext | None] = []

    def set_rows(self, matches: Sequence[AutocodeMatch], contexts: Sequence[MatchContext]) -> None:
        self.beginResetModel()
        self._matches = list(matches[:PREVIEW_ROWS])
        self._contexts = [contexts[i] if i < len(contexts) else None for i in range(len(self._matches))]
        self.endResetModel()

    def match_at(self, row: int) -> AutocodeMatch:
        return self._matches[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._matches)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        match, context = self._matches[index.row()], self._contexts[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return match.transcript_name
            if column == 1:
                return match.speaker or "—"
            if column == 2:
                return "" if context is None or context.start_time is None else clock(context.start_time)
            before, after = (context.before, context.after) if context else ("", "")
            return f"{before}{match.text}{after}"
        if role == self.HTML_ROLE and column == self.PASSAGE:
            before, after = (context.before, context.after) if context else ("", "")
            return f"{escape(before)}<b>{escape(match.text)}</b>{escape(after)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            note = "\n(already coded with this code)" if context is not None and context.already_coded else ""
            return f"{match.text}{note}"
        if role == Qt.ItemDataRole.ForegroundRole and context is not None and context.already_coded:
            return QColor("#808080")
        return None


class _IndentDelegate(QStyledItemDelegate):
    """Indents each code in the list by its depth in the tree; the field itself shows the bare
    name, which is what the user types to match it."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.text = "    " * int(index.data(DEPTH_ROLE) or 0) + option.text


class AutocodeDialog(QDialog):
    preview_requested = Signal(object)  # AutocodeOptions
    apply_requested = Signal(object)  # AutocodeOptions
    passage_activated = Signal(object)  # AutocodeMatch: show it in the editor

    def __init__(self, codes: Sequence[CodeRecord], speakers: Sequence[str], *, transcript_name: str | None = None,
                 code_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Auto-code")
        self.setObjectName("autocodeDialog")
        self.resize(820, 560)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.request_preview)
        self._new_count = 0
        self._error: str | None = None

        self.tabs = QTabWidget()
        self.tabs.addTab(self._pattern_page(), "Text or pattern")
        self.tabs.addTab(self._speaker_page(speakers), "Every turn of a speaker")
        self.tabs.currentChanged.connect(lambda _index: self.request_preview())

        self.this_transcript = QRadioButton(f"This transcript ({transcript_name})" if transcript_name else "This transcript")
        self.all_transcripts = QRadioButton("All transcripts")
        self._where = QButtonGroup(self)
        for button in (self.this_transcript, self.all_transcripts):
            self._where.addButton(button)
        self.this_transcript.setEnabled(transcript_name is not None)
        (self.this_transcript if transcript_name is not None else self.all_transcripts).setChecked(True)
        self._where.buttonToggled.connect(lambda _button, checked: checked and self.request_preview())

        self.code = QComboBox()
        self.code.setEditable(True)
        self.code.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.code.setItemDelegate(_IndentDelegate(self.code))
        for record in codes:
            self.code.addItem(record.name, record.id)
            self.code.setItemData(self.code.count() - 1, record.depth, DEPTH_ROLE)
        completer = QCompleter(self.code.model(), self.code)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.code.setCompleter(completer)
        chosen = self.code.findData(code_id) if code_id is not None else -1
        self.code.setCurrentIndex(chosen)
        if chosen < 0:
            self.code.setEditText("")
        self.code.lineEdit().setPlaceholderText("a code from the codebook, or a new name to create that code")
        self.code.editTextChanged.connect(lambda _text: self._schedule())

        where = QHBoxLayout()
        where.addWidget(self.this_transcript)
        where.addWidget(self.all_transcripts)
        where.addStretch()
        form = QFormLayout()
        form.addRow("Look in:", where)
        form.addRow("Code with:", self.code)

        self.count = QLabel()
        self.count.setObjectName("autocodeCount")
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PreviewModel.PASSAGE, MatchDelegate(self.table, html_role=PreviewModel.HTML_ROLE))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)  # one line a row
        header = self.table.horizontalHeader()
        for column, width in ((0, 190), (1, 60), (2, 64)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(PreviewModel.PASSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.passage_activated.emit(self.model.match_at(index.row())))

        self.apply_button = QPushButton("Code passages")
        self.apply_button.setObjectName("autocodeApply")
        cancel = QPushButton("Cancel")
        for button in (self.apply_button, cancel):
            button.setAutoDefault(False)  # Enter while typing a pattern must not code anything
        self.apply_button.clicked.connect(self._apply_clicked)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.apply_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(form)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.show_preview([], None)

    def _pattern_page(self) -> QWidget:
        page = QWidget()
        self.pattern = QLineEdit()
        self.pattern.setObjectName("autocodePattern")
        self.pattern.setPlaceholderText("a word, a phrase, or a regular expression")
        self.pattern.setClearButtonEnabled(True)
        self.pattern.textChanged.connect(lambda _text: self._schedule())
        self.pattern.returnPressed.connect(self.request_preview)
        self.error = QLabel()
        self.error.setObjectName("autocodeError")
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setWordWrap(True)
        self.error.hide()
        self.regex = QCheckBox("Regular expression")
        self.whole_words = QCheckBox("Whole words")
        self.whole_words.setChecked(True)
        self.match_case = QCheckBox("Match case")
        checks = QHBoxLayout()
        for box in (self.regex, self.whole_words, self.match_case):
            box.toggled.connect(lambda _checked: self.request_preview())
            checks.addWidget(box)
        checks.addStretch()
        self._scope = QButtonGroup(self)
        scopes = QHBoxLayout()
        for number, (scope, label) in enumerate(SCOPES):
            button = QRadioButton(label)
            button.setProperty("scope", scope)
            button.setChecked(number == 0)
            self._scope.addButton(button, number)
            scopes.addWidget(button)
        scopes.addStretch()
        self._scope.buttonToggled.connect(lambda _button, checked: checked and self.request_preview())
        form = QFormLayout(page)
        form.addRow("Find:", self.pattern)
        form.addRow("", self.error)
        form.addRow("", checks)
        form.addRow("Code:", scopes)
        return page

    def _speaker_page(self, speakers: Sequence[str]) -> QWidget:
        page = QWidget()
        self.speaker = QComboBox()
        self.speaker.addItems(list(speakers))
        self.speaker.currentTextChanged.connect(lambda _text: self.request_preview())
        form = QFormLayout(page)
        form.addRow("Speaker:", self.speaker)
        if not speakers:
            form.addRow("", QLabel("No turn in this project has a speaker yet."))
        return page

    # --- what the user asked for ---------------------------------------------------------------

    def options(self) -> AutocodeOptions:
        name = " ".join(self.code.currentText().split())
        code_id = None
        if name:
            # The item picked, or else the first code of that name (the user typed it).
            index = self.code.currentIndex()
            if index < 0 or self.code.itemText(index).casefold() != name.casefold():
                index = self.code.findText(name, Qt.MatchFlag.MatchFixedString)  # case-insensitive
            code_id = self.code.itemData(index) if index >= 0 else None
        scope_button = self._scope.checkedButton()
        return AutocodeOptions(
            mode="speaker" if self.tabs.currentIndex() == 1 else "pattern",
            pattern=self.pattern.text(), regex=self.regex.isChecked(), whole_words=self.whole_words.isChecked(),
            match_case=self.match_case.isChecked(), scope=str(scope_button.property("scope")) if scope_button else "word",
            speaker=self.speaker.currentText(), everywhere=self.all_transcripts.isChecked(),
            code_id=code_id, code_name=name,
        )

    def set_scope(self, scope: str) -> None:
        for button in self._scope.buttons():
            if button.property("scope") == scope:
                button.setChecked(True)

    def preview_pending(self) -> bool:
        return self._timer.isActive()

    def _schedule(self) -> None:
        self._timer.start()  # restarts: the preview waits until typing pauses

    def request_preview(self) -> None:
        self._timer.stop()
        options = self.options()
        if options.mode == "pattern" and not options.pattern.strip():
            self.show_preview([], None)
            return
        self.preview_requested.emit(options)

    def _apply_clicked(self) -> None:
        if self.preview_pending():
            self.request_preview()  # Apply codes what the list shows, so bring the list up to date first
        if self.apply_button.isEnabled():
            self.apply_requested.emit(self.options())

    # --- what the app found --------------------------------------------------------------------

    def show_preview(self, matches: Sequence[AutocodeMatch], error: str | None = None, *,
                     contexts: Sequence[MatchContext] = (), already_coded: int = 0) -> None:
        """The matches for the current options (or why there are none). `contexts` gives the
        time and surrounding words of the first matches; `already_coded` how many of all the
        matches the chosen code covers already (Apply skips them)."""
        self._error = error
        self.error.setText(error or "")
        self.error.setVisible(bool(error) and self.tabs.currentIndex() == 0)
        self.model.set_rows([] if error else matches, contexts)
        options = self.options()
        if error:
            self.count.setText("" if self.tabs.currentIndex() == 0 else error)
            self._new_count = 0
        else:
            self.count.setText(self._summary(matches, options, already_coded))
            self._new_count = len(matches) - already_coded
        self._update_apply(options)

    def _summary(self, matches: Sequence[AutocodeMatch], options: AutocodeOptions, already_coded: int) -> str:
        if options.mode == "pattern" and not options.pattern.strip():
            return "Type a word, a phrase or a pattern to see the passages it finds."
        if options.mode == "speaker" and not options.speaker:
            return "Choose a speaker."
        if not matches:
            return "No passages found."
        transcripts = len({match.transcript_id for match in matches})
        text = f"{plural(len(matches), 'passage')} in {plural(transcripts, 'transcript')}"
        if options.code_name:
            text += f"; {already_coded:,} already coded with this code"
        if len(matches) > PREVIEW_ROWS:
            text += f" (the first {PREVIEW_ROWS:,} are listed)"
        return text

    def _update_apply(self, options: AutocodeOptions) -> None:
        if self._new_count > 0:
            self.apply_button.setText(f"Code {plural(self._new_count, 'passage')}")
        else:
            self.apply_button.setText("Code passages")
        ready = self._error is None and self._new_count > 0 and bool(options.code_name)
        self.apply_button.setEnabled(ready)
        if not options.code_name:
            self.apply_button.setToolTip("Choose a code, or type a name for a new one.")
        elif self._error is None and self._new_count == 0 and self.model.rowCount():
            self.apply_button.setToolTip("Every passage found has this code already.")
        else:
            self.apply_button.setToolTip("")
