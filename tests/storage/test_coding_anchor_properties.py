"""Random edit scripts on a coded transcript never lose, duplicate or misplace a coding.

A shadow model gives every character of the original transcript an identity and follows the
same edits (typing, deleting and replacing across coding edges, splitting and merging turns,
undo). After every step each coding must cover exactly the original characters it covered
that still exist (whitespace aside: splits drop it, merges add it), must not be empty, must
lie inside its transcript in order, and no coding may be duplicated. Undo must put every
coding back exactly. The text has emoji and other characters outside the BMP, and one coding
ends at the very last character of the transcript.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from storage import codebook, editing, transcripts
from storage.analysis_records import Anchor
from storage.anchors import TextEdit
from storage.coding import apply_code, codings_in_transcript
from storage.project import create_project, open_project
from storage.records import NewSegment, Word

VOCABULARY = ["the", "ward", "🙂", "naïve", "discharge", "𝔘nit", "SN1", "said", "well…", "😢😢", "ok"]
TURNS = [
    "the ward said 🙂 discharge ok",
    "naïve 𝔘nit well… the 😢😢 ward",
    "SN1 said the discharge ok 🙂",
    "ok ward 😢😢 naïve said",
]
_ids = itertools.count(10_000)

Shadow = list[list[tuple[str, int]]]  # turns, each a list of (character, identity)


def _template(tmp_dir: Path) -> Path:
    path = tmp_dir / "template.earmark"
    if not path.exists():
        with create_project(path) as project:
            transcript = transcripts.create_transcript(project, "M01", None)
            turns = []
            for index, text in enumerate(TURNS):
                words = tuple(Word(token, index * 10 + i, index * 10 + i + 0.5, 0.9) for i, token in enumerate(text.split()))
                turns.append(NewSegment(index * 10.0, index * 10.0 + 9, text, words, "SN1"))
            transcripts.append_segments(project, transcript.id, turns, 40.0)
            for number in range(6):
                codebook.create_code(project, f"code {number}")
    return path


def _covered(shadow: Shadow, order: dict[int, int], start: Anchor, end: Anchor) -> list[tuple[str, int]]:
    first, last = order[start.segment_id], order[end.segment_id]
    if first == last:
        return shadow[first][start.offset : end.offset]
    chars = list(shadow[first][start.offset :])
    for middle in range(first + 1, last):
        chars += shadow[middle]
    return chars + shadow[last][: end.offset]


def _solid(chars: list[tuple[str, int]]) -> set[int]:
    return {identity for char, identity in chars if not char.isspace()}


edit_step = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 7), st.floats(0, 1), st.floats(0, 1),
              st.lists(st.sampled_from(VOCABULARY + [" ", "x", "🙂"]), max_size=3).map("".join)),
    st.tuples(st.just("split"), st.integers(0, 7), st.floats(0, 1)),
    st.tuples(st.just("merge"), st.integers(0, 7)),
    st.tuples(st.just("undo")),
)
coding_spec = st.tuples(st.integers(0, 3), st.floats(0, 1), st.integers(0, 3), st.floats(0, 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(coding_spec, min_size=1, max_size=5), script=st.lists(edit_step, min_size=1, max_size=12))
def test_codings_follow_their_words(tmp_path_factory, specs, script) -> None:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("anchors")
    path = folder / "p.earmark"
    shutil.copy(_template(tmp_path_factory.getbasetemp()), path)
    with open_project(path) as project:
        transcript_id = transcripts.list_transcripts(project)[0].id
        code_ids = [code.id for code in codebook.codes_tree(project)]
        turns = transcripts.segments(project, transcript_id)
        shadow: Shadow = [[(char, next(_ids)) for char in turn.text] for turn in turns]
        order = {turn.id: index for index, turn in enumerate(turns)}
        expected: dict[int, set[int]] = {}
        # One coding ends at the very last character of the transcript.
        last = turns[-1]
        specs = [*specs, (3, 0.6, 3, 1.0)]
        for number, (i, a, j, b) in enumerate(specs):
            i, j = min(i, j), max(i, j)
            start = Anchor(turns[i].id, int(a * len(turns[i].text)))
            end = Anchor(turns[j].id, int(b * len(turns[j].text)))
            if i == j and start.offset > end.offset:
                start, end = Anchor(start.segment_id, end.offset), Anchor(end.segment_id, start.offset)
            record = apply_code(project, code_ids[number % len(code_ids)], transcript_id, start, end)
            if record is not None:
                expected[record.id] = _solid(_covered(shadow, order, record.start, record.end))
        assert any(c.end == Anchor(last.id, len(last.text)) for c in codings_in_transcript(project, transcript_id))
        originals = {identity for turn in shadow for _, identity in turn}
        history: list[tuple[object, Shadow, list]] = []

        for step in script:
            before_codings = sorted(codings_in_transcript(project, transcript_id), key=lambda c: c.id)
            turns = transcripts.segments(project, transcript_id)
            kind = step[0]
            if kind == "undo":
                if not history:
                    continue
                change, shadow, codings_then = history.pop()
                _undo(project, change)
                assert sorted(codings_in_transcript(project, transcript_id), key=lambda c: c.id) == codings_then
            elif kind == "replace":
                _, turn_number, a, b, text = step
                turn_number %= len(turns)
                length = len(turns[turn_number].text)
                lo, hi = sorted((int(a * length), int(b * length)))
                new_text = turns[turn_number].text[:lo] + text + turns[turn_number].text[hi:]
                if not new_text.strip():
                    continue
                change = editing.edit_turn_text(project, turns[turn_number].id, new_text, [TextEdit(lo, hi - lo, len(text))])
                history.append((change, [list(t) for t in shadow], before_codings))
                shadow[turn_number][lo:hi] = [(char, next(_ids)) for char in text]
            elif kind == "split":
                _, turn_number, where = step
                turn_number %= len(turns)
                offset = int(where * len(turns[turn_number].text))
                try:
                    change = editing.split_turn(project, turns[turn_number].id, offset)
                except ValueError:
                    continue
                history.append((change, [list(t) for t in shadow], before_codings))
                chars = shadow[turn_number]
                head, tail = chars[:offset], chars[offset:]
                while head and head[-1][0].isspace():
                    head.pop()
                while tail and tail[0][0].isspace():
                    tail.pop(0)
                shadow[turn_number : turn_number + 1] = [head, tail]
            else:
                _, turn_number = step
                turn_number %= len(turns)
                if turn_number + 1 >= len(turns):
                    continue
                change = editing.merge_with_next(project, turns[turn_number].id)
                history.append((change, [list(t) for t in shadow], before_codings))
                joined = shadow[turn_number] + [(" ", next(_ids))] + shadow[turn_number + 1]
                while joined and joined[0][0].isspace():
                    joined.pop(0)
                while joined and joined[-1][0].isspace():
                    joined.pop()
                shadow[turn_number : turn_number + 2] = [joined]
            _check(project, transcript_id, shadow, expected, originals)


def _undo(project, change) -> None:  # noqa: ANN001
    if isinstance(change, editing.TextChange):
        editing.undo_text_change(project, change)
    elif isinstance(change, editing.SplitChange):
        editing.unsplit(project, change)
    else:
        editing.unmerge(project, change)


def _check(project, transcript_id: int, shadow: Shadow, expected: dict[int, set[int]], originals: set[int]) -> None:  # noqa: ANN001
    turns = transcripts.segments(project, transcript_id)
    assert [turn.text for turn in turns] == ["".join(char for char, _ in chars) for chars in shadow]
    order = {turn.id: index for index, turn in enumerate(turns)}
    surviving = {identity for chars in shadow for _, identity in chars} & originals
    codings = codings_in_transcript(project, transcript_id)
    spans = [(c.code_id, c.start, c.end) for c in codings]
    assert len(spans) == len(set(spans)), "a coding is duplicated"
    assert {c.id for c in codings} <= set(expected), "a coding appeared from nowhere"
    present = {c.id for c in codings}
    for coding_id, solid in expected.items():
        if solid & surviving:
            assert coding_id in present, f"coding {coding_id} lost though some of its words remain"
    for coding in codings:
        assert coding.start.segment_id in order and coding.end.segment_id in order, "a coding points outside"
        first, last = order[coding.start.segment_id], order[coding.end.segment_id]
        assert 0 <= coding.start.offset <= len(turns[first].text) and 0 <= coding.end.offset <= len(turns[last].text)
        assert (first, coding.start.offset) < (last, coding.end.offset), "a coding is empty or reversed"
        covered = _covered(shadow, order, coding.start, coding.end)
        assert covered, "an empty coding survived"
        assert _solid(covered) & originals == expected[coding.id] & surviving, f"coding {coding.id} moved off its words"
