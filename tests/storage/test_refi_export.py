"""REFI-QDA export on a real project: the .qdpx validates against the official schema (skipped
when ../shared/testdata is absent), every coded selection covers exactly the coded text, GUIDs
and bytes are the same in two exports, observe-only and withdrawn participants' words are in no
byte of the archive, a pseudonymised archive holds no listed real name, and a failed write
leaves nothing behind. The .qdc codebook is checked against the standard's Codebook shape."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from storage import codebook, coding, meetings, memos, participants, pseudonyms, recordings, sources, transcripts
from storage.analysis_records import Anchor
from storage.consent import MARKER
from storage.export_text import ExportTranscript, ExportTurn
from storage.models import Code, Coding, Memo, Participant, Transcript
from storage.project import Project, create_project
from storage.refi_qda import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, ExchangeError
from storage.refi_qda.export import export_qdc, export_qdpx, qdpx_transcript_ids
from storage.refi_qda.export_layout import Replacement, SourceText, StoredTurn, TurnLine
from tests.conftest import shared_file
from tests.helpers import turn_segments
from tests.storage.coding_data import add_coding

NS = {"q": PROJECT_NAMESPACE}
M01 = [
    ("SN1", "Hot issues first. Sarah Jones had an unexpected death during transfer."),
    ("SW", "My secret observation stays in this room."),  # observe only
    ("CG", "Zoë’s team — ça va — the learning 🎉 was huge."),
    ("OT", "I withdrew, so forget my withdrawn remark."),  # withdrawn
    (None, "(The participants chorused) Yes."),
]
M02 = [("SN1", "Training is behind, says Sarah."), ("CG", "Learning from each other helps.")]
FIELD_NOTES = ["SN1: Café talk with Zoë 🎉 about naïve plans", "Ünïcödé line 😀 and more", "CG: Sarah said ok"]
LEFT_OUT_WORDS = ("secret observation", "stays in this room", "withdrawn remark", "forget my")


@dataclass
class Study:
    project: Project
    m01: int
    m02: int
    notes: int
    media: Path
    codes: dict[str, int]
    codings: dict[str, int]


def _recorded(project: Project, name: str, media: Path, content_hash: str, turns: list) -> tuple[int, list[int]]:
    recording, _ = recordings.add_recording(project, recordings.MediaFacts(media, content_hash, 60.0, 1, 16000))
    transcript = transcripts.create_transcript(project, name, recording.id)
    rows = transcripts.append_segments(project, transcript.id, turn_segments(turns), 60.0)
    transcripts.mark_finished(project, transcript.id, "done", covered_until=60.0)
    return transcript.id, [row.id for row in rows]


def _code(project: Project, code_id: int, start: tuple[int, int], end: tuple[int, int]) -> int:
    record = coding.apply_code(project, code_id, _transcript_of(project, start[0]), Anchor(*start), Anchor(*end),
                               author="Dr Ada Researcher")
    assert record is not None
    return record.id


def _transcript_of(project: Project, segment_id: int) -> int:
    return next(t.id for t in transcripts.list_transcripts(project)
                if any(s.id == segment_id for s in transcripts.segments(project, t.id)))


@pytest.fixture
def study(tmp_path: Path, sample: Path) -> Study:
    project = create_project(tmp_path / "study.earmark")
    media = tmp_path / "meeting.flac"
    shutil.copy(sample, media)
    other = tmp_path / "other.flac"
    shutil.copy(sample, other)
    m01, t1 = _recorded(project, "M01 Starting up", other, "hash-m01", M01)
    m02, t2 = _recorded(project, "M02 Training", media, "hash-m02", M02)
    notes = sources.create_text_source(project, "field_notes", "Field notes", paragraphs=FIELD_NOTES).transcript_id
    t3 = [turn.id for turn in transcripts.segments(project, notes)]
    learning = codebook.create_code(project, "Learning", color="#ff8800", description="Learning between teams, ça va")
    cross = codebook.create_code(project, "Cross-organisational learning", learning.id, color="#0a0")
    discharge = codebook.create_code(project, "Reviewing discharge procedures", cross.id, color="#12345678")
    voice = codebook.create_code(project, "Finding a voice", description="Speaking up 🎤")
    codes = {"learning": learning.id, "cross": cross.id, "discharge": discharge.id, "voice": voice.id}
    cg = M01[2][1]
    codings = {
        "sarah": _code(project, discharge.id, (t1[0], M01[0][1].index("Sarah")), (t1[0], M01[0][1].index(" an "))),
        "over_sw": _code(project, cross.id, (t1[0], M01[0][1].index("unexpected")), (t1[2], cg.index(" team"))),
        "emoji": _code(project, learning.id, (t1[2], cg.index("the learning")), (t1[2], cg.index(" was"))),
        "m02": _code(project, voice.id, (t2[0], 0), (t2[1], len(M02[1][1]))),
        "notes_emoji": _code(project, voice.id, (t3[0], FIELD_NOTES[0].index("Zoë") - 5), (t3[1], 12)),
        "notes_sarah": _code(project, learning.id, (t3[2], 0), (t3[2], 5)),
    }
    # Coded before consent was withdrawn (apply_code now refuses these): one wholly in the
    # observe-only turn, one from it into the next turn.
    codings["in_sw"] = add_coding(project, learning.id, m01, (t1[1], 3), (t1[1], 20))
    codings["from_sw"] = add_coding(project, voice.id, m01, (t1[1], 10), (t1[2], cg.index(" —")))
    for role_code, consent, extra in (("SN1", "full", {"Gender": "female", "Band": "8a"}), ("SW", "observe_only", {}),
                                      ("CG", "full", {"Band": "7"}), ("OT", "withdrawn", {})):
        participants.create_participant(project, role_code, role=f"{role_code} lead", organisation="NHS Trust",
                                        consent=consent, attributes=extra)
    sn1 = participants.find_participant(project, "SN1")
    assert sn1 is not None
    meeting = meetings.create_meeting(project, "M01", date="2024-03-05")
    meetings.link_transcript(project, m01, meeting.id)
    pseudonyms.add_pseudonym(project, "Sarah Jones", "Person A", ["Sarah"])
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "Z", ["Zoë"])
    memos.set_default_author(project, "Dr Ada Researcher")
    memos.add_memo(project, "code", learning.id, title="What learning means", body="Sarah thinks it is about trust.")
    memos.add_memo(project, "transcript", m01, title="First listen", body="Long silence at 0:05.")
    memos.add_memo(project, "coding", codings["emoji"], title="", body="A turning point.", author="Second Coder")
    memos.add_memo(project, "participant", sn1.id, title="About SN1", body="Chairs every meeting.")
    memos.add_memo(project, "project", None, title="Aims", body="Leadership through partnership.\nSecond line.")
    memos.add_memo(project, "diary", None, title="Coding day", body="Coded M01.", entry_type="interpretive",
                   entry_date="2024-03-06", links=[codings["sarah"], codings["notes_sarah"]])
    yield Study(project, m01, m02, notes, media, codes, codings)
    project.close()


def _archive(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _export(study: Study, path: Path, **options: bool) -> tuple[dict[str, bytes], ET.Element]:
    export_qdpx(study.project, path, **options)
    files = _archive(path)
    return files, ET.fromstring(files["project.qde"])


def _selections(files: dict[str, bytes], root: ET.Element) -> dict[str, str]:
    """Coding GUID -> the text its selection covers in the written .txt (positions in code points)."""
    found = {}
    for source in root.iterfind(".//q:TextSource", NS):
        text = files[f"Sources/{source.get('guid')}.txt"].decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            found[selection.get("guid")] = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
    for transcript in root.iterfind(".//q:Transcript", NS):
        text = files[f"Sources/{transcript.get('guid')}.txt"].decode("utf-8")
        points = {point.get("guid"): int(point.get("position")) for point in transcript.iterfind("q:SyncPoint", NS)}
        for selection in transcript.iterfind("q:TranscriptSelection", NS):
            found[selection.get("guid")] = text[points[selection.get("fromSyncPoint")]:points[selection.get("toSyncPoint")]]
    return found


def _as_retrieved(written: str) -> str:
    """A written selection as coded_text shows it: no speaker prefix on the following lines,
    a left-out turn's marker line as MARKER."""
    lines = written.split("\n")
    shown = [lines[0]] + [re.sub(r"^(SN1|SW|CG|OT|CS): ", "", line) for line in lines[1:]]
    return "\n".join(MARKER if line.endswith("; turn left out]") else line for line in shown)


