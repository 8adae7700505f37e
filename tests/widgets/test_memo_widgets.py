"""The memo panel and the research diary on their own, with memo records as the app gives them."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QDate, Qt

from storage.analysis_records import MemoRecord
from tests.helpers import show_sized
from widgets.diary_view import DiaryView, entry_day
from widgets.memo_panel import SAVE_SETTLE_MS, MemoPanel, memo_byline


def utc(local: datetime) -> datetime:
    """A local wall-clock time as storage keeps it (naive UTC)."""
    return local.astimezone().astimezone(timezone.utc).replace(tzinfo=None)


def memo(memo_id: int, title: str, body: str = "", *, created: datetime = datetime(2026, 11, 26, 9, 14),
         updated: datetime | None = None, author: str = "CS", kind: str = "code", entry_type: str | None = None,
         entry_date: str | None = None, links: tuple[int, ...] = ()) -> MemoRecord:
    return MemoRecord(id=memo_id, guid=f"g{memo_id}", target_kind=kind, target_id=None if kind == "diary" else 3,
                      title=title, body=body, author=author, created_at=utc(created), updated_at=utc(updated or created),
                      entry_type=entry_type, entry_date=entry_date, links=links)


def test_byline_has_author_and_local_times() -> None:
    created = datetime(2026, 11, 26, 9, 14)
    month = f"{created:%b}"  # the locale's month name
    assert memo_byline(memo(1, "x")) == f"CS · created 26 {month} 2026 09:14"
    assert memo_byline(memo(1, "x", updated=datetime(2026, 11, 26, 10, 2))) == \
        f"CS · created 26 {month} 2026 09:14 · edited 10:02"
    assert memo_byline(memo(1, "x", updated=datetime(2026, 11, 27, 8, 0))).endswith(f"edited 27 {month} 2026 08:00")


def panel_with_memos(qtbot) -> MemoPanel:  # noqa: ANN001
    panel = show_sized(qtbot, MemoPanel(), 360, 500)
    memos = [memo(2, "Conflict is named, not avoided", "SW and SN1 disagree openly.", created=datetime(2026, 11, 27, 9, 0)),
             memo(1, "", "First thoughts on the code.\nMore below.")]
    panel.show_target("code", 3, "code “Managing conflict”", memos)
    return panel


def test_panel_shows_the_target_and_its_memos_newest_first(qtbot) -> None:  # noqa: ANN001
    panel = panel_with_memos(qtbot)
    assert panel.heading.text() == "Memo on: code “Managing conflict”"
    assert [panel.list.item(row).text() for row in range(panel.list.count())] == \
        ["Conflict is named, not avoided", "First thoughts on the code."]  # an untitled memo by its first line
    assert panel.current_memo() == 2
    assert panel.title.text() == "Conflict is named, not avoided"
    assert panel.body.toPlainText() == "SW and SN1 disagree openly."
    assert panel.byline.text().startswith("CS · created 27 ")
    panel.select_memo(1)
    assert panel.body.toPlainText() == "First thoughts on the code.\nMore below."
    assert panel.delete_button.isEnabled() and panel.new_button.isEnabled()


def test_typing_saves_after_a_pause_and_a_refresh_keeps_the_typed_text(qtbot) -> None:  # noqa: ANN001
    panel = panel_with_memos(qtbot)
    panel.body.setFocus()
    panel.body.moveCursor(panel.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.body, " Both stay.")
    # A refresh arriving while typing (another view saved something) leaves the editor alone.
    panel.set_memos([memo(2, "Conflict is named, not avoided", "SW and SN1 disagree openly."), memo(1, "")])
    assert panel.body.toPlainText() == "SW and SN1 disagree openly. Both stay."
    with qtbot.waitSignal(panel.memo_edited, timeout=SAVE_SETTLE_MS + 1000) as saved:
        pass
    assert saved.args == [2, "Conflict is named, not avoided", "SW and SN1 disagree openly. Both stay."]


def test_switching_memos_saves_what_was_typed_at_once(qtbot) -> None:  # noqa: ANN001
    panel = panel_with_memos(qtbot)
    edits = []
    panel.memo_edited.connect(lambda *args: edits.append(args))
    qtbot.keyClicks(panel.title, "!")
    panel.select_memo(1)
    assert edits == [(2, "Conflict is named, not avoided!", "SW and SN1 disagree openly.")]
    assert panel.title.text() == ""


def test_buttons_ask_for_new_and_delete_and_an_empty_target_says_what_to_do(qtbot) -> None:  # noqa: ANN001
    panel = panel_with_memos(qtbot)
    with qtbot.waitSignal(panel.delete_requested) as deleted:
        panel.delete_button.click()
    assert deleted.args == [2]
    with qtbot.waitSignal(panel.new_memo_requested):
        panel.new_button.click()
    panel.show_target("transcript", 1, "transcript M04", [])
    assert panel.heading.text() == "Memo on: transcript M04"
    assert panel.list.count() == 0 and not panel.body.isEnabled() and not panel.delete_button.isEnabled()
    assert "New Memo" in panel.body.placeholderText()
    panel.set_read_only(True)
    assert not panel.new_button.isEnabled()


def diary_entries() -> list[MemoRecord]:
    return [
        memo(11, "M01: starting up, all six present", "Agreed the standing agenda.", kind="diary",
             entry_type="descriptive", entry_date="2009-11-12"),
        memo(12, "Hunch: stories carry the learning", "They remember the story, not the policy.", kind="diary",
             entry_type="interpretive", entry_date="2010-03-09", links=(5,)),
        memo(13, "Code stories spanning several turns as one passage", "", kind="diary", entry_type="decision",
             entry_date="2010-03-10"),
    ]


def diary_view(qtbot) -> DiaryView:  # noqa: ANN001
    view = show_sized(qtbot, DiaryView(), 480, 640)
    view.show_entries(diary_entries())
    return view


def test_diary_lists_dated_entries_filters_by_type_and_fills_the_form(qtbot) -> None:  # noqa: ANN001
    view = diary_view(qtbot)
    assert view.list.count() == 3
    assert view.current_entry() == 13  # the latest day
    assert entry_day(diary_entries()[1]).endswith("9 Mar 2010".replace("Mar", f"{datetime(2010, 3, 9):%b}"))
    view.filter.setCurrentIndex(view.filter.findData("interpretive"))
    assert [e.id for e in view.visible_entries()] == [12] and view.list.count() == 1
    assert view.current_entry() == 12
    assert view.title.text() == "Hunch: stories carry the learning"
    assert view.kind.currentData() == "interpretive"
    assert view.date.date() == QDate(2010, 3, 9)
    view.filter.setCurrentIndex(0)
    assert view.list.count() == 3 and view.current_entry() == 12
    view.grab()  # the delegate paints dates and coloured tags without error


def test_diary_form_changes_become_requests(qtbot) -> None:  # noqa: ANN001
    view = diary_view(qtbot)
    view.select_entry(12)
    with qtbot.waitSignal(view.entry_fields_changed) as changed:
        view.kind.setCurrentIndex(view.kind.findData("decision"))
    assert changed.args == [12, "decision", "2010-03-09"]
    view.body.moveCursor(view.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(view.body, " Even months later.")
    with qtbot.waitSignal(view.entry_edited, timeout=SAVE_SETTLE_MS + 1000) as edited:
        pass
    assert edited.args == [12, "Hunch: stories carry the learning", "They remember the story, not the policy. Even months later."]
    with qtbot.waitSignal(view.new_entry_requested) as new:
        view.new_button.click()
    assert new.args == ["descriptive"]
    with qtbot.waitSignal(view.link_requested) as link:
        view.link_button.click()
    assert link.args == [12]


def test_linked_passages_open_and_unlink(qtbot) -> None:  # noqa: ANN001
    view = diary_view(qtbot)
    with qtbot.waitSignal(view.entry_selected) as selected:
        view.select_entry(12)
    assert selected.args == [12]
    view.show_links(12, [(5, "SN1, M04 00:12:31: ‘We had an unexpected death during transfer.’")])
    assert view.links.count() == 1
    assert not view.unlink_button.isEnabled()  # nothing chosen yet
    item = view.links.item(0)
    view.links.setCurrentItem(item)
    with qtbot.waitSignal(view.open_passage_requested) as opened:
        view.links.itemActivated.emit(item)
    assert opened.args == [5]
    with qtbot.waitSignal(view.unlink_requested) as unlinked:
        view.unlink_button.click()
    assert unlinked.args == [12, 5]
    view.show_links(11, [(9, "ignored: not the entry shown")])
    assert view.links.count() == 1


def test_double_click_on_a_link_opens_it(qtbot) -> None:  # noqa: ANN001
    view = diary_view(qtbot)
    view.select_entry(12)
    view.show_links(12, [(5, "SN1, M04 00:12:31: ‘We had an unexpected death during transfer.’")])
    rect = view.links.visualItemRect(view.links.item(0))
    qtbot.mouseClick(view.links.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click's first press
    with qtbot.waitSignal(view.open_passage_requested) as opened:
        qtbot.mouseDClick(view.links.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [5]
