"""The player bar: play/pause, skips, position, speed, volume, loop and follow toggles.

It shows state and emits intents; the app's playback controller does the playing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget,
)

from widgets.clock import clock


class PlayerBar(QWidget):
    toggle_requested = Signal()
    seek_requested = Signal(float)
    skip_requested = Signal(int)  # -1 back, +1 forward
    speed_requested = Signal(float)
    volume_requested = Signal(float)
    loop_toggled = Signal(bool)
    follow_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerBar")
        style = self.style()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.back = self._button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward), "Skip back")
        self.play = self._button(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Play / pause")
        self.forward = self._button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Skip forward")
        self.back.clicked.connect(lambda: self.skip_requested.emit(-1))
        self.play.clicked.connect(self.toggle_requested)
        self.forward.clicked.connect(lambda: self.skip_requested.emit(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.sliderMoved.connect(lambda value: self.seek_requested.emit(value / 1000))
        self.slider.setAccessibleName("Position")
        self.time = QLabel("00:00 / 00:00")
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.5, 2.0)
        self.speed.setSingleStep(0.1)
        self.speed.setDecimals(2)
        self.speed.setSuffix("×")
        self.speed.setValue(1.0)
        self.speed.setToolTip("Playback speed; the pitch stays the same")
        self.speed.valueChanged.connect(self.speed_requested)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(100)
        self.volume.setFixedWidth(80)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(lambda value: self.volume_requested.emit(value / 100))
        self.loop = self._button(None, "Loop the current turn", text="Loop", checkable=True)
        self.loop.toggled.connect(self.loop_toggled)
        self.follow = self._button(None, "Keep the word being played in view", text="Follow", checkable=True)
        self.follow.setChecked(True)
        self.follow.toggled.connect(self.follow_toggled)
        self.message = QLabel()
        self.message.setObjectName("playbackMessage")
        self.message.setStyleSheet("color:#8a4b00;")
        self.message.setWordWrap(True)
        for widget in (self.back, self.play, self.forward):
            layout.addWidget(widget)
        # Beside the buttons it explains: when playback is off the slider and clock make room for it.
        layout.addWidget(self.message, 1)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time)
        layout.addWidget(self.speed)
        layout.addWidget(QLabel("Vol"))
        layout.addWidget(self.volume)
        layout.addWidget(self.loop)
        layout.addWidget(self.follow)
        self.message.hide()
        self.set_available(False, "No recording")

    def _button(self, icon, tip: str, *, text: str = "", checkable: bool = False) -> QToolButton:  # noqa: ANN001
        button = QToolButton()
        if icon is not None:
            button.setIcon(icon)
        if text:
            button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(checkable)
        button.setAutoRaise(True)
        return button

    def set_available(self, available: bool, reason: str = "") -> None:
        """Turn the controls on or off; `reason` says why they are off (shown, not hidden), in
        the place of the position slider and clock, which mean nothing without audio."""
        for widget in (self.back, self.play, self.forward, self.slider, self.speed, self.volume, self.loop):
            widget.setEnabled(available)
        self.slider.setVisible(available or not reason)
        self.time.setVisible(available or not reason)
        self.message.setText(reason)
        self.message.setVisible(bool(reason) and not available)
        self.message.setToolTip(reason)

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def show_position(self, seconds: float, duration: float) -> None:
        if self.slider.maximum() != int(duration * 1000):
            self.slider.setRange(0, int(duration * 1000))
        if not self.slider.isSliderDown():
            self.slider.setValue(int(seconds * 1000))
        self.time.setText(f"{clock(seconds)} / {clock(duration)}")

    def show_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))

    def show_speed(self, speed: float) -> None:
        if abs(self.speed.value() - speed) > 1e-6:
            self.speed.blockSignals(True)
            self.speed.setValue(speed)
            self.speed.blockSignals(False)
