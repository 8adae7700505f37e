"""The speaker encoder's weights: fetched once from the pinned Resemblyzer wheel, converted to .npz.

Earmark labels speakers with the voice encoder of the PyPI package `Resemblyzer` 0.1.4
(Apache-2.0). Its weights are the file `resemblyzer/pretrained.pt` inside the wheel, a PyTorch
checkpoint. Earmark never depends on torch: `install_weights` downloads the wheel (the only
network use here, and only when the user runs `earmark speakers install`), checks the wheel's
and the checkpoint's sha256, reads the checkpoint with a restricted unpickler that can only
build numpy arrays, and writes the encoder's arrays as a small float32 .npz into the user's
data folder. The wheel itself never touches the disk.

The checkpoint is PyTorch's legacy (pre-1.6) serialisation, not the newer zip layout: a run of
pickles (magic number, protocol version, system info, the state, the storage keys) followed by
each storage's raw bytes, each prefixed by its element count.
"""

from __future__ import annotations

import collections
import hashlib
import io
import os
import pickle
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audio.errors import ModelError

WHEEL_URL = (
    "https://files.pythonhosted.org/packages/d9/b5/"
    "d897d5de5b2123a1ad5d32e8e007d83f76582f5c32c60992577263bd7c7e/Resemblyzer-0.1.4-py3-none-any.whl"
)
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
CHECKPOINT_MEMBER = "resemblyzer/pretrained.pt"
CHECKPOINT_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
# sha256 of the arrays themselves (see `content_digest`), not of the .npz bytes: the zip and .npy
# headers numpy writes may change between numpy versions, the weights may not.
WEIGHTS_SHA256 = "f70963af18a2040a1395ec20d4574288843ade4b9d490cfb2cb0916197c63431"
WEIGHTS_FILENAME = "resemblyzer-0.1.4-encoder.npz"
WEIGHTS_ENV = "EARMARK_SPEAKER_WEIGHTS"
INSTALL_COMMAND = "earmark speakers install"

LAYERS = 3
HIDDEN = 256
MEL_CHANNELS = 40
ARRAY_SHAPES: dict[str, tuple[int, ...]] = {
    **{
        name: shape
        for layer in range(LAYERS)
        for name, shape in (
            (f"lstm.weight_ih_l{layer}", (4 * HIDDEN, MEL_CHANNELS if layer == 0 else HIDDEN)),
            (f"lstm.weight_hh_l{layer}", (4 * HIDDEN, HIDDEN)),
            (f"lstm.bias_ih_l{layer}", (4 * HIDDEN,)),
            (f"lstm.bias_hh_l{layer}", (4 * HIDDEN,)),
        )
    },
    "linear.weight": (HIDDEN, HIDDEN),
    "linear.bias": (HIDDEN,),
}

Progress = Callable[[int, int], None]


class SpeakerWeightsError(ModelError):
    """The speaker encoder's weights are missing, damaged, or cannot be fetched."""


@dataclass(frozen=True, eq=False)
class SpeakerWeights:
    """The encoder's arrays by their PyTorch names (float32), and the file they came from."""

    arrays: dict[str, np.ndarray]
    path: Path


def default_weights_path() -> Path:
    """$EARMARK_SPEAKER_WEIGHTS if set (CI); else the user's copy once installed; else the copy
    the installer bundles (build.spec); else where `earmark speakers install` puts it."""
    override = os.environ.get(WEIGHTS_ENV)
    if override:
        return Path(override).expanduser()
    user = user_weights_path()
    bundled = bundled_weights_path()
    if not user.is_file() and bundled is not None and bundled.is_file():
        return bundled
    return user


def user_weights_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("earmark", appauthor=False)) / "speakers" / WEIGHTS_FILENAME


