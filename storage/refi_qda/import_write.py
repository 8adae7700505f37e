"""A Plan (import_plan.py) written into the project, inside the caller's one transaction.

What is there already is kept, and the warnings say so:
- a code whose GUID the project has is reused as it is (its name, colour and description stay);
  the file's sub-codes and codings are added to it;
- a case whose name is a participant's role code merges into that participant: attributes the
  participant lacks are added, and the participant's own values win where they differ;
- a source, coding or note whose GUID the project has is not imported again (the same file
  imported twice adds nothing the second time);
- a coding that would touch a turn whose words are left out of analysis (storage/consent.py) or
  duplicate one already there is not made.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from storage.analysis_records import Anchor
from storage.bulk import collector_paused
from storage.codebook import PALETTE
from storage.coding import normalise
from storage.consent import CONSENT_LEVELS, any_excluded, span_refusal
from storage.models import AuditEntry, Code, Coding, Meeting, Memo, Participant, Segment, Speaker, Transcript, utc_now
from storage.refi_qda.import_plan import Plan, PlannedCase, PlannedNote, PlannedSource, plural
from storage.refi_qda.import_read import ABOUT_TARGET, DIARY_TARGET
from storage.sources import untimed_words
from storage.transcript_import import timed_words
from storage.transcripts import speaker_for_label

_BUILT_IN = {"role": "role", "organisation": "organisation", "organization": "organisation", "consent": "consent"}


@dataclass(frozen=True)
class Written:
    codes: int
    sources: int
    codings: int
    notes: int
    cases: int
    warnings: tuple[str, ...]


class Writer:
    def __init__(self, session: Session, plan: Plan, default_author: str) -> None:
        self.session = session
        self.plan = plan
        self.default_author = default_author
        self.warnings: list[str] = []
        self.skipped: Counter[str] = Counter()
        self.code_ids: dict[str, int] = {}
        self.transcript_ids: dict[str, int] = {}
        self.coding_ids: dict[str, int] = {}  # Coding GUID and selection GUID -> coding id
        self.participant_ids: dict[str, int] = {}  # case GUID -> participant id
        self.segment_ids: dict[str, list[int]] = {}  # source GUID -> its new turns' ids, in order

    def write(self) -> Written:
        codes = self._codes()
        cases = sum(self._case(case) for case in self.plan.cases)
        sources = sum(self._source(source) for source in self.plan.sources)
        self._link_speakers()
        codings = sum(self._codings(source) for source in self.plan.sources if source.guid in self.transcript_ids)
        notes = sum(self._note(note) for note in self.plan.notes)
        self._skipped_warnings()
        self.session.add(AuditEntry(action="refi_qda_imported", details={
            "file": self.plan.file_name, "codes": codes, "sources": sources, "codings": codings, "notes": notes,
            "cases": cases, "position_units": {guid: units.name for guid, units in self.plan.units.items()}}))
        return Written(codes, sources, codings, notes, cases, tuple(self.warnings))

    # --- codes -------------------------------------------------------------------------------

    def _codes(self) -> int:
        session = self.session
        guids = [code.guid for code in self.plan.codes]
        existing = {guid: code_id for code_id, guid in
                    session.execute(select(Code.id, Code.guid).where(Code.guid.in_(guids)))}
        next_position: dict[int | None, int] = {}
        colours = Counter(session.scalars(select(Code.color)))
        made = 0
        for code in self.plan.codes:
            if code.guid in existing:
                self.code_ids[code.guid] = existing[code.guid]
                self.skipped["code"] += 1
                continue
            parent_id = self.code_ids.get(code.parent_guid) if code.parent_guid else None
            if parent_id not in next_position:
                condition = Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
                next_position[parent_id] = session.scalar(select(func.count()).select_from(Code).where(condition)) or 0
            colour = code.color or min(PALETTE, key=lambda c: (colours[c], PALETTE.index(c)))
            colours[colour] += 1
            row = Code(guid=code.guid, name=code.name, parent_id=parent_id, color=colour, description=code.description,
                       position=next_position[parent_id], merged_from=[])
            next_position[parent_id] += 1
            session.add(row)
            session.flush()
            self.code_ids[code.guid] = row.id
            made += 1
        return made

    # --- cases -------------------------------------------------------------------------------

    def _case(self, case: PlannedCase) -> int:
        session = self.session
        built_in, attributes = {}, {}
        for name, value in case.attributes:
            key = _BUILT_IN.get(name.casefold())
            if key == "consent" and value not in CONSENT_LEVELS:
                key = None
            if key:
                built_in[key] = value
            elif name and name not in attributes:
                attributes[name] = value
        row = session.scalars(select(Participant).where(func.lower(Participant.role_code) == case.name.lower())).first()
        if row is not None:
            merged = dict(row.attributes or {})
            differing = sum(1 for k, v in attributes.items() if k in merged and str(merged[k]) != v)
            differing += sum(1 for k, v in built_in.items() if v and getattr(row, k) and getattr(row, k) != v)
            merged.update({k: v for k, v in attributes.items() if k not in merged})
            row.attributes = merged
            for key, value in built_in.items():
                if value and not getattr(row, key) and key != "consent":
                    setattr(row, key, value)
            self.participant_ids[case.guid] = row.id
            self.skipped["merged case"] += 1
            self.skipped["kept value"] += differing
            return 0
        guid = case.guid if self._free(Participant, case.guid) else str(uuid.uuid4())
        consent = built_in.get("consent", "full")
        row = Participant(guid=guid, role_code=case.name, role=built_in.get("role", ""),
                          organisation=built_in.get("organisation", ""), consent=consent, attributes=attributes)
        session.add(row)
        session.flush()
        if consent != "full":
            session.add(AuditEntry(action="consent_changed", details={
                "participant": row.role_code, "guid": row.guid, "from": None, "to": consent,
                "by": f"import of {self.plan.file_name}"}))
        self.participant_ids[case.guid] = row.id
        return 1

    # --- sources -----------------------------------------------------------------------------

    def _source(self, source: PlannedSource) -> int:
        session = self.session
        existing = session.scalar(select(Transcript.id).where(Transcript.guid == source.guid))
        if existing is not None:
            self.transcript_ids[source.guid] = existing
            self.skipped["source"] += 1
            self.skipped["coding of a source already there"] += len(source.codings)
            return 0
        timed = source.kind == "recording"
        row = Transcript(guid=source.guid, name=source.name, kind=source.kind, recording_id=None,
                         meeting_id=self._meeting(source.guid), source_file=source.source_file, status="done",
                         model="imported (REFI-QDA)" if timed else None,
                         transcribed_until=max((t.end or 0.0 for t in source.turns), default=0.0) if timed else 0.0)
        session.add(row)
        session.flush()
        cache: dict[str, Speaker] = {}
        for label in sorted({turn.speaker for turn in source.turns if turn.speaker}):
            speaker_for_label(session, label, cache)
        session.flush()
        speaker_ids = {label: speaker.id for label, speaker in cache.items()}
        rows = []
        with collector_paused():  # a long source is tens of thousands of small objects
            for position, turn in enumerate(source.turns):
                start, end = (turn.start or 0.0, turn.end or turn.start or 0.0) if timed else (0.0, 0.0)
                rows.append({"transcript_id": row.id, "position": position, "start": start, "end": end,
                             "text": turn.text, "speaker_id": speaker_ids.get(turn.speaker) if turn.speaker else None,
                             "words": timed_words(turn.text, start, end) if timed else untimed_words(turn.text)})
        # Core rather than ORM objects: a 600 KB source is 15,000 turns, and ORM units of work
        # for them took twenty seconds.
        if rows:
            session.connection().execute(insert(Segment.__table__), rows)
        session.add(AuditEntry(action="source_added", details={
            "transcript": row.guid, "name": row.name, "kind": row.kind, "file": self.plan.file_name,
            "paragraphs": len(rows)}))
        session.flush()
        self.transcript_ids[source.guid] = row.id
        self.segment_ids[source.guid] = list(session.scalars(
            select(Segment.id).where(Segment.transcript_id == row.id).order_by(Segment.position)))
        return 1

    def _meeting(self, source_guid: str) -> int | None:
        values = self.plan.meetings.get(source_guid)
        code = " ".join((values or {}).get("meeting", "").split())
        if not code or len(code) > 50:
            return None
        row = self.session.scalars(select(Meeting).where(func.lower(Meeting.code) == code.lower())).first()
        if row is None:
            day = (values or {}).get("meeting date", "")[:10]
            row = Meeting(code=code, date=day if _is_day(day) else None)
            self.session.add(row)
            self.session.flush()
        return row.id

    def _link_speakers(self) -> None:
        """A new speaker label equal to a participant's role code stands for that participant, as
        storage.participants.create_participant links them."""
        self.session.flush()
        rows = self.session.execute(select(Participant.id, Participant.role_code))
        codes = {code.casefold(): participant_id for participant_id, code in rows}
        for speaker in self.session.scalars(select(Speaker).where(Speaker.participant_id.is_(None))):
            participant = codes.get(speaker.label.strip().casefold())
            if participant is not None:
                speaker.participant_id = participant
        self.session.flush()

    # --- codings -----------------------------------------------------------------------------

    def _codings(self, source: PlannedSource) -> int:
        session = self.session
        segment_ids = self.segment_ids.get(source.guid)
        if segment_ids is None:  # the source was there already
            return 0
        transcript_id = self.transcript_ids[source.guid]
        wanted = [coding.guids[0] for coding in source.codings if coding.guids]
        taken = set(session.scalars(select(Coding.guid).where(Coding.guid.in_(wanted))))
        check_consent = any_excluded(session)  # most projects: nobody's words are left out
        seen: set[tuple[int, Anchor, Anchor]] = set()  # the source is new: its only codings are these
        made: list[tuple[Coding, tuple[str, ...]]] = []
        # The source's turns held in the session, so that normalise() finds each one without a
        # query; and no autoflush, which would write the pending codings before every lookup
        # (20,000 codings took 38 s that way, measured with tests/benchmarks/exchange_scale.py).
        turns = session.scalars(select(Segment).where(Segment.transcript_id == transcript_id)).all()
        with session.no_autoflush:
            self._add_codings(source, transcript_id, segment_ids, taken, check_consent, seen, made)
        del turns
        session.flush()
        for row, keys in made:
            for key in keys:
                self.coding_ids.setdefault(key, row.id)
        return len(made)

    def _add_codings(self, source: PlannedSource, transcript_id: int, segment_ids: list[int], taken: set[str],
                     check_consent: bool, seen: set[tuple[int, Anchor, Anchor]],
                     made: list[tuple[Coding, tuple[str, ...]]]) -> None:
        session = self.session
        for coding in source.codings:
            code_id = self.code_ids.get(coding.code_guid)
            if code_id is None:
                self.skipped["coding of an unknown code"] += 1
                continue
            span = normalise(session, Anchor(segment_ids[coding.first_turn], coding.start_offset),
                             Anchor(segment_ids[coding.last_turn], coding.end_offset))
            if span is None:
                self.skipped["empty coding"] += 1
                continue
            start, end = span
            if check_consent and self._refused(transcript_id, start, end):
                self.skipped["coding of left-out words"] += 1
                continue
            if (code_id, start, end) in seen:
                self.skipped["duplicate coding"] += 1
                continue
            seen.add((code_id, start, end))
            guid = coding.guids[0] if coding.guids and coding.guids[0] not in taken else str(uuid.uuid4())
            taken.add(guid)
            row = Coding(guid=guid, code_id=code_id, transcript_id=transcript_id, start_segment_id=start.segment_id,
                         start_offset=start.offset, end_segment_id=end.segment_id, end_offset=end.offset,
                         author=coding.author, created_at=coding.created_at or utc_now())
            session.add(row)
            made.append((row, coding.guids))

    def _refused(self, transcript_id: int, start: Anchor, end: Anchor) -> bool:
        first, last = self.session.get(Segment, start.segment_id), self.session.get(Segment, end.segment_id)
        assert first is not None and last is not None
        return span_refusal(self.session, transcript_id, first.position, last.position) is not None

    # --- notes -------------------------------------------------------------------------------

    def _note(self, note: PlannedNote) -> int:
        session = self.session
        if _is_guid(note.guid) and not self._free(Memo, note.guid):
            self.skipped["note"] += 1
            return 0
        kind, target_id, extra = self._target(note.target_guid)
        created = note.created_at or utc_now()
        row = Memo(guid=note.guid if _is_guid(note.guid) else str(uuid.uuid4()), target_kind=kind, target_id=target_id,
                   title=note.title, body=note.body, author=note.author or self.default_author,
                   created_at=created, updated_at=max(note.updated_at or created, created), **extra)
        session.add(row)
        session.flush()
        return 1

    def _target(self, target: str | None) -> tuple[str, int | None, dict[str, object]]:
        if not target or target == "project":
            return "project", None, {}
        if target.startswith(DIARY_TARGET):
            day, entry_type, refs = target[len(DIARY_TARGET):].split(":", 2)
            if not _is_day(day):  # "Diary 2024-13-45 (...)" is no diary entry's name
                return "project", None, {}
            links = [self.coding_ids[ref] for ref in refs.split(",") if ref in self.coding_ids]
            return "diary", None, {"entry_date": day, "entry_type": entry_type, "links": list(dict.fromkeys(links))}
        if target.startswith(ABOUT_TARGET):
            kind, name = target[len(ABOUT_TARGET):].split(":", 1)
            model, column = {"participant": (Participant, Participant.role_code), "speaker": (Speaker, Speaker.label),
                             "meeting": (Meeting, Meeting.code)}[kind]
            found = self.session.scalar(select(model.id).where(func.lower(column) == name.strip().lower()))
            return (kind, found, {}) if found is not None else ("project", None, {})
        for kind, ids in (("code", self.code_ids), ("transcript", self.transcript_ids), ("coding", self.coding_ids),
                          ("participant", self.participant_ids)):
            if target in ids:
                return kind, ids[target], {}
        self.skipped["note on something not imported"] += 1
        return "project", None, {}

    # --- helpers -----------------------------------------------------------------------------

    def _free(self, model: type, guid: str) -> bool:
        return self.session.scalar(select(model.id).where(model.guid == guid)) is None  # type: ignore[attr-defined]

    def _skipped_warnings(self) -> None:
        skipped, add = self.skipped, self.warnings.append
        if skipped["code"]:
            add(f"{plural(skipped['code'], 'code was', 'codes were')} already in the project (same GUID): kept as "
                "they are, not duplicated; what the file codes with them is added to them.")
        if skipped["source"]:
            add(f"{plural(skipped['source'], 'source was', 'sources were')} already in the project (same GUID) and "
                f"not imported again, nor their {plural(skipped['coding of a source already there'], 'coding')}.")
        if skipped["merged case"]:
            kept = skipped["kept value"]
            add(f"{plural(skipped['merged case'], 'case matches a participant', 'cases match participants')} "
                "already in the register (same role code): their attributes were merged"
                + (f"; {plural(kept, 'value')} that differed kept the register's value." if kept else "."))
        for key, why in (("coding of an unknown code", "their code is not in the file"),
                         ("empty coding", "they cover no text"),
                         ("coding of left-out words", "they touch turns whose words are left out of analysis"),
                         ("duplicate coding", "the same code already covers the same words")):
            if skipped[key]:
                add(f"{plural(skipped[key], 'coding was', 'codings were')} not imported: {why}.")
        if skipped["note"]:
            add(f"{plural(skipped['note'], 'note was', 'notes were')} already in the project (same GUID) and "
                "not imported again.")
        if skipped["note on something not imported"]:
            add(f"{plural(skipped['note on something not imported'], 'note is', 'notes are')} on something that was "
                "not imported; they became memos on the project.")


def write_plan(session: Session, plan: Plan, default_author: str) -> Written:
    return Writer(session, plan, default_author).write()


def _is_guid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _is_day(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
        return True
    except ValueError:
        return False
