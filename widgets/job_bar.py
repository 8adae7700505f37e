"""The bar under the transcript that shows a running job: what, how far, time left, Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class JobBar(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.title = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.detail = QLabel()
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop transcribing; what is done is kept and can be resumed (Esc)")
        self.cancel.clicked.connect(self.cancel_requested)
        layout.addWidget(self.title)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.cancel)
        self.hide()

    def start(self, title: str) -> None:
        self.title.setText(title)
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        self.detail.setText("loading the model…")
        self.cancel.setEnabled(True)
        self.show()

    def set_progress(self, fraction: float, detail: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(f"{fraction * 100:.0f}%")
        self.detail.setText(detail)

    def stopping(self) -> None:
        self.cancel.setEnabled(False)
        self.detail.setText("stopping…")

    def finish(self) -> None:
        self.hide()
