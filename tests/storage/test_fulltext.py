"""Full-text search on a real project file: the triggers keep the index in step with every
write, user text never becomes FTS syntax, and an upgraded project has its old text indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import editing, memos, migrate, transcripts
from storage.fulltext import first_match_offset, match_expression, query_terms, search
from storage.project import Project, create_project, open_project
from storage.records import NewSegment
from tests.helpers import project_at_revision


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def add_turns(project: Project, name: str, texts: list[str]) -> list[int]:
    transcript = transcripts.create_transcript(project, name, None)
    turns = [NewSegment(float(i), float(i + 1), text) for i, text in enumerate(texts)]
    return [turn.id for turn in transcripts.append_segments(project, transcript.id, turns, float(len(texts)))]


def test_finds_a_turn_after_append_with_prefix_offset_and_snippet(project: Project) -> None:
    first, second = add_turns(project, "M01", ["Good morning everyone.", "Then the Discharge went wrong 🙁 again."])
    [hit] = search(project, "discharg")
    assert (hit.kind, hit.id, hit.title) == ("turn", second, "M01")
    assert hit.transcript_id == transcripts.list_transcripts(project)[0].id
    assert hit.offset == len("Then the ")
    assert "«Discharge»" in hit.snippet
    assert [h.id for h in search(project, "morning EVERY")] == [first]
    assert search(project, "morning discharge") == [], "terms are AND-ed"


def test_offsets_count_code_points_and_fold_diacritics(project: Project) -> None:
    [turn] = add_turns(project, "M02", ["🙂🙂 Le café était fermé, café noir."])
    [hit] = search(project, "cafe")
    assert hit.id == turn and hit.offset == len("🙂🙂 Le ") == 6  # code points, not UTF-16 units (8)
    assert [h.id for h in search(project, "FERME")] == [turn]
    assert first_match_offset("Le café, CAFÉ", "cafe") == 3


def test_edited_text_is_found_and_old_text_is_not(project: Project) -> None:
    [turn, other] = add_turns(project, "M01", ["The ward was quiet.", "Nobody came."])
    editing.edit_turn_text(project, turn, "The ward was chaotic after handover.")
    assert [h.id for h in search(project, "chaotic")] == [turn]
    assert search(project, "quiet") == []
    editing.delete_turn(project, other)
    assert search(project, "nobody") == []
    transcripts.delete_transcript(project, transcripts.list_transcripts(project)[0].id)
    assert search(project, "chaotic") == []


def test_finds_memos_by_title_and_body_and_forgets_deleted_ones(project: Project) -> None:
    [turn] = add_turns(project, "M01", ["A placement broke down."])
    transcript_id = transcripts.list_transcripts(project)[0].id
    memo = memos.add_memo(project, "transcript", transcript_id, title="Placement breakdown", body="Check the ward log.",
                          author="rk")
    entry = memos.add_memo(project, "diary", None, title="Day two", body="The placement question again.", author="rk")
    hits = search(project, "placement")
    assert {(h.kind, h.id) for h in hits} == {("turn", turn), ("memo", memo.id), ("memo", entry.id)}
    memo_hit = next(h for h in hits if h.id == memo.id and h.kind == "memo")
    assert (memo_hit.title, memo_hit.transcript_id, memo_hit.offset) == ("Placement breakdown", transcript_id, 0)
    assert [(h.kind, h.id) for h in search(project, "ward log")] == [("memo", memo.id)]

    memos.update_memo(project, entry.id, body="Nothing about it now.")
    assert ("memo", entry.id) not in {(h.kind, h.id) for h in search(project, "placement")}
    memos.delete_memo(project, memo.id)
    assert search(project, "ward log") == []


@pytest.mark.parametrize(
    "query",
    ['"', "AND OR NOT", "*", 'a"b(', "🙂", "🙂 ward", "NEAR(ward quiet)", "ward:", "^ward", "-ward", "''", "",
     "   ", "{ward}", "ward + quiet", "col:ward", "(((", "\\", "ward\x00quiet"],
)
def test_hostile_queries_never_raise(project: Project, query: str) -> None:
    add_turns(project, "M01", ["The ward was quiet and NOT busy, or so they said.", "a b c"])
    hits = search(project, query)
    assert all(hit.kind == "turn" for hit in hits)


def test_hostile_queries_search_their_words(project: Project) -> None:
    [quiet, letters] = add_turns(project, "M01", ["The ward was quiet and NOT busy, or so they said.", "a b c"])
    assert search(project, '"') == search(project, "*") == search(project, "🙂") == []
    assert [h.id for h in search(project, "AND OR NOT")] == [quiet]
    assert {h.id for h in search(project, 'a"b(')} == {letters, quiet}  # "a"* "b"*: and, busy
    assert [h.id for h in search(project, "🙂 ward")] == [quiet]
    assert match_expression(query_terms('say "hi" (now) OR*')) == '"say"* "hi"* "now"* "OR"*'


def test_limit_and_ranking(project: Project) -> None:
    ids = add_turns(project, "M01", [f"turn {i} mentions discharge" + " discharge" * (i % 3) for i in range(30)])
    hits = search(project, "discharge", limit=5)
    assert len(hits) == 5 and all(hit.id in ids for hit in hits)
    assert search(project, "discharge", limit=0) == []


def test_upgraded_project_has_its_old_text_indexed(project_path: Path) -> None:
    project_at_revision(
        project_path, "0002",
        "INSERT INTO transcripts (id, guid, name, kind, status, transcribed_until, created_at, updated_at) "
        "VALUES (1, 'g-1', 'M01', 'recording', 'done', 4.0, '2026-01-01', '2026-01-01')",
        "INSERT INTO segments (id, transcript_id, position, start, \"end\", text, words) "
        "VALUES (5, 1, 0, 0.0, 2.0, 'The discharge was delayed', '[]')",
        "INSERT INTO memos (id, guid, target_kind, target_id, title, body, author, created_at, updated_at) "
        "VALUES (2, 'm-1', 'transcript', 1, 'Delays', 'Ask about the delayed transport', 'rk', "
        "'2026-01-01', '2026-01-01')",
    )

    with open_project(project_path) as project:
        assert project.schema_revision() == migrate.head_revision()
        assert {(h.kind, h.id) for h in search(project, "delay")} == {("turn", 5), ("memo", 2)}
        assert memos.get_memo(project, 2).links == ()
        editing.edit_turn_text(project, 5, "The discharge went ahead")
        assert [h.id for h in search(project, "ahead")] == [5] and search(project, "delayed")[0].kind == "memo"
