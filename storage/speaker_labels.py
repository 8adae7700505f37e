"""Automatic speaker labels on a transcript's turns: plan, apply, undo.

Speaker labelling (audio.diarization, run by app.speaker_jobs) gives every stored word a label.
Here those labels become turns and speakers, in storage terms only:

- `plan_speaker_labels` works out, per turn, the speaker it would get, or the words where it
  would split because the speaker changes there. Turns whose speaker a person set
  (Segment.speaker_by_hand) are left out and counted. The plan is frozen and readable: the
  command line prints it, the window previews it, nothing is written.
- `apply_speaker_plan` makes the changes in one transaction: splits through storage.editing (so
  codings follow their words exactly as with a split typed in the editor), then the speakers,
  "Speaker 1..n", created or reused, marked as automatic.
- `undo_speaker_plan` puts everything back as it was, in one transaction.

Flickers: the labeller decides on 1.5 s windows, so a single word labelled differently inside
a run is almost always a window at a boundary or a cough, not a turn. A run of one speaker's
words inside a turn stands only when it has at least MIN_RUN_WORDS words and lasts at least
MIN_RUN_SECONDS; a shorter run joins its neighbour (the one with the same speaker on both sides,
else the longer one), shortest first, until every run stands or the turn has one speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storage.editing import SplitChange, renumber, split_turn_in, unsplit_in
from storage.models import AuditEntry, Segment, Speaker
from storage.project import Project
from storage.records import SegmentRecord, Word
from storage.transcripts import get_transcript, segments, speaker_for_label

MIN_RUN_WORDS = 2
MIN_RUN_SECONDS = 0.5
NAME = "Speaker {}"
AGREEMENT = 0.5  # see _names
PREVIEW_WORDS = 6

WordLabel = tuple[int, int, str]  # (segment id, index in Segment.words, label)
Labels = Sequence[str | None]


@dataclass(frozen=True)
class TurnPart:
    """One speaker's words in a turn: from word `first_word` to the next part's first word."""

    first_word: int
    speaker: str
    start: float  # the time of its first word (the turn's start for the first part)
    preview: str  # its first words, for a person reading the plan


@dataclass(frozen=True)
class TurnChange:
    """What labelling would do to one turn: a new speaker (one part) or a split (several)."""

    segment_id: int
    position: int
    start: float
    old_speaker: str | None
    parts: tuple[TurnPart, ...]
    text: str  # the turn's text when planned: apply skips a turn that changed since
    word_count: int

    @property
    def splits(self) -> int:
        return len(self.parts) - 1

    def describe(self) -> str:
        old = self.old_speaker or "no speaker"
        where = f"turn {self.position + 1} at {_clock(self.start)}"
        if not self.splits:
            return f"{where}: {old} → {self.parts[0].speaker}"
        pieces = "; ".join(f"{_clock(p.start)} {p.speaker} “{p.preview}”" for p in self.parts)
        return f"{where} ({old}): split into {len(self.parts)}: {pieces}"


@dataclass(frozen=True)
class SpeakerPlan:
    transcript_id: int
    changes: tuple[TurnChange, ...]
    speakers: tuple[str, ...]  # the labels the plan's turns would carry, in order of first appearance
    turns: int  # turns in the transcript
    by_hand: int  # turns left alone: a person set their speaker
    unlabelled: int  # turns with no timed words, or words that the labels do not fit

    @property
    def splits(self) -> int:
        return sum(change.splits for change in self.changes)

    def summary(self) -> str:
        if not self.changes:
            text = f"No changes: the {self.turns} turns already have these speakers."
        else:
            text = (f"{len(self.changes)} of {self.turns} turns would change ({self.splits} splits where the "
                    f"speaker changes inside a turn); speakers: {', '.join(self.speakers) or 'none'}.")
        if self.by_hand:
            text += f" {self.by_hand} turns whose speaker a person set are left as they are."
        if self.unlabelled:
            text += f" {self.unlabelled} turns have no timed words to label."
        return text

    def lines(self) -> list[str]:
        return [change.describe() for change in self.changes]


@dataclass(frozen=True)
class AppliedSpeakers:
    """What apply_speaker_plan did, enough to undo it exactly (and to redo it under the same ids)."""

    transcript_id: int
    splits: tuple[SplitChange, ...]  # in the order made
    relabelled: tuple[tuple[int, str | None], ...]  # (turn id, speaker before) of turns not split
    created_speakers: tuple[str, ...]
    changed: int  # turns changed
    skipped: int  # planned turns that had changed since (edited, or a speaker set by hand): left alone


def labels_by_segment(word_labels: Iterable[WordLabel], turns: Sequence[SegmentRecord]) -> dict[int, list[str | None]]:
    """Per-turn label lists (None for words without one) from (segment id, word index, label)."""
    lists = {turn.id: [None] * len(turn.words) for turn in turns}
    for segment_id, index, label in word_labels:
        if segment_id in lists and 0 <= index < len(lists[segment_id]):
            lists[segment_id][index] = label
    return lists


def plan_speaker_labels(project: Project, transcript_id: int, labels: Mapping[int, Labels]) -> SpeakerPlan:
    """The changes labelling would make. `labels` maps a turn's id to one label per word of the
    turn (None: no opinion). The labeller's names are matched to the speakers the transcript
    has where they share the most words, so re-running with a new count changes as little as it
    can; names left over become the first free "Speaker n"."""
    get_transcript(project, transcript_id)  # KeyError for an unknown transcript
    turns = segments(project, transcript_id)
    usable = {t.id: list(labels[t.id]) for t in turns
              if t.id in labels and len(labels[t.id]) == len(t.words) and any(labels[t.id])}
    naming = _names(turns, usable)
    changes: list[TurnChange] = []
    by_hand = unlabelled = 0
    for turn in turns:
        if turn.speaker_by_hand:
            by_hand += 1
            continue
        if turn.id not in usable:
            unlabelled += 1
            continue
        named = [naming[label] if label is not None else None for label in usable[turn.id]]
        runs = speaker_runs(turn.words, named)
        if len(runs) > 1 and len(_token_starts(turn.text)) != len(turn.words):
            # Words and text disagree (an imported transcript): no word to split at, so the
            # turn takes its main speaker whole.
            runs = [(0, _main_speaker(turn.words, runs))]
        if len(runs) == 1 and runs[0][1] == turn.speaker:
            continue
        changes.append(_change(turn, runs))
    order: dict[str, None] = {}
    for change in changes:
        for part in change.parts:
            order.setdefault(part.speaker, None)
    return SpeakerPlan(transcript_id, tuple(changes), tuple(order), len(turns), by_hand, unlabelled)


def speaker_runs(words: Sequence[Word], labels: Sequence[str | None]) -> list[tuple[int, str]]:
    """(first word index, speaker) of each run of one speaker in a turn, after the flicker rule
    (see the module's docstring). Words without a label take their neighbour's."""
    filled = _fill(labels)
    runs: list[list] = []  # [first, last (exclusive), label]
    for index, label in enumerate(filled):
        if runs and runs[-1][2] == label:
            runs[-1][1] = index + 1
        else:
            runs.append([index, index + 1, label])

    def seconds(run: list) -> float:
        return words[run[1] - 1].end - words[run[0]].start

    def short(run: list) -> bool:
        return run[1] - run[0] < MIN_RUN_WORDS or seconds(run) < MIN_RUN_SECONDS

    while len(runs) > 1:
        candidates = [i for i, run in enumerate(runs) if short(run)]
        if not candidates:
            break
        i = min(candidates, key=lambda i: (seconds(runs[i]), runs[i][1] - runs[i][0], i))
        before, after = (runs[i - 1] if i > 0 else None), (runs[i + 1] if i + 1 < len(runs) else None)
        if before is not None and after is not None and before[2] != after[2]:
            target = before if seconds(before) >= seconds(after) else after
        else:
            target = before if before is not None else after
        runs[i][2] = target[2]
        merged: list[list] = []
        for run in runs:
            if merged and merged[-1][2] == run[2]:
                merged[-1][1] = run[1]
            else:
                merged.append(run)
        runs = merged
    return [(run[0], run[2]) for run in runs]


def apply_speaker_plan(project: Project, plan: SpeakerPlan, *, reuse: AppliedSpeakers | None = None) -> AppliedSpeakers:
    """Make the plan's changes in one transaction. `reuse`: the same plan applied before and
    undone; its new turns get their old ids back (redo, so later undo steps find them)."""
    reused_ids = [change.second.id for change in reuse.splits] if reuse is not None else []
    splits: list[SplitChange] = []
    relabelled: list[tuple[int, str | None]] = []
    with project.write() as session:
        existing = set(session.scalars(select(Speaker.label)))
        cache: dict[str, Speaker] = {}
        rows, _ = _load(session, plan.transcript_id)
        current = [c for c in plan.changes if (row := rows.get(c.segment_id)) is not None and _unchanged(row, c)]
        # Room for every new turn at once, rather than moving all later turns once per split.
        _make_room(session, plan.transcript_id, {c.segment_id: c.splits for c in current if c.splits})
        held = _load(session, plan.transcript_id)  # noqa: F841 (renumbering expired them; held till the end)
        for change in current:
            part_ids = [change.segment_id]
            # First boundary first: each split cuts the rest of the turn, which sits in the gap below.
            for previous, part in zip(change.parts, change.parts[1:], strict=False):
                rest = session.get(Segment, part_ids[-1])
                assert rest is not None
                offset = _token_starts(rest.text)[part.first_word - previous.first_word]
                second_id = reused_ids[len(splits)] if len(splits) < len(reused_ids) else 0
                made = split_turn_in(session, part_ids[-1], offset, second_id=second_id, shift=False)
                splits.append(made)
                part_ids.append(made.second.id)
            if len(change.parts) == 1:
                relabelled.append((change.segment_id, change.old_speaker))
            for segment_id, part in zip(part_ids, change.parts, strict=True):
                turn = session.get(Segment, segment_id)
                assert turn is not None
                turn.speaker = speaker_for_label(session, part.speaker, cache)
                turn.speaker_by_hand = False
        session.flush()
        created = tuple(label for label in cache if label not in existing)
        skipped = len(plan.changes) - len(current)
        session.add(AuditEntry(action="speakers_labelled", details={
            "transcript": plan.transcript_id, "turns": len(current), "splits": len(splits), "skipped": skipped,
            "left_by_hand": plan.by_hand, "speakers_created": list(created)}))
    return AppliedSpeakers(plan.transcript_id, tuple(splits), tuple(relabelled), created, len(current), skipped)


def undo_speaker_plan(project: Project, applied: AppliedSpeakers) -> None:
    """Put the turns, codings and speakers back as they were before apply_speaker_plan."""
    with project.write() as session:
        cache: dict[str, Speaker] = {}
        held = _load(session, applied.transcript_id)  # noqa: F841 (held till the end)
        for segment_id, label in applied.relabelled:
            turn = session.get(Segment, segment_id)
            if turn is not None:
                turn.speaker = speaker_for_label(session, label, cache) if label else None
                turn.speaker_by_hand = False
        for change in reversed(applied.splits):
            unsplit_in(session, change, shift=False)
        _close_gaps(session, applied.transcript_id)
        for label in applied.created_speakers:
            speaker = session.scalars(select(Speaker).where(Speaker.label == label)).first()
            if speaker is not None and not session.scalar(
                    select(func.count()).select_from(Segment).where(Segment.speaker_id == speaker.id)):
                session.delete(speaker)
        session.add(AuditEntry(action="speaker_labels_undone", details={"transcript": applied.transcript_id}))


# --- helpers ---------------------------------------------------------------------------------

def _names(turns: Sequence[SegmentRecord], labels: Mapping[int, list[str | None]]) -> dict[str, str]:
    """The labeller's name -> the name to store. Pairs sharing the most words first (greedy):
    a labeller's speaker takes over the transcript's speaker it agrees with most, when they
    agree on at least half the words of the smaller of the two (a few words in common are
    chance, and would spread a name a person gave one turn over someone else's turns)."""
    shared: Counter[tuple[str, str]] = Counter()
    label_words: Counter[str] = Counter()
    speaker_words: Counter[str] = Counter()
    first_seen: dict[str, None] = {}
    for turn in turns:
        for label in labels.get(turn.id, ()):
            if label is None:
                continue
            first_seen.setdefault(label, None)
            if turn.speaker is not None:
                shared[(label, turn.speaker)] += 1
                label_words[label] += 1
                speaker_words[turn.speaker] += 1
    naming: dict[str, str] = {}
    taken: set[str] = set()
    for (label, speaker), count in sorted(shared.items(), key=lambda item: -item[1]):
        agree = count >= AGREEMENT * min(label_words[label], speaker_words[speaker])
        if agree and label not in naming and speaker not in taken:
            naming[label], taken = speaker, taken | {speaker}
    used = {turn.speaker for turn in turns if turn.speaker} | taken
    number = 1
    for label in first_seen:  # the rest, in order of first appearance
        if label in naming:
            continue
        while NAME.format(number) in used:
            number += 1
        naming[label] = NAME.format(number)
        used.add(naming[label])
    return naming


def _fill(labels: Sequence[str | None]) -> list[str]:
    """Words without a label take the one before them (the first ones the first label)."""
    first = next(label for label in labels if label is not None)
    filled: list[str] = []
    for label in labels:
        filled.append(label if label is not None else (filled[-1] if filled else first))
    return filled


def _main_speaker(words: Sequence[Word], runs: list[tuple[int, str]]) -> str:
    seconds: Counter[str] = Counter()
    bounds = [first for first, _ in runs[1:]] + [len(words)]
    for (first, label), last in zip(runs, bounds, strict=True):
        seconds[label] += sum(max(0.0, w.end - w.start) for w in words[first:last]) + 1e-6 * (last - first)
    return seconds.most_common(1)[0][0]


def _change(turn: SegmentRecord, runs: list[tuple[int, str]]) -> TurnChange:
    parts = []
    bounds = [first for first, _ in runs[1:]] + [len(turn.words)]
    for (first, label), last in zip(runs, bounds, strict=True):
        words = turn.words[first:last]
        preview = " ".join(w.text for w in words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")
        parts.append(TurnPart(first, label, turn.start if first == 0 else turn.words[first].start, preview))
    return TurnChange(turn.id, turn.position, turn.start, turn.speaker, tuple(parts), turn.text, len(turn.words))


def _load(session: Session, transcript_id: int) -> tuple[dict[int, Segment], list[Speaker]]:
    """A transcript's turns and every speaker into the session in two queries, so the many
    session.get calls that follow (here and in storage.editing) find them without one each.
    The caller keeps the dict: the session's identity map alone would let them be collected."""
    speakers = list(session.scalars(select(Speaker)))
    return {row.id: row for row in session.scalars(select(Segment).where(Segment.transcript_id == transcript_id))}, speakers


def _make_room(session: Session, transcript_id: int, extra: Mapping[int, int]) -> None:
    """Move every turn down by the number of new turns that will come before it, leaving
    `extra[id]` free positions right after each turn that will be split."""
    moves: dict[int, int] = {}
    shift = 0
    for segment_id, position in session.execute(select(Segment.id, Segment.position)
                                                .where(Segment.transcript_id == transcript_id).order_by(Segment.position)):
        if shift:
            moves[segment_id] = position + shift
        shift += extra.get(segment_id, 0)
    renumber(session, transcript_id, moves)


def _close_gaps(session: Session, transcript_id: int) -> None:
    session.flush()
    rows = session.execute(select(Segment.id, Segment.position)
                           .where(Segment.transcript_id == transcript_id).order_by(Segment.position)).all()
    renumber(session, transcript_id, {segment_id: index for index, (segment_id, position) in enumerate(rows)
                                      if position != index})


def _unchanged(row: Segment, change: TurnChange) -> bool:
    """The turn is as it was planned on, and still automatic."""
    speaker = row.speaker.label if row.speaker is not None else None
    return (not row.speaker_by_hand and row.text == change.text and len(row.words) == change.word_count
            and speaker == change.old_speaker)


def _token_starts(text: str) -> list[int]:
    return [match.start() for match in re.finditer(r"\S+", text)]


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
