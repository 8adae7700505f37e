"""project.qde (or a .qdc codebook) read into a Plan (import_plan.py): users, the code tree,
variables and cases, notes, and through import_sources.py the sources. Nothing here writes.

Elements are matched in the namespace of the root element (REFI-QDA's, or none for tools that
leave it out); anything else counts as unknown and is reported, never dropped silently.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from storage.refi_qda import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, ExchangeError
from storage.refi_qda.archive import QdpxArchive
from storage.refi_qda.import_plan import (
    Plan, PlannedCase, PlannedCode, PlannedNote, Tracker, colour_of, date_of, guid_of, plural,
)
from storage.refi_qda.safe_xml import local_name, namespace_of

# Earmark's own notes (export_project.py): diary entries are named so, and memos on things a
# Note cannot refer to say what they are about in their Description.
_DIARY_NAME = re.compile(r"^Diary (\d{4}-\d{2}-\d{2}) \((descriptive|interpretive|decision)\)(?:: (.*))?$", re.S)
_ABOUT = re.compile(r"^A memo on the (participant|speaker|meeting) (.+)$")
DIARY_TARGET = "diary:"  # PlannedNote.target_guid prefix: "diary:2024-03-01:decision"
ABOUT_TARGET = "about:"  # "about:participant:SN1"
_DESCRIPTIONS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:earmark:refi-qda:description")


class Reader:
    """Reads one REFI-QDA document. `archive` is None for a .qdc (which has no sources)."""

    def __init__(self, root: Element, file_name: str, archive: QdpxArchive | None,
                 known_labels: Iterable[str] = ()) -> None:
        self.root = root
        self.namespace = namespace_of(root)
        self.file_name = file_name
        self.archive = archive
        self.origin = root.get("origin") or ""
        self.tracker = Tracker()
        self.rich_copies = 0  # text sources that also came as DOCX (the plain text is imported)
        self.plan = Plan(file_name)
        self.users: dict[str, str] = {}
        self.variables: dict[str, str] = {}  # GUID -> name
        self.note_refs: defaultdict[str, list[tuple[str, Element]]] = defaultdict(list)  # note -> (target, NoteRef)
        self._guids: set[str] = set()
        # Speaker labels and role codes already in the project, and this file's cases: "SN1: ..."
        # lines are theirs (import_sources.py). casefold -> the spelling kept.
        self.known_labels: dict[str, str] = {label.casefold(): label for label in known_labels}

    # --- element helpers ---------------------------------------------------------------------

    def children(self, element: Element, name: str) -> list[Element]:
        return [child for child in element if local_name(child) == name and namespace_of(child) == self.namespace]

    def child(self, element: Element, name: str) -> Element | None:
        found = self.children(element, name)
        return found[0] if found else None

    def text(self, element: Element, name: str) -> str:
        """The text of a child element (Description, PlainTextContent...), marked as used."""
        found = self.child(element, name)
        if found is None:
            return ""
        self.tracker.use(found)
        return found.text or ""

    def user(self, element: Element, attribute: str = "creatingUser") -> str:
        guid = guid_of(element, attribute)
        return self.users.get(guid, "") if guid else ""

    def unique_guid(self, element: Element, what: str) -> str | None:
        """The element's GUID, or None (with a warning) when it is missing or already used."""
        guid = guid_of(element)
        if guid is None:
            self.plan.warnings.append(f"A {what} without a valid GUID was not imported.")
            return None
        if guid in self._guids:
            self.plan.warnings.append(f"A {what} reuses the GUID {guid} of another element and was not imported.")
            return None
        self._guids.add(guid)
        return guid

    def note_refs_of(self, element: Element, target: str) -> None:
        for ref in self.children(element, "NoteRef"):
            self.tracker.use(ref)
            note = guid_of(ref, "targetGUID")
            if note is not None:
                self.note_refs[note].append((target, ref))

    def description_note(self, element: Element, target: str, title: str) -> None:
        """A non-empty Description becomes a memo on `target`."""
        description = self.text(element, "Description").strip()
        if description:  # its GUID comes from what it says and is on: importing it again adds nothing
            guid = str(uuid.uuid5(_DESCRIPTIONS, f"{target}\x1f{description}"))
            self.plan.notes.append(PlannedNote(guid, title, description, self.user(element),
                                               date_of(element, "creationDateTime"), None, target))

    # --- the document ------------------------------------------------------------------------

    def read_project(self) -> Plan:
        from storage.refi_qda.import_sources import read_sources

        self._check_root("Project", PROJECT_NAMESPACE, "REFI-QDA project")
        self._users()
        codebook = self.child(self.root, "CodeBook")
        if codebook is not None:
            self.tracker.use(codebook)
            self._codes(self.child(codebook, "Codes"))
        self._variables()
        self._cases()
        sources = self.child(self.root, "Sources")
        if sources is not None:
            self.tracker.use(sources)
            read_sources(self, sources)
        if self.rich_copies:
            self.plan.warnings.append(
                f"{plural(self.rich_copies, 'text source also comes', 'text sources also come')} as a Word document "
                "(rich text) in the archive: Earmark imported the plain text, without formatting.")
        self.description_note(self.root, "project", "Project description")
        self.note_refs_of(self.root, "project")
        self._notes()
        for name in ("Sets", "Graphs", "Links"):  # their items are reported one by one
            self.tracker.use(*self.children(self.root, name))
        self.plan.warnings.extend(self.tracker.warnings(self.root))
        return self.plan

    def read_codebook(self) -> Plan:
        self._check_root("CodeBook", CODEBOOK_NAMESPACE, "REFI-QDA codebook (.qdc)")
        self._codes(self.child(self.root, "Codes"))
        self.tracker.use(*self.children(self.root, "Sets"))
        self.plan.warnings.extend(self.tracker.warnings(self.root))
        return self.plan

    def _check_root(self, name: str, namespace: str, what: str) -> None:
        if local_name(self.root) != name or self.namespace not in (namespace, ""):
            found = local_name(self.root) + (f" in the namespace {self.namespace}" if self.namespace else "")
            raise ExchangeError(f"{self.file_name} is not a {what}: its root element is <{found}>, not <{name}> in "
                                f"{namespace}. Choose a file exported as a {what}.")
        self.tracker.use(self.root)

    def _users(self) -> None:
        users = self.child(self.root, "Users")
        if users is None:
            return
        self.tracker.use(users)
        for user in self.children(users, "User"):
            self.tracker.use(user)
            guid = guid_of(user)
            if guid is not None:
                self.users[guid] = (user.get("name") or user.get("id") or "").strip()

    def _codes(self, codes: Element | None) -> None:
        if codes is None:
            return
        self.tracker.use(codes)
        stack: list[tuple[Element, str | None]] = [(code, None) for code in reversed(self.children(codes, "Code"))]
        while stack:  # depth first, parents before children, siblings in order
            element, parent = stack.pop()
            self.tracker.use(element)
            guid = self.unique_guid(element, "code")
            if guid is None:
                continue
            name = " ".join((element.get("name") or "").split()) or "(unnamed code)"
            description = self.text(element, "Description").strip()
            self.plan.codes.append(PlannedCode(guid, name, colour_of(element), description, parent))
            self.note_refs_of(element, guid)
            stack.extend((child, guid) for child in reversed(self.children(element, "Code")))

    def _variables(self) -> None:
        variables = self.child(self.root, "Variables")
        if variables is None:
            return
        self.tracker.use(variables)
        for variable in self.children(variables, "Variable"):
            self.tracker.use(variable, *self.children(variable, "Description"))  # what it means: not kept
            guid = guid_of(variable)
            if guid is not None:
                self.variables[guid] = " ".join((variable.get("name") or "").split())

    def variable_values(self, element: Element) -> list[tuple[str, str]]:
        """(variable name, value) of an element's VariableValues, marked as used."""
        values = []
        for holder in self.children(element, "VariableValue"):
            ref = self.child(holder, "VariableRef")
            name = self.variables.get(guid_of(ref, "targetGUID") or "") if ref is not None else None
            value = next((child for child in holder if child is not ref), None)
            if not name or value is None:
                continue
            self.tracker.use(holder, ref, value)  # type: ignore[arg-type]
            values.append((name, (value.text or "").strip()))
        return values

    def _cases(self) -> None:
        cases = self.child(self.root, "Cases")
        if cases is None:
            return
        self.tracker.use(cases)
        for case in self.children(cases, "Case"):
            self.tracker.use(case)
            guid = self.unique_guid(case, "case")
            name = " ".join((case.get("name") or "").split())
            if guid is None:
                continue
            if not name or len(name) > 50:
                self.plan.warnings.append(f"The case {name[:30] or guid!r} was not imported: a participant's role "
                                          "code must have 1 to 50 characters.")
                continue
            self.plan.cases.append(PlannedCase(guid, name, tuple(self.variable_values(case))))
            if self.origin.startswith("Earmark"):
                # Earmark writes a case's SourceRefs from where its speaker talks; importing the
                # speakers restores exactly that, so these are understood, not lost.
                for reference in self.children(case, "SourceRef"):
                    self.tracker.use(reference)
            self.known_labels.setdefault(name.casefold(), name)
            self.description_note(case, guid, f"Description of {name}")

    def _notes(self) -> None:
        from storage.refi_qda.import_sources import note_text

        notes = self.child(self.root, "Notes")
        if notes is None:
            return
        self.tracker.use(notes)
        for note in self.children(notes, "Note"):
            self.tracker.use(note)
            guid = self.unique_guid(note, "note")
            if guid is None:
                continue
            title = (note.get("name") or "").strip()
            description = self.text(note, "Description").strip()
            body = note_text(self, note, title or guid)
            target = self._note_target(guid, title, description)
            if target is not None and target.startswith(DIARY_TARGET):
                title = _DIARY_NAME.match(title).group(3) or ""  # type: ignore[union-attr]
            elif target is None and description and not description.startswith("A memo on the project"):
                body = f"{body}\n\n({description})" if body else f"({description})"
            self.plan.notes.append(PlannedNote(guid, title, body, self.user(note), date_of(note, "creationDateTime"),
                                               date_of(note, "modifiedDateTime"), target))
        dropped = [ref for refs in self.note_refs.values() for _, ref in refs if ref is not None]
        if dropped:
            self.plan.warnings.append(f"{plural(len(dropped), 'reference')} to notes that are not in the file "
                                      "were not imported.")

    def _note_target(self, guid: str, title: str, description: str) -> str | None:
        refs = self.note_refs.pop(guid, [])
        diary = _DIARY_NAME.match(title)
        if diary is not None:  # the passages it discusses become its links
            return f"{DIARY_TARGET}{diary.group(1)}:{diary.group(2)}:" + ",".join(target for target, _ in refs)
        for _, ref in refs[1:]:
            self.tracker.drop(ref)
        if refs:
            return refs[0][0]
        about = _ABOUT.match(description)
        return f"{ABOUT_TARGET}{about.group(1)}:{about.group(2)}" if about else None

