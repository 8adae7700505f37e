"""Resemblyzer's voice encoder, in numpy: 16 kHz audio in, 256-dimensional speaker embeddings out.

The network (Wan et al., "Generalized end-to-end loss for speaker verification", as trained by
Resemblyzer 0.1.4): 40-channel mel power frames (25 ms window, 10 ms hop), a 3-layer LSTM with
256 hidden units, the last layer's final hidden state through a 256-unit linear layer and a
ReLU, then L2-normalised. Resemblyzer feeds it partial utterances of 160 frames (1.6 s).

The frontend copies librosa.feature.melspectrogram as Resemblyzer calls it (librosa >= 0.10:
centred frames, zero padding, periodic Hann window, power 2, Slaney mel scale with Slaney area
normalisation), re-derived here so Earmark needs neither librosa nor torch.

Checked against Resemblyzer 0.1.4 itself (torch 2.14 CPU, librosa 0.11) on three test clips:
mel frames within 1.6e-7 relative, partial embeddings within 6.1e-7 absolute.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from audio.speaker_weights import HIDDEN, LAYERS, MEL_CHANNELS, SpeakerWeights

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # Resemblyzer's partial utterance, 1.6 s
_MEL_BLOCK = 6_000  # frames per FFT block (60 s): bounds the spectrogram's memory


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    above = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / log_step
    return np.where(hz >= 1000.0, above, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * (200.0 / 3))


def mel_filterbank(
    sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = MEL_CHANNELS
) -> np.ndarray:
    """Triangular filters evenly spaced on the mel scale from 0 Hz to Nyquist, each scaled to
    unit area (Slaney normalisation), as librosa.filters.mel builds them. Shape (n_mels, bins)."""
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


_FILTERBANK = mel_filterbank()
# Periodic Hann window (scipy's get_window("hann", N, fftbins=True)).
_WINDOW = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)


def mel_spectrogram(samples: np.ndarray) -> np.ndarray:
    """Mel power frames (frames, 40) float32 of 16 kHz mono samples; frame t is centred on
    sample t * 160, so there are len(samples) // 160 + 1 frames."""
    samples = np.asarray(samples, dtype=np.float32)
    padded = np.pad(samples, N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    framed = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    out = np.empty((count, MEL_CHANNELS), dtype=np.float32)
    for start in range(0, count, _MEL_BLOCK):
        # float64 window and FFT, then float32 power, as librosa does: this keeps the frontend
        # within float32 rounding of Resemblyzer's own.
        spectrum = np.fft.rfft(framed[start : start + _MEL_BLOCK] * _WINDOW, axis=-1).astype(np.complex64)
        power = np.abs(spectrum) ** 2
        out[start : start + _MEL_BLOCK] = power @ _FILTERBANK.T
    return out


class SpeakerEncoder:
    """The forward pass. Weights are rearranged once so each LSTM step is one matrix product:
    [x, h] @ W with the gates ordered (input, forget, output, cell) so the three sigmoids act on
    one contiguous block."""

    def __init__(self, weights: SpeakerWeights, *, batch_size: int = 128, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._layers: list[tuple[np.ndarray, np.ndarray]] = []
        order = np.r_[0 : 2 * HIDDEN, 3 * HIDDEN : 4 * HIDDEN, 2 * HIDDEN : 3 * HIDDEN]  # PyTorch: i, f, g, o
        arrays = weights.arrays
        for layer in range(LAYERS):
            stacked = np.concatenate([arrays[f"lstm.weight_ih_l{layer}"], arrays[f"lstm.weight_hh_l{layer}"]], axis=1)
            bias = arrays[f"lstm.bias_ih_l{layer}"] + arrays[f"lstm.bias_hh_l{layer}"]
            self._layers.append((np.ascontiguousarray(stacked[order].T, dtype=np.float32), bias[order].astype(np.float32)))
        self._linear_w = np.ascontiguousarray(arrays["linear.weight"].T, dtype=np.float32)
        self._linear_b = arrays["linear.bias"].astype(np.float32)

    def embed_mels(self, mels: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Embeddings (batch, 256) of mel sequences (batch, frames, 40). With `lengths`, sequence i
        ends at frame lengths[i] (right padding is ignored: its final state is taken there)."""
        mels = np.asarray(mels, dtype=np.float32)
        if lengths is None:
            lengths = np.full(len(mels), mels.shape[1])
        out = np.empty((len(mels), HIDDEN), dtype=np.float32)
        with blas_threads(self.threads):
            for start in range(0, len(mels), self.batch_size):
                stop = start + self.batch_size
                out[start:stop] = self._forward(mels[start:stop], np.asarray(lengths[start:stop]))
        return out

    def partial_embeddings(self, samples: np.ndarray, rate: float = 1.3, min_coverage: float = 0.75) -> np.ndarray:
        """Resemblyzer's partial utterances (160 frames, `rate` per second, the last one kept
        when it covers `min_coverage`): one embedding per partial, as VoiceEncoder computes them."""
        samples = np.asarray(samples, dtype=np.float32)
        frames = int(np.ceil((len(samples) + 1) / HOP))
        step = int(np.round((SAMPLE_RATE / rate) / HOP))
        starts = list(range(0, max(1, frames - PARTIAL_FRAMES + step + 1), step))
        coverage = (len(samples) - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
        if coverage < min_coverage and len(starts) > 1:
            starts.pop()
        needed = (starts[-1] + PARTIAL_FRAMES) * HOP
        if needed >= len(samples):
            samples = np.pad(samples, (0, needed - len(samples)))
        mel = mel_spectrogram(samples)
        return self.embed_mels(np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts]))

    def embed_utterance(self, samples: np.ndarray, rate: float = 1.3, min_coverage: float = 0.75) -> np.ndarray:
        """One embedding for a whole utterance: the normalised mean of its partials."""
        mean = self.partial_embeddings(samples, rate, min_coverage).mean(axis=0)
        return mean / np.linalg.norm(mean)

    def _forward(self, mels: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        batch, steps, _ = mels.shape
        # Per layer: an [x, h] buffer that the step's matrix product reads, and the cell state.
        widths = [(MEL_CHANNELS if layer == 0 else HIDDEN) + HIDDEN for layer in range(LAYERS)]
        inputs = [np.zeros((batch, width), np.float32) for width in widths]
        cells = [np.zeros((batch, HIDDEN), np.float32) for _ in range(LAYERS)]
        gates = np.empty((batch, 4 * HIDDEN), np.float32)
        hidden = np.empty((batch, HIDDEN), np.float32)
        final = np.zeros((batch, HIDDEN), np.float32)
        for t in range(steps):
            inputs[0][:, :MEL_CHANNELS] = mels[:, t]
            for layer, (weight, bias) in enumerate(self._layers):
                buffer = inputs[layer]
                np.matmul(buffer, weight, out=gates)
                gates += bias
                sig = gates[:, : 3 * HIDDEN]
                # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: one transcendental pass, no overflow in exp.
                sig *= 0.5
                np.tanh(sig, out=sig)
                sig *= 0.5
                sig += 0.5
                np.tanh(gates[:, 3 * HIDDEN :], out=gates[:, 3 * HIDDEN :])
                cell = cells[layer]
                cell *= gates[:, HIDDEN : 2 * HIDDEN]
                cell += gates[:, :HIDDEN] * gates[:, 3 * HIDDEN :]
                np.tanh(cell, out=hidden)
                hidden *= gates[:, 2 * HIDDEN : 3 * HIDDEN]
                buffer[:, -HIDDEN:] = hidden  # this layer's h for its next step
                if layer + 1 < LAYERS:
                    inputs[layer + 1][:, :HIDDEN] = hidden
            done = lengths == t + 1
            if done.any():
                final[done] = hidden[done]
        projected = np.maximum(final @ self._linear_w + self._linear_b, 0.0)
        norms = np.linalg.norm(projected, axis=1, keepdims=True)
        return projected / np.maximum(norms, 1e-12)


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the block with numpy's OpenBLAS limited to `count` threads, then restore it.

    The LSTM's step products (128 x 512 by 512 x 1024) are too small to share well: with two
    threads on a busy two-core machine the encoder tests took 182 s instead of 16 s, and in the
    app the encoder runs beside Whisper, which already uses every core. Where the BLAS is not a
    recognisable OpenBLAS (macOS Accelerate, a frozen build that moved it) this does nothing.
    """
    api = _openblas_threads()
    if api is None:
        yield
        return
    get, set_ = api
    previous = get()
    set_(count)
    try:
        yield
    finally:
        set_(previous)


@functools.lru_cache(maxsize=1)
def _openblas_threads() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """numpy's own OpenBLAS thread getter and setter, found the way threadpoolctl finds them
    (numpy wheels ship it as numpy.libs/*openblas*; loading it again returns the same copy)."""
    root = Path(np.__file__).resolve().parent
    for library in sorted([*(root.parent / "numpy.libs").glob("*openblas*"), *(root / ".dylibs").glob("*openblas*")]):
        try:
            handle = ctypes.CDLL(str(library))
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(handle, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(handle, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                    return get, set_
    return None
