"""Undo commands for speakers: applying automatic labels (storage/speaker_labels.py) and
splitting a turn's selected words off to a new speaker. Each is one step on the window's undo
stack, however many turns it splits or relabels.

Both change the structure of the shown transcript (turns split, speakers renamed), so after a
redo or undo the editor is reloaded from the project (keeping the reader's place) instead of
patched turn by turn, and the views hear that codings (they follow their words into the split
turns) and the speaker register (new labels) changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.analysis_context import AnalysisContext
from app.undo import ProjectCommand
from storage import editing, transcripts
from storage.editing import SplitChange
from storage.project import Project
from storage.records import SegmentRecord
from storage.speaker_labels import AppliedSpeakers, SpeakerPlan, apply_speaker_plan, undo_speaker_plan
from widgets.speaker_label_dialog import SpeakerChangeRow, SpeakerPreview, plural

TOKEN = re.compile(r"\S+")
NUMBERED = re.compile(r"^Speaker (\d+)$")
EXCERPT = 160  # characters of a turn shown in the preview


def reload_editor(context: AnalysisContext, project: Project, *, changed: bool = True) -> None:
    """Show the shown transcript again as stored, at the same scroll place, and tell the views."""
    transcript_id = context.transcript_id()
    if transcript_id is None:
        return
    editor = context.editor
    bar = editor.verticalScrollBar()
    place = bar.value()
    editor.set_segments(transcripts.segments(project, transcript_id))
    bar.setValue(min(place, bar.maximum()))
    if changed:
        context.codings_changed.emit(transcript_id)
        context.register_changed.emit()  # speaker labels appeared or went (the register lists them)
        context.sources_changed.emit()  # the project panel counts the turns


def next_speaker_label(labels: list[str]) -> str:
    """"Speaker n" one above the highest numbered label in use: a label no turn has."""
    numbers = [int(found.group(1)) for label in labels if (found := NUMBERED.match(label))]
    return f"Speaker {max(numbers, default=0) + 1}"


def preview_of(plan: SpeakerPlan, turns: list[SegmentRecord]) -> SpeakerPreview:
    """The plan as the dialog lists it: each change, and each turn left alone because a person
    set its speaker, in the transcript's order."""
    by_id = {turn.id: turn for turn in turns}
    rows = [SpeakerChangeRow(change.segment_id, change.start, change.old_speaker,
                             tuple(part.speaker for part in change.parts), _excerpt(by_id, change.segment_id, change.text),
                             "split" if change.splits else "relabel") for change in plan.changes]
    rows += [SpeakerChangeRow(turn.id, turn.start, turn.speaker, (), _excerpt(by_id, turn.id, turn.text), "by_hand")
             for turn in turns if turn.speaker_by_hand]
    rows.sort(key=lambda row: by_id[row.key].position if row.key in by_id else 0)
    return SpeakerPreview(preview_summary(plan), tuple(rows), choosable=True, speakers=plan.speakers)


def preview_summary(plan: SpeakerPlan) -> str:
    relabelled = sum(1 for change in plan.changes if not change.splits)
    split = len(plan.changes) - relabelled
    if plan.changes:
        text = (f"{plural(len(plan.speakers), 'speaker')} heard: {', '.join(plan.speakers)}. "
                f"{plural(relabelled, 'turn')} would get another speaker and {plural(split, 'turn')} would be split "
                "where the speaker changes (codings stay on their words).")
    else:
        text = f"No changes: the {plural(plan.turns, 'turn')} already have the speakers labelling heard."
    if plan.by_hand:
        text += f" {plural(plan.by_hand, 'turn')} whose speaker you set by hand {'is' if plan.by_hand == 1 else 'are'} left alone."
    if plan.unlabelled:
        text += f" {plural(plan.unlabelled, 'turn')} without timed words could not be labelled."
    return text


def filtered_plan(plan: SpeakerPlan, keys: tuple[int, ...] | list[int]) -> SpeakerPlan:
    """The plan with only the changes to these turns (the ones ticked in the preview)."""
    wanted = set(keys)
    changes = tuple(change for change in plan.changes if change.segment_id in wanted)
    speakers = tuple(dict.fromkeys(part.speaker for change in changes for part in change.parts))
    return replace(plan, changes=changes, speakers=speakers)