def _guid(study: Study, model: type, row_id: int) -> str:
    with study.project.session() as session:
        return session.get(model, row_id).guid


def test_project_qde_validates_against_the_refi_qda_schema(study: Study, tmp_path: Path) -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(shared_file("refi-qda/schema/Project-mrt2019.xsd"))
    for pseudonymise in (False, True):
        files, _root = _export(study, tmp_path / f"out-{pseudonymise}.qdpx", pseudonymise=pseudonymise)
        schema.validate(files["project.qde"].decode("utf-8"))
    with create_project(tmp_path / "empty.earmark") as empty:  # an empty project too: no empty containers
        export_qdpx(empty, tmp_path / "empty.qdpx")
        schema.validate(_archive(tmp_path / "empty.qdpx")["project.qde"].decode("utf-8"))


def test_every_selection_covers_exactly_the_coded_text(study: Study, tmp_path: Path) -> None:
    files, root = _export(study, tmp_path / "out.qdpx")
    written = _selections(files, root)
    exported = {key: coding_id for key, coding_id in study.codings.items() if key != "in_sw"}
    assert len(written) == len(exported)
    for key, coding_id in exported.items():
        expected = coding.coded_text(study.project, coding_id)
        if key == "from_sw":  # cut back to the analysable turn: the marker before it is not part of it
            expected = expected.removeprefix(MARKER + "\n")
        assert _as_retrieved(written[_guid(study, Coding, coding_id)]) == expected, key
    # Single-turn codings, emoji and all, are the very same characters.
    assert written[_guid(study, Coding, study.codings["emoji"])] == "the learning 🎉"
    assert written[_guid(study, Coding, study.codings["sarah"])] == "Sarah Jones had"
    assert written[_guid(study, Coding, study.codings["notes_sarah"])] == "Sarah"
    assert all(b"\r" not in data for name, data in files.items() if name.endswith(".txt"))


