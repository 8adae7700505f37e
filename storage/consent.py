"""Consent: which turns are left out of analysis, and what that means for a coded passage.

A participant who consented to be observed only, or who withdrew, is in the room and in the
recording, but nothing they say may be analysed (RESEARCH.md: "everything they say is excluded
from analysis"). The rule lives here, in one place: a turn is EXCLUDED when its speaker is linked
to a participant whose consent is one of EXCLUDED_CONSENT. A turn without a speaker, or whose
speaker is linked to nobody, is analysable.

What follows from it, everywhere in analysis:
- The editor shows excluded turns greyed, with the reason (excluded_turns); their codings are
  painted faded, not hidden, so a researcher can still see and remove codings made before the
  consent changed.
- Coding: a selection that touches any excluded turn is refused with a message naming who and
  why (span_refusal), e.g. "SW consented to be observed only: their words are left out of
  analysis". Auto-coding finds nothing in excluded turns and says how many matches it skipped.
- Retrieval, the code matrix, codebook counts and full-text search work on the analysable turns
  only. A coded passage lying wholly in excluded turns is left out. A passage spanning consenting
  and excluded turns (coded before the consent changed) is kept with only the consenting turns'
  words: each run of excluded turns reads MARKER, which leaks no words (masked_text). Such a
  passage is attributed to its first consenting turn's speaker (the matrix column) and timed from
  that turn's first word to the last consenting turn's last word.
- A consent change deletes nothing: codings stay as they were, and with consent set back to full
  they are retrieved and counted again.
- Memos are the researcher's own writing and are not filtered.

Everything here is SQL (a subquery on speakers joined to participants), so that filtering costs
the retrieval of 2,000 passages no Python per row. When nobody is excluded (any_excluded, one tiny
query), retrieval, counts and search run their plain queries: most projects pay nothing. When
someone is, counts are the plain ones adjusted by the few codings that start in an excluded turn
(left_out_codings, moved_codings) rather than joining every coding to its turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from storage.models import Coding, Participant, Segment, Speaker

EXCLUDED_CONSENT = ("observe_only", "withdrawn")
CONSENT_LEVELS = ("full", "observe_only", "withdrawn")
CONSENT_WORDS = {"full": "full consent", "observe_only": "consented to be observed only", "withdrawn": "withdrew consent"}
SHORT_WORDS = {"observe_only": "observe only", "withdrawn": "withdrawn"}  # under the speaker in the editor
LEFT_OUT = "their words are left out of analysis"
MARKER = "[…]"  # stands for a run of excluded turns inside a retrieved passage

# The same subquery as excluded_speaker_ids_query, for the hand-written SQL of full-text search
# and retrieval. Built from EXCLUDED_CONSENT, whose values are fixed identifiers, not user input.
EXCLUDED_SPEAKERS_SQL = (
    "SELECT consent_speaker.id FROM speakers AS consent_speaker "
    "JOIN participants AS consent_participant ON consent_participant.id = consent_speaker.participant_id "
    "WHERE consent_participant.consent IN (" + ", ".join(f"'{level}'" for level in EXCLUDED_CONSENT) + ")"
)


class ConsentError(ValueError):
    """Refused because the words belong to someone whose words are left out of analysis."""


@dataclass(frozen=True)
class Exclusion:
    """Why one speaker's turns are left out."""

    speaker_id: int
    who: str  # the participant's role code (the speaker label when it has none)
    consent: str  # one of EXCLUDED_CONSENT

    @property
    def short(self) -> str:
        return SHORT_WORDS[self.consent]

    @property
    def why(self) -> str:
        return f"{self.who} {CONSENT_WORDS[self.consent]}"

    @property
    def reason(self) -> str:
        return f"{self.why}: {LEFT_OUT}"


def excluded_speaker_ids_query() -> Select[tuple[int]]:
    """The ids of speakers whose words must be left out, as a subquery for filters."""
    return (
        select(Speaker.id)
        .join(Participant, Participant.id == Speaker.participant_id)
        .where(Participant.consent.in_(EXCLUDED_CONSENT))
    )


def segment_is_analysable(segment_speaker_id: ColumnElement[int | None] = Segment.speaker_id) -> ColumnElement[bool]:
    """A WHERE clause keeping the turns that may be analysed (no speaker counts as analysable).
    Pass the speaker column of an aliased segments table where needed."""
    return segment_speaker_id.is_(None) | segment_speaker_id.not_in(excluded_speaker_ids_query())


def exclusions(session: Session) -> dict[int, Exclusion]:
    """Speaker id -> who and why, for every speaker whose turns are left out."""
    rows = session.execute(
        select(Speaker.id, Speaker.label, Participant.role_code, Participant.consent)
        .join(Participant, Participant.id == Speaker.participant_id)
        .where(Participant.consent.in_(EXCLUDED_CONSENT))
    ).all()
    return {row.id: Exclusion(row.id, row.role_code or row.label, row.consent) for row in rows}


def excluded_speakers(session: Session) -> dict[int, str]:
    """Speaker id -> why their turns are left out, e.g. "SW consented to be observed only: their
    words are left out of analysis"."""
    return {speaker_id: exclusion.reason for speaker_id, exclusion in exclusions(session).items()}


def excluded_segment_ids(session: Session, transcript_id: int | None = None) -> set[int]:
    query = select(Segment.id).where(Segment.speaker_id.in_(excluded_speaker_ids_query()))
    if transcript_id is not None:
        query = query.where(Segment.transcript_id == transcript_id)
    return set(session.scalars(query))


