"""Sound output devices through sounddevice (PortAudio), with errors a user can act on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

FALLBACK_RATE = 48_000


class PlaybackError(Exception):
    """No usable output device, or the device failed or vanished while playing."""


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host_api: str
    channels: int
    sample_rate: int
    is_default: bool


def portaudio() -> ModuleType:
    """sounddevice, imported on first use: it loads the PortAudio library, which may be missing."""
    try:
        import sounddevice
    except OSError as error:
        raise PlaybackError(f"Sound output is unavailable: the PortAudio library could not be loaded ({error}).") from error
    return sounddevice


def output_devices() -> list[OutputDevice]:
    """Every device that can play sound, in PortAudio's order."""
    sd = portaudio()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
    except sd.PortAudioError:
        return []
    default = _default_output(sd)
    return [
        OutputDevice(
            index=int(info["index"]),
            name=str(info["name"]),
            host_api=str(apis[info["hostapi"]]["name"]),
            channels=int(info["max_output_channels"]),
            sample_rate=int(info["default_samplerate"]),
            is_default=info["index"] == default,
        )
        for info in devices
        if info["max_output_channels"] > 0
    ]


def device_info(index: int | None) -> dict[str, Any]:
    """PortAudio's description of output device `index` (None: the system default)."""
    sd = portaudio()
    if index is None:
        try:
            return dict(sd.query_devices(kind="output"))
        except (sd.PortAudioError, ValueError) as error:
            raise PlaybackError(
                "No sound output device was found. Connect speakers or headphones, or check the "
                f"system's sound settings, then try again. ({error})"
            ) from error
    try:
        info = dict(sd.query_devices(index))
    except (sd.PortAudioError, ValueError, IndexError, TypeError) as error:
        raise PlaybackError(f"There is no sound device number {index}. {_available()}") from error
    if info["max_output_channels"] < 1:
        raise PlaybackError(f"Device {index} ({info['name']}) records sound but cannot play it. {_available()}")
    return info


def device_rate(index: int | None) -> int:
    """The rate to decode and play at: the device's own, so nothing resamples twice. Without a
    device (none connected yet) 48 kHz, so a recording still opens and shows its length."""
    try:
        return int(device_info(index)["default_samplerate"]) or FALLBACK_RATE
    except PlaybackError:
        return FALLBACK_RATE


def _default_output(sd: ModuleType) -> int | None:
    try:
        return int(sd.query_devices(kind="output")["index"])
    except (sd.PortAudioError, ValueError):
        return None


def _available() -> str:
    devices = output_devices()
    if not devices:
        return "No output devices are available."
    return "Output devices: " + ", ".join(f"{d.index} ({d.name})" for d in devices) + "."


class DeviceStream:
    """One PortAudio output stream around a `fill(mono_out)` function, opened on first start.

    `fill` runs on PortAudio's thread. Any exception from it is caught here, remembered, and
    turned into CallbackAbort: an exception must never escape into the audio thread.
    """

    def __init__(self, fill: Callable[[np.ndarray], None], factory: Callable[..., Any] | None = None) -> None:
        self._fill = fill
        self._factory = factory
        self._stream: Any = None
        self._channels = 1
        self._finished = False  # PortAudio ended the stream (ours to stop, or the device's doing)
        self._callback_error: BaseException | None = None

    def start(self, device: int | None, rate: int) -> None:
        sd = portaudio()
        if self._stream is None:
            self._channels = min(2, int(device_info(device)["max_output_channels"]))
            try:
                self._stream = (self._factory or sd.OutputStream)(
                    samplerate=rate, device=device, channels=self._channels, dtype="float32",
                    callback=self._callback, finished_callback=self._on_finished,
                )
            except (sd.PortAudioError, ValueError) as error:
                raise PlaybackError(f"Could not open the output device {device_name(device)} ({error}).") from error
        self._finished = False
        self._callback_error = None
        try:
            self._stream.start()
        except sd.PortAudioError as error:
            self.close()
            raise PlaybackError(f"Could not start playing on {device_name(device)} ({error}).") from error

    def halt(self) -> None:
        """Stop now (abort: a pause must not wait for queued sound to drain); start() resumes."""
        if self._stream is not None:
            try:
                self._stream.abort()
            except Exception:  # noqa: BLE001 - a vanished device cannot be stopped; close it instead
                self.close()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # noqa: BLE001 - closing a dead device's stream may fail; it is gone either way
                pass

    def failure(self) -> str | None:
        """Why a started stream is no longer running, or None while it runs."""
        if self._callback_error is not None:
            return f"{type(self._callback_error).__name__}: {self._callback_error}"
        if self._finished:
            return "the stream ended unexpectedly"
        try:
            if self._stream is None or not self._stream.active:
                return "the stream is no longer active"
        except Exception as error:  # noqa: BLE001 - PortAudio may refuse to describe a dead stream
            return str(error)
        return None

    def _callback(self, outdata: np.ndarray, _frames: int, _time: Any, _status: Any) -> None:
        try:
            self._fill(outdata[:, 0])
            if self._channels > 1:
                outdata[:, 1:] = outdata[:, :1]  # mono to every channel, by broadcasting in place
        except BaseException as error:  # noqa: BLE001 - never let an exception into PortAudio's thread
            self._callback_error = error
            raise portaudio().CallbackAbort from None

    def _on_finished(self) -> None:
        self._finished = True


def device_name(device: int | None) -> str:
    try:
        return f"“{device_info(device)['name']}”"
    except PlaybackError:
        return "(the default)" if device is None else f"number {device}"
