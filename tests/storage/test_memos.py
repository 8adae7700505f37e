"""Memos and the research diary on a real project file: authors, timestamps, undo, links."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import pytest

from sqlalchemy import delete

from storage import memos, transcripts
from storage.models import Code, Coding
from storage.project import Project, create_project
from storage.records import NewSegment


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def two_codings(project: Project) -> tuple[int, int]:
    """Two codings written as rows: these tests are about memos, not about the coding service."""
    transcript = transcripts.create_transcript(project, "M01", None)
    [turn] = transcripts.append_segments(project, transcript.id, [NewSegment(0, 5, "The discharge went wrong today.")], 5)
    with project.write() as session:
        code = Code(name="Discharge")
        session.add(code)
        session.flush()
        rows = [Coding(code_id=code.id, transcript_id=transcript.id, start_segment_id=turn.id, start_offset=start,
                       end_segment_id=turn.id, end_offset=end) for start, end in ((0, 13), (14, 24))]
        session.add_all(rows)
        session.flush()
        return rows[0].id, rows[1].id


def remove_coding(project: Project, coding_id: int) -> dict[str, object]:
    with project.write() as session:
        row = session.get(Coding, coding_id)
        assert row is not None
        kept = {column.name: getattr(row, column.name) for column in Coding.__table__.columns}
        session.execute(delete(Coding).where(Coding.id == coding_id))
        return kept


def restore_coding(project: Project, kept: dict[str, object]) -> None:
    with project.write() as session:
        session.add(Coding(**kept))


def test_add_read_update_delete_with_author_and_timestamps(project: Project) -> None:
    memo = memos.add_memo(project, "transcript", 7, title="First look", body="Tense meeting.", author="rk")
    assert (memo.target_kind, memo.target_id, memo.title, memo.body, memo.author) == \
        ("transcript", 7, "First look", "Tense meeting.", "rk")
    assert memo.created_at == memo.updated_at and memo.entry_type is None and memo.links == ()
    assert memos.memos_for(project, "transcript", 7) == [memo]

    before, after = memos.update_memo(project, memo.id, body="Tense meeting; the chair left early.")
    assert before == memo
    assert after.body == "Tense meeting; the chair left early." and after.title == "First look"
    assert after.updated_at > before.updated_at and after.created_at == before.created_at
    unchanged_before, unchanged = memos.update_memo(project, memo.id, body=after.body)
    assert unchanged == unchanged_before == after, "saving the same text is not an edit"

    removed = memos.delete_memo(project, memo.id)
    assert removed == after and memos.memos_for(project, "transcript", 7) == []
    with pytest.raises(KeyError):
        memos.get_memo(project, memo.id)


def test_restore_after_delete_keeps_id_guid_and_times(project: Project) -> None:
    memo = memos.add_memo(project, "code", 3, body="Means any move between units.", author="rk")
    memos.add_memo(project, "code", 3, body="A later thought.", author="rk")
    removed = memos.delete_memo(project, memo.id)
    restored = memos.restore_memo(project, removed)
    assert restored == memo
    assert memos.get_memo(project, memo.id).guid == memo.guid
    assert [m.body for m in memos.memos_for(project, "code", 3)] == ["A later thought.", "Means any move between units."]


def test_newest_first_and_targets_with_memos(project: Project) -> None:
    for body in ("one", "two", "three"):
        memos.add_memo(project, "speaker", 1, body=body, author="rk")
    memos.add_memo(project, "speaker", 4, body="other", author="rk")
    memos.add_memo(project, "project", None, body="About the study", author="rk")
    assert [m.body for m in memos.memos_for(project, "speaker", 1)] == ["three", "two", "one"]
    assert [m.body for m in memos.memos_for(project, "project", None)] == ["About the study"]
    assert memos.targets_with_memos(project, "speaker") == {1, 4}
    assert memos.targets_with_memos(project, "coding") == set()


def test_author_comes_from_the_project_setting_else_the_login(project: Project) -> None:
    assert memos.default_author(project) == getpass.getuser()
    assert memos.add_memo(project, "project", None, body="x").author == getpass.getuser()
    memos.set_default_author(project, "  R. Kaur ")
    assert memos.default_author(project) == "R. Kaur"
    assert memos.add_memo(project, "project", None, body="y").author == "R. Kaur"
    assert memos.add_memo(project, "project", None, body="z", author="JM").author == "JM"


def test_diary_entries_are_dated_typed_and_ordered_by_day(project: Project) -> None:
    late = memos.add_memo(project, "diary", None, body="Decided to merge codes.", entry_type="decision",
                          entry_date="2026-03-02", author="rk")
    early = memos.add_memo(project, "diary", None, body="Observed handover.", entry_type="descriptive",
                           entry_date=date(2026, 3, 1), author="rk")
    same_day = memos.add_memo(project, "diary", None, body="Why the ward resists.", entry_type="interpretive",
                              entry_date="2026-03-01", author="rk")
    today = memos.add_memo(project, "diary", None, body="Untyped, undated.", author="rk")
    assert (today.entry_type, today.entry_date) == ("descriptive", date.today().isoformat())
    assert early.entry_date == "2026-03-01"
    assert [m.id for m in memos.diary_entries(project)] == [early.id, same_day.id, late.id, today.id]
    assert [m.id for m in memos.diary_entries(project, entry_type="decision")] == [late.id]

    _, moved = memos.update_memo(project, late.id, entry_date="2026-02-28", entry_type="interpretive")
    assert (moved.entry_date, moved.entry_type) == ("2026-02-28", "interpretive")
    assert memos.diary_entries(project)[0].id == late.id


@pytest.mark.parametrize(
    ("kind", "options"),
    [("nonsense", {}), ("diary", {"entry_type": "musing"}), ("diary", {"entry_date": "1 March"}),
     ("transcript", {"entry_type": "decision"}), ("code", {"entry_date": "2026-03-01"})],
)
def test_invalid_memos_are_refused(project: Project, kind: str, options: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        memos.add_memo(project, kind, 1, body="x", author="rk", **options)
    assert memos.targets_with_memos(project, kind) == set()


def test_update_refuses_diary_fields_on_other_memos(project: Project) -> None:
    memo = memos.add_memo(project, "transcript", 1, body="x", author="rk")
    with pytest.raises(ValueError):
        memos.update_memo(project, memo.id, entry_type="decision")
    entry = memos.add_memo(project, "diary", None, body="x", author="rk")
    with pytest.raises(ValueError):
        memos.update_memo(project, entry.id, entry_type="musing")
    assert memos.get_memo(project, entry.id) == entry


def test_links_leave_out_removed_codings_and_come_back_on_undo(project: Project) -> None:
    first, second = two_codings(project)
    entry = memos.add_memo(project, "diary", None, body="These two passages disagree.", author="rk",
                           links=[first, second, first])
    assert entry.links == (first, second)

    removed = remove_coding(project, first)
    assert memos.get_memo(project, entry.id).links == (second,)
    assert memos.diary_entries(project)[0].links == (second,)
    restore_coding(project, removed)
    assert memos.get_memo(project, entry.id).links == (first, second)

    _, relinked = memos.update_memo(project, entry.id, links=[second])
    assert relinked.links == (second,)
    gone = memos.delete_memo(project, entry.id)
    assert memos.restore_memo(project, gone).links == (second,)
