"""Consent: which turns are left out of analysis.

A participant who consented to be observed only, or who withdrew, is in the room and in the
recording, but nothing they say may be analysed (RESEARCH.md: "everything they say is excluded
from analysis"). Their turns stay in the transcript, greyed with the reason, and are left out of
coding, retrieval, counts, search and every export. The rule lives here, in one place: a turn is
excluded when its speaker is linked to a participant whose consent is one of EXCLUDED_CONSENT.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from storage.models import Participant, Segment, Speaker

EXCLUDED_CONSENT = ("observe_only", "withdrawn")
CONSENT_LEVELS = ("full", "observe_only", "withdrawn")
CONSENT_WORDS = {"full": "full consent", "observe_only": "consented to be observed only", "withdrawn": "withdrew consent"}


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


def excluded_speakers(session: Session) -> dict[int, str]:
    """Speaker id -> why their turns are left out, e.g. "SN3 consented to be observed only"."""
    rows = session.execute(
        select(Speaker.id, Speaker.label, Participant.role_code, Participant.consent)
        .join(Participant, Participant.id == Speaker.participant_id)
        .where(Participant.consent.in_(EXCLUDED_CONSENT))
    ).all()
    return {row.id: f"{row.role_code or row.label} {CONSENT_WORDS[row.consent]}: left out of analysis" for row in rows}


def excluded_segment_ids(session: Session, transcript_id: int | None = None) -> set[int]:
    query = select(Segment.id).where(Segment.speaker_id.in_(excluded_speaker_ids_query()))
    if transcript_id is not None:
        query = query.where(Segment.transcript_id == transcript_id)
    return set(session.scalars(query))