def test_text_layout_speakers_markers_and_no_bom(study: Study, tmp_path: Path) -> None:
    files, root = _export(study, tmp_path / "out.qdpx")
    m01 = files[f"Sources/{_guid(study, Transcript, study.m01)}.txt"]
    assert not m01.startswith(b"\xef\xbb\xbf")
    assert m01.decode("utf-8").split("\n") == [
        "SN1: " + M01[0][1], "[SW consented to be observed only; turn left out]", "CG: " + M01[2][1],
        "[OT withdrew consent; turn left out]", M01[4][1]]
    notes = root.find(f".//q:TextSource[@guid='{_guid(study, Transcript, study.notes)}']", NS)
    assert notes is not None and notes.get("name") == "Field notes"
    assert files[f"Sources/{notes.get('guid')}.txt"].decode("utf-8") == "\n".join(FIELD_NOTES)


def test_two_exports_of_an_unchanged_project_are_identical(study: Study, tmp_path: Path) -> None:
    first, root = _export(study, tmp_path / "one.qdpx")
    second, _ = _export(study, tmp_path / "two.qdpx")
    assert first == second
    assert (tmp_path / "one.qdpx").read_bytes() == (tmp_path / "two.qdpx").read_bytes()
    # The project's own GUIDs, not new ones.
    with study.project.session() as session:
        codes = set(session.scalars(select(Code.guid)))
        case_guids = set(session.scalars(select(Participant.guid)))
        memo_guids = set(session.scalars(select(Memo.guid)))
    assert {code.get("guid") for code in root.iterfind(".//q:Code", NS)} == codes
    assert {case.get("guid") for case in root.iterfind(".//q:Case", NS)} == case_guids
    assert {note.get("guid") for note in root.iterfind(".//q:Note", NS)} == memo_guids
    every = [element.get("guid") for element in root.iter() if element.get("guid")]
    assert len(every) == len(set(every))  # no GUID used twice


def test_left_out_words_are_in_no_byte_of_the_archive(study: Study, tmp_path: Path) -> None:
    summary = export_qdpx(study.project, tmp_path / "out.qdpx")
    raw = (tmp_path / "out.qdpx").read_bytes()
    for name, data in _archive(tmp_path / "out.qdpx").items():
        for words in LEFT_OUT_WORDS:
            assert words.encode() not in data, (words, name)
    assert b"secret" not in raw  # nor in the compressed bytes by chance
    qde = _archive(tmp_path / "out.qdpx")["project.qde"].decode()
    assert _guid(study, Coding, study.codings["in_sw"]) not in qde
    assert summary.codings == len(study.codings) - 1
    assert any("1 coding(s) not exported" in warning for warning in summary.warnings)
    assert any("1 coding(s) cut back" in warning for warning in summary.warnings)


