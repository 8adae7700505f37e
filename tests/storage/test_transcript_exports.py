"""Transcript exports in every format: each reads back (SRT, WebVTT and NVivo through our own
importer, MAXQDA's stamps by pattern, DOCX through python-docx, JSON by its layout); no word of a
left-out turn and no listed real name (when pseudonymising) is in any file's bytes; text sources
are refused where times are needed; a failed write leaves nothing behind."""

from __future__ import annotations

import json
import re
import zipfile
from itertools import groupby
from pathlib import Path

import pytest

from storage import meetings, participants, pseudonyms, sources, transcripts
from storage.errors import ProjectError
from storage.export_text import ExportTurn, export_transcript
from storage.project import Project, create_project
from storage.transcript_export_cues import LINE_WIDTH, MAX_LINES
from storage.transcript_export_data import turn_words
from storage.transcript_exports import TRANSCRIPT_FORMATS, write_transcript_export
from storage.transcript_formats import read_transcript
from storage.transcript_import import import_transcript
from tests.helpers import add_turns

LONG = ("Welcome everyone. Sarah Jones sends her apologies, so we will start with the discharge pathway "
        "review that was postponed last month because of the audit, and then look at the training plan.")
TURNS = [
    ("SN1", LONG),
    ("SW", "My secret observer words stay here."),
    ("CS", "Zoë's report is <late> & says S.J. again."),
    ("OT", "Forget my withdrawn remark."),
    ("CG", "Thank you."),
]
SECRET = ("secret observer", "withdrawn remark")
REAL_NAMES = ("Sarah", "Jones", "Zoë", "S.J.")
SUFFIX = {"docx": ".docx", "txt": ".txt", "srt": ".srt", "vtt": ".vtt", "nvivo": ".txt", "maxqda": ".txt",
          "json": ".json"}
TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "transcripts"
NVIVO_PC = TESTDATA / "nvivo-style-transcribeme" / "web-scale_b2F-DItXtZs.mp3_tr_transcribeme_verbatim_nvivo-pc.txt"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with create_project(tmp_path / "study.earmark") as opened:
        yield opened


def study(project: Project) -> int:
    """M01 (12 Nov 2009): a long turn, an observer and a withdrawn participant, listed names."""
    transcript_id, _rows = add_turns(project, "M01 Starting up", TURNS, gap=20.0, turn_length=None, spacing=0.4,
                                     word_length=0.35)
    meeting = meetings.create_meeting(project, "M01", date="2009-11-12")
    meetings.link_transcript(project, transcript_id, meeting.id)
    participants.create_participant(project, "SW", consent="observe_only")
    participants.create_participant(project, "OT", consent="withdrawn")
    pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah", "S.J."])
    pseudonyms.add_pseudonym(project, "Zoë Brennan", "CG", ["Zoë"])
    return transcript_id


def export(project: Project, tmp_path: Path, ids: list[int], fmt: str, **options: bool) -> Path:
    path = tmp_path / f"out-{fmt}{'-p' if options.get('pseudonymise') else ''}{SUFFIX[fmt]}"
    write_transcript_export(project, path, ids, fmt, pseudonymise=options.get("pseudonymise", False),
                            placeholders=options.get("placeholders", True))
    return path