def excluded_turns(session: Session, transcript_id: int) -> dict[int, Exclusion]:
    """Segment id -> why, for the excluded turns of one transcript (what the editor greys)."""
    who = exclusions(session)
    if not who:
        return {}
    rows = session.execute(
        select(Segment.id, Segment.speaker_id).where(Segment.transcript_id == transcript_id,
                                                     Segment.speaker_id.in_(list(who)))
    ).all()
    return {segment_id: who[speaker_id] for segment_id, speaker_id in rows}


def span_refusal(session: Session, transcript_id: int, first_position: int, last_position: int) -> str | None:
    """Why turns first_position..last_position of a transcript may not be coded, naming everyone
    excluded among their speakers; None when every turn may be analysed."""
    speaker_ids = set(session.scalars(
        select(Segment.speaker_id).where(Segment.transcript_id == transcript_id,
                                         Segment.position.between(first_position, last_position),
                                         Segment.speaker_id.in_(excluded_speaker_ids_query()))
    ))
    if not speaker_ids:
        return None
    who = exclusions(session)
    reasons = sorted({who[speaker_id].why for speaker_id in speaker_ids if speaker_id in who})
    joined = ", ".join(reasons[:-1]) + " and " + reasons[-1] if len(reasons) > 1 else reasons[0]
    return f"{joined}: {LEFT_OUT}, so the passage was not coded. Select the words of other speakers."


def masked_text(pieces: Iterable[str | None]) -> str:
    """A passage's turns joined by line breaks, each run of excluded turns (None) as one MARKER."""
    kept: list[str] = []
    for piece in pieces:
        if piece is None:
            if not kept or kept[-1] is not MARKER:  # identity: a turn whose text is "[…]" is words
                kept.append(MARKER)
        else:
            kept.append(piece)
    return "\n".join(kept)


_ANY_EXCLUDED = select(excluded_speaker_ids_query().exists())  # built once: asked before every read


def any_excluded(session: Session) -> bool:
    """Whether anyone's words are left out at all (most projects: no). Retrieval, counting and
    search then skip the consent joins, which cost more than a count itself on a large project."""
    return session.scalar(_ANY_EXCLUDED) or False


def kept_turn_id(edge_turn: Any, other_end_id: ColumnElement[int], *, first: bool = True) -> ColumnElement[Any]:
    """For a coding joined to the turn it starts in (`edge_turn`, an alias of segments; with
    first=False the turn it ends in), the id of its first (last) turn that may be analysed, or
    NULL when none may and the passage is left out. `other_end_id` is the coding's column naming
    its other end's turn. In the usual case that is the edge turn itself; only when it is not is
    the nearest consenting turn inside the passage looked for (SQLite evaluates CASE lazily), so
    the common case costs no more than the join to the edge turn."""
    inner = Segment.__table__.alias("kept_turn" if first else "kept_tail")
    other = Segment.__table__.alias("other_end")
    # Correlated two levels up, to the coding of the enclosing query (not to a codings table of its own).
    other_position = select(other.c.position).where(other.c.id == other_end_id).correlate_except(other).scalar_subquery()
    if first:
        inside = (inner.c.position > edge_turn.c.position) & (inner.c.position <= other_position)
    else:
        inside = (inner.c.position < edge_turn.c.position) & (inner.c.position >= other_position)
    nearest = (
        select(inner.c.id)
        .where(inner.c.transcript_id == edge_turn.c.transcript_id, inside, segment_is_analysable(inner.c.speaker_id))
        .order_by(inner.c.position.asc() if first else inner.c.position.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((segment_is_analysable(edge_turn.c.speaker_id), edge_turn.c.id),
                (other_end_id == edge_turn.c.id, None),  # a passage inside one excluded turn
                else_=nearest)


_FIRST = Segment.__table__.alias("consent_first")  # the turn a coding starts in
KEPT_TURN = Segment.__table__.alias("consent_kept")  # its first consenting turn (see below)


def _excluded_turn_ids() -> Any:
    """The excluded turns' ids, as a CTE: listing them reads the segments table once (there is no
    index by speaker), however often a query asks."""
    return select(Segment.id).where(Segment.speaker_id.in_(excluded_speaker_ids_query())).cte("excluded_turns")


def left_out_codings(*columns: Any) -> Select[Any]:
    """A select of `columns` over the codings wholly in excluded turns (what retrieval leaves out),
    to subtract from plain counts: those inside one excluded turn, and those whose first and last
    turns are excluded with no consenting turn between. No coding is joined to its turns but
    those last, which are rare."""
    excluded = _excluded_turn_ids()
    first, last, inside = (Segment.__table__.alias(name) for name in ("left_out_first", "left_out_last", "left_out_inside"))
    consenting_inside = (
        select(inside.c.id)
        .where(first.c.id == Coding.start_segment_id, last.c.id == Coding.end_segment_id,
               inside.c.transcript_id == first.c.transcript_id, inside.c.position > first.c.position,
               inside.c.position < last.c.position, segment_is_analysable(inside.c.speaker_id))
        .exists()
    )
    return select(*columns).where(
        Coding.start_segment_id.in_(select(excluded.c.id)),
        (Coding.end_segment_id == Coding.start_segment_id)
        | (Coding.end_segment_id.in_(select(excluded.c.id)) & ~consenting_inside),
    )


def moved_codings(*columns: Any) -> Select[Any]:
    """A select of `columns` over the codings that start in an excluded turn but reach a
    consenting one, joined to that first consenting turn as KEPT_TURN: counted by speaker, they
    count for its speaker, not the one they start with."""
    excluded = _excluded_turn_ids()
    return (
        select(*columns)
        .join(_FIRST, _FIRST.c.id == Coding.start_segment_id)
        .join(KEPT_TURN, KEPT_TURN.c.id == kept_turn_id(_FIRST, Coding.end_segment_id))
        .where(Coding.start_segment_id.in_(select(excluded.c.id)), Coding.end_segment_id != Coding.start_segment_id)
    )