def test_audio_is_included_only_where_it_carries_no_left_out_voice(study: Study, tmp_path: Path) -> None:
    summary = export_qdpx(study.project, tmp_path / "out.qdpx")
    files = _archive(tmp_path / "out.qdpx")
    root = ET.fromstring(files["project.qde"])
    audio = {source.get("name"): source for source in root.iterfind("q:Sources/q:AudioSource", NS)}
    m02 = audio["M02 Training"]
    assert m02.get("path") == f"internal://{m02.get('guid')}.flac"
    assert files[f"Sources/{m02.get('guid')}.flac"] == study.media.read_bytes()
    assert audio["M01 Starting up"].get("path") is None
    assert any("M01 Starting up" in warning and "left out" in warning for warning in summary.warnings)
    # The transcript is still there, with its meeting as a source variable.
    m01 = audio["M01 Starting up"]
    assert m01.find("q:Transcript", NS).get("guid") == _guid(study, Transcript, study.m01)
    assert [(value.findtext("q:TextValue", namespaces=NS), value.findtext("q:DateValue", namespaces=NS))
            for value in m01.iterfind("q:VariableValue", NS)] == [("M01", None), (None, "2024-03-05")]
    pseudonymised = export_qdpx(study.project, tmp_path / "pseudo.qdpx", pseudonymise=True)
    assert not [name for name in _archive(tmp_path / "pseudo.qdpx") if name.endswith(".flac")]
    assert any("pseudonymised" in warning for warning in pseudonymised.warnings)


def test_sync_points_carry_turn_and_word_times(study: Study, tmp_path: Path) -> None:
    _files, root = _export(study, tmp_path / "out.qdpx")
    transcript = root.find(f".//q:Transcript[@guid='{_guid(study, Transcript, study.m01)}']", NS)
    points = {point.get("guid"): (int(point.get("position")), int(point.get("timeStamp")))
              for point in transcript.iterfind("q:SyncPoint", NS)}
    positions = [position for position, _ in points.values()]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert (0, 0) in points.values() and (len("SN1: " + M01[0][1]), 9000) in points.values()  # turn 0: 0 s to 9 s
    selection = transcript.find(f"q:TranscriptSelection[@guid='{_guid(study, Coding, study.codings['sarah'])}']", NS)
    # "Sarah" is word 3 of turn 0 (0.5 s apart, 0.4 s long): 1.5 s; "had" is word 5: ends at 2.9 s.
    assert points[selection.get("fromSyncPoint")][1] == 1500 and points[selection.get("toSyncPoint")][1] == 2900
    coding_element = selection.find("q:Coding", NS)
    assert coding_element.find("q:CodeRef", NS).get("targetGUID") == _guid(study, Code, study.codes["discharge"])


def test_pseudonymised_export_holds_no_real_name_and_keeps_spans(study: Study, tmp_path: Path) -> None:
    plain, _ = _export(study, tmp_path / "plain.qdpx")
    assert any(b"Sarah" in data for data in plain.values())  # the check below can fail
    files, root = _export(study, tmp_path / "pseudo.qdpx", pseudonymise=True)
    for name, data in files.items():
        text = data.decode("utf-8")
        for real in ("Sarah", "Jones", "Zoë", "Zoe\u0308"):
            assert real not in text, (real, name)
    written = _selections(files, root)
    matcher = pseudonyms.load_matcher(study.project)
    for key in ("sarah", "emoji", "notes_emoji", "notes_sarah", "m02", "over_sw"):
        coding_id = study.codings[key]
        expected = matcher.replace(coding.coded_text(study.project, coding_id))
        assert _as_retrieved(written[_guid(study, Coding, coding_id)]) == expected, key
    assert written[_guid(study, Coding, study.codings["sarah"])] == "Person A had"
    note = root.find(".//q:Note[@name='What learning means']", NS)
    assert note.findtext("q:PlainTextContent", namespaces=NS) == "Person A thinks it is about trust."
    # The project itself is unchanged.
    assert transcripts.segments(study.project, study.m01)[0].text == M01[0][1]


