"""What every part of a .qdpx export shares: the element builder, the pseudonyms (applied to
every piece of free text when asked), the users and their GUIDs, the NoteRefs waiting for the
elements they belong to, and the warnings.

Users: REFI-QDA wants a user behind every coding and note. Earmark keeps an author name on
codings and memos (storage.memos.default_author for who writes now); each distinct name becomes
a User whose GUID is derived from the name, so it is the same in every export.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from storage.memos import default_author
from storage.models import Coding, Memo
from storage.name_matching import NameMatcher
from storage.project import Project
from storage.pseudonyms import load_matcher
from storage.refi_qda import PROJECT_NAMESPACE
from storage.refi_qda.writer_xml import Builder, derived_guid

UNKNOWN_AUTHOR = "Unknown author"  # when neither the row nor the project names one


@dataclass
class ExportContext:
    project: Project
    pseudonymise: bool
    matcher: NameMatcher | None
    default_user: str
    users: dict[str, str] = field(default_factory=dict)  # written name -> GUID
    note_refs: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # target -> notes
    warnings: list[str] = field(default_factory=list)
    variables: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # name -> (GUID, type, description)
    builder: Builder = field(default_factory=lambda: Builder(PROJECT_NAMESPACE))

    @classmethod
    def start(cls, project: Project, *, pseudonymise: bool) -> ExportContext:
        matcher = load_matcher(project) if pseudonymise else None
        context = cls(project, pseudonymise, matcher, "")
        context.default_user = context.clean(default_author(project).strip() or UNKNOWN_AUTHOR)
        with project.session() as session:
            authors = set(session.scalars(select(Coding.author).distinct())) | set(
                session.scalars(select(Memo.author).distinct()))
        names = {context.user_name(author) for author in authors} | {context.default_user}
        context.users = {name: derived_guid("user", name) for name in sorted(names)}
        return context

    def clean(self, text: str) -> str:
        """Free text as it may leave: with the pseudonym list applied when pseudonymising."""
        return self.matcher.replace(text) if self.matcher else text

    def user_name(self, author: str | None) -> str:
        return self.clean(author.strip()) if author and author.strip() else self.default_user

    @property
    def default_user_guid(self) -> str:
        return self.users[self.default_user]

    def user_guid(self, author: str | None) -> str:
        return self.users[self.user_name(author)]

    def child(self, parent: ET.Element, tag: str, text: str | None = None, /, **attributes: object) -> ET.Element:
        return self.builder.child(parent, tag, text, **attributes)

    def add_note_refs(self, element: ET.Element, target_guid: str) -> None:
        """The NoteRefs of the notes written on `target_guid` (sorted: stable bytes)."""
        for note_guid in sorted(set(self.note_refs.get(target_guid, ()))):
            self.child(element, "NoteRef", targetGUID=note_guid)

    def variable_value(self, parent: ET.Element, name: str, value: str, *, kind: str = "Text",
                       description: str = "") -> None:
        """A VariableValue of the variable `name` (declared in <Variables> on first use; its GUID
        comes from its name). Empty values are not written."""
        if not value.strip():
            return
        if name not in self.variables:
            self.variables[name] = (derived_guid("variable", name), kind, description)
        guid, kind, _description = self.variables[name]
        holder = self.child(parent, "VariableValue")
        self.child(holder, "VariableRef", targetGUID=guid)
        self.child(holder, f"{kind}Value", value)

    def variables_element(self) -> ET.Element | None:
        if not self.variables:
            return None
        variables = self.builder.root("Variables")
        for name, (guid, kind, description) in self.variables.items():
            variable = self.child(variables, "Variable", guid=guid, name=name, typeOfVariable=kind)
            if description:
                self.child(variable, "Description", description)
        return variables

    def users_element(self) -> ET.Element:
        users = self.builder.root("Users")
        for name, guid in self.users.items():
            self.child(users, "User", guid=guid, name=name)
        return users
