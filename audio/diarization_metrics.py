"""Scoring speaker labels against a reference: diarization error rate and words labelled right.

DER follows NIST's definition: (missed speech + false alarm + speaker confusion) / reference
speech, where overlapping reference speakers each count, hypothesis labels are mapped one-to-one
onto reference speakers to maximise matched time, and a collar of `collar` seconds either side of
every reference boundary is left unscored. Time is scored on a 10 ms grid, which is exact to
within a frame per boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STEP = 0.01  # seconds per scoring frame


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: str


@dataclass(frozen=True)
class DerResult:
    der: float
    missed: float
    false_alarm: float
    confusion: float
    scored: float  # reference speech in seconds, after the collar
    mapping: dict[str, str]  # hypothesis label -> reference speaker


def der(reference: Sequence[Turn], hypothesis: Sequence[Turn], *, collar: float = 0.0) -> DerResult:
    ref_names = sorted({t.speaker for t in reference})
    hyp_names = sorted({t.speaker for t in hypothesis})
    end = max([t.end for t in (*reference, *hypothesis)], default=0.0)
    frames = int(np.ceil(end / STEP)) + 1
    ref = _activity(reference, ref_names, frames)
    hyp = _activity(hypothesis, hyp_names, frames)
    scored = np.ones(frames, dtype=bool)
    for turn in reference:  # no scoring within `collar` of a reference boundary
        for edge in (turn.start, turn.end):
            scored[max(0, int(round((edge - collar) / STEP))) : int(round((edge + collar) / STEP))] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)
    pairs = best_mapping(overlap)
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    correct = sum((ref[i] & hyp[j]).astype(np.int64) for i, j in pairs) if pairs else np.zeros_like(n_ref)
    missed = np.maximum(0, n_ref - n_hyp).sum()
    false_alarm = np.maximum(0, n_hyp - n_ref).sum()
    confusion = (np.minimum(n_ref, n_hyp) - correct).sum()
    total = n_ref.sum()
    return DerResult(
        der=float((missed + false_alarm + confusion) / total) if total else 0.0,
        missed=float(missed * STEP),
        false_alarm=float(false_alarm * STEP),
        confusion=float(confusion * STEP),
        scored=float(total * STEP),
        mapping={hyp_names[j]: ref_names[i] for i, j in pairs},
    )


def word_accuracy(
    words: Sequence[tuple[float, float]], labels: Sequence[str | None], reference: Sequence[Turn]
) -> tuple[float, int]:
    """Share of words whose label maps to the reference speaker covering the word's midpoint,
    under the one-to-one mapping that gets most words right; and how many words were scored
    (words at no reference speaker's midpoint are left out)."""
    truth: list[str] = []
    guess: list[str | None] = []
    for (start, end), label in zip(words, labels, strict=True):
        middle = (start + end) / 2
        covering = [t.speaker for t in reference if t.start <= middle < t.end]
        if covering:
            truth.append(covering[0] if len(covering) == 1 else "|".join(sorted(covering)))
            guess.append(label)
    if not truth:
        return 0.0, 0
    ref_names = sorted({name for joined in truth for name in joined.split("|")})
    hyp_names = sorted({g for g in guess if g is not None})
    counts = np.zeros((len(ref_names), len(hyp_names)), dtype=np.int64)
    for joined, label in zip(truth, guess, strict=True):
        if label is not None:
            for name in joined.split("|"):  # in overlap, either speaker counts as right
                counts[ref_names.index(name), hyp_names.index(label)] += 1
    mapping = {hyp_names[j]: ref_names[i] for i, j in best_mapping(counts)}
    right = sum(1 for joined, label in zip(truth, guess, strict=True) if mapping.get(label) in joined.split("|"))
    return right / len(truth), len(truth)


def best_mapping(scores: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs (row, column) with the largest total score (the Hungarian method,
    O(n^3); rows or columns left over stay unpaired)."""
    scores = np.asarray(scores, dtype=np.float64)
    transposed = scores.shape[0] > scores.shape[1]
    cost = -(scores.T if transposed else scores)  # n rows <= m columns, minimise
    n, m = cost.shape
    if n == 0:
        return []
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    match = np.zeros(m + 1, dtype=int)  # match[j]: the row (1-based) holding column j
    for row in range(1, n + 1):
        match[0] = row
        column = 0
        least = np.full(m + 1, np.inf)
        via = np.zeros(m + 1, dtype=int)
        used = np.zeros(m + 1, dtype=bool)
        while match[column]:
            used[column] = True
            i = match[column]
            reduced = cost[i - 1] - u[i] - v[1:]
            free = ~used[1:]
            better = free & (reduced < least[1:])
            least[1:][better] = reduced[better]
            via[1:][better] = column
            candidates = np.where(free, least[1:], np.inf)
            nearest = int(np.argmin(candidates)) + 1
            delta = candidates[nearest - 1]
            u[match[used]] += delta
            v[used] -= delta
            least[1:][free] -= delta
            column = nearest
        while column:
            previous = via[column]
            match[column] = match[previous]
            column = previous
    pairs = [(int(match[j]) - 1, j - 1) for j in range(1, m + 1) if match[j]]
    return sorted((j, i) if transposed else (i, j) for i, j in pairs)


def read_rttm(text: str) -> list[Turn]:
    turns = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            turns.append(Turn(start, start + duration, fields[7]))
    return turns


def _activity(turns: Sequence[Turn], names: list[str], frames: int) -> np.ndarray:
    active = np.zeros((len(names), frames), dtype=bool)
    for turn in turns:
        active[names.index(turn.speaker), int(round(turn.start / STEP)) : int(round(turn.end / STEP))] = True
    return active