def bundled_weights_path() -> Path | None:
    """Inside a frozen build, the converted weights build.spec put beside the code."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "speakers" / WEIGHTS_FILENAME if bundle else None


def load_weights(path: Path | None = None) -> SpeakerWeights:
    """Read and verify the converted weights; every failure names the file and the fix."""
    path = Path(path) if path is not None else default_weights_path()
    if not path.is_file():
        raise SpeakerWeightsError(
            f"The speaker model is not installed ({path} is missing). Run `{INSTALL_COMMAND}` once "
            "(needs internet) to label speakers; transcription works without it."
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name.removesuffix(".npy"): archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise _damaged(path, f"unreadable: {error}") from error
    if content_digest(arrays) != WEIGHTS_SHA256:
        raise _damaged(path, "its checksum does not match")
    return SpeakerWeights(arrays=arrays, path=path)


def install_weights(target_dir: Path | None = None, progress: Progress | None = None, *, timeout: float = 30.0) -> Path:
    """Download the pinned wheel, convert its checkpoint, and save the .npz into `target_dir`
    (the user's data folder by default). `progress(bytes_done, bytes_total)` follows the download."""
    target_dir = Path(target_dir) if target_dir is not None else (
        Path(os.environ[WEIGHTS_ENV]).expanduser().parent if os.environ.get(WEIGHTS_ENV) else user_weights_path().parent)
    wheel = _download(WHEEL_URL, timeout=timeout, progress=progress)
    arrays = convert_wheel(wheel)
    target = target_dir / WEIGHTS_FILENAME
    save_weights(arrays, target)
    return target


def convert_wheel(wheel: bytes) -> dict[str, np.ndarray]:
    """The encoder's arrays from the wheel's bytes, after checking both pinned hashes."""
    if hashlib.sha256(wheel).hexdigest() != WHEEL_SHA256:
        raise SpeakerWeightsError(
            "The downloaded Resemblyzer 0.1.4 wheel does not match its pinned checksum; nothing was "
            f"installed. Try `{INSTALL_COMMAND}` again later."
        )
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        checkpoint = archive.read(CHECKPOINT_MEMBER)
    if hashlib.sha256(checkpoint).hexdigest() != CHECKPOINT_SHA256:
        raise SpeakerWeightsError(f"{CHECKPOINT_MEMBER} in the wheel does not match its pinned checksum.")
    state = read_legacy_checkpoint(checkpoint)["model_state"]
    arrays = {name: np.ascontiguousarray(state[name], dtype=np.float32) for name in ARRAY_SHAPES}
    if content_digest(arrays) != WEIGHTS_SHA256:
        raise SpeakerWeightsError("The converted speaker weights do not match their pinned checksum.")
    return arrays


def save_weights(arrays: dict[str, np.ndarray], target: Path) -> None:
    """Write the .npz beside `target` and rename it into place, so no reader sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".speakers-", suffix=".npz", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the weights are public data
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def content_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over each array's name, shape and little-endian float32 bytes, in name order; any
    missing, extra or reshaped array changes it."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name], dtype="<f4")
        digest.update(f"{name}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def read_legacy_checkpoint(data: bytes) -> dict[str, Any]:
    """Unpickle a legacy PyTorch checkpoint into plain dicts of numpy arrays, refusing any
    global other than the handful a state dict needs (so a hostile .pt cannot run code)."""
    stream = io.BytesIO(data)
    try:
        for _ in range(3):  # magic number, protocol version, system info: plain values
            _RestrictedUnpickler(stream, {}).load()
        storages: dict[str, _Storage] = {}
        state = _RestrictedUnpickler(stream, storages).load()
        keys = _RestrictedUnpickler(stream, {}).load()
        if not isinstance(keys, list) or set(keys) != set(storages):
            raise SpeakerWeightsError("The checkpoint's storage list does not match its tensors.")
        for key in keys:
            storages[key].read_from(stream)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError) as error:
        raise SpeakerWeightsError(f"Not a PyTorch checkpoint Earmark can read ({error}).") from error
    return _materialise(state)


def _damaged(path: Path, why: str) -> SpeakerWeightsError:
    return SpeakerWeightsError(
        f"The speaker model at {path} is damaged ({why}). Run `{INSTALL_COMMAND}` to fetch it again."
    )


def _download(url: str, *, timeout: float, progress: Progress | None) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a pinned https URL)
            total = int(response.headers.get("Content-Length") or 0)
            buffer = io.BytesIO()
            while chunk := response.read(1 << 16):
                buffer.write(chunk)
                if progress is not None:
                    progress(buffer.tell(), total)
            return buffer.getvalue()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise SpeakerWeightsError(
            f"Cannot download the speaker model from files.pythonhosted.org ({reason}). "
            f"Connect to the internet and run `{INSTALL_COMMAND}` again."
        ) from error


# PyTorch storage classes by name, and the numpy type of their elements.
_STORAGE_TYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


@dataclass(frozen=True)
class _StorageType:
    dtype: np.dtype


class _Storage:
    """A storage named in the pickle whose bytes follow the pickles in the file."""

    def __init__(self, dtype: np.dtype, size: int) -> None:
        self.dtype = dtype
        self.size = size
        self.data: np.ndarray | None = None

    def read_from(self, stream: io.BytesIO) -> None:
        count = int.from_bytes(stream.read(8), "little")
        if count != self.size:
            raise ValueError(f"storage holds {count} elements, the pickle says {self.size}")
        raw = stream.read(count * self.dtype.itemsize)
        if len(raw) != count * self.dtype.itemsize:
            raise EOFError("the checkpoint ends inside a storage")
        self.data = np.frombuffer(raw, dtype=self.dtype)


@dataclass(frozen=True)
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> np.ndarray:
        assert self.storage.data is not None
        if not self.shape:
            return self.storage.data[self.offset : self.offset + 1].reshape(()).copy()
        last = self.offset + sum((n - 1) * s for n, s in zip(self.shape, self.stride, strict=True))
        if self.offset < 0 or last >= self.storage.size or min(self.stride) < 0:
            raise ValueError("a tensor reaches outside its storage")
        itemsize = self.storage.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            self.storage.data[self.offset :], self.shape, tuple(s * itemsize for s in self.stride), writeable=False
        )
        return np.array(view)


def _rebuild_tensor(storage: _Storage, offset: int, shape: tuple, stride: tuple, *_: object) -> _TensorRef:
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor without a storage")
    return _TensorRef(storage, int(offset), tuple(int(n) for n in shape), tuple(int(s) for s in stride))


class _RestrictedUnpickler(pickle.Unpickler):
    """Only OrderedDict, PyTorch's tensor rebuild functions and storage classes resolve; any
    other global (os.system, builtins.eval, a torch module...) is refused before it is looked up."""

    _ALLOWED: dict[tuple[str, str], object] = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        **{("torch", name): _StorageType(dtype) for name, dtype in _STORAGE_TYPES.items()},
    }

    def __init__(self, stream: io.BytesIO, storages: dict[str, _Storage]) -> None:
        super().__init__(stream)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused global {module}.{name} in the checkpoint") from None

    def persistent_load(self, pid: Any) -> _Storage:
        # ('storage', storage type, key, location, element count, view metadata)
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r:.80}")
        _, kind, key, _location, size, view = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or not isinstance(size, int) or view:
            raise pickle.UnpicklingError(f"unsupported storage {pid!r:.80}")
        storage = self._storages.setdefault(key, _Storage(kind.dtype, size))
        if storage.size != size or storage.dtype != kind.dtype:
            raise pickle.UnpicklingError(f"storage {key} is described twice, differently")
        return storage


def _materialise(value: Any) -> Any:
    if isinstance(value, _TensorRef):
        return value.array()
    if isinstance(value, dict):
        return {key: _materialise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_materialise(item) for item in value)
    return value
