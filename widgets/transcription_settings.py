"""The Transcription Settings dialog: model, language, mode, and the project's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QWidget,
)

BUNDLED = "tiny.en"
LANGUAGES = [("", "Detect automatically"), ("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"),
             ("it", "Italian"), ("nl", "Dutch"), ("pt", "Portuguese"), ("pl", "Polish"), ("cy", "Welsh")]
MODES = [("auto", "Automatic (live turn by turn under 5 minutes, batched above)"),
         ("batched", "Batched (fastest)"), ("sequential", "Sequential (shows text soonest)")]


@dataclass(frozen=True)
class TranscriptionChoices:
    model: str
    language: str
    mode: str
    vocabulary: tuple[str, ...]


class TranscriptionSettingsDialog(QDialog):
    def __init__(self, choices: TranscriptionChoices, *, vocabulary_editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transcription Settings")
        self.setMinimumWidth(520)
        form = QFormLayout(self)

        self.model = QLineEdit(choices.model)
        self.model.setPlaceholderText(BUNDLED)
        self.model.setToolTip(f"{BUNDLED} is installed with Earmark. Give a CTranslate2 model folder, or the name of a model "
                              "fetched with `earmark models download NAME`.")
        browse = QPushButton("Choose Folder…")
        browse.clicked.connect(self._choose_folder)
        bundled = QPushButton("Bundled")
        bundled.clicked.connect(lambda: self.model.setText(BUNDLED))
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(browse)
        row.addWidget(bundled)
        form.addRow("Model:", row)
        note = QLabel(f"English-only models ({BUNDLED}) ignore the language setting.")
        note.setWordWrap(True)
        form.addRow("", note)

        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(f"{name} ({code})" if code else name, code)
        if self.language.findData(choices.language) < 0:
            self.language.addItem(choices.language, choices.language)
        self.language.setCurrentIndex(self.language.findData(choices.language))
        form.addRow("Language:", self.language)

        self.mode = QComboBox()
        for code, name in MODES:
            self.mode.addItem(name, code)
        self.mode.setCurrentIndex(max(0, self.mode.findData(choices.mode)))
        form.addRow("Speed:", self.mode)

        self.vocabulary = QPlainTextEdit("\n".join(choices.vocabulary))
        self.vocabulary.setPlaceholderText("One name or term per line, e.g.\nCommunity of Practice\nsafeguarding")
        self.vocabulary.setEnabled(vocabulary_editable)
        self.vocabulary.setToolTip("Kept in the project; Whisper is told to expect these words (hotwords).")
        form.addRow("Project vocabulary:", self.vocabulary)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choices(self) -> TranscriptionChoices:
        terms = tuple(line.strip() for line in self.vocabulary.toPlainText().splitlines() if line.strip())
        return TranscriptionChoices(
            model=self.model.text().strip() or BUNDLED,
            language=str(self.language.currentData() or ""),
            mode=str(self.mode.currentData()),
            vocabulary=tuple(dict.fromkeys(terms)),
        )

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a CTranslate2 Whisper model folder")
        if folder:
            self.model.setText(folder)
