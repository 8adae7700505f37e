"""The codebook tree on its own: the three-level tree from RESEARCH.md with counts, the filter,
state kept across refreshes, and what drags, drops, edits and the context menu ask for."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt
from PySide6.QtGui import QDrag, QDropEvent, QIcon
from PySide6.QtWidgets import QTreeView

from storage.analysis_records import CodeRecord
from tests.helpers import RESEARCH_TREE as TREE
from widgets.codebook_tree import CODE_ID_ROLE, MIME_TYPE, CodebookTree, code_id_from_mime, code_mime


def records(tree: dict = TREE, counts: dict[str, int] | None = None) -> list[CodeRecord]:
    """CodeRecords as storage.codebook.codes_tree gives them: parents first, totals summed.
    Every leaf has two passages unless `counts` says otherwise."""
    counts = counts or {}
    out: list[CodeRecord] = []

    def walk(branch: dict, parent: int | None, depth: int) -> int:
        total_here = 0
        for position, (name, below) in enumerate(branch.items()):
            index = len(out)
            out.append(CodeRecord(len(out) + 1, f"g{len(out)}", parent, position, name, "#64b5f6",
                                  f"About {name.lower()}", depth, 0, 0))
            own = counts.get(name, 0 if below else 2)
            total = own + walk(below, out[index].id, depth + 1)
            record = out[index]
            out[index] = CodeRecord(record.id, record.guid, parent, position, name, record.color, record.description,
                                    depth, own, total)
            total_here += total
        return total_here

    walk(tree, None, 0)
    return out


def ids(codes: list[CodeRecord]) -> dict[str, int]:
    return {code.name: code.id for code in codes}


def shown(tree: CodebookTree, parent: QModelIndex = QModelIndex()) -> list:  # noqa: B008
    """The visible rows as (name, count text, children) nested lists."""
    model, rows = tree.model, []
    for row in range(model.rowCount(parent)):
        if tree.view.isRowHidden(row, parent):
            continue
        index = model.index(row, 0, parent)
        rows.append((index.data(), model.index(row, 1, parent).data(), shown(tree, index)))
    return rows


def requests(tree: CodebookTree) -> tuple[list[tuple], list[tuple]]:
    """The moves and the merges the tree asks for, as they are asked."""
    moves: list[tuple] = []
    merges: list[tuple] = []
    tree.move_requested.connect(lambda *args: moves.append(args))
    tree.merge_requested.connect(lambda *args: merges.append(args))
    return moves, merges


def index_of(tree: CodebookTree, code_id: int, column: int = 0) -> QModelIndex:
    return tree._items[code_id].index().siblingAtColumn(column)


def make_tree(qtbot, codes: list[CodeRecord] | None = None) -> CodebookTree:  # noqa: ANN001
    tree = CodebookTree()
    qtbot.addWidget(tree)
    tree.resize(420, 520)
    tree.show_codes(codes if codes is not None else records())
    tree.show()
    qtbot.waitExposed(tree)
    return tree


def test_shows_the_three_level_tree_with_counts_swatches_and_descriptions(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    top = shown(tree)
    assert [name for name, _, _ in top] == list(TREE)
    creating = top[1]
    assert creating[1] == "0 (6)", "a finding has no passages of its own, six with its sub-codes"
    frameworks = creating[2][0]
    assert frameworks[0] == "Shared conceptual frameworks" and frameworks[1] == "0 (6)"
    assert frameworks[2] == [("Managing conflict", "2", []), ("Understanding different cultures", "2", []),
                             ("Developing clinical pathways", "2", [])]
    conflict = index_of(tree, ids(tree.codes())["Managing conflict"])
    assert conflict.data(Qt.ItemDataRole.ToolTipRole) == "Managing conflict\nAbout managing conflict"
    assert isinstance(conflict.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert tree.view.isExpanded(index_of(tree, ids(tree.codes())["Shared conceptual frameworks"]))
    assert not tree.empty_label.isVisibleTo(tree)


def test_filter_keeps_ancestors_and_clearing_restores_the_whole_tree(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    tree.filter_edit.setText("CONFLICT")
    assert shown(tree) == [("Creating an entrepreneurial identity through new knowledge and skills", "0 (6)",
                            [("Shared conceptual frameworks", "0 (6)", [("Managing conflict", "2", [])])])]
    tree.filter_edit.setText("safe")  # a finding and a leaf of another branch
    names = [name for name, _, _ in shown(tree)]
    assert names == [list(TREE)[0], list(TREE)[2]]
    tree.filter_edit.setText("no such code")
    assert shown(tree) == [] and tree.empty_label.isVisibleTo(tree)
    assert "no such code" in tree.empty_label.text()
    tree.filter_edit.clear()
    assert len(shown(tree)) == 3 and sum(1 for _ in tree.codes()) == 13
    assert not tree.empty_label.isVisibleTo(tree)


def test_refresh_keeps_collapsed_codes_selection_and_expands_new_ones(qtbot) -> None:  # noqa: ANN001
    codes = records()
    tree = make_tree(qtbot, codes)
    by_name = ids(codes)
    tree.view.collapse(index_of(tree, by_name["Shared conceptual frameworks"]))
    tree.select_code(by_name["Safeguarding vulnerable adults"])
    more = records(counts={"Safeguarding vulnerable adults": 9})
    tree.show_codes(more)
    assert tree.selected_code_id() == by_name["Safeguarding vulnerable adults"]
    assert index_of(tree, by_name["Safeguarding vulnerable adults"], 1).data() == "9"
    assert not tree.view.isExpanded(index_of(tree, by_name["Shared conceptual frameworks"]))
    assert tree.view.isExpanded(index_of(tree, by_name["Cross-organisational learning to improve safety and quality"]))
    grown = records({**TREE, "Early codes": {"learning": {}}})
    tree.show_codes(grown)
    assert tree.view.isExpanded(index_of(tree, ids(grown)["Early codes"])), "a new code with sub-codes shows them"
    assert not tree.view.isExpanded(index_of(tree, by_name["Shared conceptual frameworks"]))
    tree.show_codes([])
    assert tree.selected_code_id() is None and tree.empty_label.isVisibleTo(tree)


def test_drags_carry_the_code_id_as_ascii(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    code_id = ids(tree.codes())["Managing conflict"]
    data = tree.model.mimeData([index_of(tree, code_id)])
    assert data.formats() == [MIME_TYPE]
    assert bytes(data.data(MIME_TYPE).data()) == str(code_id).encode("ascii")
    assert code_id_from_mime(data) == code_id
    garbage = QMimeData()
    garbage.setData(MIME_TYPE, b"drop table")
    assert code_id_from_mime(garbage) is None and code_id_from_mime(QMimeData()) is None


def test_drops_ask_for_the_right_parent_and_position(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    by_name = ids(tree.codes())
    moves, merges = requests(tree)
    model, conflict = tree.model, by_name["Managing conflict"]
    frameworks, coaching = by_name["Shared conceptual frameworks"], by_name["Coaching, shadowing and mentoring"]
    move = Qt.DropAction.MoveAction

    assert model.dropMimeData(code_mime(conflict), move, -1, -1, index_of(tree, coaching))  # ON a code
    assert moves[-1] == (conflict, coaching, 0)
    assert model.dropMimeData(code_mime(conflict), move, 3, 0, index_of(tree, frameworks))  # below the last sibling
    assert moves[-1] == (conflict, frameworks, 2), "the gap is counted without the code itself"
    assert model.dropMimeData(code_mime(by_name["Developing clinical pathways"]), move, 0, 0, index_of(tree, frameworks))
    assert moves[-1] == (by_name["Developing clinical pathways"], frameworks, 0)
    assert model.dropMimeData(code_mime(conflict), move, -1, -1, QModelIndex())  # empty space
    assert moves[-1] == (conflict, None, 3)
    assert model.dropMimeData(code_mime(conflict), move, 1, 0, QModelIndex())  # between two findings
    assert moves[-1] == (conflict, None, 1)
    assert model.dropMimeData(code_mime(conflict), move, -1, -1, index_of(tree, coaching, column=1))
    assert moves[-1] == (conflict, coaching, 0), "a drop on the count column means the code of that row"

    count = len(moves)
    creating = by_name["Creating an entrepreneurial identity through new knowledge and skills"]
    assert not model.dropMimeData(code_mime(creating), move, -1, -1, index_of(tree, conflict)), "not under itself"
    assert not model.dropMimeData(code_mime(conflict), move, 0, 0, index_of(tree, frameworks)), "where it already is"
    assert not model.dropMimeData(code_mime(conflict), move, 1, 0, index_of(tree, frameworks)), "where it already is"
    assert len(moves) == count and merges == []

    assert tree.drop_code(conflict, coaching, -1, merge=True)
    assert merges == [(conflict, coaching)]
    assert not tree.drop_code(creating, frameworks, -1, merge=True), "not into its own sub-code"
    assert not tree.drop_code(conflict, frameworks, 1, merge=True), "a merge needs a code, not a gap"
    assert len(merges) == 1 and len(moves) == count


def _drop(view: QTreeView, data: QMimeData, point: QPoint, modifiers: Qt.KeyboardModifier) -> None:
    event = QDropEvent(point, Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, data,
                       Qt.MouseButton.LeftButton, modifiers)
    view.dropEvent(event)


def test_a_real_drop_event_moves_and_with_shift_merges(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    by_name = ids(tree.codes())
    moves, merges = requests(tree)
    learning = by_name["Partnership working and professional networks"]
    target = by_name["Finding a voice for professional leaders"]
    centre = tree.view.visualRect(index_of(tree, target)).center()
    _drop(tree.view, code_mime(learning), centre, Qt.KeyboardModifier.NoModifier)
    assert moves == [(learning, target, 0)] and merges == []
    _drop(tree.view, code_mime(learning), centre, Qt.KeyboardModifier.ShiftModifier)
    assert merges == [(learning, target)] and len(moves) == 1
    assert not tree.view.shift_drop, "Shift counts for one drop only"


def test_in_place_rename_asks_and_leaves_the_name_to_the_refresh(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    code_id = ids(tree.codes())["Managing conflict"]
    asked = []
    tree.rename_requested.connect(lambda *args: asked.append(args))
    index = index_of(tree, code_id)
    assert not tree.model.setData(index, "  Managing   conflict well ")
    assert asked == [(code_id, "Managing conflict well")]
    assert index.data() == "Managing conflict", "the name changes when the project says so"
    tree.model.setData(index, "Managing conflict")
    tree.model.setData(index, "   ")
    assert len(asked) == 1, "no request for the same name or no name"
    assert index.flags() & Qt.ItemFlag.ItemIsEditable and not index_of(tree, code_id, 1).flags() & Qt.ItemFlag.ItemIsEditable
    tree.set_read_only(True)
    tree.start_rename(code_id)
    assert tree.view.state() != QTreeView.State.EditingState


def test_refresh_waits_while_a_name_is_being_typed(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    code_id = ids(tree.codes())["Managing conflict"]
    tree.start_rename(code_id)
    assert tree.view.state() == QTreeView.State.EditingState
    tree.show_codes(records(counts={"Managing conflict": 5}))
    assert index_of(tree, code_id, 1).data() == "2", "no rebuild under the open editor"
    qtbot.keyClick(tree.view.focusWidget(), Qt.Key.Key_Escape)
    assert tree.view.state() != QTreeView.State.EditingState
    assert index_of(tree, code_id, 1).data() == "5", "the refresh that waited is shown"


def test_double_click_enter_and_delete_key_ask_for_their_actions(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    code_id = ids(tree.codes())["Reviewing discharge procedures"]
    applied, deleted = [], []
    tree.apply_requested.connect(applied.append)
    tree.delete_requested.connect(deleted.append)
    rect = tree.view.visualRect(index_of(tree, code_id))
    qtbot.mouseClick(tree.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # QTest's double
    qtbot.mouseDClick(tree.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # click lacks the press
    assert applied == [code_id]
    assert tree.view.state() != QTreeView.State.EditingState, "double-click applies, it does not rename"
    tree.select_code(code_id)
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Return)
    qtbot.keyClick(tree.view, Qt.Key.Key_Delete)
    assert applied == [code_id, code_id] and deleted == [code_id]


def test_context_menu_entries_and_merge_targets(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    by_name = ids(tree.codes())
    creating = by_name["Creating an entrepreneurial identity through new knowledge and skills"]
    menu = tree.context_menu(creating)
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == ["New Code…", "New Sub-code…", "Rename", "Colour…", "Description…", "Merge Into", "Delete…",
                     "Apply to Selection", "Coded Passages", "Memo"]
    merge_menu = next(a for a in menu.actions() if a.text() == "Merge Into").menu()
    targets = [action.text().strip() for action in merge_menu.actions()]
    assert "Managing conflict" not in targets and "Shared conceptual frameworks" not in targets, "not its own sub-codes"
    assert len(targets) == 13 - 5

    asked: list[tuple] = []
    for name in ("create_requested", "recolour_requested", "describe_requested", "merge_requested", "delete_requested",
                 "apply_requested", "retrieve_requested", "memo_requested"):
        getattr(tree, name).connect(lambda *args, n=name: asked.append((n, *args)))
    for action in menu.actions():
        if action.text() not in ("Rename", "Merge Into") and not action.isSeparator():
            action.trigger()
    next(a for a in merge_menu.actions() if a.text().strip() == "Coaching, shadowing and mentoring").trigger()
    assert asked == [("create_requested", None), ("create_requested", creating), ("recolour_requested", creating),
                     ("describe_requested", creating), ("delete_requested", creating), ("apply_requested", creating),
                     ("retrieve_requested", creating), ("memo_requested", creating),
                     ("merge_requested", creating, by_name["Coaching, shadowing and mentoring"])]

    empty = [a.text() for a in tree.context_menu(None).actions()]
    assert empty == ["New Code…"]
    tree.set_read_only(True)
    enabled = {a.text(): a.isEnabled() for a in tree.context_menu(creating).actions() if not a.isSeparator()}
    assert not enabled["Delete…"] and not enabled["Rename"] and enabled["Coded Passages"] and enabled["Memo"]
    assert not tree.model.canDropMimeData(code_mime(creating), Qt.DropAction.MoveAction, -1, -1, QModelIndex())


def test_selected_code_id_follows_the_selection(qtbot) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    assert tree.selected_code_id() is None
    seen = []
    tree.selection_changed.connect(seen.append)
    code_id = ids(tree.codes())["Managing conflict"]
    rect = tree.view.visualRect(index_of(tree, code_id))
    qtbot.mouseClick(tree.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tree.selected_code_id() == code_id and seen[-1] == code_id
    assert index_of(tree, code_id).data(CODE_ID_ROLE) == code_id


def test_a_drag_out_carries_the_code_and_a_move_elsewhere_removes_nothing(qtbot, monkeypatch) -> None:  # noqa: ANN001
    tree = make_tree(qtbot)
    code_id = ids(tree.codes())["Managing conflict"]
    tree.select_code(code_id)
    dragged = []

    def accepted_as_move(drag, *args):  # noqa: ANN001, ANN002, ANN202 (the editor took the drop)
        dragged.append((code_id_from_mime(drag.mimeData()), drag.pixmap().isNull()))
        return Qt.DropAction.MoveAction

    monkeypatch.setattr(QDrag, "exec", accepted_as_move)
    tree.view.startDrag(Qt.DropAction.MoveAction)
    assert dragged == [(code_id, False)]
    assert index_of(tree, code_id).data() == "Managing conflict" and len(shown(tree)) == 3