def test_notes_users_and_their_references(study: Study, tmp_path: Path) -> None:
    _files, root = _export(study, tmp_path / "out.qdpx")
    users = {user.get("name"): user.get("guid") for user in root.iterfind("q:Users/q:User", NS)}
    assert set(users) == {"Dr Ada Researcher", "Second Coder"}
    assert root.get("creatingUserGUID") == users["Dr Ada Researcher"] and root.get("name") == "study"
    notes = {note.get("name"): note for note in root.iterfind("q:Notes/q:Note", NS)}
    diary = notes["Diary 2024-03-06 (interpretive): Coding day"]
    assert diary.findtext("q:PlainTextContent", namespaces=NS) == "Coded M01."
    aims = notes["Aims"]
    assert aims.findtext("q:PlainTextContent", namespaces=NS) == "Leadership through partnership.\nSecond line."
    assert [ref.get("targetGUID") for ref in root.iterfind("q:NoteRef", NS)] == [aims.get("guid")]
    learning = root.find(f".//q:Code[@guid='{_guid(study, Code, study.codes['learning'])}']", NS)
    assert [ref.get("targetGUID") for ref in learning.iterfind("q:NoteRef", NS)] == [
        notes["What learning means"].get("guid")]
    m01 = root.find(f".//q:Transcript[@guid='{_guid(study, Transcript, study.m01)}']", NS)
    assert [ref.get("targetGUID") for ref in m01.iterfind("q:NoteRef", NS)] == [notes["First listen"].get("guid")]
    on_coding = next(note for note in root.iterfind("q:Notes/q:Note", NS) if note.get("name") is None)
    assert on_coding.get("creatingUser") == users["Second Coder"]
    selection = root.find(f".//q:TranscriptSelection[@guid='{_guid(study, Coding, study.codings['emoji'])}']", NS)
    assert [ref.get("targetGUID") for ref in selection.iterfind("q:NoteRef", NS)] == [on_coding.get("guid")]
    linked = root.find(f".//q:PlainTextSelection[@guid='{_guid(study, Coding, study.codings['notes_sarah'])}']", NS)
    assert [ref.get("targetGUID") for ref in linked.iterfind("q:NoteRef", NS)] == [diary.get("guid")]
    assert notes["About SN1"].findtext("q:Description", namespaces=NS) == "A memo on the participant SN1"


def test_participants_become_cases_with_variables(study: Study, tmp_path: Path) -> None:
    _files, root = _export(study, tmp_path / "out.qdpx")
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert {"Role", "Organisation", "Consent", "Gender", "Band", "Meeting", "Meeting date"} == set(variables.values())
    cases = {case.get("name"): case for case in root.iterfind("q:Cases/q:Case", NS)}
    assert set(cases) == {"SN1", "SW", "CG", "OT"}

    def values(case: ET.Element) -> dict[str, str]:
        return {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.findtext("q:TextValue", namespaces=NS)
                for v in case.iterfind("q:VariableValue", NS)}

    assert values(cases["SN1"]) == {"Role": "SN1 lead", "Organisation": "NHS Trust", "Consent": "full",
                                    "Band": "8a", "Gender": "female"}
    assert values(cases["SW"])["Consent"] == "observe_only"
    sources_of_sn1 = {ref.get("targetGUID") for ref in cases["SN1"].iterfind("q:SourceRef", NS)}
    source_guids = {source.get("guid") for source in root.find("q:Sources", NS)}
    assert len(sources_of_sn1) == 3 and sources_of_sn1 <= source_guids


def test_qdpx_transcript_ids_are_every_transcript(study: Study) -> None:
    assert qdpx_transcript_ids(study.project) == sorted([study.m01, study.m02, study.notes])


# --- the codebook ----------------------------------------------------------------------------------

# The shape of the standard's Codebook.xsd (REFI-QDA 1.5): not in ../shared/testdata, so written
# here from the standard; it shares the Code element with the project schema.
CODEBOOK_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="urn:QDA-XML:codebook:1.0" elementFormDefault="qualified">
  <xsd:element name="CodeBook"><xsd:complexType><xsd:sequence>
    <xsd:element name="Codes"><xsd:complexType><xsd:sequence>
      <xsd:element name="Code" type="CodeType" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType></xsd:element>
    <xsd:element name="Sets" minOccurs="0"/>
  </xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType></xsd:element>
  <xsd:complexType name="CodeType"><xsd:sequence>
    <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
    <xsd:element name="Code" type="CodeType" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence>
    <xsd:attribute name="guid" use="required"><xsd:simpleType><xsd:restriction base="xsd:token">
      <xsd:pattern value="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"/>
    </xsd:restriction></xsd:simpleType></xsd:attribute>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
    <xsd:attribute name="isCodable" type="xsd:boolean" use="required"/>
    <xsd:attribute name="color"><xsd:simpleType><xsd:restriction base="xsd:token">
      <xsd:pattern value="#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})"/></xsd:restriction></xsd:simpleType></xsd:attribute>
  </xsd:complexType>
