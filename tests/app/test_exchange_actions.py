"""Exchange in the real window on a real project: File ▸ Import ▸ Transcript File… reads the file,
shows it, ties it to the shown recording when its times fit, and is one undo step (redo brings it
back under the same ids); a broken file is refused with its line and adds nothing; a read-only
project offers no import and says why. File ▸ Export ▸ Transcript… writes every format, after the
pre-export name check; REFI-QDA project and codebook exports and imports (with a backup first, and
the summary shown); Analysis ▸ Reports ▸ writes a report of the code chosen in the codebook."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from app import jobs
from app.exchange_actions import ExchangeController
from app.main_window import MainWindow
from storage import backups, codebook, coding, meetings, memos, pseudonyms, transcripts
from storage.analysis_records import Anchor
from storage.project import Project, create_project, open_project
from storage.transcript_exports import TRANSCRIPT_FORMATS
from tests.helpers import RESEARCH_TREE, open_window, turn_segments
from widgets import name_check_dialog
from widgets.export_dialog import TranscriptExportChoices, TranscriptExportDialog
from widgets.report_dialog import ReportChoices, ReportDialog
from widgets.transcript_import_dialog import TranscriptImportDialog

TURNS = [
    ("SN1", "Hot issues first: an unexpected death during transfer, and Sarah Jones rang me about it."),
    ("SN2", "The discharge procedure was reviewed the week after."),
    ("CS", "Safeguarding has to be part of the pathway from the start."),
    ("CG", "Statutory and mandatory training is behind on the wards."),
    ("OT", "We shadowed each other's teams for a fortnight."),
]
SRT = """1
00:00:01,000 --> 00:00:04,500
Good morning, everyone.

2
00:00:05,000 --> 00:00:09,000
Let us start with the hot issues.

3
00:00:10,000 --> 00:00:14,000
The transfer went wrong last week.
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v SN1>Good morning, everyone.

00:00:05.000 --> 00:00:08.000
<v CG>Statutory training is behind.