def applied_summary(applied: AppliedSpeakers) -> str:
    text = (f"Speakers labelled: {plural(applied.changed, 'turn')} changed, {plural(len(applied.splits), 'split')}"
            + (f", new speakers {', '.join(applied.created_speakers)}" if applied.created_speakers else "") + ".")
    if applied.skipped:
        text += f" {plural(applied.skipped, 'turn')} had changed since the preview and {'was' if applied.skipped == 1 else 'were'} left alone."
    return text


def _excerpt(by_id: dict[int, SegmentRecord], segment_id: int, text: str) -> str:
    text = by_id[segment_id].text if segment_id in by_id else text
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rsplit(" ", 1)[0] + " …"


class ApplySpeakerPlanCommand(ProjectCommand):
    """Apply a SpeakerPlan (the changes ticked); undo puts every turn, split, coding and label back."""

    def __init__(self, project: Project, context: AnalysisContext, plan: SpeakerPlan, text: str = "Label speakers") -> None:
        super().__init__(text, context.report)
        self.project, self.context, self.plan = project, context, plan
        self.applied: AppliedSpeakers | None = None

    def apply(self) -> bool:
        self.applied = apply_speaker_plan(self.project, self.plan, reuse=self.applied)
        return self.applied.changed > 0  # nothing changed (every turn edited since): no undo step

    def revert(self) -> None:
        assert self.applied is not None
        undo_speaker_plan(self.project, self.applied)

    def broadcast(self) -> None:
        reload_editor(self.context, self.project)


@dataclass(frozen=True)
class WordSpan:
    """Code-point offsets in a turn's text, widened to whole words."""

    start: int
    end: int


def whole_words(text: str, start: int, end: int) -> WordSpan | None:
    """The words the selection start..end touches; None when it touches none."""
    touched = [m for m in TOKEN.finditer(text) if m.end() > start and m.start() < max(end, start + 1)]
    return WordSpan(touched[0].start(), touched[-1].end()) if touched else None


class SplitOffSpeakerCommand(ProjectCommand):
    """Split the words start..end of a turn off into a turn of their own, spoken by `label`
    (a new speaker). At most two splits (before and after the words) and one speaker change."""

    def __init__(self, project: Project, context: AnalysisContext, segment_id: int, span: WordSpan, label: str) -> None:
        super().__init__(f"Split words off to {label}", context.report)
        self.project, self.context, self.segment_id, self.span, self.label = project, context, segment_id, span, label
        self.splits: list[SplitChange] = []
        self.before: SegmentRecord | None = None
        self.part_id: int | None = None
        self.done = False
        self._second_ids: list[int] = []  # the ids the split-off turns had: redo gives them back

    def apply(self) -> None:
        turn = editing.get_turn(self.project, self.segment_id)
        head_end = len(turn.text[: self.span.start].rstrip())
        tail_start = len(turn.text) - len(turn.text[self.span.end:].lstrip())
        second_ids = iter(self._second_ids or [0, 0])
        self.splits = []
        part_id, end = turn.id, self.span.end
        try:
            if head_end > 0:
                change = editing.split_turn(self.project, part_id, self.span.start, second_id=next(second_ids, 0))
                self.splits.append(change)
                part_id, end = change.second.id, self.span.end - self.span.start
            if tail_start < len(turn.text):
                self.splits.append(editing.split_turn(self.project, part_id, end, second_id=next(second_ids, 0)))
            self.before, _after = editing.set_turn_speaker(self.project, part_id, self.label)
        except Exception:
            self._undo_splits()  # leave the turn as it was, then say why (app/undo.py)
            raise
        self.part_id, self.done = part_id, True
        self._second_ids = [change.second.id for change in self.splits]

    def revert(self) -> None:
        assert self.before is not None
        editing.put_turn(self.project, self.before)
        self._undo_splits()
        self.done = False

    def _undo_splits(self) -> None:
        for change in reversed(self.splits):
            editing.unsplit(self.project, change)
        self.splits = []

    def broadcast(self) -> None:
        reload_editor(self.context, self.project)
        if self.part_id is not None:  # the cursor goes to the words that were split off, or back
            self.context.editor.place_cursor(self.part_id if self.done else self.segment_id, 0)
