"""Analysis ▸ Reports ▸ …: which codes a report covers (a tree with a tick box on every code;
ticking a code ticks the codes under it, which can then be unticked one by one), the file format,
and whether the listed pseudonyms replace real names.

Shows data and hands back the choices; the app runs the pre-export check and writes the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from storage.analysis_records import CodeRecord

REPORT_TITLES = {
    "passages": ("Coded Passages", "Every passage coded with the ticked codes, with its speaker and citation "
                                   "(meeting or transcript, and time)."),
    "quotes": ("Quote Boxes", "A box for each passage of the ticked codes: “SN1 said: …”, with the citation, "
                              "ready to paste into a chapter."),
    "codes": ("Code Tree", "The code tree as an outline with descriptions and counts of passages."),
    "memos": ("Memos", "The memos of the project: on the project, transcripts, codes, passages, speakers, "
                       "participants and meetings."),
    "diary": ("Research Diary", "Every diary entry, dated, in order."),
}
REPORT_FORMAT_NAMES = {"docx": "Word document (.docx)", "html": "Web page (.html)",
                       "xlsx": "Excel workbook (.xlsx)", "csv": "CSV table (.csv)"}
CODE_KINDS = ("passages", "quotes")  # reports that need codes chosen (the others may narrow to some)
MUTED = "color: palette(placeholder-text);"


@dataclass(frozen=True)
class ReportChoices:
    kind: str
    format: str
    code_ids: tuple[int, ...] | None  # None: every code (reports that do not need a choice)
    pseudonymise: bool


class ReportDialog(QDialog):
    """`codes`: the tree (codes_tree order); `selected_code_id`: the code chosen in the codebook,
    ticked with the codes under it. `with_codes`: show the tree (passages, quotes; optional for
    the code tree, where nothing ticked means every code)."""

    def __init__(self, kind: str, formats: Sequence[str], codes: Sequence[CodeRecord], *,
                 selected_code_id: int | None = None, with_codes: bool | None = None, pseudonymise: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.with_codes = kind in CODE_KINDS if with_codes is None else with_codes
        title, intro_text = REPORT_TITLES.get(kind, (kind.capitalize(), ""))
        self.setObjectName("reportDialog")
        self.setWindowTitle(f"Report: {title}")
        self.setMinimumWidth(520)
        if self.with_codes:
            self.resize(720, 600)  # room for the whole tree of a thesis's codebook
        layout = QVBoxLayout(self)
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setObjectName("reportCodes")
        self.tree.setHeaderLabels(("Code", "Passages"))
        self.tree.setUniformRowHeights(True)
        self._items: dict[int, QTreeWidgetItem] = {}
        for code in codes:
            parent_item = self._items.get(code.parent_id) if code.parent_id is not None else None
            item = QTreeWidgetItem([code.name, str(code.total)])
            item.setData(0, Qt.ItemDataRole.UserRole, code.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setIcon(0, _swatch(code.color))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if code.description:
                item.setToolTip(0, code.description)
            (parent_item.addChild(item) if parent_item is not None else self.tree.addTopLevelItem(item))
            self._items[code.id] = item
        self.tree.expandAll()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        if selected_code_id in self._items:
            self._set_subtree(self._items[selected_code_id], Qt.CheckState.Checked)
            self.tree.scrollToItem(self._items[selected_code_id])
            self.tree.setCurrentItem(self._items[selected_code_id])
        self.tree.itemChanged.connect(self._ticked)
        self.code_hint = QLabel()
        self.code_hint.setWordWrap(True)
        self.code_hint.setStyleSheet(MUTED)
        ticks = QHBoxLayout()
        self.tick_all = QPushButton("Tick All")
        self.tick_none = QPushButton("Tick None")
        self.tick_all.clicked.connect(lambda: self._tick_everything(Qt.CheckState.Checked))
        self.tick_none.clicked.connect(lambda: self._tick_everything(Qt.CheckState.Unchecked))
        ticks.addWidget(self.tick_all)
        ticks.addWidget(self.tick_none)
        ticks.addWidget(self.code_hint, 1)
        if self.with_codes:
            layout.addWidget(self.tree, 1)
            layout.addLayout(ticks)
        else:
            for widget in (self.tree, self.tick_all, self.tick_none, self.code_hint):
                widget.hide()
        form = QFormLayout()
        self.format = QComboBox()
        self.format.setObjectName("reportFormat")
        for value in formats:
            self.format.addItem(REPORT_FORMAT_NAMES.get(value, value.upper()), value)
        form.addRow("&Format:", self.format)
        layout.addLayout(form)
        self.pseudonymise = QCheckBox("&Pseudonymise: write the listed pseudonyms instead of real names")
        self.pseudonymise.setObjectName("reportPseudonymise")
        self.pseudonymise.setChecked(pseudonymise)
        layout.addWidget(self.pseudonymise)
        if not self.with_codes:
            layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.write_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.write_button.setText("Write Report…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check()

    # --- ticking ---------------------------------------------------------------------------------

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        """A ticked code brings every code under it (storage.reports counts sub-codes with their
        parent), so those are shown ticked and greyed until the parent is unticked."""
        if column != 0:
            return
        self.tree.blockSignals(True)
        try:
            self._set_subtree(item, item.checkState(0))
        finally:
            self.tree.blockSignals(False)
        self._check()

    def _set_subtree(self, item: QTreeWidgetItem, state: Qt.CheckState) -> None:
        item.setCheckState(0, state)
        for number in range(item.childCount()):
            child = item.child(number)
            self._set_subtree(child, state)
            child.setDisabled(state == Qt.CheckState.Checked)

    def _tick_everything(self, state: Qt.CheckState) -> None:
        self.tree.blockSignals(True)
        try:
            for number in range(self.tree.topLevelItemCount()):
                self._set_subtree(self.tree.topLevelItem(number), state)
        finally:
            self.tree.blockSignals(False)
        self._check()

    def tick(self, code_ids: Sequence[int]) -> None:
        """Tick exactly these codes (with the codes under them)."""
        self._tick_everything(Qt.CheckState.Unchecked)
        self.tree.blockSignals(True)
        try:
            for code_id in code_ids:
                if code_id in self._items:
                    self._set_subtree(self._items[code_id], Qt.CheckState.Checked)
        finally:
            self.tree.blockSignals(False)
        self._check()

    def ticked_ids(self) -> tuple[int, ...]:
        return tuple(code_id for code_id, item in self._items.items() if item.checkState(0) == Qt.CheckState.Checked)

    def _check(self) -> None:
        ticked = self.ticked_ids()
        needs_codes = self.kind in CODE_KINDS
        if not self.with_codes:
            self.write_button.setEnabled(True)
            return
        if not self._items:
            self.code_hint.setText("The project has no codes yet.")
        elif needs_codes:
            self.code_hint.setText(f"{len(ticked)} of {len(self._items)} codes ticked (a code brings the codes "
                                   "under it)." if ticked else "Tick the codes whose passages the report shows.")
        else:
            self.code_hint.setText(f"{len(ticked)} of {len(self._items)} codes ticked." if ticked else
                                   "Nothing ticked: every code.")
        self.write_button.setEnabled(bool(ticked) or not needs_codes)

    def choices(self) -> ReportChoices:
        ticked = self.ticked_ids()
        code_ids = ticked if self.with_codes and (ticked or self.kind in CODE_KINDS) else None
        return ReportChoices(kind=self.kind, format=self.format.currentData(), code_ids=code_ids,
                             pseudonymise=self.pseudonymise.isChecked())


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour) if QColor(colour).isValid() else QColor("#999999"))
    return QIcon(pixmap)


def counted_rows(kind: str, rows: int) -> str:
    """"42 passages", "1 diary entry": what a report of `kind` holds, for the status bar."""
    singular, plural = {"passages": ("passage", "passages"), "quotes": ("quote", "quotes"), "codes": ("code", "codes"),
                        "memos": ("memo", "memos"), "diary": ("diary entry", "diary entries")}.get(kind, ("row", "rows"))
    return f"{rows} {singular if rows == 1 else plural}"
