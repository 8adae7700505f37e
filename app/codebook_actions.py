"""The codebook in the window: the Codes dock on the left and the Code menu entries that change
the code tree. Every change is an undo command on the shared stack (app/codebook_commands.py);
the tree refreshes whenever codes, codings or the project change, whoever changed them.

Dialogs ask for what a change needs (a name, a colour, a description, a merge target) and
destructive changes say what they will do, with numbers, before they do it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor, QUndoCommand
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox

from app.analysis_context import AnalysisContext
from app.codebook_commands import (
    CreateCodeCommand, DeleteCodeCommand, DescribeCodeCommand, MergeCodesCommand, MoveCodeCommand,
    RecolourCodeCommand, RenameCodeCommand,
)
from storage import codebook
from storage.analysis_records import CodeRecord
from storage.errors import ProjectError
from widgets.codebook_tree import EMPTY_TEXT, CodebookTree


class CodebookController(QObject):
    def __init__(self, context: AnalysisContext) -> None:
        super().__init__(context)
        self.context = context
        self.window = context.window
        self.tree = CodebookTree()
        context.provide(selected_code=self.tree.selected_code_id)
        self.dock = context.add_dock("Codes", self.tree, "codebookDock", Qt.DockWidgetArea.LeftDockWidgetArea,
                                     visible=True)
        # The codebook grows to dozens of codes while the project list stays short: give it
        # most of the left side (a saved layout, restored later, overrides this).
        self.window.resizeDocks([self.dock], [520], Qt.Orientation.Vertical)
        tree = self.tree
        tree.create_requested.connect(self.create)
        tree.rename_requested.connect(self.rename)
        tree.recolour_requested.connect(self.recolour)
        tree.describe_requested.connect(self.describe)
        tree.move_requested.connect(self.move)
        tree.merge_requested.connect(self.merge)
        tree.delete_requested.connect(self.delete)
        tree.apply_requested.connect(context.apply_code)
        tree.retrieve_requested.connect(context.show_passages)
        tree.memo_requested.connect(lambda code_id: context.memo_on("code", code_id))
        tree.selection_changed.connect(lambda _code_id: self._refresh_actions())
        self._build_menu()
        # Counts change with every coding: they are repainted once the event loop is idle, so
        # applying a code is not held up by the tree (several changes in a row: one repaint).
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        context.codes_changed.connect(self.refresh)
        context.codings_changed.connect(lambda _transcript_id: self._refresh_timer.start())
        context.project_changed.connect(self.refresh)
        self.refresh()

    def _build_menu(self) -> None:
        menu, add = self.context.menu("&Code"), self.context.action
        if not menu.isEmpty():
            menu.addSeparator()
        self.new_action = add(menu, "&New Code…", "new_code", lambda: self.create(None))
        self.new_sub_action = add(menu, "New &Sub-code…", None, lambda: self._with_selected(self.create))
        self.rename_action = add(menu, "&Rename Code…", None, lambda: self._with_selected(self.ask_rename))
        self.colour_action = add(menu, "Code &Colour…", None, lambda: self._with_selected(self.recolour))
        self.describe_action = add(menu, "Code &Description…", None, lambda: self._with_selected(self.describe))
        self.merge_action = add(menu, "&Merge Code Into…", None, lambda: self._with_selected(self.ask_merge))
        self.delete_action = add(menu, "&Delete Code…", None, lambda: self._with_selected(self.delete))
        menu.addSeparator()
        toggle = self.dock.toggleViewAction()
        toggle.setText("Codes &Panel")
        menu.addAction(toggle)

    # --- showing the codebook ----------------------------------------------------------------------

    def refresh(self) -> None:
        project = self.context.project()
        if project is None:
            self.tree.set_placeholder("Open a project to see its codes.")
            self.tree.show_codes([])
        else:
            self.tree.set_placeholder(EMPTY_TEXT if not project.read_only else "This read-only project has no codes.")
            self.tree.set_read_only(project.read_only)
            try:
                self.tree.show_codes(codebook.codes_tree(project))
            except ProjectError as error:
                self.context.report(str(error))
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        project = self.context.project()
        can_change = project is not None and not project.read_only and self.tree.selected_code_id() is not None
        for action in (self.new_sub_action, self.rename_action, self.colour_action, self.describe_action,
                       self.merge_action, self.delete_action):
            action.setEnabled(can_change)

    def _with_selected(self, slot) -> None:  # noqa: ANN001
        code_id = self.tree.selected_code_id()
        if code_id is None:
            self.context.report("Select a code in the Codes panel first.")
            return
        slot(code_id)

    def _code(self, code_id: int) -> CodeRecord | None:
        """A code as the tree shows it, or None (after saying so) when it is gone."""
        code = next((c for c in self.tree.codes() if c.id == code_id), None)
        if code is None:
            self.context.report("That code no longer exists.")
        return code

    def _push(self, command: QUndoCommand) -> None:
        self.context.stack.push(command)

    # --- changes ---------------------------------------------------------------------------------

    def create(self, parent_id: int | None) -> None:
        if (project := self.context.writable_project()) is None:
            return
        parent = self._code(parent_id) if parent_id is not None else None
        if parent_id is not None and parent is None:
            return
        title, label = ("New Sub-code", f"Name of the new sub-code under “{parent.name}”:") if parent else \
            ("New Code", "Name of the new code:")
        name, ok = QInputDialog.getText(self.window, title, label)
        name = " ".join(name.split())
        if not ok:
            return
        if not name:
            self.context.report("A code needs a name.")
            return
        if self._sibling_named(name, parent_id, None):
            return
        command = CreateCodeCommand(project, self.context, name, parent_id)
        self._push(command)
        if command.code is not None:
            self.tree.select_code(command.code.id)
            self.context.report(f"Created the code “{name}”.")

    def ask_rename(self, code_id: int) -> None:
        if self.context.writable_project() is None or (code := self._code(code_id)) is None:
            return
        name, ok = QInputDialog.getText(self.window, "Rename Code", f"New name for “{code.name}”:", text=code.name)
        if ok:
            self.rename(code_id, name)

    def rename(self, code_id: int, name: str) -> None:
        name = " ".join(name.split())
        if (project := self.context.writable_project()) is None or (code := self._code(code_id)) is None:
            return
        if not name:
            self.context.report("A code needs a name.")
            return
        if name == code.name or self._sibling_named(name, code.parent_id, code_id):
            return
        self._push(RenameCodeCommand(project, self.context, code_id, code.name, name))

    def recolour(self, code_id: int) -> None:
        if (project := self.context.writable_project()) is None or (code := self._code(code_id)) is None:
            return
        colour = QColorDialog.getColor(QColor(code.color), self.window, f"Colour of “{code.name}”")
        if colour.isValid() and colour.name() != code.color.lower():
            self._push(RecolourCodeCommand(project, self.context, code_id, code.name, colour.name()))

    def describe(self, code_id: int) -> None:
        if (project := self.context.writable_project()) is None or (code := self._code(code_id)) is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.window, "Code Description", f"What “{code.name}” means and when to apply it:", code.description)
        if ok and text.strip() != code.description.strip():
            self._push(DescribeCodeCommand(project, self.context, code_id, code.name, text.strip()))

    def move(self, code_id: int, parent_id: int | None, position: int) -> None:
        if (project := self.context.writable_project()) is None or (code := self._code(code_id)) is None:
            return
        self._push(MoveCodeCommand(project, self.context, code_id, code.name, parent_id, position))

    def ask_merge(self, code_id: int) -> None:
        if self.context.writable_project() is None or (code := self._code(code_id)) is None:
            return
        own = set(self.tree.descendants(code_id))
        choices = {self._path(other): other.id for other in self.tree.codes() if other.id not in own}
        if not choices:
            self.context.report(f"There is no other code to merge “{code.name}” into.")
            return
        label, ok = QInputDialog.getItem(self.window, "Merge Code Into",
                                         f"Merge “{code.name}” into which code?", list(choices), 0, False)
        if ok and label in choices:
            self.merge(code_id, choices[label])

    def merge(self, source_id: int, target_id: int) -> None:
        if (project := self.context.writable_project()) is None:
            return
        if (source := self._code(source_id)) is None or (target := self._code(target_id)) is None:
            return
        children = len([c for c in self.tree.codes() if c.parent_id == source_id])
        moving = f"{_count(source.count, 'coded passage')} and {_count(children, 'sub-code')}"
        answer = QMessageBox.question(
            self.window, "Merge Codes",
            f"Merge “{source.name}” into “{target.name}”?\n\n{moving} move to “{target.name}”; passages it already "
            f"has are not doubled. “{source.name}” is then removed, and a memo on “{target.name}” records the "
            "merge.\n\nUndo (Edit ▸ Undo) splits them again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._push(MergeCodesCommand(project, self.context, source_id, target_id, source.name, target.name))

    def delete(self, code_id: int) -> None:
        if (project := self.context.writable_project()) is None or (code := self._code(code_id)) is None:
            return
        sub_codes = len(self.tree.descendants(code_id)) - 1
        below = f" and its {_count(sub_codes, 'sub-code')}" if sub_codes else ""
        answer = QMessageBox.question(
            self.window, "Delete Code",
            f"Delete the code “{code.name}”{below}?\n\n{_count(code.total, 'coded passage')} lose "
            f"{'these codes' if sub_codes else 'this code'} (the transcript text stays), and memos on "
            f"{'them' if sub_codes else 'it'} are deleted too.\n\nUndo (Edit ▸ Undo) brings it all back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._push(DeleteCodeCommand(project, self.context, code_id, code.name))

    # --- helpers -----------------------------------------------------------------------------------

    def _sibling_named(self, name: str, parent_id: int | None, except_id: int | None) -> bool:
        """True (after saying so) when a code beside this one already has the name: two codes
        with one name under one parent cannot be told apart in the tree or in a report."""
        wanted = name.casefold()
        for code in self.tree.codes():
            if code.parent_id == parent_id and code.id != except_id and code.name.casefold() == wanted:
                self.context.report(f"There is already a code “{code.name}” there.")
                return True
        return False

    def _path(self, code: CodeRecord) -> str:
        by_id = {c.id: c for c in self.tree.codes()}
        names = [code.name]
        parent = code.parent_id
        while parent is not None and parent in by_id:
            names.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        return " › ".join(reversed(names))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
