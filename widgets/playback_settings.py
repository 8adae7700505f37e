"""Playback settings: output device, rewind on resume, skip length."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QWidget


class PlaybackSettingsDialog(QDialog):
    """`devices`: (index, name) pairs; index None is the system default."""

    def __init__(self, devices: Sequence[tuple[int | None, str]], device: int | None, rewind: float, skip: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Playback Settings")
        form = QFormLayout(self)
        self.device = QComboBox()
        for index, name in devices:
            self.device.addItem(name, index)
        self.device.setCurrentIndex(max(0, self.device.findData(device)))
        form.addRow("Output device:", self.device)
        self.rewind = self._seconds(rewind, 0.0, 10.0, "Rewind this much when playback resumes after a pause")
        form.addRow("Rewind on resume:", self.rewind)
        self.skip = self._seconds(skip, 1.0, 60.0, "How far Skip back and Skip forward jump")
        form.addRow("Skip length:", self.skip)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _seconds(value: float, low: float, high: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setSingleStep(0.5)
        box.setDecimals(1)
        box.setSuffix(" s")
        box.setValue(value)
        box.setToolTip(tip)
        return box

    def choices(self) -> tuple[int | None, float, float]:
        return self.device.currentData(), self.rewind.value(), self.skip.value()
