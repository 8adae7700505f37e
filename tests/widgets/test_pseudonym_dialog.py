"""The Pseudonyms dialog on its own: it shows data and asks (signals); Return in a field adds or
saves and never presses Replace; the preview groups matches by name with tick boxes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage.pseudonym_records import PseudonymMatch, PseudonymRecord
from tests.helpers import show_sized
from widgets.pseudonym_dialog import PseudonymDialog, split_variants


def match(pseudonym_id: int, real: str, replacement: str, text: str, source_id: int, kind: str = "turn") -> PseudonymMatch:
    return PseudonymMatch(pseudonym_id, real, replacement, kind, 1 if kind == "turn" else None, source_id,
                          "M01 Starting up" if kind == "turn" else "memo “Notes”", "SN1", 12.0, 0, len(text), text,
                          "", " said so.")


MATCHES = [match(1, "Sarah Jones", "SN1", "Sarah Jones", 10), match(1, "Sarah Jones", "SN1", "S.J.", 11),
           match(2, "Tom Price", "T (social worker)", "Tom", 12), match(1, "Sarah Jones", "SN1", "Sarah", 3, "memo_body")]


def test_variants_are_typed_with_commas() -> None:
    assert split_variants(" Sarah, S.J.,, SJ ") == ["Sarah", "S.J.", "SJ"]


def test_return_adds_and_never_replaces(qtbot) -> None:  # noqa: ANN001
    dialog = show_sized(qtbot, PseudonymDialog(transcript_name="M01"), 900, 600)
    dialog.show_matches(MATCHES)
    added, applied = [], []
    dialog.add_requested.connect(lambda *args: added.append(args))
    dialog.apply_requested.connect(applied.append)
    dialog.real_field.setText("Zoë Brennan")  # QTest types ASCII only
    qtbot.keyClicks(dialog.replacement_field, "Z (chair)")
    dialog.variants_field.setText("Zoë")
    qtbot.keyClick(dialog.variants_field, Qt.Key.Key_Return)
    assert added == [("Zoë Brennan", "Z (chair)", ["Zoë"])] and applied == []


def test_selecting_an_entry_edits_it(qtbot) -> None:  # noqa: ANN001
    dialog = show_sized(qtbot, PseudonymDialog(), 900, 600)
    dialog.show_entries([PseudonymRecord(7, "Sarah Jones", "SN1", ("Sarah",))])
    edits, removals = [], []
    dialog.edit_requested.connect(lambda *args: edits.append(args))
    dialog.remove_requested.connect(removals.append)
    assert not dialog.save_button.isEnabled() and not dialog.remove_button.isEnabled()
    dialog.table.selectRow(0)
    assert (dialog.real_field.text(), dialog.variants_field.text()) == ("Sarah Jones", "Sarah")
    dialog.variants_field.setText("Sarah, S.J.")
    dialog.save_button.click()
    dialog.remove_button.click()
    assert edits == [(7, "Sarah Jones", "SN1", ["Sarah", "S.J."])] and removals == [7]
    dialog.new_button.click()
    assert dialog.real_field.text() == "" and dialog.selected_entry() is None


def test_preview_groups_by_name_and_ticks(qtbot) -> None:  # noqa: ANN001
    dialog = show_sized(qtbot, PseudonymDialog(), 900, 600)
    dialog.show_matches(MATCHES)
    headings = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert headings == ["Sarah Jones → SN1   (2 matches)", "Tom Price → T (social worker)   (1 match)",
                        "In memos (1 match): not changed here; double-click one to edit it in the memo panel"]
    assert dialog.summary.text() == "3 matches of 2 names; 3 ticked; 1 in memos"
    sarah = dialog.tree.topLevelItem(0)
    sarah.setCheckState(0, Qt.CheckState.Unchecked)  # a name's box ticks or unticks all its matches
    assert [m.text for m in dialog.ticked_matches()] == ["Tom"]
    sarah.child(1).setCheckState(0, Qt.CheckState.Checked)
    assert sarah.checkState(0) == Qt.CheckState.PartiallyChecked
    applied = []
    dialog.apply_requested.connect(applied.append)
    assert dialog.apply_button.text() == "Replace 2 Matches"
    dialog.apply_button.click()
    assert [[m.text for m in chosen] for chosen in applied] == [["S.J.", "Tom"]]


def test_read_only_shows_why_and_changes_nothing(qtbot) -> None:  # noqa: ANN001
    dialog = show_sized(qtbot, PseudonymDialog(), 900, 600)
    dialog.show_matches(MATCHES)
    dialog.set_read_only("study.earmark is read-only")
    dialog.real_field.setText("Zoë")
    dialog.replacement_field.setText("CS")
    assert not dialog.add_button.isEnabled() and not dialog.apply_button.isEnabled()
    assert dialog.message.text() == "study.earmark is read-only"
