"""The code tree, the cases (participants) and the notes (memos and the research diary) of a
.qdpx; the code tree also makes the .qdc codebook.

Cases: each participant in the register is a Case (GUID = Participant.guid, name = role code)
with VariableValues for role, organisation and consent and for each of their free attributes
(Variables get GUIDs derived from their names), and a SourceRef to every source they speak in.

Notes: every memo is a Note (GUID = Memo.guid, name = its title, author, dates, the body as
PlainTextContent; its Description says what it is about). A NoteRef ties it to what it is on
wherever the schema has one: the project, a code, a source (or a recording's Transcript), a coded
passage. Memos on participants, speakers and meetings have no such place (a Case has no NoteRef):
their Description names who or what. A diary entry is named "Diary YYYY-MM-DD (type): title",
and the passages it links to point to it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Code, Coding, Meeting, Memo, Participant, Speaker, Transcript
from storage.project import Project
from storage.refi_qda.export_context import ExportContext
from storage.refi_qda.writer_xml import Builder, date_time

PROJECT_TARGET = "project"  # note_refs key of the notes on the project as a whole
_COLOUR = re.compile(r"#([0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?|#([0-9a-fA-F]{3})")
_BUILT_IN_VARIABLES = (
    ("Role", "role", "The participant's role (Earmark's participant register)"),
    ("Organisation", "organisation", "The participant's organisation"),
    ("Consent", "consent", "full, observe_only or withdrawn: observe_only and withdrawn participants' words are "
                           "left out of analysis and of this export"),
)


# --- codes -----------------------------------------------------------------------------------------

def code_rows(project: Project) -> list[tuple[int, str, int | None, str, str, str]]:
    """(id, guid, parent id, name, colour, description) in tree order of siblings."""
    with project.session() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(Code.id, Code.guid, Code.parent_id, Code.name, Code.color, Code.description)
            .order_by(Code.position, Code.id)).all()]


def codes_element(builder: Builder, rows: list[tuple[int, str, int | None, str, str, str]], *,
                  clean: Callable[[str], str] = str, context: ExportContext | None = None) -> ET.Element:
    """<Codes> holding the tree. With a context (a .qdpx), codes carry their NoteRefs; a .qdc
    has no notes to refer to."""
    children: defaultdict[int | None, list[tuple[int, str, int | None, str, str, str]]] = defaultdict(list)
    known = {row[0] for row in rows}
    for row in rows:
        children[row[2] if row[2] in known else None].append(row)
    codes = builder.root("Codes")

    def add(parent: ET.Element, row: tuple[int, str, int | None, str, str, str]) -> None:
        code_id, guid, _parent, name, colour, description = row
        element = builder.child(parent, "Code", guid=guid, name=clean(name), isCodable=True, color=rgb(colour))
        if description.strip():
            builder.child(element, "Description", clean(description))
        if context is not None:
            context.add_note_refs(element, guid)
        for child in children.get(code_id, ()):
            add(element, child)

    for row in children.get(None, ()):
        add(codes, row)
    return codes


def rgb(colour: str | None) -> str | None:
    """"#RRGGBB" (upper case) from a stored colour (#rgb, #rrggbb or #rrggbbaa); None if unreadable."""
    found = _COLOUR.fullmatch((colour or "").strip())
    if found is None:
        return None
    digits = found.group(1) or "".join(character * 2 for character in found.group(2))
    return "#" + digits.upper()


def codebook_element(context: ExportContext) -> tuple[ET.Element | None, int]:
    rows = code_rows(context.project)
    if not rows:
        return None, 0
    codebook = context.builder.root("CodeBook")
    codebook.append(codes_element(context.builder, rows, clean=context.clean, context=context))
    return codebook, len(rows)


# --- cases -----------------------------------------------------------------------------------------

def cases_element(context: ExportContext, sources_of_participant: dict[int, set[str]]) -> tuple[ET.Element | None, int]:
    with context.project.session() as session:
        participants = [(row.id, row.guid, row.role_code, row.role, row.organisation, row.consent,
                         dict(row.attributes or {})) for row in session.scalars(select(Participant).order_by(Participant.role_code, Participant.id))]
    if not participants:
        return None, 0
    built_in = {name.casefold() for name, _, _ in _BUILT_IN_VARIABLES}
    cases = context.builder.root("Cases")
    clashes = 0
    for participant_id, guid, role_code, role, organisation, consent, attributes in participants:
        case = context.child(cases, "Case", guid=guid, name=context.clean(role_code))
        values = {"role": role, "organisation": organisation, "consent": consent}
        for name, key, description in _BUILT_IN_VARIABLES:
            value = values[key] if key == "consent" else context.clean(values[key] or "")
            context.variable_value(case, name, value, description=description)
        for name in sorted(attributes, key=lambda item: (item.casefold(), item)):
            written = context.clean(str(name)).strip()
            if written.casefold() in built_in:
                clashes += 1
                continue
            context.variable_value(case, written, context.clean(str(attributes[name])),
                                   description="A participant attribute (Earmark's participant register)")
        for source_guid in sorted(sources_of_participant.get(participant_id, ())):
            context.child(case, "SourceRef", targetGUID=source_guid)
    if clashes:
        context.warnings.append(f"{clashes} participant attribute(s) named like Role, Organisation or Consent were "
                                "not exported: rename them in the register to export them.")
    return cases, len(participants)


# --- notes -----------------------------------------------------------------------------------------

def notes_element(context: ExportContext) -> tuple[ET.Element | None, int]:
    """<Notes>, and the NoteRefs they need (context.note_refs) for the elements built after."""
    with context.project.session() as session:
        memos = list(session.scalars(select(Memo).order_by(Memo.id)))
        about = _what_memos_are_about(session, memos)
    if not memos:
        return None, 0
    notes = context.builder.root("Notes")
    for memo in memos:
        target_guids, description = about.get(memo.id, ((), "A memo"))
        for target in target_guids:
            context.note_refs[target].append(memo.guid)
        user = context.user_guid(memo.author)
        note = context.child(notes, "Note", guid=memo.guid, name=_note_name(context, memo), creatingUser=user,
                             creationDateTime=date_time(memo.created_at), modifyingUser=user,
                             modifiedDateTime=date_time(memo.updated_at))
        context.child(note, "Description", context.clean(description))
        context.child(note, "PlainTextContent", context.clean(memo.body or ""))
    return notes, len(memos)


def _note_name(context: ExportContext, memo: Memo) -> str | None:
    title = context.clean(memo.title or "").strip()
    if memo.target_kind == "diary":
        heading = f"Diary {memo.entry_date or ''} ({memo.entry_type or 'entry'})"
        return f"{heading}: {title}" if title else heading
    return title or None


def _what_memos_are_about(session: Session, memos: list[Memo]) -> dict[int, tuple[tuple[str, ...], str]]:
    """memo id -> (GUIDs of the elements that get a NoteRef to it, a Description)."""
    wanted: defaultdict[str, set[int]] = defaultdict(set)
    for memo in memos:
        if memo.target_id is not None:
            wanted[memo.target_kind].add(memo.target_id)
        if memo.target_kind == "diary":
            wanted["coding"].update(int(link) for link in memo.links or ())
    names = _target_names(session, wanted)
    about: dict[int, tuple[tuple[str, ...], str]] = {}
    for memo in memos:
        kind, target = memo.target_kind, names.get(memo.target_kind, {}).get(memo.target_id)  # type: ignore[arg-type]
        if kind == "project":
            about[memo.id] = ((PROJECT_TARGET,), "A memo on the project")
        elif kind == "diary":
            linked = [names["coding"][int(link)] for link in memo.links or () if int(link) in names.get("coding", {})]
            about[memo.id] = (tuple(guid for guid, _ in linked),
                              f"Research diary, {memo.entry_type or 'an'} entry for {memo.entry_date or 'an undated day'}"
                              + (f"; it discusses {len(linked)} coded passage(s)" if linked else ""))
        elif target is None:
            about[memo.id] = ((), f"A memo on a {kind} that is no longer in the project")
        else:
            guid, label = target
            about[memo.id] = ((guid,) if guid else (), f"A memo on {label}")
    return about


def _target_names(session: Session, wanted: dict[str, set[int]]) -> dict[str, dict[int, tuple[str | None, str]]]:
    """For each kind, id -> (GUID that may carry a NoteRef or None, how a reader names it)."""
    run = session.execute
    names: dict[str, dict[int, tuple[str | None, str]]] = {}

    def ids(kind: str) -> Iterable[int]:
        return wanted.get(kind, set())

    names["code"] = {i: (g, f"the code “{n}”") for i, g, n in run(
        select(Code.id, Code.guid, Code.name).where(Code.id.in_(ids("code"))))}
    names["transcript"] = {i: (g, f"the source “{n}”") for i, g, n in run(
        select(Transcript.id, Transcript.guid, Transcript.name).where(Transcript.id.in_(ids("transcript"))))}
    names["coding"] = {i: (g, f"a passage coded “{c}” in “{t}”") for i, g, c, t in run(
        select(Coding.id, Coding.guid, Code.name, Transcript.name).join(Code, Code.id == Coding.code_id)
        .join(Transcript, Transcript.id == Coding.transcript_id).where(Coding.id.in_(ids("coding"))))}
    names["participant"] = {i: (None, f"the participant {c}") for i, c in run(
        select(Participant.id, Participant.role_code).where(Participant.id.in_(ids("participant"))))}
    names["speaker"] = {i: (None, f"the speaker {label}") for i, label in run(
        select(Speaker.id, Speaker.label).where(Speaker.id.in_(ids("speaker"))))}
    names["meeting"] = {i: (None, f"the meeting {c}") for i, c in run(
        select(Meeting.id, Meeting.code).where(Meeting.id.in_(ids("meeting"))))}
    return names
