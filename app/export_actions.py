"""Everything that writes a file for another program or a reader: File ▸ Export ▸ Transcript…
(Word, text, subtitles, NVivo, MAXQDA, JSON), REFI-QDA Project… and Codebook…, and Analysis ▸
Reports ▸ Coded Passages…, Quote Boxes…, Code Tree…, Memos…, Diary….

Every export runs the pre-export check first and asks the same question as the plain-text export
(widgets/name_check_dialog.ask_about_names) when a listed real name would leave the project. The
storage functions hold the privacy rules (no word of a left-out turn is written; pseudonyms on
the way out) and write beside the target before renaming. Exports change nothing in the project,
so they also work on a read-only one. After writing, the status bar says what went where and
offers to open the folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QPushButton

from app.analysis_context import AnalysisContext
from app.encryption_actions import busy_cursor
from app.exchange_progress import run_with_progress
from storage import codebook, pseudonyms, sources
from storage.errors import ProjectError
from storage.export_text import TextExport, leaking_names
from storage.project import Project
from storage.pseudonym_records import NameLeak
from storage.source_records import SourceRecord, kind_label
from storage.refi_qda.export import export_qdc, export_qdpx, qdpx_transcript_ids
from storage.refi_qda.summary import ExchangeSummary
from storage.reports import REPORT_FORMATS, report_leaks
from storage.reports import write_report as write_report_file
from storage.transcript_exports import ONE_TRANSCRIPT, SUFFIXES, TRANSCRIPT_FORMATS, write_transcript_export
from widgets.export_dialog import TranscriptExportChoices, TranscriptExportDialog, TranscriptOption
from widgets.name_check_dialog import PSEUDONYMISE, ask_about_names
from widgets.report_dialog import REPORT_TITLES, ReportChoices, ReportDialog, counted_rows

T = TypeVar("T")
REPORT_MENU = (("passages", "Coded &Passages…", "report_passages"), ("quotes", "&Quote Boxes…", None),
               ("codes", "Code &Tree…", None), ("memos", "&Memos…", None), ("diary", "&Diary…", None))
FILE_TYPES = {".docx": "Word documents (*.docx)", ".txt": "Text files (*.txt)", ".srt": "SubRip subtitles (*.srt)",
              ".vtt": "WebVTT captions (*.vtt)", ".json": "JSON files (*.json)", ".html": "Web pages (*.html)",
              ".xlsx": "Excel workbooks (*.xlsx)", ".csv": "CSV tables (*.csv)",
              ".qdpx": "REFI-QDA projects (*.qdpx)", ".qdc": "REFI-QDA codebooks (*.qdc)"}


def warn(context: AnalysisContext, title: str, message: str) -> None:
    """A failure, said in the status bar and in a message box (the message names the file)."""
    context.report(message.split("\n")[0])
    QMessageBox.warning(context.window, title, message)


def safe_stem(name: str, fallback: str) -> str:
    return re.sub(r"[^\w .()-]+", "_", name).strip(" .") or fallback


class ExportActions:
    def __init__(self, context: AnalysisContext) -> None:
        self.context = context
        self._folder: Path | None = None  # where the last file went: the next save dialog starts there
        self._format = "docx"
        self.open_folder_button = QPushButton("Open Folder")
        self.open_folder_button.setObjectName("openExportFolder")
        self.open_folder_button.setFlat(True)
        self.open_folder_button.hide()
        self.open_folder_button.clicked.connect(self.open_folder)
        status = context.window.statusBar()
        status.addPermanentWidget(self.open_folder_button)
        status.messageChanged.connect(lambda text: text or self.open_folder_button.hide())
        self._done_folder: Path | None = None

    def add_report_actions(self, menu: QMenu) -> list[QAction]:
        return [self.context.action(menu, text, shortcut, lambda kind=kind: self.write_report(kind))
                for kind, text, shortcut in REPORT_MENU]

    def refresh_actions(self, actions: Sequence[QAction]) -> None:
        has_project = self.context.project() is not None
        for action in actions:
            action.setEnabled(has_project)

    def folder(self, project: Project) -> Path:
        return self._folder if self._folder is not None and self._folder.is_dir() else project.path.parent

    # --- transcripts -----------------------------------------------------------------------------

    def export_transcripts(self, choices: TranscriptExportChoices | None = None, path: Path | None = None) -> list[Path]:
        """Ask the format and the transcripts (`choices` answers for tests), check for names,
        ask where (`path` answers), write. Returns the files written."""
        project = self._project()
        if project is None:
            return []
        self.context.editor.flush_pending()  # export the text as typed
        listed = sources.list_sources(project)
        if not listed:
            self.context.report("The project has no transcripts or text sources to export yet.")
            return []
        if choices is None:
            single = [fmt for fmt in TRANSCRIPT_FORMATS if fmt in ONE_TRANSCRIPT]
            options = [TranscriptOption(s.transcript_id, transcript_label(s)) for s in listed]
            dialog = TranscriptExportDialog(TRANSCRIPT_FORMATS, options, current_id=self.context.transcript_id(),
                                            single_formats=single, fmt=self._format, parent=self.context.window)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return []
                choices = dialog.choices()
            finally:
                dialog.deleteLater()
        self._format = choices.format
        ids = list(choices.transcript_ids)
        names = {s.transcript_id: s.name for s in listed}
        what = f"Exporting “{names.get(ids[0], 'the transcript')}”" if len(ids) == 1 else f"Exporting {len(ids)} transcripts"
        pseudonymise = self._names_checked(lambda p: leaking_names(project, ids, pseudonymise=p), what,
                                           choices.pseudonymise)
        if pseudonymise is None:
            return []
        suffix = SUFFIXES.get(choices.format, f".{choices.format}")
        if choices.format in ONE_TRANSCRIPT and len(ids) > 1:
            return self._export_each(project, ids, names, choices, pseudonymise, suffix, path)
        if path is None:
            stem = self._shown_name(project, names[ids[0]], pseudonymise) if len(ids) == 1 else \
                f"{project.path.stem} transcripts"
            path = self._save_path("Export Transcripts", project, safe_stem(stem, "transcript"), suffix)
            if path is None:
                return []
        written = self._write(lambda: write_transcript_export(project, path, ids, choices.format,
                                                              pseudonymise=pseudonymise,
                                                              placeholders=choices.placeholders))
        if written is None:
            return []
        self._done(f"Exported {written.transcripts} transcript{'s' if written.transcripts != 1 else ''} to "
                   f"{written.path}{export_notes(written)}.", written.path)
        return [written.path]

    def _export_each(self, project: Project, ids: list[int], names: dict[int, str], choices: TranscriptExportChoices,
                     pseudonymise: bool, suffix: str, folder: Path | None) -> list[Path]:
        """Subtitles and the NVivo and MAXQDA layouts hold one transcript: one file each."""
        timed = {s.transcript_id for s in sources.list_sources(project) if not s.text_source}
        skipped = [names[i] for i in ids if i not in timed]
        ids = [i for i in ids if i in timed]
        if not ids:
            self.context.report("The chosen sources have no times: export them as Word, text or JSON.")
            return []
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self.context.window, "Export each transcript into a folder",
                                                      str(self.folder(project)))
            if not chosen:
                return []
            folder = Path(chosen)
        targets = {i: folder / f"{safe_stem(self._shown_name(project, names[i], pseudonymise), 'transcript')}{suffix}"
                   for i in ids}
        existing = [p.name for p in targets.values() if p.exists()]
        if existing and QMessageBox.question(
                self.context.window, "Replace files?", f"{len(existing)} of the files exist already in {folder} "
                f"({', '.join(existing[:3])}{'…' if len(existing) > 3 else ''}). Replace them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return []
        written: list[Path] = []
        for transcript_id, target in targets.items():
            result = self._write(lambda: write_transcript_export(project, target, [transcript_id], choices.format,
                                                                 pseudonymise=pseudonymise,
                                                                 placeholders=choices.placeholders))
            if result is None:
                break
            written.append(result.path)
        note = f"; skipped {len(skipped)} text source{'s' if len(skipped) != 1 else ''} without times" if skipped else ""
        if written:
            self._done(f"Exported {len(written)} transcript{'s' if len(written) != 1 else ''} into {folder}{note}.",
                       written[-1])
        return written

    # --- REFI-QDA --------------------------------------------------------------------------------

    def export_qdpx(self, path: Path | None = None) -> ExchangeSummary | None:
        project = self._project()
        if project is None:
            return None
        self.context.editor.flush_pending()
        ids = qdpx_transcript_ids(project)
        pseudonymise = self._names_checked(
            lambda p: leaking_names(project, ids, pseudonymise=p, include_memos=True), "The REFI-QDA project", False)
        if pseudonymise is None:
            return None
        path = path or self._save_path("Export a REFI-QDA Project", project, project.path.stem, ".qdpx")
        if path is None:
            return None
        summary = self._write(lambda: run_with_progress(self.context.window, f"Writing {path.name}…",
                                                        lambda: export_qdpx(project, path, pseudonymise=pseudonymise)))
        if summary is not None:
            self._exchange_done(summary, pseudonymise)
        return summary

    def export_qdc(self, path: Path | None = None) -> ExchangeSummary | None:
        project = self._project()
        if project is None:
            return None
        leaks = report_leaks(project, "codes", None, False)  # a codebook carries what the code tree report does
        if leaks and not self._codebook_names_allowed(leaks):
            self.context.report("Export cancelled: nothing was written.")
            return None
        path = path or self._save_path("Export a Codebook", project, f"{project.path.stem} codebook", ".qdc")
        if path is None:
            return None
        summary = self._write(lambda: export_qdc(project, path))
        if summary is not None:
            self._exchange_done(summary, False)
        return summary

    def _codebook_names_allowed(self, leaks: list[NameLeak]) -> bool:
        """A codebook has no pseudonymised form: export anyway or cancel (rename the codes first)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Real names in the codebook",
                          f"The codebook would carry listed real names out of the project ({len(leaks)} "
                          f"place{'s' if len(leaks) != 1 else ''}: see the details). Rename those codes or edit their "
                          "descriptions to leave the names out, or export anyway.",
                          QMessageBox.StandardButton.Cancel, self.context.window)
        anyway = box.addButton("Export Anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setDetailedText("\n".join(f"{leak.text} ({leak.real_name}): {leak.place}" for leak in leaks))
        box.exec()
        box.deleteLater()
        return box.clickedButton() is anyway

    def _exchange_done(self, summary: ExchangeSummary, pseudonymised: bool) -> None:
        notes = "; names pseudonymised" if pseudonymised else ""
        self._done(f"Exported {refi_counts(summary)} to {summary.path}{notes}.", summary.path)
        if summary.warnings:
            box = QMessageBox(QMessageBox.Icon.Information, f"Exported {summary.path.name}",
                              f"Exported to {summary.path}. {len(summary.warnings)} thing"
                              f"{'s' if len(summary.warnings) != 1 else ''} to know about (left out or changed on "
                              "the way out): see the details.", QMessageBox.StandardButton.Ok, self.context.window)
            box.setDetailedText("\n".join(f"• {w}" for w in summary.warnings))
            box.exec()
            box.deleteLater()

    # --- reports ---------------------------------------------------------------------------------

    def write_report(self, kind: str, choices: ReportChoices | None = None, path: Path | None = None) -> Path | None:
        project = self._project()
        if project is None:
            return None
        self.context.editor.flush_pending()
        if choices is None:
            dialog = ReportDialog(kind, REPORT_FORMATS[kind], codebook.codes_tree(project),
                                  selected_code_id=self.context.selected_code_id(),
                                  with_codes=kind in ("passages", "quotes", "codes"), parent=self.context.window)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return None
                choices = dialog.choices()
            finally:
                dialog.deleteLater()
        code_ids = list(choices.code_ids) if choices.code_ids is not None else None
        title = REPORT_TITLES.get(kind, (kind.capitalize(), ""))[0]
        pseudonymise = self._names_checked(lambda p: report_leaks(project, kind, code_ids, p), f"The {title.lower()} report",
                                           choices.pseudonymise)
        if pseudonymise is None:
            return None
        path = path or self._save_path(f"Write the {title} Report", project, f"{project.path.stem} {title.lower()}",
                                       f".{choices.format}")
        if path is None:
            return None
        summary = self._write(lambda: write_report_file(project, path, kind, choices.format, code_ids=code_ids,
                                            pseudonymise=pseudonymise))
        if summary is None:
            return None
        self._done(f"Wrote {counted_rows(kind, summary.rows)} to {summary.path}"
                   + ("; names pseudonymised" if pseudonymise else "") + ".", summary.path)
        return summary.path

    # --- shared steps ----------------------------------------------------------------------------

    def _project(self) -> Project | None:
        project = self.context.project()
        if project is None:
            self.context.report("Open a project first.")
        return project

    def _names_checked(self, leaks_for: Callable[[bool], list[NameLeak]], what: str, pseudonymise: bool) -> bool | None:
        """The pre-export check: whether to pseudonymise (as chosen, or as answered when listed
        real names would leave), or None when the user cancelled."""
        try:
            with busy_cursor():
                leaks = leaks_for(pseudonymise)
        except (ProjectError, KeyError) as error:
            warn(self.context, "Cannot export", str(error))
            return None
        if not leaks:
            return pseudonymise
        choice = ask_about_names(leaks, what, self.context.window)
        if choice is None:
            self.context.report("Export cancelled: nothing was written.")
            return None
        return pseudonymise or choice == PSEUDONYMISE

    def _shown_name(self, project: Project, name: str, pseudonymise: bool) -> str:
        # A file name is read too: pseudonymised when the text is.
        return pseudonyms.load_matcher(project).replace(name) if pseudonymise else name

    def _save_path(self, title: str, project: Project, stem: str, suffix: str) -> Path | None:
        suggested = self.folder(project) / f"{safe_stem(stem, 'export')}{suffix}"
        filters = f"{FILE_TYPES.get(suffix, f'{suffix[1:].upper()} files (*{suffix})')};;All files (*)"
        chosen, _ = QFileDialog.getSaveFileName(self.context.window, title, str(suggested), filters)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix else path.with_suffix(suffix)

    def _write(self, write: Callable[[], T]) -> T | None:
        try:
            with busy_cursor():
                return write()
        except (ProjectError, KeyError) as error:
            warn(self.context, "Cannot export", str(error))
            return None

    def _done(self, message: str, written: Path) -> None:
        self._folder = written.parent
        self.context.report(message)
        self._done_folder = written.parent
        self.open_folder_button.setToolTip(f"Open {written.parent}")
        self.open_folder_button.show()

    def open_folder(self) -> None:
        if self._done_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._done_folder)))


def refi_counts(summary: ExchangeSummary) -> str:
    """"152 codes, 2 sources, 303 codings, 0 notes, 0 cases"."""
    parts = [(summary.codes, "code"), (summary.sources, "source"), (summary.codings, "coding"),
             (summary.notes, "note"), (summary.cases, "case")]
    return ", ".join(f"{number} {noun}{'' if number == 1 else 's'}" for number, noun in parts)


def transcript_label(source: SourceRecord) -> str:
    """"M04 Handover", "Notes on the away day — field notes (M05)": what the export list shows."""
    named = kind_label(source.kind)
    kind = f" — {named.lower()}" if source.text_source and named.lower() not in source.name.lower() else ""
    meeting = f" ({source.meeting_code})" if source.meeting_code and source.meeting_code not in source.name else ""
    return f"{source.name}{kind}{meeting}"


def export_notes(written: TextExport) -> str:
    notes = [n for n in ("names pseudonymised" if written.pseudonymised else "",
                         f"{written.left_out} turn{'s' if written.left_out != 1 else ''} left out (consent)"
                         if written.left_out else "") if n]
    return f" ({'; '.join(notes)})" if notes else ""
