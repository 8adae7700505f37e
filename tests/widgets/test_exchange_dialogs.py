"""The exchange dialogs on their own: the transcript import dialog shows what the file holds and
offers only recordings the times fit in; the export dialog hands back the format, the chosen
transcripts and the two privacy choices; the report dialog ticks the codebook's code with the codes
under it and hands back exactly the ticked codes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel

from storage.analysis_records import CodeRecord
from storage.source_records import MeetingChoice
from widgets.export_dialog import TranscriptExportDialog, TranscriptOption
from widgets.report_dialog import ReportDialog, counted_rows
from widgets.transcript_import_dialog import RecordingOption, TranscriptImportDialog, TranscriptPreview

PREVIEW = TranscriptPreview("M04 handover.vtt", "vtt", 42, (("SN1", 20), ("CG", 12), ("OT", 10)), 3.5, 1812.0,
                            ("line 17: a cue ends before it starts; its end was set to its start",))
RECORDINGS = [RecordingOption(1, "M04 Handover — M04.wav", 1830.0), RecordingOption(2, "M05 — M05.wav", 600.0)]
MEETINGS = [MeetingChoice(7, "M04", "2010-03-18"), MeetingChoice(8, "M05", None)]
CODES = [
    CodeRecord(1, "g1", None, 0, "Partnership working", "#f4c542", "Working across organisations", 0, 2, 5),
    CodeRecord(2, "g2", 1, 0, "Reviewing discharge procedures", "#6fbf73", "", 1, 2, 2),
    CodeRecord(3, "g3", 1, 1, "Safeguarding vulnerable adults", "#64b5f6", "", 1, 1, 1),
    CodeRecord(4, "g4", None, 1, "Managing conflict", "#f48fb1", "", 0, 3, 3),
]


def import_dialog(qtbot, preview: TranscriptPreview = PREVIEW, **options) -> TranscriptImportDialog:  # noqa: ANN001, ANN003
    dialog = TranscriptImportDialog(preview, RECORDINGS, MEETINGS, name="M04 handover", **options)
    qtbot.addWidget(dialog)
    return dialog


def test_import_dialog_shows_what_the_file_holds(qtbot) -> None:  # noqa: ANN001
    dialog = import_dialog(qtbot)
    facts = {key: label.text() for key, label in dialog.fact_labels.items()}
    assert facts["format"] == "WebVTT captions"
    assert facts["turns"] == "42"
    assert facts["speakers"] == "SN1 (20), CG (12), OT (10)"
    assert facts["span"] == "0:00:03 – 0:30:12"
    assert [dialog.warning_list.item(0).text()] == list(PREVIEW.warnings)


def test_import_dialog_offers_only_recordings_the_times_fit_in(qtbot) -> None:  # noqa: ANN001
    dialog = import_dialog(qtbot, recording_id=2)
    model = dialog.recording.model()
    assert isinstance(model, QStandardItemModel)
    assert model.item(1).isEnabled() and not model.item(2).isEnabled()
    assert "too short" in dialog.recording.itemText(2)
    assert dialog.recording.currentData() is None, "a recording too short is not preselected"
    dialog = import_dialog(qtbot, recording_id=1, meeting_id=7)
    dialog.name.setText("  M04 Teams transcript ")
    choices = dialog.choices()
    assert (choices.recording_id, choices.meeting_id, choices.name) == (1, 7, "M04 Teams transcript")


def test_import_dialog_needs_a_name(qtbot) -> None:  # noqa: ANN001
    dialog = import_dialog(qtbot)
    assert dialog.import_button.isEnabled()
    dialog.name.setText("   ")
    assert not dialog.import_button.isEnabled()


def test_an_untimed_file_becomes_a_text_source_of_a_chosen_kind(qtbot) -> None:  # noqa: ANN001
    untimed = TranscriptPreview("notes.docx", "plain", 3, (("SN1", 2),), None, None)
    dialog = import_dialog(qtbot, untimed, recording_id=1)
    assert dialog.fact_labels["span"].text() == "no times in the file"
    assert dialog.fact_labels["format"].text().endswith("in a Word document")
    assert not dialog.recording.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findData("minutes"))
    choices = dialog.choices()
    assert (choices.recording_id, choices.kind) == (None, "minutes")


def export_dialog(qtbot, current_id: int | None = 2) -> TranscriptExportDialog:  # noqa: ANN001
    options = [TranscriptOption(1, "M01 Starting up"), TranscriptOption(2, "M04 Handover"),
               TranscriptOption(3, "Minutes of M04 — minutes")]
    dialog = TranscriptExportDialog(("docx", "txt", "srt", "json"), options, current_id=current_id,
                                    single_formats=("srt",))
    qtbot.addWidget(dialog)
    return dialog


def test_export_dialog_exports_the_shown_transcript_by_default(qtbot) -> None:  # noqa: ANN001
    dialog = export_dialog(qtbot)
    assert dialog.current_button.isChecked() and "M04 Handover" in dialog.current_button.text()
    choices = dialog.choices()
    assert (choices.format, choices.transcript_ids, choices.pseudonymise, choices.placeholders) == \
        ("docx", (2,), False, True)
    dialog.all_button.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.pseudonymise.setChecked(True)
    dialog.placeholders.setChecked(False)
    assert dialog.choices() == dialog.choices().__class__("json", (1, 2, 3), True, False)


def test_export_dialog_takes_the_ticked_transcripts(qtbot) -> None:  # noqa: ANN001
    dialog = export_dialog(qtbot, current_id=None)
    assert not dialog.current_button.isEnabled() and dialog.all_button.isChecked()
    dialog.chosen_button.setChecked(True)
    assert not dialog.export_button.isEnabled(), "nothing ticked, nothing to export"
    dialog.list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.list.item(2).setCheckState(Qt.CheckState.Checked)
    assert dialog.export_button.isEnabled()
    assert dialog.choices().transcript_ids == (1, 3)


def test_export_dialog_says_when_a_format_holds_one_transcript(qtbot) -> None:  # noqa: ANN001
    dialog = export_dialog(qtbot)
    assert "one file" in dialog.format_hint.text().lower()
    dialog.format.setCurrentIndex(dialog.format.findData("srt"))
    assert "its own file" in dialog.format_hint.text()


def report_dialog(qtbot, kind: str = "passages", selected: int | None = 1) -> ReportDialog:  # noqa: ANN001
    dialog = ReportDialog(kind, ("docx", "html", "xlsx", "csv"), CODES, selected_code_id=selected)
    qtbot.addWidget(dialog)
    return dialog


def test_report_dialog_ticks_the_selected_code_with_those_under_it(qtbot) -> None:  # noqa: ANN001
    dialog = report_dialog(qtbot)
    assert dialog.ticked_ids() == (1, 2, 3)
    assert dialog.tree.topLevelItem(0).child(0).isDisabled(), "a sub-code comes with its ticked parent"
    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    dialog.pseudonymise.setChecked(True)
    choices = dialog.choices()
    assert (choices.kind, choices.format, choices.code_ids, choices.pseudonymise) == ("passages", "xlsx", (1, 2, 3), True)


def test_report_dialog_ticking_by_hand(qtbot) -> None:  # noqa: ANN001
    dialog = report_dialog(qtbot, selected=None)
    assert dialog.ticked_ids() == () and not dialog.write_button.isEnabled()
    dialog.tree.topLevelItem(1).setCheckState(0, Qt.CheckState.Checked)
    assert dialog.ticked_ids() == (4,) and dialog.write_button.isEnabled()
    dialog.tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Checked)
    dialog.tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.ticked_ids() == (4,)
    assert not dialog.tree.topLevelItem(0).child(0).isDisabled()
    dialog.tick_all.click()
    assert dialog.ticked_ids() == (1, 2, 3, 4)
    dialog.tick_none.click()
    assert dialog.ticked_ids() == ()


@pytest.mark.parametrize("kind", ["memos", "diary"])
def test_memo_and_diary_reports_need_no_codes(qtbot, kind: str) -> None:  # noqa: ANN001
    dialog = report_dialog(qtbot, kind)
    assert dialog.tree.isHidden() and dialog.write_button.isEnabled()
    assert dialog.choices().code_ids is None


def test_code_tree_report_with_nothing_ticked_covers_every_code(qtbot) -> None:  # noqa: ANN001
    dialog = ReportDialog("codes", ("docx", "csv"), CODES, selected_code_id=None, with_codes=True)
    qtbot.addWidget(dialog)
    assert dialog.write_button.isEnabled() and dialog.choices().code_ids is None
    assert "every code" in dialog.code_hint.text()


def test_counted_rows() -> None:
    assert counted_rows("passages", 42) == "42 passages"
    assert counted_rows("diary", 1) == "1 diary entry"
    assert counted_rows("diary", 3) == "3 diary entries"
