"""The pseudonym list, its matching rules, the preview and applying it to the project (codings
follow their words, undo restores exactly, the audit holds counts and replacements, not names)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage import editing, memos, pseudonyms, transcripts
from storage.coding import coded_text, codings_in_transcript
from storage.models import AuditEntry
from storage.name_matching import NameMatcher
from storage.project import Project, create_project
from storage.pseudonym_records import PseudonymRecord
from tests.helpers import add_turns
from tests.storage.coding_data import add_code, add_coding

SARAH = PseudonymRecord(1, "Sarah Jones", "SN1", ("Sarah", "S.J."))
ZOE = PseudonymRecord(2, "Zoë Brennan", "CS", ("Zoë",))
DAN = PseudonymRecord(3, "Dan O'Neill", "OT", ())


def replaced(text: str, *entries: PseudonymRecord) -> str:
    return NameMatcher(list(entries) or [SARAH, ZOE, DAN]).replace(text)


# --- matching rules --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Sarah Jones said so.", "SN1 said so."),  # the full name, not "SN1 Jones"
    ("sarah jones and SARAH", "SN1 and SN1"),  # any case
    ("Sarah's idea", "SN1's idea"),  # an apostrophe ends the word
    ("Sarah’s idea", "SN1’s idea"),  # so does a typographic one
    ("(Sarah), “Sarah”, Sarah.", "(SN1), “SN1”, SN1."),
    ("Sarahs and Sarahville and ASarah", "Sarahs and Sarahville and ASarah"),  # no partial words
    ("Sarah2 and sarah_j", "Sarah2 and sarah_j"),
    ("Sarah\nJones", "SN1"),  # any white space inside a name
])
def test_whole_words_any_case(text: str, expected: str) -> None:
    assert replaced(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("S.J. said", "SN1 said"),
    ("I asked S.J.", "I asked SN1."),  # the full stop that ends the sentence stays
    ("I asked S.J.\nThen", "I asked SN1.\nThen"),
    ("s.j. said", "SN1 said"),
    ("S. J. said", "SN1 said"),  # a dot inside initials also matches a dot and a space
    ("A.S.J. said", "A.S.J. said"),  # other initials that end the same are someone else
    ("S.J.K. said", "S.J.K. said"),
    ("SxJx said", "SxJx said"),  # the dots are literal, not any character
])
def test_initials(text: str, expected: str) -> None:
    assert replaced(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Zoë Brennan came", "CS came"),
    ("ZOË came", "CS came"),
    ("Zoe\u0308 came", "CS came"),  # decomposed: e + combining diaeresis
    ("Zoe came", "Zoe came"),  # without the accent it is another name
    ("Zoëa came", "Zoëa came"),
    ("Dan O’Neill and Dan O'Neill", "OT and OT"),
    ("Dan O Neill", "Dan O Neill"),
])
def test_unicode_aware(text: str, expected: str) -> None:
    assert replaced(text) == expected


def test_longest_first_whatever_the_order_of_the_list() -> None:
    first_name = PseudonymRecord(1, "Sarah", "SN2", ())
    full_name = PseudonymRecord(2, "Sarah Jones", "SN1", ())
    assert replaced("Sarah Jones met Sarah", first_name, full_name) == "SN1 met SN2"
    assert replaced("Sarah Jones met Sarah", full_name, first_name) == "SN1 met SN2"


def test_replacement_kept_as_typed() -> None:
    entry = PseudonymRecord(1, "Mary Smith", "M (social worker)", ("mary",))
    assert replaced("MARY SMITH phoned. mary too.", entry) == "M (social worker) phoned. M (social worker) too."


# --- the list ----------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Project:
    with create_project(tmp_path / "study.earmark") as opened:
        yield opened


def test_add_edit_remove_restore(project: Project) -> None:
    added = pseudonyms.add_pseudonym(project, "  Sarah   Jones ", "SN1", ["Sarah", "", "sarah", "S.J.", "Sarah Jones"])
    assert (added.real_name, added.replacement, added.variants) == ("Sarah Jones", "SN1", ("Sarah", "S.J."))
    before, after = pseudonyms.update_pseudonym(project, added.id, "Sarah Jones", "SN2", ["S.J."])
    assert before == added and after.replacement == "SN2" and after.variants == ("S.J.",)
    assert pseudonyms.find_pseudonym(project, "s.j.") == after
    removed = pseudonyms.remove_pseudonym(project, added.id)
    assert pseudonyms.list_pseudonyms(project) == []
    assert pseudonyms.restore_pseudonym(project, removed) == removed
    assert pseudonyms.list_pseudonyms(project) == [removed]


@pytest.mark.parametrize(("real", "replacement", "variants", "message"), [
    ("", "SN1", (), "real name"),
    ("Sarah Jones", " ", (), "replaces"),
    ("Sarah Jones", "Sarah J.", (), "keeps part"),  # the replacement keeps nothing of the name
    ("Sarah Jones", "Ms Jones", (), "keeps part"),
    ("Sarah Jones", "SJ", ("SJ",), "keeps part"),
    ("Mark Lee", "CS", ("zoë",), "listed already"),  # a variant can belong to one person only
    ("Mark Lee", "Zoë's colleague", (), "holds the listed name"),
])
def test_entries_refused_with_a_reason(project: Project, real: str, replacement: str, variants: tuple[str, ...],
                                       message: str) -> None:
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "CS", ["Zoë"])
    with pytest.raises(ValueError, match=message):
        pseudonyms.add_pseudonym(project, real, replacement, variants)
    assert len(pseudonyms.list_pseudonyms(project)) == 1


def test_a_new_name_inside_an_existing_replacement_is_refused(project: Project) -> None:
    pseudonyms.add_pseudonym(project, "Mary Smith", "Nurse Lee")
    with pytest.raises(ValueError, match="occurs in the replacement"):
        pseudonyms.add_pseudonym(project, "Lee", "OT")


# --- preview and apply -------------------------------------------------------------------------------

TURNS = [
    ("SN1", "I spoke to Sarah Jones about it. Sarah agreed."),
    ("CS", "Zoë's plan was fine; S.J. wrote it up."),
    ("SN2", "Nothing to see here, Sarahville is a place."),
    ("SW", "Sarah phoned me."),
]


def _study(project: Project) -> tuple[int, list[int]]:
    pseudonyms.add_pseudonym(project, "Sarah Jones", "SN1", ["Sarah", "S.J."])
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "CS", ["Zoë"])
    transcript_id, rows = add_turns(project, "M01 Starting up", TURNS)
    return transcript_id, [row.id for row in rows]


def test_preview_lists_every_match(project: Project) -> None:
    transcript_id, turns = _study(project)
    found = pseudonyms.find_matches(project)
    assert [(m.source_id, m.text, m.replacement) for m in found] == [
        (turns[0], "Sarah Jones", "SN1"), (turns[0], "Sarah", "SN1"),
        (turns[1], "Zoë", "CS"), (turns[1], "S.J.", "SN1"),
        (turns[3], "Sarah", "SN1"),
    ]
    first = found[0]
    assert first.kind == "turn" and first.transcript_id == transcript_id and first.where == "M01 Starting up"
    assert (first.offset, first.length) == (TURNS[0][1].index("Sarah"), len("Sarah Jones"))
    assert first.speaker == "SN1" and first.context == TURNS[0][1]
    assert first.start_time == pytest.approx(10 * 0 + 0.5 * 3)  # the fourth word of turn 0
    assert pseudonyms.find_matches(project, transcript_ids=[]) == []


def test_preview_includes_memos_when_asked(project: Project) -> None:
    _study(project)
    memo = memos.add_memo(project, "project", None, title="Talk with Sarah", body="Zoë and S.J. disagree.")
    found = pseudonyms.find_matches(project, include_memos=True)
    memo_found = [(m.kind, m.text) for m in found if m.memo_id == memo.id]
    assert memo_found == [("memo_title", "Sarah"), ("memo_body", "Zoë"), ("memo_body", "S.J.")]
    assert all(m.kind == "turn" for m in pseudonyms.find_matches(project))


def test_apply_keeps_codings_and_undo_restores_exactly(project: Project) -> None:
    transcript_id, turns = _study(project)
    code = add_code(project, "Partnership")
    name_at = TURNS[0][1].index("Sarah Jones")
    on_name = add_coding(project, code, transcript_id, (turns[0], name_at), (turns[0], name_at + len("Sarah Jones")))
    around = add_coding(project, code, transcript_id, (turns[0], 0), (turns[1], len(TURNS[1][1])))
    later = add_coding(project, code, transcript_id, (turns[1], TURNS[1][1].index("wrote")), (turns[1], len(TURNS[1][1]) - 1))
    before_turns = transcripts.segments(project, transcript_id)
    before_codings = codings_in_transcript(project, transcript_id)

    result = pseudonyms.apply_matches(project, pseudonyms.find_matches(project))

    after = transcripts.segments(project, transcript_id)
    assert [t.text for t in after] == [
        "I spoke to SN1 about it. SN1 agreed.", "CS's plan was fine; SN1 wrote it up.",
        TURNS[2][1], "SN1 phoned me.",
    ]
    assert coded_text(project, on_name) == "SN1"  # a coded name stays coded, on its replacement
    assert coded_text(project, later) == "wrote it up"
    assert coded_text(project, around).startswith("I spoke to SN1") and coded_text(project, around).endswith("up.")
    assert [w.text for w in after[0].words] == after[0].text.split()  # words re-aligned
    assert dict(result.counts) == {"SN1": 4, "CS": 1} and result.total == 5
    assert pseudonyms.find_matches(project) == []

    pseudonyms.undo_pseudonymisation(project, result)
    assert transcripts.segments(project, transcript_id) == before_turns
    assert codings_in_transcript(project, transcript_id) == before_codings


def test_apply_only_the_chosen_matches(project: Project) -> None:
    transcript_id, _turns = _study(project)
    found = pseudonyms.find_matches(project)
    chosen = [m for m in found if m.text != "Sarah"]  # the researcher left out the bare first names
    pseudonyms.apply_matches(project, chosen)
    texts = [t.text for t in transcripts.segments(project, transcript_id)]
    assert texts[0] == "I spoke to SN1 about it. Sarah agreed." and texts[3] == "Sarah phoned me."


def test_apply_to_memos_and_undo(project: Project) -> None:
    _study(project)
    memo = memos.add_memo(project, "project", None, title="Talk with Sarah", body="Zoë and S.J. disagree.")
    result = pseudonyms.apply_matches(project, [m for m in pseudonyms.find_matches(project, include_memos=True)
                                                if m.memo_id is not None])
    changed = memos.get_memo(project, memo.id)
    assert (changed.title, changed.body) == ("Talk with SN1", "CS and SN1 disagree.")
    pseudonyms.undo_pseudonymisation(project, result)
    restored = memos.get_memo(project, memo.id)
    assert (restored.title, restored.body) == (memo.title, memo.body)


def test_audit_has_counts_and_replacements_but_no_real_names(project: Project) -> None:
    _study(project)
    result = pseudonyms.apply_matches(project, pseudonyms.find_matches(project))
    pseudonyms.undo_pseudonymisation(project, result)
    with project.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["pseudonymised", "pseudonymisation_undone"]
    details = entries[0].details
    assert details["replacements"] == [{"replacement": "SN1", "count": 4}, {"replacement": "CS", "count": 1}]
    assert details["total"] == 5 and details["turns"] == 3 and details["transcripts"] == ["M01 Starting up"]
    flat = repr([e.details for e in entries])
    assert "Sarah" not in flat and "Zoë" not in flat and "S.J." not in flat


def test_a_stale_preview_changes_nothing(project: Project) -> None:
    transcript_id, turns = _study(project)
    found = pseudonyms.find_matches(project)
    editing.edit_turn_text(project, turns[3], "Someone phoned me.")
    before = transcripts.segments(project, transcript_id)
    with pytest.raises(ValueError, match="changed since the preview"):
        pseudonyms.apply_matches(project, found)
    assert transcripts.segments(project, transcript_id) == before
    with project.session() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "pseudonymised")).first() is None


# --- properties ---------------------------------------------------------------------------------------

PIECES = ["Sarah", "Jones", "Sarah Jones", "S.J.", "S.J", "Zoë", "Zoe\u0308", "Dan", "O'Neill", "O’Neill", "sarah",
          "Sarahs", "ville", "'s", ".", ",", " ", " ", "\n", "-", "A", "(", ")", "nurse", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_replacing_leaves_no_listed_name_and_only_touches_matches(pieces: list[str]) -> None:
    text = "".join(pieces)
    matcher = NameMatcher([SARAH, ZOE, DAN])
    spans = list(matcher.spans(text))
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))  # in order, never overlapping
    result = matcher.replace(text)
    assert not matcher.contains(result)
    # Outside the matches the text is exactly as it was.
    rebuilt, last = [], 0
    for span in spans:
        rebuilt += [text[last:span.start], span.pseudonym.replacement]
        last = span.end
    assert result == "".join(rebuilt) + text[last:]


def test_replaced_names_leave_no_trace_in_the_project_file(tmp_path: Path) -> None:
    """Not in the turns, not in free pages, not in the full-text index's old segments, not in the
    write-ahead log: only the pseudonym list itself names them."""
    path = tmp_path / "scrub.earmark"
    with create_project(path) as project:
        add_turns(project, "M01", [("SN1", "Zebedee Quartermaine rang about the transfer."),
                                   ("SN2", "I told Zebedee it was late.")])
        pseudonyms.add_pseudonym(project, "Zebedee Quartermaine", "SN9", ["Zebedee"])
        before = b"".join(f.read_bytes() for f in tmp_path.glob("scrub.earmark*") if f.is_file())
        assert b"quartermaine" in before  # the index's token, as the test's own check
        pseudonyms.apply_matches(project, pseudonyms.find_matches(project))
        files = b"".join(f.read_bytes() for f in tmp_path.glob("scrub.earmark*") if f.is_file())
    assert files.count(b"Quartermaine rang") == 0 and files.count(b"told Zebedee") == 0
    assert files.count(b"quartermaine") == 0  # lower case: only the full-text index holds it so


def test_backups_can_be_removed_after_replacing(tmp_path: Path) -> None:
    from storage import backups

    path = tmp_path / "b.earmark"
    create_project(path).close()
    backups.take_backup(path, "one", force=True)
    backups.take_backup(path, "two", force=True)
    assert len(backups.existing_backups(path)) == 2
    assert backups.remove_backups(path) == 2
    assert not backups.existing_backups(path) and not backups.backup_dir(path).exists()