def everything_in(path: Path) -> str:
    """What a file holds, as text: a DOCX's XML parts unzipped (its bytes are compressed)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return path.read_bytes().decode("utf-8")


def expected_turns(project: Project, transcript_id: int, **options: bool) -> list[ExportTurn]:
    return [t for t in export_transcript(project, transcript_id, pseudonymise=options.get("pseudonymise", False)).turns]


# --- reading back ------------------------------------------------------------------------------------

def test_srt_reads_back_turn_by_turn_in_readable_cues(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    cues = read_transcript(export(project, tmp_path, [transcript_id], "srt")).turns
    assert len(cues) > len(TURNS)  # the long turn became several cues
    for cue in cues:
        lines = [line for line in re.split(r"\n", cue.text)]
        if not cue.text.startswith("["):
            assert len(lines) <= MAX_LINES and all(len(line) <= LINE_WIDTH for line in lines)
            assert cue.end - cue.start <= 7.1
    # A turn is its first cue ("SN1: …") and the cues after it without a speaker.
    turns: list[list[object]] = []
    for cue in cues:
        match = re.match(r"^(SN1|CS|CG): ", cue.text)
        if match or cue.text.startswith("[") or not turns:
            turns.append([match.group(1) if match else None, cue.start, cue.end, cue.text[match.end():] if match else cue.text])
        else:
            turns[-1][2] = cue.end
            turns[-1][3] = f"{turns[-1][3]} {cue.text}"
    for got, want in zip(turns, expected_turns(project, transcript_id), strict=True):
        speaker, start, end, text = got
        assert speaker == (want.speaker if want.left_out is None else None)
        # SubRip has no escapes: "<late>" is written as it is, and readers (ours too) take it for a tag.
        shown = re.sub(r"<[^>]*> ", "", want.text) or f"[{want.left_out}; turn left out]"
        assert " ".join(str(text).split()) == shown
        assert start == pytest.approx(want.start, abs=0.01) and end == pytest.approx(want.end, abs=0.01)
    assert "Zoë's report is <late> & says" in (tmp_path / "out-srt.srt").read_text(encoding="utf-8")


def test_a_few_words_said_slowly_stay_one_cue(project: Project, tmp_path: Path) -> None:
    transcript_id, _rows = add_turns(project, "M02", [("CS", "Yes, agreed."), ("SN1", " ".join(["word"] * 30))],
                                     gap=15.0, turn_length=14.0, spacing=0.45)
    cues = read_transcript(export(project, tmp_path, [transcript_id], "srt")).turns
    assert [(c.start, c.end, c.text) for c in cues[:1]] == [(0.0, 14.0, "CS: Yes, agreed.")]
    assert len(cues) == 3 and all(c.end - c.start <= 7.5 for c in cues[1:])  # a long turn said slowly is cut for time


def test_webvtt_reads_back_with_its_voices_and_escapes(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    path = export(project, tmp_path, [transcript_id], "vtt")
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("WEBVTT\n\nNOTE M01 Starting up\n")
    assert "<v CS>Zoë's report is &lt;late&gt; &amp; says S.J. again.</v>" in raw
    cues = read_transcript(path).turns
    turns = []
    for speaker, run in groupby(cues, key=lambda cue: cue.speaker):
        run = list(run)
        turns.append((speaker, run[0].start, run[-1].end, " ".join(" ".join(c.text.split()) for c in run)))
    for (speaker, start, end, text), want in zip(turns, expected_turns(project, transcript_id), strict=True):
        assert speaker == (want.speaker if want.left_out is None else None)
        assert text == (want.text or f"[{want.left_out}; turn left out]")
        assert start == pytest.approx(want.start, abs=0.01) and end == pytest.approx(want.end, abs=0.01)


def test_nvivo_reads_back_as_the_same_turns(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    path = export(project, tmp_path, [transcript_id], "nvivo")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf00:00:00,000 - 00:00:") and b"\r\n" in path.read_bytes()
    imported = read_transcript(path)
    assert imported.format == "nvivo-windows"
    for got, want in zip(imported.turns, expected_turns(project, transcript_id), strict=True):
        assert got.speaker == (want.speaker if want.left_out is None else None)
        assert got.text == (want.text or f"[{want.left_out}; turn left out]")
        assert got.start == pytest.approx(want.start, abs=0.01) and got.end == pytest.approx(want.end, abs=0.01)


def test_maxqda_paragraphs_end_in_their_time_stamps(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    text = export(project, tmp_path, [transcript_id], "maxqda").read_bytes().decode("utf-8-sig")
    paragraphs = text.rstrip("\r\n").split("\r\n\r\n")
    stamp = r"#(\d\d):(\d\d):(\d\d)-(\d)#"
    pattern = re.compile(rf"^(?:(\w+): )?(?:{stamp} )?(.*) {stamp}$")
    last = 0.0
    for paragraph, want in zip(paragraphs, expected_turns(project, transcript_id), strict=True):
        match = pattern.match(paragraph)
        assert match, paragraph
        speaker, *opening, words = match.groups()[:6]
        start = _seconds(opening) if opening[0] else last
        end = _seconds(match.groups()[6:])
        assert speaker == (want.speaker if want.left_out is None else None)
        assert words == (want.text or f"[{want.left_out}; turn left out]")
        assert start == pytest.approx(want.start, abs=0.051) and end == pytest.approx(want.end, abs=0.051)  # tenths
        last = end
    assert paragraphs[0].startswith("SN1: Welcome everyone.")  # the first turn starts at 0:00, so no opening stamp
    assert paragraphs[2].startswith("CS: #00:00:40-0# Zoë's report")


def _seconds(parts: list[str] | tuple[str, ...]) -> float:
    hours, minutes, seconds, tenths = (int(p) for p in parts)
    return hours * 3600 + minutes * 60 + seconds + tenths / 10


def test_docx_has_a_title_bold_speakers_and_grey_markers(project: Project, tmp_path: Path) -> None:
    import docx

    transcript_id = study(project)
    notes = sources.create_text_source(project, "field_notes", "Field notes 3", paragraphs=["SN1: Quiet start.", "Rain."])
    document = docx.Document(str(export(project, tmp_path, [transcript_id, notes.transcript_id], "docx")))
    paragraphs = document.paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Heading 1", "M01 Starting up")
    assert paragraphs[1].text == "Meeting M01, 12 Nov 2009 · Transcript of a recording"
    first = paragraphs[2].runs
    assert [r.text for r in first[:3]] == ["[0:00:00]\t", "SN1:", " "] and first[1].bold and first[3].text == LONG
    marker = paragraphs[3].runs[1]
    assert marker.text == "[SW consented to be observed only; turn left out]" and marker.italic
    assert marker.font.color.rgb is not None
    assert [p.text for p in paragraphs[4:7]] == [
        "[0:00:40]\tCS: Zoë's report is <late> & says S.J. again.",
        "[0:01:00]\t[OT withdrew consent; turn left out]", "[0:01:20]\tCG: Thank you."]
    heading = paragraphs[7]
    assert heading.text == "Field notes 3" and heading.paragraph_format.page_break_before
    assert paragraphs[8].text == "Field notes"
    assert [p.text for p in paragraphs[9:]] == ["¶ 1\tSN1: Quiet start.", "¶ 2\tRain."]
    assert paragraphs[9].runs[1].bold
    assert 'w:instr="PAGE"' in document.sections[0].footer.paragraphs[0]._p.xml


def test_json_holds_every_word_with_its_stored_times(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    data = json.loads(export(project, tmp_path, [transcript_id], "json").read_text(encoding="utf-8"))
    assert (data["format"], data["version"], data["pseudonymised"]) == ("earmark-transcript", 1, False)
    [transcript] = data["transcripts"]
    assert transcript["name"] == "M01 Starting up" and transcript["kind"] == "recording"
    assert transcript["meeting"] == {"code": "M01", "date": "2009-11-12"}
    assert transcript["guid"] == transcripts.get_transcript(project, transcript_id).guid
    first, observer = transcript["turns"][:2]
    assert set(first) == {"speaker", "start", "end", "text", "left_out", "words"}
    assert [w["text"] for w in first["words"]] == LONG.split()
    stored = transcripts.segments(project, transcript_id)[0].words
    assert [(w["start"], w["end"]) for w in first["words"]] == [(pytest.approx(w.start), pytest.approx(w.end)) for w in stored]
    assert observer == {"speaker": "SW", "start": 20.0, "end": observer["end"], "text": "",
                        "left_out": "SW consented to be observed only", "words": []}


def test_pseudonymised_json_words_follow_the_new_text(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    data = json.loads(export(project, tmp_path, [transcript_id], "json", pseudonymise=True).read_text(encoding="utf-8"))
    turn = data["transcripts"][0]["turns"][2]
    assert turn["text"] == "CG's report is <late> & says SN2 again."
    words = turn["words"]
    assert [w["text"] for w in words] == turn["text"].split()
    assert words[0]["start"] == turn["start"] and words[-1]["end"] == pytest.approx(turn["end"])
    assert all(a["end"] == pytest.approx(b["start"]) for a, b in zip(words, words[1:]))  # shares, end to end
    assert data["pseudonymised"] is True


def test_stored_words_that_no_longer_match_the_text_are_not_used() -> None:
    turn = ExportTurn(1, 0, 10.0, 14.0, "SN1", "two words")
    assert [(w.text, w.start, w.end) for w in turn_words(turn, "two words", [["two", 10.5, 11.0, 0.9], ["words", 11.2, 12.0, 0.9]])] == [
        ("two", 10.5, 11.0), ("words", 11.2, 12.0)]
    proportional = turn_words(turn, "two words", [["one", 10.5, 11.0, 0.9]])  # edited without realigning
    assert [(w.text, w.start, w.end) for w in proportional] == [("two", 10.0, 11.5), ("words", 11.5, 14.0)]


# --- privacy ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", TRANSCRIPT_FORMATS)
def test_no_left_out_word_in_any_format(project: Project, tmp_path: Path, fmt: str) -> None:
    transcript_id = study(project)
    text = everything_in(export(project, tmp_path, [transcript_id], fmt))
    assert not any(secret in text for secret in SECRET)
    assert "SW consented to be observed only" in text and "OT withdrew" in text
    quiet = everything_in(export(project, tmp_path, [transcript_id], fmt, placeholders=False))
    assert not any(secret in quiet for secret in SECRET) and "turn left out" not in quiet and "Thank you." in quiet


@pytest.mark.parametrize("fmt", TRANSCRIPT_FORMATS)
def test_pseudonymised_exports_hold_no_real_name_and_change_nothing(project: Project, tmp_path: Path, fmt: str) -> None:
    transcript_id = study(project)
    before = transcripts.segments(project, transcript_id)
    text = everything_in(export(project, tmp_path, [transcript_id], fmt, pseudonymise=True))
    assert not [name for name in REAL_NAMES if name in text]
    assert "SN2" in text and "CG's report" in text
    assert transcripts.segments(project, transcript_id) == before
    assert pseudonyms.find_matches(project)  # the names are still in the project


# --- refusals and failures ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["srt", "vtt", "nvivo", "maxqda"])
def test_timed_formats_refuse_text_sources_and_several_transcripts(project: Project, tmp_path: Path, fmt: str) -> None:
    transcript_id = study(project)
    notes = sources.create_text_source(project, "field_notes", "Field notes 3", paragraphs=["Rain."])
    path = tmp_path / f"x{SUFFIX[fmt]}"
    with pytest.raises(ProjectError, match=r"^'Field notes 3' is a text source with no times: export it as DOCX, TXT or JSON\.$"):
        write_transcript_export(project, path, [notes.transcript_id], fmt, pseudonymise=False)
    with pytest.raises(ProjectError, match="holds one transcript, and 2 were chosen"):
        write_transcript_export(project, path, [transcript_id, notes.transcript_id], fmt, pseudonymise=False)
    assert list(tmp_path.glob("x*")) == []


@pytest.mark.parametrize("fmt", ["docx", "txt", "json"])
def test_text_sources_and_several_transcripts_go_to_docx_txt_and_json(project: Project, tmp_path: Path, fmt: str) -> None:
    transcript_id = study(project)
    notes = sources.create_text_source(project, "field_notes", "Field notes 3", paragraphs=["Rain all morning."])
    written = write_transcript_export(project, tmp_path / f"both{SUFFIX[fmt]}", [transcript_id, notes.transcript_id],
                                      fmt, pseudonymise=False)
    assert (written.transcripts, written.turns, written.left_out) == (2, 4, 2)
    text = everything_in(written.path)
    assert "M01 Starting up" in text and "Rain all morning." in text
    if fmt == "json":
        notes_json = json.loads(text)["transcripts"][1]
        assert notes_json["turns"] == [{"speaker": None, "start": None, "end": None, "text": "Rain all morning.",
                                        "left_out": None, "words": []}]


@pytest.mark.parametrize("fmt", ["docx", "srt", "json"])
def test_a_failed_write_names_the_file_and_leaves_nothing(project: Project, tmp_path: Path, fmt: str) -> None:
    transcript_id = study(project)
    with pytest.raises(ProjectError, match=r"Cannot write .*missing.*does not exist"):
        write_transcript_export(project, tmp_path / "missing" / f"x{SUFFIX[fmt]}", [transcript_id], fmt, pseudonymise=False)
    taken = tmp_path / f"taken{SUFFIX[fmt]}"
    taken.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(ProjectError, match=f"Cannot write {re.escape(str(taken))}"):
        write_transcript_export(project, taken, [transcript_id], fmt, pseudonymise=False)
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_an_earlier_export_is_replaced_whole(project: Project, tmp_path: Path) -> None:
    transcript_id = study(project)
    path = tmp_path / "m01.srt"
    path.write_text("old", encoding="utf-8")
    write_transcript_export(project, path, [transcript_id], "srt", pseudonymise=False)
    assert path.read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> ")


# --- a real transcript -------------------------------------------------------------------------------

@pytest.mark.skipif(not NVIVO_PC.is_file(), reason="../shared/testdata is absent")
@pytest.mark.parametrize("fmt", ["nvivo", "vtt"])
def test_a_real_nvivo_transcript_comes_back_through_export(project: Project, tmp_path: Path, fmt: str) -> None:
    imported = import_transcript(project, NVIVO_PC).transcript
    again = read_transcript(export(project, tmp_path, [imported.id], fmt)).turns
    original = read_transcript(NVIVO_PC).turns
    if fmt == "vtt":  # cues of one turn share its voice; S1 and S2 alternate, so runs are turns
        again = tuple((speaker, list(run)) for speaker, run in groupby(again, key=lambda c: c.speaker))
        assert [(s, run[0].start, " ".join(" ".join(c.text.split()) for c in run)) for s, run in again] == [
            (t.speaker, pytest.approx(t.start, abs=0.01), " ".join(t.text.split())) for t in original]
        return
    assert len(again) == len(original) == 31
    for got, want in zip(again, original, strict=True):
        assert (got.speaker, got.text) == (want.speaker, want.text)
        assert got.start == pytest.approx(want.start, abs=0.01) and got.end == pytest.approx(want.end, abs=0.01)
