"""The codebook on a real project: the three-level tree from RESEARCH.md, moves, merges and
deletions with their undo, and counts that stay right through all of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage import codebook
from storage.analysis_records import Anchor
from storage.coding import apply_code, codings_in_transcript
from storage.models import AuditEntry, Memo
from storage.project import create_project
from tests.helpers import RESEARCH_TREE as TREE, add_turns


def build(project, tree: dict, parent: int | None = None) -> None:  # noqa: ANN001
    for name, below in tree.items():
        code = codebook.create_code(project, name, parent)
        build(project, below, code.id)


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        texts = ["We reviewed the discharge after the death on transfer.", "Learning across the trust matters.",
                 "Partnership with the local authority helped."]
        opened.transcript_id, opened.turns = add_turns(opened, "M04", [("SN1", text) for text in texts], gap=5.0,
                                                       turn_length=4.0, spacing=0.4, word_length=0.3, probability=0.9)
        yield opened


def code_memos(project, code_id: int) -> list[str]:  # noqa: ANN001
    with project.session() as session:
        return [m.title + m.body for m in session.scalars(select(Memo).where(Memo.target_kind == "code", Memo.target_id == code_id))]


def code_all(project, code_id: int, spans) -> None:  # noqa: ANN001
    for turn, start, end in spans:
        segment = project.turns[turn]
        assert apply_code(project, code_id, project.transcript_id, Anchor(segment.id, start), Anchor(segment.id, end))


def test_the_research_tree_is_three_levels_deep(project) -> None:  # noqa: ANN001
    build(project, TREE)
    tree = codebook.codes_tree(project)
    assert len(tree) == 13 and max(code.depth for code in tree) == 2
    names = [code.name for code in tree]
    assert names.index("Reviewing discharge procedures") == names.index("Cross-organisational learning to improve safety and quality") + 1
    assert len({code.color for code in tree}) >= 13  # every code its own colour while the palette lasts


def test_move_rename_recolour_describe(project) -> None:  # noqa: ANN001
    build(project, TREE)
    by_name = {code.name: code for code in codebook.codes_tree(project)}
    conflict, identity = by_name["Managing conflict"], by_name["Creating an entrepreneurial identity through new knowledge and skills"]
    before = codebook.move_code(project, conflict.id, identity.id, 0)
    moved = codebook.get_code(project, conflict.id)
    assert moved.parent_id == identity.id and moved.position == 0 and moved.depth == 1
    with pytest.raises(ValueError):
        codebook.move_code(project, identity.id, conflict.id, 0)  # under its own sub-code
    codebook.move_code(project, conflict.id, before.parent_id, before.position)
    assert codebook.get_code(project, conflict.id).parent_id == before.parent_id
    assert [c.position for c in codebook.codes_tree(project) if c.parent_id == before.parent_id] == [0, 1, 2]
    codebook.rename_code(project, conflict.id, "Managing  conflict well ")
    codebook.set_code_color(project, conflict.id, "#123456")
    codebook.describe_code(project, conflict.id, "Disagreements handled openly")
    after = codebook.get_code(project, conflict.id)
    assert (after.name, after.color, after.description) == ("Managing conflict well", "#123456", "Disagreements handled openly")
    with pytest.raises(ValueError):
        codebook.rename_code(project, conflict.id, "  ")


def test_merge_moves_codings_records_it_and_undoes(project) -> None:  # noqa: ANN001
    learning = codebook.create_code(project, "learning")
    partnership = codebook.create_code(project, "partnership")
    child = codebook.create_code(project, "informal learning", learning.id)
    code_all(project, learning.id, [(0, 3, 12), (1, 0, 8)])
    code_all(project, partnership.id, [(1, 0, 8), (2, 0, 11)])  # (1, 0, 8) is coded by both
    code_all(project, child.id, [(2, 12, 16)])
    merge = codebook.merge_codes(project, learning.id, partnership.id, author="CS")
    counts = {c.name: (c.count, c.total) for c in codebook.codes_tree(project)}
    assert counts == {"partnership": (3, 4), "informal learning": (1, 1)}  # the duplicate is dropped, not doubled
    with project.session() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "code_merged")).one()
    assert audit.details["from"] == "learning" and audit.details["codings_moved"] == 1
    assert any("learning" in memo for memo in code_memos(project, partnership.id))
    assert codebook.get_code(project, partnership.id).merged_from == ("learning",)
    codebook.undo_merge(project, merge)
    counts = {c.name: (c.count, c.total) for c in codebook.codes_tree(project)}
    assert counts == {"learning": (2, 3), "informal learning": (1, 1), "partnership": (2, 2)}
    assert [c.name for c in codebook.codes_tree(project)] == ["learning", "informal learning", "partnership"]
    assert code_memos(project, partnership.id) == []


def test_delete_with_subcodes_and_undo(project) -> None:  # noqa: ANN001
    build(project, TREE)
    by_name = {code.name: code for code in codebook.codes_tree(project)}
    cross = by_name["Cross-organisational learning to improve safety and quality"]
    code_all(project, by_name["Reviewing discharge procedures"].id, [(0, 3, 25)])
    code_all(project, cross.id, [(1, 0, 8)])
    before = codebook.codes_tree(project)
    deleted = codebook.delete_code(project, cross.id)
    assert len(deleted.codes) == 3 and len(deleted.codings) == 2
    assert len(codebook.codes_tree(project)) == 10 and codings_in_transcript(project, project.transcript_id) == []
    codebook.restore_code(project, deleted)
    assert codebook.codes_tree(project) == before
    assert len(codings_in_transcript(project, project.transcript_id)) == 2


def test_apply_code_normalises_and_refuses_duplicates(project) -> None:  # noqa: ANN001
    code = codebook.create_code(project, "accountability")
    first, second = project.turns[0], project.turns[1]
    record = apply_code(project, code.id, project.transcript_id, Anchor(first.id, len(first.text)), Anchor(second.id, 8))
    assert record is not None and record.start == Anchor(second.id, 0)  # the start left the empty end of turn 1
    assert apply_code(project, code.id, project.transcript_id, Anchor(second.id, 0), Anchor(second.id, 8)) is None
    assert apply_code(project, code.id, project.transcript_id, Anchor(first.id, 4), Anchor(first.id, 4)) is None
    spanning = apply_code(project, code.id, project.transcript_id, Anchor(first.id, 3), Anchor(second.id, 0))
    assert spanning is not None and spanning.end == Anchor(first.id, len(first.text))
