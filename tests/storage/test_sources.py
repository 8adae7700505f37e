"""Text sources on a real project file: typed in or imported from TXT (UTF-8 with and without a
BOM, UTF-16 with a BOM, CRLF or LF) and DOCX (paragraphs and tables), refused with a message that
names the file when it is empty, binary, in another encoding or a broken .docx, never half
written; linked to a meeting; and coded, retrieved and searched like a transcript."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import codebook, coding, editing, fulltext, retrieval, sources
from storage.analysis_records import Anchor
from storage.documents import SourceImportError, read_document
from storage.models import Meeting, Participant, Segment, Transcript
from storage.project import Project, create_project
from storage.source_records import kind_label

FIELD_NOTES = [
    "Arrived early; the room was set out in a circle.",
    "SN1: We need to look again at the discharge procedure.",
    "The group went quiet after the story of the transfer.",
]


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def add_meeting(project: Project, code: str, date: str | None = None) -> int:
    with project.write() as session:
        row = Meeting(code=code, date=date)
        session.add(row)
        session.flush()
        return row.id


def add_participant(project: Project, role_code: str) -> None:
    with project.write() as session:
        session.add(Participant(role_code=role_code))


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs[:1]:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def source_rows(project: Project) -> tuple[int, int]:
    with project.session() as session:
        return (session.scalar(select(func.count()).select_from(Transcript)),
                session.scalar(select(func.count()).select_from(Segment)))


def texts(project: Project, transcript_id: int) -> list[str]:
    from storage import transcripts

    return [turn.text for turn in transcripts.segments(project, transcript_id)]


# --- TXT ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom, newline", [
    ("utf-8", b"", "\n"), ("utf-8", codecs.BOM_UTF8, "\r\n"), ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "\n"),
])
def test_txt_in_every_supported_encoding_gives_one_turn_per_line(tmp_path: Path, encoding: str, bom: bytes,
                                                                  newline: str) -> None:
    lines = ["Field notes, M04 — café in the atrium", "", "Ümlauts, “quotes” and 🙂 survive."]
    path = tmp_path / "notes.txt"
    path.write_bytes(bom + newline.join(lines).encode(encoding))
    assert read_document(path) == [lines[0], lines[2]]


def test_hard_wrapped_text_joins_the_lines_of_each_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_text(
        "Hot issues: the unexpected death during transfer between units was\n"
        "discussed at length, and the group agreed to look at the handover.\n"
        "\n"
        "What is working well: shadowing between the trust and the local\n"
        "authority has started, and both leads want to carry on with it.\n", encoding="utf-8")
    paragraphs = read_document(path)
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Hot issues") and paragraphs[0].endswith("the handover.")


def test_tabs_and_stray_control_characters_are_tidied(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Item\t\tOwner\x1a\r\n  spaced   out  \r\n")
    assert read_document(path) == ["Item Owner", "spaced out"]


@pytest.mark.parametrize("content, said", [
    (b"", "is empty"), (b"\xef\xbb\xbf \r\n\r\n\t", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"), (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary"),
    ("Caf\u00e9 and \u00a3 sign".encode("cp1252"), "not UTF-8"),
])
def test_txt_refusals_name_the_file_and_say_what_to_do(project: Project, tmp_path: Path, content: bytes,
                                                       said: str) -> None:
    path = tmp_path / "meeting notes.txt"
    path.write_bytes(content)
    with pytest.raises(SourceImportError) as refused:
        sources.import_document(project, path, "field_notes")
    assert "meeting notes.txt" in str(refused.value) and said in str(refused.value)
    assert any(word in str(refused.value) for word in ("save", "Save", "Import", "choose", "type"))
    assert source_rows(project) == (0, 0), "a refused import leaves no trace"


def test_missing_file_and_old_word_file_are_refused(project: Project, tmp_path: Path) -> None:
    with pytest.raises(SourceImportError, match="does not exist"):
        sources.import_document(project, tmp_path / "gone.txt", "minutes")
    old = tmp_path / "minutes.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(SourceImportError, match=r"minutes\.doc.*save it as \.docx"):
        sources.import_document(project, old, "minutes")


# --- DOCX --------------------------------------------------------------------------------------

def test_docx_paragraphs_and_table_rows_in_document_order(project: Project, tmp_path: Path) -> None:
    path = make_docx(tmp_path / "Minutes M04.docx", ["Minutes of M04", "", "Next meeting: April."],
                     table=[["Action", "Who"], ["Review the discharge procedure", "SN1"]])
    meeting = add_meeting(project, "M04", "2010-03-18")
    source = sources.import_document(project, path, "minutes", meeting_id=meeting)
    assert texts(project, source.transcript_id) == [
        "Minutes of M04", "Action | Who", "Review the discharge procedure | SN1", "Next meeting: April."]
    assert (source.name, source.kind, source.source_file) == ("Minutes M04", "minutes", "Minutes M04.docx")
    assert (source.meeting_id, source.meeting_code, source.label) == (meeting, "M04", "Minutes — M04")


def test_docx_line_breaks_and_tabs_stay_inside_one_paragraph(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "notes.docx"
    document = docx.Document()
    run = document.add_paragraph().add_run("first line")
    run.add_break()
    run.add_text("second\tline")
    document.save(str(path))
    assert read_document(path) == ["first line second line"]


@pytest.mark.parametrize("damage", ["not a zip", "truncated", "no document part"])
def test_broken_docx_is_refused_with_a_message_not_a_traceback(project: Project, tmp_path: Path, damage: str) -> None:
    path = tmp_path / "field notes.docx"
    if damage == "not a zip":
        path.write_text("I was renamed from .txt to .docx", encoding="utf-8")
    elif damage == "truncated":
        good = make_docx(tmp_path / "good.docx", ["Some notes"]).read_bytes()
        path.write_bytes(good[: len(good) // 2])
    else:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("hello.txt", "a zip, but not a Word document")
    with pytest.raises(SourceImportError) as refused:
        sources.import_document(project, path, "field_notes")
    message = str(refused.value)
    assert "field notes.docx" in message and "save it again as .docx" in message
    assert source_rows(project) == (0, 0)


def test_empty_docx_is_refused(project: Project, tmp_path: Path) -> None:
    path = make_docx(tmp_path / "blank.docx", ["", "   "])
    with pytest.raises(SourceImportError, match=r"blank\.docx is empty"):
        sources.import_document(project, path, "document")


# --- making, linking, removing -----------------------------------------------------------------

def test_typed_source_has_untimed_turns_and_speakers_from_known_labels(project: Project) -> None:
    add_participant(project, "SN1")
    meeting = add_meeting(project, "M04")
    source = sources.create_text_source(project, "field_notes", "  Field notes  ", meeting_id=meeting,
                                        text="\n".join(FIELD_NOTES + ["NOTE: not a speaker", "sn1: lower case works"]))
    from storage import transcripts

    turns = transcripts.segments(project, source.transcript_id)
    assert [(t.speaker, t.text) for t in turns] == [
        (None, FIELD_NOTES[0]), ("SN1", "We need to look again at the discharge procedure."), (None, FIELD_NOTES[2]),
        (None, "NOTE: not a speaker"), ("SN1", "lower case works")]
    assert all(t.start == t.end == 0.0 and all(w.start == w.end == 0.0 for w in t.words) for t in turns)
    assert [w.text for w in turns[0].words] == FIELD_NOTES[0].split()
    record = transcripts.get_transcript(project, source.transcript_id)
    assert (record.name, record.kind, record.recording_id, record.status) == ("Field notes", "field_notes", None, "done")


def test_new_source_without_text_has_one_empty_paragraph_to_type_into(project: Project) -> None:
    source = sources.create_text_source(project, "interview_notes", "Follow-up with CG")
    assert texts(project, source.transcript_id) == [""]
    paragraph = sources.add_paragraph(project, source.transcript_id, 1)
    assert paragraph.position == 1 and texts(project, source.transcript_id) == ["", ""]
    change = editing.edit_turn_text(project, paragraph.id, "Twenty minutes, in her office.")
    assert all(w.start == w.end == 0.0 for w in change.after.words)


def test_bad_kind_name_or_meeting_change_nothing(project: Project) -> None:
    with pytest.raises(sources.SourceError, match="minutes, field notes"):
        sources.create_text_source(project, "recording", "x")
    with pytest.raises(sources.SourceError, match="needs a name"):
        sources.create_text_source(project, "minutes", "   ")
    with pytest.raises(sources.SourceError, match="meeting no longer exists"):
        sources.create_text_source(project, "minutes", "Minutes", meeting_id=999)
    assert source_rows(project) == (0, 0)


def test_meeting_link_details_and_guesses(project: Project) -> None:
    m04, m02 = add_meeting(project, "M04", "2010-03-18"), add_meeting(project, "M02", "2009-12-10")
    standalone = sources.create_text_source(project, "document", "Trust policy", text="Policy text.")
    assert (standalone.meeting_id, standalone.label) == (None, "Document — Trust policy")
    before = sources.set_source_details(project, standalone.transcript_id, name="Minutes", kind="minutes", meeting_id=m04)
    assert (before.name, before.kind, before.meeting_id) == ("Trust policy", "document", None)
    assert sources.get_source(project, standalone.transcript_id).label == "Minutes — M04"
    assert [m.code for m in sources.meeting_choices(project)] == ["M02", "M04"]
    choices = sources.meeting_choices(project)
    assert sources.guess_meeting(choices, "field-notes_m4.docx") == m04
    assert sources.guess_meeting(choices, "M02 minutes.txt") == m02
    assert sources.guess_meeting(choices, "M12 minutes.txt") is None
    assert sources.guess_kind("Field notes M04.txt") == "field_notes"
    assert sources.guess_kind("minutes.docx") == "minutes" and sources.guess_kind("x.txt") == "document"
    assert kind_label("interview_notes") == "Interview notes"
    sources.restore_details(project, standalone.transcript_id, before)
    assert sources.get_source(project, standalone.transcript_id).label == "Document — Trust policy"


def test_a_transcript_keeps_its_kind_and_takes_its_recording_to_the_meeting(project: Project, tmp_path: Path) -> None:
    from storage import recordings, transcripts

    m04 = add_meeting(project, "M04")
    recording, _ = recordings.add_recording(project, recordings.MediaFacts(tmp_path / "M04.wav", "h", 10.0, 1, 16000))
    transcript = transcripts.create_transcript(project, "M04", recording.id)
    before = sources.set_source_details(project, transcript.id, name="M04 meeting", kind="minutes", meeting_id=m04)
    source = sources.get_source(project, transcript.id)
    assert (source.kind, source.name, source.meeting_code, source.label) == ("recording", "M04 meeting", "M04",
                                                                              "Transcript — M04")
    with project.session() as session:
        from storage.models import Recording

        assert session.get(Recording, recording.id).meeting_id == m04
    sources.restore_details(project, transcript.id, before)
    assert sources.get_source(project, transcript.id).meeting_id is None
    with pytest.raises(sources.SourceError, match="transcript of a recording"):
        sources.remove_text_source(project, transcript.id)


def test_removing_and_restoring_a_source_keeps_its_ids(project: Project) -> None:
    source = sources.create_text_source(project, "minutes", "Minutes", text="One.\nSN9: Two.")
    before = sources.source_state(project, source.transcript_id)
    removed = sources.remove_text_source(project, source.transcript_id)
    assert removed == before and source_rows(project) == (0, 0)
    sources.restore_text_source(project, removed)
    assert sources.source_state(project, source.transcript_id) == before


# --- coded, retrieved and searched like a transcript -------------------------------------------

def test_a_source_is_coded_retrieved_and_found_like_a_transcript(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "field notes M04.txt"
    path.write_text("\n".join(FIELD_NOTES), encoding="utf-8")
    source = sources.import_document(project, path, "field_notes", meeting_id=add_meeting(project, "M04"))
    from storage import transcripts

    turns = transcripts.segments(project, source.transcript_id)
    code = codebook.create_code(project, "Reviewing discharge procedures")
    start = turns[1].text.index("discharge")
    applied = coding.apply_code(project, code.id, source.transcript_id, Anchor(turns[1].id, start),
                                Anchor(turns[2].id, len("The group went quiet")))
    assert applied is not None
    [passage] = retrieval.coded_passages(project, [code.id])
    assert passage.transcript_id == source.transcript_id and passage.transcript_name == "field notes M04"
    assert passage.text == "discharge procedure.\nThe group went quiet"
    assert passage.speaker is None or passage.speaker == turns[1].speaker
    assert (passage.start_time, passage.end_time) == (0.0, 0.0), "a text source has no times"
    matrix = retrieval.code_matrix(project, "transcript")
    assert matrix.count(code.id, "field notes M04") == 1
    [hit] = fulltext.search(project, "circle")
    assert (hit.kind, hit.id, hit.transcript_id) == ("turn", turns[0].id, source.transcript_id)


def test_a_failure_while_writing_leaves_no_half_source(project: Project, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    add_participant(project, "SN1")
    path = tmp_path / "notes.txt"
    path.write_text("First paragraph.\nSN1: the second fails.\nThird.", encoding="utf-8")

    def broken(*_args: object) -> object:
        raise RuntimeError("disk gone mid-import")

    monkeypatch.setattr(sources, "speaker_for_label", broken)  # fails on the second paragraph, after the first
    with pytest.raises(RuntimeError):
        sources.import_document(project, path, "field_notes")
    assert source_rows(project) == (0, 0)
