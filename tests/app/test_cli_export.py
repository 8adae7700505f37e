"""`earmark export` and `earmark pseudonyms` as a user runs them: the pre-export check refuses
and names where a listed real name would leave; --pseudonymise exports without them and leaves
the project unchanged; the list is kept, previewed and applied from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import run
from storage import pseudonyms, transcripts
from storage.models import AuditEntry, Participant, Speaker
from storage.project import create_project, open_project
from tests.conftest import run_earmark
from tests.helpers import add_turns

TURNS = [
    ("SN1", "Sarah Jones rang me about the transfer."),
    ("SW", "Observer's aside: Sarah lives next door."),
    ("CS", "S.J. was upset, says Zoë."),
]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.earmark"
    with create_project(path) as project:
        add_turns(project, "M01 Starting up", TURNS)
        add_turns(project, "M02 Operational", [("CG", "Nothing about anyone here.")])
        with project.write() as session:
            observer = Participant(role_code="SW", consent="observe_only", attributes={})
            session.add(observer)
            session.flush()
            session.scalars(select(Speaker).where(Speaker.label == "SW")).one().participant_id = observer.id
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def names_listed(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "pseudonyms", path, "add", "Sarah Jones", "SN2", "--variant", "Sarah", "--variant", "S.J.")[0] == 0
    assert cli(capsys, "pseudonyms", path, "add", "Zoë Brennan", "CG", "--variant", "Zoë")[0] == 0


def test_export_refuses_and_names_where(study: Path, tmp_path: Path) -> None:
    with open_project(study) as project:
        pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah", "S.J."])
    out = tmp_path / "m01.txt"
    result = run_earmark("export", str(study), "--format", "txt", "--transcript", "1", "-o", str(out), timeout=60)
    assert result.returncode == 1
    assert "Sarah Jones in M01 Starting up, 0:00:00 (turn 1)" in result.stderr
    assert "S.J. (Sarah Jones) in M01 Starting up, 0:00:20 (turn 3)" in result.stderr
    assert "turn 2" not in result.stderr  # the observer's turn is not exported, so it cannot leak
    assert "nothing was written" in result.stderr and "--pseudonymise" in result.stderr
    assert result.stderr.count("earmark: error:") == 1
    assert not out.exists()


def test_export_pseudonymised_has_no_real_names_and_leaves_the_project(study: Path, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    project_bytes = study.read_bytes()
    out = tmp_path / "all.txt"
    code, _out, err = cli(capsys, "export", study, "-o", out, "--pseudonymise")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    for name in ("Sarah", "Jones", "S.J.", "Zoë"):
        assert name not in text
    assert "[0:00:00] SN1: SN2 rang me about the transfer." in text and "says CG." in text
    assert "lives next door" not in text and "turn left out" in text
    assert "M02 Operational" in text  # every transcript by default
    assert "1 left out (consent); names pseudonymised" in err
    assert study.read_bytes() == project_bytes  # the project file itself is untouched
    with open_project(study, read_only=True) as project:
        assert transcripts.segments(project, 1)[0].text == TURNS[0][1]


def test_allow_names_exports_them_with_a_warning(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    out = tmp_path / "m01.txt"
    code, _out, err = cli(capsys, "export", study, "--transcript", "1", "-o", out, "--allow-names", "--no-placeholders")
    assert code == 0 and "Exporting with listed real names in 3 places" in err
    text = out.read_text(encoding="utf-8")
    assert "Sarah Jones rang me" in text and "turn left out" not in text and "next door" not in text


def test_export_errors_name_the_file(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "export", study, "--transcript", "9", "-o", tmp_path / "x.txt")
    assert code == 1 and "has no transcript 9 (it has 1, 2)" in err
    code, _out, err = cli(capsys, "export", study, "-o", study)
    assert code == 1 and "is the project itself" in err
    code, _out, err = cli(capsys, "export", study, "-o", tmp_path / "no" / "such" / "x.txt")
    assert code == 1 and "Cannot write" in err and "does not exist" in err


def test_the_list_from_the_command_line(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "pseudonyms", study)[1].startswith("(no pseudonyms")
    names_listed(study, capsys)
    code, out, _err = cli(capsys, "pseudonyms", study, "--json")
    assert [(e["real_name"], e["replacement"], e["variants"]) for e in json.loads(out)] == [
        ("Sarah Jones", "SN2", ["Sarah", "S.J."]), ("Zoë Brennan", "CG", ["Zoë"])]
    code, out, _err = cli(capsys, "pseudonyms", study, "edit", "s.j.", "--replacement", "SN3", "--variant", "Sarah")
    assert code == 0 and out.strip() == "Changed to Sarah Jones → SN3  (also: Sarah)"
    code, out, _err = cli(capsys, "pseudonyms", study, "remove", "zoë")
    assert code == 0 and "Removed Zoë Brennan → CG" in out
    assert cli(capsys, "pseudonyms", study)[1].strip() == "Sarah Jones → SN3  (also: Sarah)"
    code, _out, err = cli(capsys, "pseudonyms", study, "add", "Mark Lee", "Mr Lee")
    assert code == 1 and "keeps part of “Mark Lee”" in err
    code, _out, err = cli(capsys, "pseudonyms", study, "remove", "Nobody")
    assert code == 1 and "lists no real name 'Nobody' (listed: Sarah Jones)" in err


def test_preview_then_apply(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    code, out, err = cli(capsys, "pseudonyms", study, "preview")
    assert code == 0 and "nothing was changed" in err
    assert out.splitlines() == [
        "Sarah Jones → SN2: 3 matches",
        "    M01 Starting up  0:00:00  SN1:  «Sarah Jones» rang me about the transfer.",
        "    M01 Starting up  0:00:11  SW:  Observer's aside: «Sarah» lives next door.",
        "    M01 Starting up  0:00:20  CS:  «S.J.» was upset, says Zoë.",
        "Zoë Brennan → CG: 1 match",
        "    M01 Starting up  0:00:22  CS:  S.J. was upset, says «Zoë».",
    ]
    code, out, _err = cli(capsys, "pseudonyms", study, "preview", "--json")
    assert [(m["text"], m["segment_id"], m["offset"]) for m in json.loads(out)][0] == ("Sarah Jones", 1, 0)
    code, out, err = cli(capsys, "pseudonyms", study, "apply")
    assert code == 0, err
    assert out.strip() == "Replaced 3 × SN2, 1 × CG in 3 turns of 1 transcript; recorded in the audit."
    with open_project(study, read_only=True) as project:
        assert [t.text for t in transcripts.segments(project, 1)] == [
            "SN2 rang me about the transfer.", "Observer's aside: SN2 lives next door.", "SN2 was upset, says CG."]
        with project.session() as session:
            assert session.scalars(select(AuditEntry.action)).all()[-1] == "pseudonymised"
    assert cli(capsys, "pseudonyms", study, "preview", "--json")[1].strip() == "[]"


def test_apply_says_backups_hold_the_names_and_purges_them_on_request(study: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from storage import backups

    names_listed(study, capsys)
    backups.take_backup(study, "before-names", force=True)
    code, _out, err = cli(capsys, "pseudonyms", study, "apply", "--transcript", "1", "--no-memos")
    assert code == 0 and "still hold the real names; add --purge-backups" in err
    assert backups.existing_backups(study)
    code, out, err = cli(capsys, "pseudonyms", study, "apply", "--purge-backups")
    assert code == 0, err
    assert "that held the real names" in out and not backups.existing_backups(study)


# --- every format --------------------------------------------------------------------------------

TRANSCRIPT_SUFFIXES = {"docx": ".docx", "txt": ".txt", "srt": ".srt", "vtt": ".vtt", "nvivo": ".txt",
                       "maxqda": ".txt", "json": ".json"}


def _held(path: Path) -> str:
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return path.read_bytes().decode("utf-8")


def test_the_command_knows_the_formats_storage_writes() -> None:
    from app import cli_export_formats
    from storage.transcript_exports import TRANSCRIPT_FORMATS

    assert cli_export_formats.TRANSCRIPT_FORMATS == TRANSCRIPT_FORMATS


@pytest.mark.parametrize("fmt", list(TRANSCRIPT_SUFFIXES))
def test_every_transcript_format_from_the_command_line(study: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    names_listed(study, capsys)
    out = tmp_path / f"m01{TRANSCRIPT_SUFFIXES[fmt]}"
    code, _out, err = cli(capsys, "export", study, "--format", fmt, "--transcript", "1", "-o", out)
    assert code == 1 and "Sarah Jones in M01 Starting up" in err and "nothing was written" in err
    assert not out.exists()
    code, _out, err = cli(capsys, "export", study, "--format", fmt, "--transcript", "1", "-o", out, "--pseudonymise")
    assert code == 0, err
    assert f"Wrote {out}: 1 transcript, 2 turns, 1 left out (consent); names pseudonymised." in err
    text = _held(out)
    assert not [name for name in ("Sarah", "Jones", "S.J.", "Zoë") if name in text]
    assert "lives next door" not in text and "SN2 rang me about the" in text


def test_the_format_follows_the_file_name(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m02.vtt"
    code, _out, err = cli(capsys, "export", study, "--transcript", "2", "-o", out)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("WEBVTT") and "<v CG>Nothing about anyone here.</v>" in out.read_text(encoding="utf-8")


def test_one_transcript_formats_ask_which(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "export", study, "--format", "srt", "-o", tmp_path / "all.srt")
    assert code == 1
    assert "An SRT file holds one transcript, and study.earmark has 2: 1 (M01 Starting up), 2 (M02 Operational)" in err
    assert "--transcript ID" in err and not (tmp_path / "all.srt").exists()


def test_text_sources_are_refused_for_timed_formats(study: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from storage import sources

    with open_project(study) as project:
        notes = sources.create_text_source(project, "field_notes", "Field notes 3", paragraphs=["Rain."])
    code, _out, err = cli(capsys, "export", study, "--format", "nvivo", "--transcript", notes.transcript_id,
                          "-o", tmp_path / "n.txt")
    assert code == 1 and "'Field notes 3' is a text source with no times: export it as DOCX, TXT or JSON." in err
    code, _out, err = cli(capsys, "export", study, "--format", "json", "--transcript", notes.transcript_id,
                          "-o", tmp_path / "n.json")
    assert code == 0 and json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))["transcripts"][0]["kind"] == "field_notes"


def test_pseudonymise_and_allow_names_exclude_each_other(study: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli(capsys, "export", study, "-o", tmp_path / "x.txt", "--pseudonymise", "--allow-names")
    assert "not allowed with argument" in capsys.readouterr().err


def test_options_that_do_not_apply_are_refused(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "export", study, "--format", "qdc", "--transcript", "1", "-o", tmp_path / "x.qdc")
    assert code == 1 and "--transcript does not apply to a .qdc file, which holds the codebook" in err


def test_unknown_codes_are_refused_with_close_names(study: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from storage import codebook

    with open_project(study) as project:
        codebook.create_code(project, "Managing conflict")
        codebook.create_code(project, "Understanding different cultures")
    code, _out, err = cli(capsys, "export", study, "--format", "csv", "--codes", "Managin conflict", "-o", tmp_path / "x.csv")
    assert code == 1 and "has no code 'Managin conflict': did you mean 'Managing conflict'?" in err
    code, _out, err = cli(capsys, "export", study, "--format", "csv", "--codes", "zzz", "-o", tmp_path / "x.csv")
    assert code == 1 and "its codes are Managing conflict, Understanding different cultures." in err
    assert not (tmp_path / "x.csv").exists()


# --- REFI-QDA and reports --------------------------------------------------------------------------

def _coded(path: Path) -> None:
    """A code (whose description names Sarah) on the first turn of M01."""
    from storage import codebook, coding
    from storage.analysis_records import Anchor

    with open_project(path) as project:
        code = codebook.create_code(project, "Transfers", description="Raised by Sarah at M01.")
        first = transcripts.segments(project, 1)[0]
        coding.apply_code(project, code.id, 1, Anchor(first.id, 0), Anchor(first.id, len(first.text)))


def test_qdpx_checks_transcripts_memos_and_codes_then_writes(study: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    from storage import memos

    names_listed(study, capsys)
    _coded(study)
    with open_project(study) as project:
        memos.add_memo(project, "project", None, title="Reflections", body="Zoë seemed tired.")
    out = tmp_path / "study.qdpx"
    code, _out, err = cli(capsys, "export", study, "--format", "qdpx", "-o", out)
    assert code == 1 and not out.exists()
    assert "memo “Reflections”" in err and "code “Transfers” (description)" in err and "M01 Starting up" in err
    code, _out, err = cli(capsys, "export", study, "-o", out, "--pseudonymise")  # the format from the name
    assert code == 0, err
    assert f"Wrote {out}: 1 code, 2 sources, 1 coding, 1 note" in err and "names pseudonymised" in err
    held = _held(out)
    assert not [name for name in ("Sarah", "Jones", "S.J.", "Zoë") if name in held]
    assert "lives next door" not in held and zipfile.is_zipfile(out)


def test_qdc_is_checked_and_cannot_be_pseudonymised(study: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    names_listed(study, capsys)
    _coded(study)
    out = tmp_path / "codes.qdc"
    code, _out, err = cli(capsys, "export", study, "-o", out)
    assert code == 1 and "Sarah (Sarah Jones) in code “Transfers” (description)" in err and not out.exists()
    code, _out, err = cli(capsys, "export", study, "-o", out, "--pseudonymise")
    assert code == 1 and "--pseudonymise cannot replace" in err and not out.exists()
    code, _out, err = cli(capsys, "export", study, "-o", out, "--allow-names")
    assert code == 0 and f"Wrote {out}: 1 code." in err and "Raised by Sarah" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("fmt", "kind"), [("csv", None), ("xlsx", None), ("html", "quotes"), ("docx", "passages"),
                                           ("docx", "codes")])
def test_reports_from_the_command_line(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       fmt: str, kind: str | None) -> None:
    names_listed(study, capsys)
    _coded(study)
    out = tmp_path / f"report.{fmt}"
    report = ["--report", kind] if kind else []
    code, _out, err = cli(capsys, "export", study, "--format", fmt, *report, "--codes", "transfers", "-o", out)
    assert code == 1 and "Sarah Jones" in err and "nothing was written" in err and not out.exists()
    code, _out, err = cli(capsys, "export", study, "--format", fmt, *report, "--codes", "transfers", "-o", out,
                          "--pseudonymise")
    assert code == 0, err
    assert f"Wrote {out}: {kind or 'passages'} report ({fmt}), 1 row; names pseudonymised." in err
    assert not [name for name in ("Sarah", "Jones", "S.J.") if name in _held(out)]


def test_a_report_in_a_format_it_has_not_is_refused(study: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "export", study, "--format", "srt", "--report", "quotes", "-o", tmp_path / "q.srt")
    assert code == 1 and "A quotes report is written as docx or html, not srt: use --format docx." in err
