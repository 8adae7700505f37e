"""Consent everywhere in analysis (storage/consent.py): the words of a participant who consented
to be observed only, or withdrew, appear in no retrieval result, count or search hit, cannot be
coded by hand or by auto-coding, and come back when consent is set back to full (codings are
never deleted by a consent change).

The study (tests/storage/coding_data.py): in M01, SW says "That was a shock for everyone. The
learning was huge!" (turn 1, coded "Learning" on its own) between two SN1 turns, inside the
four-turn "story" passage coded before SW's consent changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.cli import run
from storage import codebook, coding, fulltext, retrieval
from storage.analysis_records import Anchor
from storage.autocode import apply_autocode, find_matches, speaker_turns
from storage.consent import MARKER, ConsentError, excluded_speakers, excluded_turns
from storage.models import Coding, Participant, Speaker
from storage.project import Project
from tests.storage.coding_data import M01, Study, build_study, word_time

SW_WORDS = ("shock", "everyone", "huge")  # words only SW says
REFUSAL = "SW consented to be observed only: their words are left out of analysis"


def link(project: Project, label: str, consent: str, role_code: str | None = None) -> None:
    """A participant `role_code` (the label by default) with `consent`, linked to speaker `label`."""
    with project.write() as session:
        participant = Participant(role_code=role_code or label, role="", organisation="", consent=consent,
                                  attributes={})
        session.add(participant)
        session.flush()
        session.execute(update(Speaker).where(Speaker.label == label).values(participant_id=participant.id))


def set_consent(project: Project, role_code: str, consent: str) -> None:
    with project.write() as session:
        session.execute(update(Participant).where(Participant.role_code == role_code).values(consent=consent))


@pytest.fixture
def study(tmp_path: Path) -> Study:
    built = build_study(tmp_path / "study.earmark")
    link(built.project, "SN1", "full")  # linked with full consent: nothing changes for SN1
    yield built
    built.project.close()


def everything(project: Project) -> dict[str, object]:
    """What analysis shows of the project: passages, counts, both matrices and search hits."""
    codes = [code.id for code in codebook.codes_tree(project)]
    return {
        "passages": retrieval.coded_passages(project, codes),
        "tree": codebook.codes_tree(project),
        "by_speaker": retrieval.code_matrix(project, "speaker"),
        "by_transcript": retrieval.code_matrix(project, "transcript"),
        "search": [fulltext.search(project, word) for word in ("shock", "learning", "discharge")],
    }


def test_the_reason_names_who_and_why(study: Study) -> None:
    project = study.project
    link(project, "SW", "observe_only")
    link(project, "CG", "withdrawn")
    with project.session() as session:
        reasons = sorted(excluded_speakers(session).values())
        turns = excluded_turns(session, study.m01)
    assert reasons == ["CG withdrew consent: their words are left out of analysis", REFUSAL]
    assert {segment_id: exclusion.short for segment_id, exclusion in turns.items()} == {
        study.turns[(study.m01, 1)]: "observe only"}


def test_observe_only_words_are_in_no_retrieval_result(study: Study) -> None:
    project = study.project
    link(project, "SW", "observe_only")
    codes = list(study.codes.values())
    passages = retrieval.coded_passages(project, codes)
    assert study.codings["learning"] not in [p.coding_id for p in passages]  # wholly SW's: left out
    for passage in passages:
        for word in SW_WORDS:
            assert word not in passage.text.lower() and word not in passage.context.lower()
    (story,) = [p for p in passages if p.coding_id == study.codings["story"]]
    # Coded before SW's consent changed: SW's turn reads as the marker, the others' words stay.
    assert story.text == "\n".join([M01[0][1][M01[0][1].index("We had"):], MARKER, M01[2][1], "We changed"])
    assert story.speaker == "SN1" and story.start == Anchor(study.turns[(study.m01, 0)], M01[0][1].index("We had"))
    assert retrieval.coded_passages(project, codes, speaker="SW") == []
    assert retrieval.passages_in_cell(project, study.codes["Learning"], "speaker", "SW") == []
    assert [p.coding_id for p in retrieval.passages_in_cell(project, study.codes["Learning"], "transcript",
                                                            "M01 Starting up")] == []


def test_a_passage_starting_or_ending_in_an_excluded_turn_keeps_only_the_consenting_words(study: Study) -> None:
    project, m01 = study.project, study.m01
    code = study.codes["Partnership"]
    # SW's turn to the chorus (no speaker), and SN1's first turn into SW's.
    from_sw = coding.apply_code(project, code, m01, Anchor(study.turns[(m01, 1)], 5), Anchor(study.turns[(m01, 2)], 4))
    into_sw = coding.apply_code(project, code, m01, Anchor(study.turns[(m01, 0)], 0), Anchor(study.turns[(m01, 1)], 8))
    assert from_sw is not None and into_sw is not None
    link(project, "SW", "observe_only")
    found = {p.coding_id: p for p in retrieval.coded_passages(project, [code])}
    first = found[from_sw.id]
    assert first.text == f"{MARKER}\n(The" and first.speaker is None  # attributed to its first consenting turn
    assert first.start_time == pytest.approx(word_time(2, 0)[0]) and first.end_time == pytest.approx(word_time(2, 0)[1])
    assert first.context.startswith("«") and "shock" not in first.context
    second = found[into_sw.id]
    assert second.text == f"{M01[0][1]}\n{MARKER}" and second.speaker == "SN1"
    assert second.end_time == pytest.approx(word_time(0, len(M01[0][1].split()) - 1)[1])
    assert coding.coded_text(project, from_sw.id) == first.text
    assert coding.coded_text(project, into_sw.id) == second.text


def test_observe_only_words_are_in_no_count(study: Study) -> None:
    project = study.project
    before = {code.name: (code.count, code.total) for code in codebook.codes_tree(project)}
    assert before["Learning"] == (1, 3)
    link(project, "SW", "observe_only")
    after = {code.name: (code.count, code.total) for code in codebook.codes_tree(project)}
    assert after["Learning"] == (0, 2)  # its one coding is SW's alone; the story still counts (SN1's words)
    assert after["Reviewing discharge procedures"] == (1, 1)
    by_speaker = retrieval.code_matrix(project, "speaker")
    assert "SW" not in by_speaker.columns and all(column != "SW" for _, column in by_speaker.counts)
    assert by_speaker.count(study.codes["Learning"], "SW") == 0
    assert by_speaker.count(study.codes["Reviewing discharge procedures"], "SN1") == 1
    by_transcript = retrieval.code_matrix(project, "transcript")
    assert by_transcript.count(study.codes["Learning"], "M01 Starting up") == 0
    assert by_transcript.count(study.codes["Reviewing discharge procedures"], "M01 Starting up") == 1
    assert by_transcript.count(study.codes["Cross-organisational learning"], "M02 Training") == 1


def test_observe_only_words_are_no_search_hit(study: Study) -> None:
    project = study.project
    assert [hit.id for hit in fulltext.search(project, "shock")] == [study.turns[(study.m01, 1)]]
    link(project, "SW", "observe_only")
    assert fulltext.search(project, "shock") == []
    hits = fulltext.search(project, "learning")
    assert study.turns[(study.m01, 1)] not in [hit.id for hit in hits if hit.kind == "turn"]
    assert study.turns[(study.m02, 1)] in [hit.id for hit in hits if hit.kind == "turn"]  # SN1 still found


def test_coding_an_excluded_turn_is_refused_naming_who_and_why(study: Study) -> None:
    project, m01 = study.project, study.m01
    link(project, "SW", "observe_only")
    code = study.codes["Partnership"]
    sw_turn, sn1_turn = study.turns[(m01, 1)], study.turns[(m01, 0)]
    with pytest.raises(ConsentError, match=REFUSAL):
        coding.apply_code(project, code, m01, Anchor(sw_turn, 0), Anchor(sw_turn, 4))
    with pytest.raises(ConsentError, match=REFUSAL):  # a selection over SN1's turn, SW's and the chorus
        coding.apply_code(project, code, m01, Anchor(sn1_turn, 3), Anchor(study.turns[(m01, 2)], 4))
    assert REFUSAL in (coding.consent_refusal(project, Anchor(sn1_turn, 3), Anchor(sw_turn, 2)) or "")
    # Ending at the very start of SW's turn selects none of SW's words: allowed.
    assert coding.consent_refusal(project, Anchor(sn1_turn, 3), Anchor(sw_turn, 0)) is None
    assert coding.apply_code(project, code, m01, Anchor(sn1_turn, 3), Anchor(sw_turn, 0)) is not None
    link(project, "CG", "withdrawn")
    both = coding.consent_refusal(project, Anchor(study.turns[(study.m02, 0)], 0), Anchor(study.turns[(study.m02, 0)], 4))
    assert both is not None and both.startswith("CG withdrew consent: their words are left out of analysis")


def test_auto_coding_skips_excluded_turns(study: Study) -> None:
    project, m01 = study.project, study.m01
    link(project, "SW", "observe_only")
    found = find_matches(project, "learning")
    assert study.turns[(m01, 1)] not in [match.start.segment_id for match in found]
    assert [m.start.segment_id for m in find_matches(project, "learning", left_out=True)] == [study.turns[(m01, 1)]]
    assert find_matches(project, "shock") == [] and speaker_turns(project, "SW") == []
    assert len(speaker_turns(project, "SW", left_out=True)) == 1
    # Matches found before the consent changed are skipped when applied.
    set_consent(project, "SW", "full")
    stale = find_matches(project, "learning")
    set_consent(project, "SW", "observe_only")
    added = apply_autocode(project, study.codes["Partnership"], stale)
    assert len(added) == len(stale) - 1
    with project.session() as session:
        segments = set(session.scalars(select(Coding.start_segment_id).where(Coding.id.in_(added))))
    assert study.turns[(m01, 1)] not in segments


def test_coded_text_omits_excluded_words(study: Study) -> None:
    project = study.project
    assert "shock" in coding.coded_text(project, study.codings["story"])
    link(project, "SW", "observe_only")
    story = coding.coded_text(project, study.codings["story"])
    assert MARKER in story and not any(word in story for word in SW_WORDS)
    assert coding.coded_text(project, study.codings["learning"]) == MARKER


@pytest.mark.parametrize("consent", ["observe_only", "withdrawn"])
def test_consent_back_to_full_restores_everything(study: Study, consent: str) -> None:
    project = study.project
    with project.session() as session:
        codings_before = session.scalar(select(func.count()).select_from(Coding))
    shown = everything(project)
    link(project, "SW", consent)
    assert everything(project) != shown
    set_consent(project, "SW", "full")
    assert everything(project) == shown
    with project.session() as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == codings_before  # nothing was deleted


def test_the_coding_commands_follow(study: Study, capsys: pytest.CaptureFixture[str]) -> None:
    link(study.project, "SW", "observe_only")
    path = str(study.project.path)
    study.project.close()
    assert run(["passages", path, "--code", "Learning", "--with-subcodes", "--json"]) == 0
    passages = json.loads(capsys.readouterr().out)
    assert [p["code"] for p in passages] == ["Reviewing discharge procedures", "Cross-organisational learning"]
    assert MARKER in passages[0]["text"] and "shock" not in json.dumps(passages)
    assert run(["codes", path, "--json"]) == 0
    counts = {c["name"]: (c["count"], c["total"]) for c in json.loads(capsys.readouterr().out)}
    assert counts["Learning"] == (0, 2)