00:00:09.000 --> 00:00:12.000
<v SN1>Then that is first.
"""


def build_tree(project: Project, tree: dict, parent: int | None = None) -> None:
    for name, below in tree.items():
        code = codebook.create_code(project, name, parent, description=f"Passages about {name.lower()}.")
        build_tree(project, below, code.id)


def build_exchange_study(path: Path, media: Path) -> dict[str, int]:
    """A project as the researchers have it: meeting M04 with its recording transcribed (speakers
    SN1, SN2, CS, CG, OT), the RESEARCH.md code tree, two codings, a code memo and a diary entry."""
    with create_project(path) as project:
        meeting = meetings.create_meeting(project, "M04", date="2010-03-18")
        prepared = jobs.prepare(project, media)
        rows = transcripts.append_segments(project, prepared.transcript.id, turn_segments(TURNS), 60.0)
        transcripts.mark_finished(project, prepared.transcript.id, "done", covered_until=60.0)
        meetings.link_transcript(project, prepared.transcript.id, meeting.id)
        build_tree(project, RESEARCH_TREE)
        codes = {code.name: code.id for code in codebook.codes_tree(project)}
        discharge, safeguarding = codes["Reviewing discharge procedures"], codes["Safeguarding vulnerable adults"]
        coding.apply_code(project, discharge, prepared.transcript.id, Anchor(rows[1].id, 4), Anchor(rows[1].id, 36))
        coding.apply_code(project, safeguarding, prepared.transcript.id, Anchor(rows[2].id, 0), Anchor(rows[2].id, 40))
        memos.add_memo(project, "code", discharge, title="Discharge", body="Raised at every meeting since M02.")
        memos.add_memo(project, "diary", None, title="After M04", body="The group is settling into the work.")
        return {"transcript": prepared.transcript.id, "recording": prepared.recording.id, "meeting": meeting.id,
                "discharge": discharge, "turns": len(rows)}


@pytest.fixture
def study(tmp_path: Path, sample: Path) -> dict[str, object]:
    media = tmp_path / "M04.flac"
    shutil.copy(sample, media)
    path = tmp_path / "study.earmark"
    facts: dict[str, object] = dict(build_exchange_study(path, media))
    facts["path"] = path
    return facts


@pytest.fixture
def window(qtbot, study: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # noqa: ANN001
    warnings: list[str] = []
    with open_window(qtbot, monkeypatch, study["path"], warnings=warnings) as main:  # type: ignore[arg-type]
        main.show_transcript(study["transcript"])  # type: ignore[arg-type]
        main.warnings = warnings  # type: ignore[attr-defined]
        yield main


def controller(window: MainWindow) -> ExchangeController:
    return next(c for c in window.analysis if isinstance(c, ExchangeController))


def accept(monkeypatch: pytest.MonkeyPatch, dialog_class: type[QDialog], seen: list[QDialog] | None = None) -> None:
    """The dialog accepts as it is set up when shown (the test looks at it through `seen`)."""
    def exec_(self: QDialog) -> int:
        if seen is not None:
            seen.append(self)
        return QDialog.DialogCode.Accepted.value
    monkeypatch.setattr(dialog_class, "exec", exec_)


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


# --- transcript import -------------------------------------------------------------------------

def test_an_srt_imports_tied_to_the_shown_recording_as_one_undo_step(window: MainWindow, study: dict[str, object],
                                                                      tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    srt = tmp_path / "M04 captions.srt"
    srt.write_text(SRT, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(srt), ""))
    seen: list[QDialog] = []
    accept(monkeypatch, TranscriptImportDialog, seen)
    controller(window).import_transcript_action.trigger()
    dialog = seen[0]
    assert isinstance(dialog, TranscriptImportDialog)
    assert dialog.fact_labels["turns"].text() == "3"
    assert dialog.recording.currentData() == study["recording"], "the shown transcript's recording: the times fit"
    assert dialog.meeting.currentData() == study["meeting"], "M04 in the file name"
    project = window.project
    assert project is not None
    imported = transcripts.list_transcripts(project)[-1]
    assert (imported.name, imported.recording_id, imported.segment_count) == ("M04 captions", study["recording"], 3)
    assert window._shown_transcript == imported.id
    texts = [t.text for t in transcripts.segments(project, imported.id)]
    assert texts == ["Good morning, everyone.", "Let us start with the hot issues.", "The transfer went wrong last week."]
    assert "Imported M04 captions.srt" in status(window) and "Undo" in status(window)
    turn_ids = [t.id for t in transcripts.segments(project, imported.id)]

    window.editing.stack.undo()
    assert [t.id for t in transcripts.list_transcripts(project)] == [study["transcript"]]
    assert window._shown_transcript == study["transcript"], "the window moved off the removed transcript"
    window.editing.stack.redo()
    again = transcripts.list_transcripts(project)[-1]
    assert again.id == imported.id and [t.id for t in transcripts.segments(project, again.id)] == turn_ids
    assert again.recording_id == study["recording"]


def test_a_vtt_keeps_its_speakers_and_an_untimed_file_becomes_a_text_source(window: MainWindow, tmp_path: Path,
                                                                            monkeypatch) -> None:  # noqa: ANN001
    vtt = tmp_path / "teams.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    accept(monkeypatch, TranscriptImportDialog)
    control = controller(window)
    new_id = control.import_transcript(vtt)
    project = window.project
    assert project is not None and new_id is not None
    assert [t.speaker for t in transcripts.segments(project, new_id)] == ["SN1", "CG", "SN1"]

    notes = tmp_path / "minutes.txt"
    notes.write_text("SN1: We agreed the pathway.\nCG: Training dates to follow.\n", encoding="utf-8")
    seen: list[QDialog] = []
    accept(monkeypatch, TranscriptImportDialog, seen)
    source_id = control.import_transcript(notes)
    assert source_id is not None and not seen[0].recording.isEnabled()  # type: ignore[attr-defined]
    record = transcripts.get_transcript(project, source_id)
    assert record.kind == "document" and record.recording_id is None
    paragraphs = [(t.id, t.text) for t in transcripts.segments(project, source_id)]
    window.editing.stack.undo()
    assert source_id not in [t.id for t in transcripts.list_transcripts(project)]
    window.editing.stack.redo()
    assert [(t.id, t.text) for t in transcripts.segments(project, source_id)] == paragraphs


def test_a_broken_file_is_refused_with_its_line_and_adds_nothing(window: MainWindow, tmp_path: Path) -> None:
    broken = tmp_path / "broken.srt"
    broken.write_text("1\n00:00:01,000 --> 00:00:04,000\nHello.\n\n2\nnot a time at all\nWords.\n", encoding="utf-8")
    project = window.project
    assert project is not None
    before = transcripts.list_transcripts(project)
    assert controller(window).import_transcript(broken) is None
    assert window.warnings and "broken.srt" in window.warnings[-1] and "line" in window.warnings[-1]  # type: ignore[attr-defined]
    assert transcripts.list_transcripts(project) == before
    assert window.editing.stack.count() == 0


def test_a_transcript_longer_than_the_recording_is_not_tied_to_it(window: MainWindow, tmp_path: Path,
                                                                  monkeypatch) -> None:  # noqa: ANN001
    long = tmp_path / "other meeting.srt"
    long.write_text("1\n00:00:01,000 --> 00:00:04,000\nHello.\n\n2\n00:20:00,000 --> 00:20:04,000\nBye.\n",
                    encoding="utf-8")
    seen: list[QDialog] = []
    accept(monkeypatch, TranscriptImportDialog, seen)
    new_id = controller(window).import_transcript(long)
    assert seen[0].recording.currentData() is None  # type: ignore[attr-defined]
    assert window.project is not None and new_id is not None
    assert transcripts.get_transcript(window.project, new_id).recording_id is None


def test_a_read_only_project_offers_no_import_and_says_why(qtbot, study: dict[str, object], monkeypatch) -> None:  # noqa: ANN001
    holder = open_project(study["path"])  # type: ignore[arg-type]  # holds the lock: the window opens read-only
    try:
        with open_window(qtbot, monkeypatch, study["path"]) as window:  # type: ignore[arg-type]
            control = controller(window)
            assert window.project is not None and window.project.read_only
            for action in (control.import_transcript_action, control.import_qdpx_action, control.import_qdc_action):
                assert not action.isEnabled()
                assert "read-only" in action.toolTip()
            assert control.export_transcript_action.isEnabled(), "exports change nothing: they stay"
    finally:
        holder.close()


# --- transcript export -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", TRANSCRIPT_FORMATS)
def test_each_transcript_format_is_written(window: MainWindow, study: dict[str, object], tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out" / f"M04.{fmt}"
    target.parent.mkdir()
    choices = TranscriptExportChoices(fmt, (study["transcript"],), pseudonymise=False, placeholders=True)  # type: ignore[arg-type]
    written = controller(window).exports.export_transcripts(choices, target)
    assert written == [target] and target.stat().st_size > 0
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(str(target)).paragraphs) + "\n".join(
            cell.text for table in Document(str(target)).tables for row in table.rows for cell in row.cells)
        assert "Statutory and mandatory training" in text
    elif fmt == "json":
        data = json.loads(target.read_text(encoding="utf-8"))
        assert [turn["speaker"] for turn in data["transcripts"][0]["turns"]] == ["SN1", "SN2", "CS", "CG", "OT"]
    else:
        assert "Statutory and mandatory training" in target.read_text(encoding="utf-8")
    assert str(target) in status(window)
    assert controller(window).exports.open_folder_button.isVisible()


def test_export_through_the_dialog_asks_about_names_and_pseudonymises(window: MainWindow, tmp_path: Path,
                                                                      monkeypatch) -> None:  # noqa: ANN001
    assert window.project is not None
    pseudonyms.add_pseudonym(window.project, "Sarah Jones", "Participant A")
    asked: list[str] = []
    monkeypatch.setattr("app.export_actions.ask_about_names",
                        lambda leaks, what, parent: asked.append(what) or name_check_dialog.PSEUDONYMISE)
    seen: list[QDialog] = []
    accept(monkeypatch, TranscriptExportDialog, seen)
    target = tmp_path / "M04 export.txt"
    save_to(monkeypatch, target)
    dialog_format = {"value": "txt"}
    original_init = TranscriptExportDialog.__init__

    def init(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        original_init(self, *args, **kwargs)
        self.format.setCurrentIndex(self.format.findData(dialog_format["value"]))
    monkeypatch.setattr(TranscriptExportDialog, "__init__", init)
    controller(window).export_transcript_action.trigger()
    assert seen and asked and "M04" in asked[0]
    text = target.read_text(encoding="utf-8")
    assert "Participant A" in text and "Sarah Jones" not in text
    assert "names pseudonymised" in status(window)


def test_cancelling_the_name_check_writes_nothing(window: MainWindow, study: dict[str, object], tmp_path: Path,
                                                  monkeypatch) -> None:  # noqa: ANN001
    assert window.project is not None
    pseudonyms.add_pseudonym(window.project, "Sarah Jones", "Participant A")
    monkeypatch.setattr("app.export_actions.ask_about_names", lambda *a: None)
    target = tmp_path / "never.docx"
    choices = TranscriptExportChoices("docx", (study["transcript"],), pseudonymise=False, placeholders=True)  # type: ignore[arg-type]
    assert controller(window).exports.export_transcripts(choices, target) == []
    assert not target.exists() and "nothing was written" in status(window)


def test_subtitles_of_several_transcripts_go_one_file_each_into_a_folder(window: MainWindow, study: dict[str, object],
                                                                         tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    srt = tmp_path / "captions.srt"
    srt.write_text(SRT, encoding="utf-8")
    accept(monkeypatch, TranscriptImportDialog)
    second = controller(window).import_transcript(srt)
    folder = tmp_path / "subtitles"
    folder.mkdir()
    choices = TranscriptExportChoices("vtt", (study["transcript"], second), pseudonymise=False, placeholders=True)  # type: ignore[arg-type]
    written = controller(window).exports.export_transcripts(choices, folder)
    assert sorted(p.name for p in written) == ["M04.vtt", "captions.vtt"]
    assert all(p.read_text(encoding="utf-8").startswith("WEBVTT") for p in written)


def test_a_failed_export_names_the_file(window: MainWindow, study: dict[str, object], tmp_path: Path) -> None:
    target = tmp_path / "no such folder" / "M04.docx"
    choices = TranscriptExportChoices("docx", (study["transcript"],), pseudonymise=False, placeholders=True)  # type: ignore[arg-type]
    assert controller(window).exports.export_transcripts(choices, target) == []
    assert window.warnings and "M04.docx" in window.warnings[-1]  # type: ignore[attr-defined]


# --- reports -----------------------------------------------------------------------------------

def test_a_report_of_the_code_chosen_in_the_codebook(window: MainWindow, study: dict[str, object], tmp_path: Path,
                                                     monkeypatch) -> None:  # noqa: ANN001
    window.context.provide(selected_code=lambda: study["discharge"])
    seen: list[QDialog] = []
    accept(monkeypatch, ReportDialog, seen)
    target = tmp_path / "discharge.docx"
    save_to(monkeypatch, target)
    passages_action = next(a for a in controller(window).report_actions if a.text() == "Coded &Passages…")
    passages_action.trigger()
    dialog = seen[0]
    assert isinstance(dialog, ReportDialog) and dialog.ticked_ids() == (study["discharge"],)
    document = Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "discharge procedure was reviewed" in text
    assert status(window) == f"Wrote 1 passage to {target}."


@pytest.mark.parametrize(("kind", "fmt"), [("quotes", "html"), ("codes", "csv"), ("memos", "docx"), ("diary", "docx"),
                                           ("passages", "xlsx")])
def test_every_report_kind_is_written(window: MainWindow, study: dict[str, object], tmp_path: Path, kind: str,
                                      fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    codes = (study["discharge"],) if kind in ("quotes", "passages") else None
    written = controller(window).exports.write_report(kind, ReportChoices(kind, fmt, codes, False), target)  # type: ignore[arg-type]
    assert written == target and target.stat().st_size > 0
    assert status(window).startswith("Wrote ")


def test_an_empty_report_is_refused_with_a_message(window: MainWindow, tmp_path: Path) -> None:
    assert window.project is not None
    empty = codebook.create_code(window.project, "Nothing coded here")
    target = tmp_path / "empty.docx"
    assert controller(window).exports.write_report("passages", ReportChoices("passages", "docx", (empty.id,), False),
                                                   target) is None
    assert not target.exists() and window.warnings and "empty.docx" in window.warnings[-1]  # type: ignore[attr-defined]


# --- REFI-QDA ----------------------------------------------------------------------------------

def test_qdpx_and_qdc_exports_write_archives(window: MainWindow, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    messages(monkeypatch)
    exports = controller(window).exports
    summary = exports.export_qdpx(tmp_path / "study.qdpx")
    assert summary is not None and summary.codes == 13
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        assert "project.qde" in archive.namelist()
    codebook_summary = exports.export_qdc(tmp_path / "study.qdc")
    assert codebook_summary is not None and (tmp_path / "study.qdc").read_bytes().startswith(b"<?xml")
    assert "study.qdc" in status(window)


def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Every information box shown: (text, informative text, details); none waits for a click."""
    shown: list[tuple[str, str, str]] = []

    def exec_(self: QMessageBox) -> int:
        shown.append((self.text(), self.informativeText(), self.detailedText()))
        return QMessageBox.StandardButton.Ok.value
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def test_a_qdpx_imports_into_another_project_after_a_backup(qtbot, window: MainWindow, tmp_path: Path,
                                                            monkeypatch) -> None:  # noqa: ANN001
    shown = messages(monkeypatch)
    archive = tmp_path / "exchange.qdpx"
    assert controller(window).exports.export_qdpx(archive) is not None
    shown.clear()
    other = tmp_path / "other.earmark"
    create_project(other).close()
    assert window.open_project_file(other)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(archive), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    controller(window).import_qdpx_action.trigger()
    project = window.project
    assert project is not None
    assert len(codebook.codes_tree(project)) == 13
    assert any(t.name == "M04" for t in transcripts.list_transcripts(project))
    assert backups.existing_backups(other), "a backup was taken before the import"
    assert shown and "13 codes" in shown[0][0] and "backup" in shown[0][1]
    assert "Imported exchange.qdpx" in status(window)