</xsd:schema>"""


def test_qdc_holds_the_code_tree(study: Study, tmp_path: Path) -> None:
    import xmlschema

    summary = export_qdc(study.project, tmp_path / "codes.qdc")
    data = (tmp_path / "codes.qdc").read_bytes()
    xmlschema.XMLSchema(CODEBOOK_XSD).validate(data.decode("utf-8"))
    root = ET.fromstring(data)
    assert root.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook" and root.get("origin", "").startswith("Earmark")
    ns = {"c": CODEBOOK_NAMESPACE}
    assert summary.codes == 4 == len(root.findall(".//c:Code", ns))
    top = root.findall("c:Codes/c:Code", ns)
    assert [code.get("name") for code in top] == ["Learning", "Finding a voice"]
    nested = top[0].find("c:Code/c:Code", ns)
    assert nested.get("name") == "Reviewing discharge procedures" and nested.get("color") == "#123456"
    assert top[0].get("color") == "#FF8800" and top[0].find("c:Code", ns).get("color") == "#00AA00"
    assert top[0].findtext("c:Description", namespaces=ns) == "Learning between teams, ça va"
    assert top[1].findtext("c:Description", namespaces=ns) == "Speaking up 🎤"
    assert top[0].get("guid") == _guid(study, Code, study.codes["learning"])
    export_qdc(study.project, tmp_path / "again.qdc")
    assert (tmp_path / "again.qdc").read_bytes() == data


def test_qdc_of_a_project_without_codes_is_refused(tmp_path: Path) -> None:
    with create_project(tmp_path / "empty.earmark") as empty:
        with pytest.raises(ExchangeError, match="no codes"):
            export_qdc(empty, tmp_path / "codes.qdc")
    assert not (tmp_path / "codes.qdc").exists()


# --- failures ----------------------------------------------------------------------------------------

def test_an_unwritable_place_names_the_file_and_leaves_nothing(study: Study, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no such folder" / "out.qdpx"
    with pytest.raises(ExchangeError, match=re.escape(str(missing))):
        export_qdpx(study.project, missing)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.qdpx"
    target.write_bytes(b"an earlier export")

    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)  # the last step fails: the whole archive was written
    with pytest.raises(ExchangeError, match=re.escape(str(target)) + ".*Permission denied"):
        export_qdpx(study.project, target)
    with pytest.raises(ExchangeError, match=re.escape(str(folder / "codes.qdc"))):
        export_qdc(study.project, folder / "codes.qdc")
    monkeypatch.undo()
    assert sorted(path.name for path in folder.iterdir()) == ["out.qdpx"]  # no partial file
    assert target.read_bytes() == b"an earlier export"  # the earlier file is kept


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user whose permissions apply")
def test_a_read_only_folder_is_refused_with_its_file_named(study: Study, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExchangeError, match=re.escape(str(folder / "out.qdpx"))):
            export_qdpx(study.project, folder / "out.qdpx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_recording_that_cannot_be_read_stops_the_export_cleanly(study: Study, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_open = builtins.open

    def failing_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(study.media):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", failing_open)
    with pytest.raises(ExchangeError, match="Cannot read the recording"):
        export_qdpx(study.project, tmp_path / "out.qdpx")
    monkeypatch.undo()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith((".out.qdpx", "out.qdpx"))]


# --- the text layout alone ---------------------------------------------------------------------------

def test_offsets_move_with_replaced_names_and_an_end_inside_a_name_takes_all_of_it() -> None:
    line = TurnLine(7, 0, 10, 15, 24, False, "Ask Sarah Jones now", [], None, None, (Replacement(4, 15, 1),))
    assert [line.position(offset, is_end=False) for offset in (0, 4, 6, 15, 19)] == [15, 19, 19, 20, 24]
    assert line.position(6, is_end=True) == 20  # "Ask Sa|rah" coded: the whole pseudonym is in it


def test_a_turn_edited_while_exporting_is_refused() -> None:
    exported = ExportTranscript(1, "M09 Review", "document", False, (ExportTurn(5, 0, None, None, "SN1", "new words"),))
    with pytest.raises(ExchangeError, match="M09 Review.*changed while it was being exported"):
        SourceText(exported, [StoredTurn(5, "old", [])], None)
    with pytest.raises(ExchangeError, match="changed"):
        SourceText(exported, [StoredTurn(6, "new words", [])], None)
    assert SourceText(exported, [StoredTurn(5, "new words", [])], None).text == "SN1: new words"
