"""Reports on a real project file: coded passages as DOCX, HTML, XLSX and CSV, quote boxes, the
code tree, memos and the diary. Each file is read back with the library another program would
use (python-docx, openpyxl, csv, html.parser) and checked for its rows, its citations, escaping,
the consent rule (no words of a participant who was only observed) and pseudonyms."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storage import codebook, coding, meetings, memos, participants, pseudonyms, sources
from storage.analysis_records import Anchor
from storage.errors import ProjectError
from storage.models import Speaker
from storage.project import Project, create_project
from storage.reports import REPORT_FORMATS, REPORT_KINDS, report_leaks, write_report
from storage.reports.citations import citation, clock, paragraph_mark
from storage.reports.passages import PASSAGE_COLUMNS, safe_cell
from tests.helpers import add_turns

# A steering-group meeting (M03): turn n starts at 10 n s, its words every 0.5 s.
M03 = [
    ("SN1", "Welcome everyone. Sarah Jones sends her apologies."),
    ("SPEAKER_02", "We learned a lot from the ward about discharge."),
    ("SW", "I only observe; my secret words stay here."),
    ("CS", "<script>alert('x')</script> was pasted into the minutes."),
    ("SN1", "=1+1 is what the audit said, so we changed the discharge procedure."),
]
INTERVIEW = [("OT", "Zoë told me the handover was rushed."), ("OT", "Learning takes time on a busy ward.")]
FIELD_NOTES = ["Arrived early; the ward was busy.", "SN1: Zoë said the handover was rushed & late.",
               "Observed the board round."]
SECRET = "secret words"
LEARNING_NOTE = "Where participants describe learning from incidents or from each other."


@dataclass
class ReportStudy:
    project: Project
    m03: int
    interview: int
    notes: int
    codes: dict[str, int]
    codings: dict[str, int]


def _code(project: Project, transcript_id: int, code_id: int, turns: list[int], first: tuple[int, int],
          last: tuple[int, int]) -> int:
    record = coding.apply_code(project, code_id, transcript_id, Anchor(turns[first[0]], first[1]),
                               Anchor(turns[last[0]], last[1]))
    assert record is not None
    return record.id


def build_report_study(path: Path) -> ReportStudy:
    """M03 (a recording's transcript, linked to meeting M03), an interview linked to no meeting,
    field notes of meeting M05 (a text source); SPEAKER_02 is linked to participant SN2; SW is
    observed only (made so after some of SW's words were coded, as happens when consent changes);
    two names on the pseudonym list; memos on everything and two diary entries."""
    project = create_project(path)
    m03_meeting = meetings.create_meeting(project, "M03", date="2009-11-12")
    m05_meeting = meetings.create_meeting(project, "M05", date="2010-01-14")
    m03, m03_rows = add_turns(project, "Steering group November", M03)
    interview, interview_rows = add_turns(project, "Interview with ward manager", INTERVIEW)
    meetings.link_transcript(project, m03, m03_meeting.id)
    people = {code: participants.create_participant(project, code, role=role)
              for code, role in (("SN1", "Specialist nurse"), ("SN2", "Specialist nurse"), ("SW", "Social worker"),
                                 ("CS", "Carer support"), ("OT", "Occupational therapist"))}
    with project.session() as session:
        speaker_02 = session.query(Speaker).filter_by(label="SPEAKER_02").one().id
    participants.link_speaker(project, speaker_02, people["SN2"].id)
    notes = sources.create_text_source(project, "field_notes", "Ward visit notes", meeting_id=m05_meeting.id,
                                       paragraphs=FIELD_NOTES).transcript_id
    note_rows = [row.id for row in _turns(project, notes)]
    learning = codebook.create_code(project, "Learning").id
    codebook.describe_code(project, learning, LEARNING_NOTE)
    discharge = codebook.create_code(project, "Reviewing discharge procedures", learning).id
    partnership = codebook.create_code(project, "Partnership").id
    voice = codebook.create_code(project, "Finding a voice").id
    unused = codebook.create_code(project, "Unused code").id
    m03_turns = [row.id for row in m03_rows]
    interview_turns = [row.id for row in interview_rows]
    at = M03[1][1].index("We learned")
    codings = {
        "learning": _code(project, m03, learning, m03_turns, (1, at), (1, len(M03[1][1]))),
        # From SPEAKER_02's turn over SW's (observed only) to SN1's: a passage with a gap.
        "discharge": _code(project, m03, discharge, m03_turns, (1, 0), (4, len(M03[4][1]))),
        "secret": _code(project, m03, voice, m03_turns, (2, 0), (2, len(M03[2][1]))),  # SW's only
        "script": _code(project, m03, voice, m03_turns, (3, 0), (3, len(M03[3][1]))),
        "formula": _code(project, m03, voice, m03_turns, (4, 0), (4, len("=1+1 is what the audit said"))),
        "interview": _code(project, interview, learning, interview_turns, (1, 0), (1, len(INTERVIEW[1][1]))),
        "notes": _code(project, notes, partnership, note_rows, (1, 0), (2, len(FIELD_NOTES[2]))),
        "zoe": _code(project, interview, partnership, interview_turns, (0, 0), (0, len(INTERVIEW[0][1]))),
    }
    participants.set_consent(project, people["SW"].id, "observe_only")
    pseudonyms.add_pseudonym(project, "Sarah Jones", "Nurse A", ["Sarah"])
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "Carer B", ["Zoë"])
    memos.add_memo(project, "project", None, title="Aims", body="Study partnership working.", author="rk")
    memos.add_memo(project, "code", learning, title="On learning", body="Sarah keeps returning to this.\n\nSecond thought.",
                   author="rk")
    memos.add_memo(project, "transcript", m03, title="Atmosphere", body="Tense start.", author="rk")
    memos.add_memo(project, "coding", codings["learning"], title="Key quote", body="Use in chapter 5.", author="rk")
    memos.add_memo(project, "participant", people["CS"].id, title="Role", body="Joined late.", author="rk")
    memos.add_memo(project, "meeting", m05_meeting.id, title="Board round", body="Observed only.", author="rk")
    memos.add_memo(project, "diary", None, title="Merged codes", body="Decided to merge two codes.", author="rk",
                   entry_type="decision", entry_date="2010-02-01", links=[codings["learning"], codings["secret"]])
    memos.add_memo(project, "diary", None, title="First visit", body="The ward felt busy.", author="rk",
                   entry_type="descriptive", entry_date="2009-11-13", links=[codings["notes"]])
    codes = {"Learning": learning, "Reviewing discharge procedures": discharge, "Partnership": partnership,
             "Finding a voice": voice, "Unused code": unused}
    return ReportStudy(project, m03, interview, notes, codes, codings)


def _turns(project: Project, transcript_id: int) -> list:  # noqa: ANN401 - SegmentRecords
    from storage import transcripts

    return transcripts.segments(project, transcript_id)


@pytest.fixture
def study(tmp_path: Path) -> ReportStudy:
    built = build_report_study(tmp_path / "study.earmark")
    yield built
    built.project.close()


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


# --- citations ---------------------------------------------------------------------------------------

def test_citation_forms() -> None:
    assert clock(754.9) == "00:12:34" and clock(3 * 3600 + 5) == "03:00:05"
    assert citation("M03", clock(754)) == "(M03, 00:12:34)"
    assert citation("Field notes M05", paragraph_mark(4)) == "(Field notes M05, ¶4)"
    assert paragraph_mark(4, 6) == "¶4–6" and paragraph_mark(4, 4) == "¶4"


def test_citations_for_linked_unlinked_and_text_sources(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "passages.csv"
    write_report(study.project, out, "passages", "csv")
    rows = {row["Text"]: row for row in _csv_rows(out)}
    learned = rows["We learned a lot from the ward about discharge."]
    # Meeting-linked recording: the meeting's code and the time of the first word (turn 1, word 0).
    assert learned["Citation"] == "(M03, 00:00:10)" and learned["Meeting"] == "M03"
    assert learned["Source"] == "Steering group November" and learned["Speaker"] == "SN2"  # SPEAKER_02 is SN2
    assert (learned["Start"], learned["End"]) == ("00:00:10", "00:00:14")
    interview = rows["Learning takes time on a busy ward."]
    assert interview["Citation"] == "(Interview with ward manager, 00:00:10)" and interview["Meeting"] == ""
    notes = next(row for text, row in rows.items() if text.startswith("SN1: Zoë said"))
    # A text source of meeting M05, over paragraphs 2 and 3: its kind, the meeting, the paragraphs.
    assert notes["Citation"] == "(Field notes M05, ¶2–3)" and (notes["Start"], notes["End"]) == ("¶2", "¶3")
    assert notes["Speaker"] == "SN1"


# --- passages in each format ----------------------------------------------------------------------------

def test_csv_has_the_columns_and_every_passage_but_no_observed_words(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "passages.csv"
    summary = write_report(study.project, out, "passages", "csv")
    rows = _csv_rows(out)
    assert tuple(rows[0]) == PASSAGE_COLUMNS
    assert summary.rows == len(rows) == 7  # eight codings, one wholly in SW's (observed-only) turn
    assert SECRET not in out.read_text(encoding="utf-8-sig")
    # Code-tree order: Learning, its sub-code, Partnership, Finding a voice.
    assert [row["Code"] for row in rows] == ["Learning", "Learning", "Reviewing discharge procedures", "Partnership",
                                             "Partnership", "Finding a voice", "Finding a voice"]
    discharge = next(row for row in rows if row["Code"] == "Reviewing discharge procedures")
    assert discharge["Code path"] == "Learning / Reviewing discharge procedures"
    # Several speakers: each line says who; SW's turn is a gap, its words are not there.
    assert discharge["Text"].split("\n")[:3] == ["SN2: We learned a lot from the ward about discharge.", "[…]",
                                                 "CS: <script>alert('x')</script> was pasted into the minutes."]


def test_csv_cells_that_look_like_formulas_are_made_text(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "passages.csv"
    write_report(study.project, out, "passages", "csv")
    texts = [row["Text"] for row in _csv_rows(out)]
    assert "'=1+1 is what the audit said" in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for row in _csv_rows(out) for text in row.values())
    assert safe_cell("-1 for that") == "'-1 for that" and safe_cell("@home") == "'@home"
    assert safe_cell("plain") == "plain"


def test_chosen_code_brings_its_subcodes(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "learning.csv"
    summary = write_report(study.project, out, "passages", "csv", code_ids=[study.codes["Learning"]])
    assert {row["Code"] for row in _csv_rows(out)} == {"Learning", "Reviewing discharge procedures"}
    assert summary.rows == 3


def test_xlsx_opens_with_the_rows_a_header_and_a_codes_sheet(study: ReportStudy, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "passages.xlsx"
    write_report(study.project, out, "passages", "xlsx")
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Passages", "Codes"]
    sheet = workbook["Passages"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == PASSAGE_COLUMNS and len(rows) == 8
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I8"
    assert sheet["I2"].alignment.wrap_text and sheet.column_dimensions["I"].width == 80
    formula = next(row for row in rows if str(row[8]).startswith("=1+1"))
    cell = sheet.cell(row=rows.index(formula) + 1, column=9)
    assert cell.data_type == "s" and cell.value == "=1+1 is what the audit said"  # text, not a formula
    assert ("Learning", "Learning", "SN2", "Steering group November", "M03", "00:00:10", "00:00:14", "(M03, 00:00:10)",
            "We learned a lot from the ward about discharge.") in rows
    assert not any(SECRET in str(value) for row in rows for value in row)
    codes = list(workbook["Codes"].iter_rows(values_only=True))
    assert codes[0] == ("Code path", "Code", "Description", "Passages")
    assert ("Learning", "Learning", LEARNING_NOTE, 2) in codes
    assert ("Learning / Reviewing discharge procedures", "Reviewing discharge procedures", None, 1) in codes  # empty: no cell


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_passages(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "passages.html"
    write_report(study.project, out, "passages", "html")
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not any(name in ("src", "href") for name, _ in page.attributes)
    text = "".join(page.text)
    assert "<script>alert('x')</script> was pasted" in text  # shown as text, escaped in the file
    assert "&lt;script&gt;" in out.read_text(encoding="utf-8")
    assert "(M03, 00:00:10)" in text and "(Field notes M05, ¶2–3)" in text and LEARNING_NOTE in text
    assert SECRET not in out.read_text(encoding="utf-8")
    assert [tag for tag in page.tags if tag in ("h2", "h3")][:2] == ["h2", "h3"]  # a sub-code nests


def test_docx_passages_have_a_heading_per_code_description_and_citations(study: ReportStudy, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "passages.docx"
    write_report(study.project, out, "passages", "docx")
    document = Document(str(out))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "■ Learning"), ("Heading 2", "■ Reviewing discharge procedures"),
                        ("Heading 1", "■ Partnership"), ("Heading 1", "■ Finding a voice")]
    texts = [p.text for p in document.paragraphs]
    description = next(p for p in document.paragraphs if p.text == LEARNING_NOTE)
    assert all(run.italic for run in description.runs)
    quote = texts.index("We learned a lot from the ward about discharge.")
    assert texts[quote + 1] == "— SN2 (M03, 00:00:10)"
    assert document.paragraphs[quote].paragraph_format.left_indent is not None
    assert SECRET not in _docx_text(out)


def test_quote_boxes_say_who_said_it_in_a_bordered_shaded_cell(study: ReportStudy, tmp_path: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "quotes.docx"
    summary = write_report(study.project, out, "quotes", "docx", code_ids=[study.codes["Finding a voice"]])
    document = Document(str(out))
    assert summary.rows == len(document.tables) == 2  # SW's words are not quoted
    cells = [table.rows[0].cells[0] for table in document.tables]
    assert [cell.text.split("\n") for cell in cells][0] == [
        "CS said: “<script>alert('x')</script> was pasted into the minutes.”", "(M03, 00:00:30)"]
    table = document.tables[0]._tbl
    assert table.tblPr.find(qn("w:tblBorders")) is not None
    assert cells[0]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "F4F4F4"
    html_out = tmp_path / "quotes.html"
    write_report(study.project, html_out, "quotes", "html", code_ids=[study.codes["Finding a voice"]])
    page = _Page()
    page.feed(html_out.read_text(encoding="utf-8"))
    assert page.tags.count("figure") == 2 and "CS said:" in "".join(page.text)


# --- code tree, memos, diary ----------------------------------------------------------------------

def test_code_tree_csv_and_outline(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "codes.csv"
    summary = write_report(study.project, out, "codes", "csv")
    rows = _csv_rows(out)
    assert summary.rows == 5 and list(rows[0]) == ["Path", "Name", "Parent", "Depth", "Count", "Total", "Colour",
                                                    "Description"]
    learning = rows[0]
    assert (learning["Name"], learning["Count"], learning["Total"], learning["Description"]) == (
        "Learning", "2", "3", LEARNING_NOTE)
    assert rows[1]["Path"] == "Learning / Reviewing discharge procedures" and rows[1]["Parent"] == "Learning"
    assert rows[1]["Depth"] == "1"
    assert next(row for row in rows if row["Name"] == "Finding a voice")["Count"] == "2"  # SW's coding is not counted
    docx_out = tmp_path / "codes.docx"
    write_report(study.project, docx_out, "codes", "docx")
    text = _docx_text(docx_out)
    assert "Reviewing discharge procedures  (1 passage)" in text and LEARNING_NOTE in text
    assert "2 passages, 3 with the codes below it" in text
    chosen = tmp_path / "learning.csv"
    assert write_report(study.project, chosen, "codes", "csv", code_ids=[study.codes["Learning"]]).rows == 2
    assert [row["Name"] for row in _csv_rows(chosen)] == ["Learning", "Reviewing discharge procedures"]


def test_memos_grouped_by_what_they_are_on(study: ReportStudy, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "memos.docx"
    summary = write_report(study.project, out, "memos", "docx")
    assert summary.rows == 6
    document = Document(str(out))
    groups = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert groups == ["The project", "Codes", "Transcripts and sources", "Coded passages", "Participants", "Meetings"]
    text = _docx_text(out)
    assert "On code Learning · by rk" in text and "On meeting M05 (2010-01-14)" in text
    assert "On a passage coded Learning, SN2 (M03, 00:00:10)" in text
    assert "Sarah keeps returning to this." in text and "Second thought." in text


def test_diary_in_date_order_with_linked_passages(study: ReportStudy, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "diary.docx"
    assert write_report(study.project, out, "diary", "docx").rows == 2
    document = Document(str(out))
    entries = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert entries == ["13 November 2009 — First visit", "1 February 2010 — Merged codes"]
    text = _docx_text(out)
    assert "Decision · by rk" in text and "— SN2 (M03, 00:00:10)" in text and "(Field notes M05, ¶2–3)" in text
    assert "1 linked passage not quoted: its words are left out of analysis." in text
    assert SECRET not in text


# --- pseudonyms and the pre-export check ---------------------------------------------------------------

def test_leaks_name_every_place_and_pseudonymising_removes_them(study: ReportStudy, tmp_path: Path) -> None:
    leaks = report_leaks(study.project, "passages", None, False)
    assert {leak.real_name for leak in leaks} == {"Zoë Brennan"}  # Sarah Jones's turn is coded by nobody
    assert any("(Field notes M05, ¶2–3)" in leak.place for leak in leaks)
    assert report_leaks(study.project, "passages", None, True) == []
    memo_leaks = report_leaks(study.project, "memos", None, False)
    assert [(leak.real_name, leak.text) for leak in memo_leaks] == [("Sarah Jones", "Sarah")]
    assert "On learning" in memo_leaks[0].place
    diary_leaks = report_leaks(study.project, "diary", None, False)  # Zoë, in a passage an entry links to
    assert [(leak.text, leak.place) for leak in diary_leaks] == [
        ("Zoë", "Partnership, SN1 (Field notes M05, ¶2–3)")]
    assert report_leaks(study.project, "codes", None, False) == []
    out = tmp_path / "passages.csv"
    write_report(study.project, out, "passages", "csv", pseudonymise=True)
    text = out.read_text(encoding="utf-8-sig")
    assert "Zoë" not in text and "Carer B told me the handover was rushed." in text
    memo_out = tmp_path / "memos.docx"
    write_report(study.project, memo_out, "memos", "docx", pseudonymise=True)
    written = _docx_text(memo_out)
    assert "Sarah" not in written and "Nurse A keeps returning to this." in written
    assert "names pseudonymised" in written
    # The project itself is not changed.
    assert report_leaks(study.project, "memos", None, False) == memo_leaks


def test_every_kind_and_format_is_clean_when_pseudonymised(study: ReportStudy, tmp_path: Path) -> None:
    for kind in REPORT_KINDS:
        for fmt in REPORT_FORMATS[kind]:
            out = tmp_path / f"{kind}.{fmt}"
            write_report(study.project, out, kind, fmt, pseudonymise=True)
            if fmt == "docx":
                text = _docx_text(out)
            elif fmt == "xlsx":
                from openpyxl import load_workbook

                text = "\n".join(str(value) for sheet in load_workbook(out) for row in sheet.iter_rows(values_only=True)
                                 for value in row)
            else:
                text = out.read_text(encoding="utf-8-sig")
            assert "Zoë" not in text and "Sarah" not in text, (kind, fmt)
            assert SECRET not in text, (kind, fmt)


# --- refusals and failures ------------------------------------------------------------------------------

def test_empty_selection_is_refused_and_writes_nothing(study: ReportStudy, tmp_path: Path) -> None:
    out = tmp_path / "nothing.docx"
    with pytest.raises(ProjectError, match="No coded passages for the chosen codes.*nothing.docx"):
        write_report(study.project, out, "passages", "docx", code_ids=[study.codes["Unused code"]])
    assert not out.exists() and [p for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_unknown_kind_or_format_is_refused(study: ReportStudy, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="choose docx or html"):
        write_report(study.project, tmp_path / "q.csv", "quotes", "csv")
    with pytest.raises(ProjectError, match="no 'summary' report"):
        write_report(study.project, tmp_path / "q.csv", "summary", "csv")


def test_a_failed_write_names_the_file_and_keeps_the_old_one(study: ReportStudy, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ProjectError, match="missing"):
        write_report(study.project, tmp_path / "missing" / "r.docx", "passages", "docx")
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"r.{fmt}"
        out.write_bytes(b"earlier report")
        with monkeypatch.context() as patched:
            def full_disk(*_args: object) -> None:
                raise OSError(28, "No space left on device")

            patched.setattr(os, "replace", full_disk)
            with pytest.raises(ProjectError, match=rf"Cannot write .*r\.{fmt}: No space left on device"):
                write_report(study.project, out, "passages", fmt)
        assert out.read_bytes() == b"earlier report"
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
        write_report(study.project, out, "passages", fmt)
        assert out.read_bytes() != b"earlier report"