def test_a_qdc_imports_codes_and_a_broken_file_changes_nothing(window: MainWindow, tmp_path: Path,
                                                               monkeypatch) -> None:  # noqa: ANN001
    shown = messages(monkeypatch)
    codebook_file = tmp_path / "codes.qdc"
    assert controller(window).exports.export_qdc(codebook_file) is not None
    shown.clear()
    other = tmp_path / "other.earmark"
    create_project(other).close()
    assert window.open_project_file(other)
    summary = controller(window).import_refi(codebook_file, confirmed=True)
    assert summary is not None and summary.codes == 13
    assert window.project is not None and len(codebook.codes_tree(window.project)) == 13
    assert shown and "13 codes" in shown[0][0]
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"not a zip at all")
    assert controller(window).import_refi(broken, confirmed=True) is None
    assert window.warnings and "broken.qdpx" in window.warnings[-1]  # type: ignore[attr-defined]
    assert "not changed" in window.warnings[-1]  # type: ignore[attr-defined]
    assert len(codebook.codes_tree(window.project)) == 13


def test_a_transcript_too_long_for_the_chosen_recording_is_refused(window: MainWindow, study: dict[str, object],
                                                                   tmp_path: Path) -> None:
    from widgets.transcript_import_dialog import TranscriptImportChoices

    long = tmp_path / "another meeting.srt"
    long.write_text("1\n00:00:01,000 --> 00:00:04,000\nHello.\n\n2\n00:20:00,000 --> 00:20:04,000\nBye.\n",
                    encoding="utf-8")
    assert window.project is not None
    before = transcripts.list_transcripts(window.project)
    choices = TranscriptImportChoices(study["recording"], None, "Another meeting", "document")  # type: ignore[arg-type]
    assert controller(window).import_transcript(long, choices) is None
    assert window.warnings and "another meeting.srt" in window.warnings[-1]  # type: ignore[attr-defined]
    assert transcripts.list_transcripts(window.project) == before and window.editing.stack.count() == 0


def test_open_folder_opens_where_the_export_went(window: MainWindow, study: dict[str, object], tmp_path: Path,
                                                 monkeypatch) -> None:  # noqa: ANN001
    opened: list[str] = []
    monkeypatch.setattr("app.export_actions.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    choices = TranscriptExportChoices("txt", (study["transcript"],), pseudonymise=False, placeholders=True)  # type: ignore[arg-type]
    controller(window).exports.export_transcripts(choices, tmp_path / "M04.txt")
    controller(window).exports.open_folder_button.click()
    assert opened == [str(tmp_path)]


def test_a_codebook_with_listed_names_asks_before_it_is_written(window: MainWindow, tmp_path: Path,
                                                                monkeypatch) -> None:  # noqa: ANN001
    assert window.project is not None
    pseudonyms.add_pseudonym(window.project, "Sarah Jones", "Participant A")
    codebook.create_code(window.project, "What Sarah Jones said")
    shown = messages(monkeypatch)  # closed without choosing: cancel
    target = tmp_path / "codes.qdc"
    assert controller(window).exports.export_qdc(target) is None
    assert not target.exists() and "Sarah Jones" in shown[0][2]
    assert "nothing was written" in status(window)
