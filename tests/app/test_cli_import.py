"""`earmark import`: transcripts from other tools, checked before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import run
from storage import meetings, transcripts
from storage.project import create_project, open_project


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        meetings.create_meeting(project, "M04", date="2010-03-11")
    return path


def test_import_into_a_meeting(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vtt = tmp_path / "M04.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:03.000\n<v SN1>Hot issues first.\n", encoding="utf-8")
    code, out, err = cli(capsys, "import", study, vtt, "--meeting", "m04")
    assert code == 0, err
    assert out.strip() == f"{vtt}: transcript 1 (vtt), 1 turn."
    with open_project(study, read_only=True) as project:
        (turn,) = transcripts.segments(project, 1)
        assert (turn.speaker, turn.start, turn.end, turn.text) == ("SN1", 1.0, 3.0, "Hot issues first.")
        assert meetings.sources(project)[0].meeting_id == meetings.list_meetings(project)[0].id


def test_one_broken_file_imports_nothing(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.srt", tmp_path / "bad.srt"
    good.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n", encoding="utf-8")
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\nTwo\n", encoding="utf-8")
    code, _out, err = cli(capsys, "import", study, good, bad)
    assert code == 1 and "bad.srt, line 5: expected the cue's times" in err
    with open_project(study, read_only=True) as project:
        assert transcripts.list_transcripts(project) == []


def test_unknown_formats_and_meetings_are_refused(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "import", study, tmp_path / "project.nvp")
    assert code == 1 and "'.nvp' is not one of them" in err
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n", encoding="utf-8")
    code, _out, err = cli(capsys, "import", study, srt, "--meeting", "M09")
    assert code == 1 and "has no meeting M09 (meetings: M04)" in err


# --- REFI-QDA projects and codebooks ---------------------------------------------------------------

def _refi_project(path: Path) -> Path:
    from tests.storage.hostile.build import code, qde, selection, write_qdpx

    risk, source = "00000064-0000-4000-8000-000000000000", "00000032-0000-4000-8000-000000000000"
    body = (f"<CodeBook><Codes>{code(risk, 'Risk')}</Codes></CodeBook><Sources>"
            f'<TextSource guid="{source}" name="Ward notes" plainTextPath="internal://{source}.txt">'
            f'{selection("00000001-0000-4000-8000-000000000000", 0, 4, risk)}</TextSource></Sources>'
            '<Sets><Set guid="00000009-0000-4000-8000-000000000000" name="S"/></Sets>')
    return write_qdpx(path, qde(body), {f"Sources/{source}.txt": "Risk of falls 🎉\nSecond line".encode()})


def test_import_a_qdpx_prints_what_came_in_and_what_did_not(study: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from storage import codebook, coding, sources

    qdpx = _refi_project(tmp_path / "ward.qdpx")
    code, out, err = cli(capsys, "import", study, qdpx)
    assert code == 0, err
    assert out.strip() == f"{qdpx}: imported 1 code, 1 source, 1 coding, 0 memos, 0 participants."
    assert "note: 1 <Set> element was not imported: sets are not supported." in err
    with open_project(study, read_only=True) as project:
        assert [c.name for c in codebook.codes_tree(project)] == ["Risk"]
        (source,) = sources.list_sources(project)
        assert source.name == "Ward notes"
        (coded,) = coding.codings_in_transcript(project, source.transcript_id)
        assert coding.coded_text(project, coded.id) == "Risk"


def test_import_a_qdc_codebook(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from storage import codebook

    qdc = tmp_path / "codes.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   '<Code guid="00000064-0000-4000-8000-000000000000" name="Risk" isCodable="true">'
                   '<Code guid="00000065-0000-4000-8000-000000000000" name="Falls" isCodable="true"/></Code>'
                   "</Codes></CodeBook>", encoding="utf-8")
    code, out, err = cli(capsys, "import", study, qdc)
    assert code == 0, err
    assert out.strip() == f"{qdc}: imported 2 codes." and err == ""
    with open_project(study, read_only=True) as project:
        assert [(c.name, c.depth) for c in codebook.codes_tree(project)] == [("Risk", 0), ("Falls", 1)]


def test_a_hostile_qdpx_is_one_line_and_changes_nothing(study: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from tests.storage.hostile.build import qde, write_qdpx

    slip = write_qdpx(tmp_path / "slip.qdpx", qde(), {"../../evil.txt": b"x"})
    code, out, err = cli(capsys, "import", study, slip)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "slip.qdpx is refused: its entry '../../evil.txt' climbs out" in err
    assert "Traceback" not in err
    with open_project(study, read_only=True) as project:
        assert transcripts.list_transcripts(project) == []


def test_a_qdpx_goes_alone_and_without_transcript_options(study: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    qdpx = _refi_project(tmp_path / "ward.qdpx")
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n", encoding="utf-8")
    code, _out, err = cli(capsys, "import", study, srt, qdpx)
    assert code == 1 and "on its own" in err
    code, _out, err = cli(capsys, "import", study, qdpx, "--meeting", "M04")
    assert code == 1 and "--meeting applies to transcripts" in err
    with open_project(study, read_only=True) as project:
        assert transcripts.list_transcripts(project) == []
