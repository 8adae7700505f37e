"""The speaker weights: a missing or damaged file says which file and how to fix it; the
checkpoint reader builds arrays and refuses anything that could run code. No network here."""

from __future__ import annotations

import collections
import io
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from audio.errors import ModelError
from audio.speaker_weights import (
    INSTALL_COMMAND,
    WEIGHTS_ENV,
    SpeakerWeightsError,
    content_digest,
    convert_wheel,
    default_weights_path,
    load_weights,
    read_legacy_checkpoint,
    save_weights,
)


def test_missing_weights_name_the_file_and_the_command(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "speakers.npz"
    with pytest.raises(SpeakerWeightsError) as caught:
        load_weights(missing)
    assert str(missing) in str(caught.value)
    assert INSTALL_COMMAND in str(caught.value)
    assert isinstance(caught.value, ModelError)  # the CLI's existing handler prints it


def test_corrupt_weights_name_the_file_and_the_command(tmp_path: Path) -> None:
    corrupt = tmp_path / "speakers.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    with pytest.raises(SpeakerWeightsError) as caught:
        load_weights(corrupt)
    message = str(caught.value)
    assert str(corrupt) in message and "damaged" in message and INSTALL_COMMAND in message


def test_weights_with_altered_values_fail_the_checksum(tmp_path: Path) -> None:
    altered = tmp_path / "speakers.npz"
    save_weights({"lstm.weight_ih_l0": np.zeros((1024, 40), np.float32)}, altered)
    with pytest.raises(SpeakerWeightsError, match="checksum does not match") as caught:
        load_weights(altered)
    assert INSTALL_COMMAND in str(caught.value)


def test_save_is_atomic_and_round_trips(tmp_path: Path) -> None:
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, np.float32)}
    target = tmp_path / "deep" / "w.npz"
    save_weights(arrays, target)
    assert [p.name for p in target.parent.iterdir()] == ["w.npz"]  # no temporary left behind
    with np.load(target) as loaded:
        assert content_digest({n.removesuffix(".npy"): loaded[n] for n in loaded.files}) == content_digest(arrays)
    assert content_digest(arrays) != content_digest({**arrays, "b": np.ones((2, 2), np.float32)})


def test_environment_variable_points_at_the_weights(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "w.npz"))
    assert default_weights_path() == tmp_path / "w.npz"
    monkeypatch.delenv(WEIGHTS_ENV)
    assert default_weights_path().name.endswith(".npz") and "earmark" in str(default_weights_path())


def test_a_wheel_that_is_not_the_pinned_one_is_refused() -> None:
    with pytest.raises(SpeakerWeightsError, match="pinned checksum"):
        convert_wheel(b"not the Resemblyzer wheel")


class _Hostile:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple:
        import os

        return (os.mkdir, (str(self.target),))


def _legacy(state_pickle: bytes, keys: list[str], storages: bytes = b"") -> bytes:
    head = b"".join(pickle.dumps(value, protocol=2) for value in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    return head + state_pickle + pickle.dumps(keys, protocol=2) + storages


def test_a_hostile_checkpoint_is_refused_without_running_anything(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    hostile = _legacy(pickle.dumps({"model_state": _Hostile(target)}, protocol=2), [])
    with pytest.raises(SpeakerWeightsError, match="refused global"):
        read_legacy_checkpoint(hostile)
    assert not target.exists()


def test_a_hostile_builtin_is_refused_too() -> None:
    payload = b"\x80\x02cbuiltins\neval\nq\x00X\x0b\x00\x00\x00print('hi')q\x01\x85q\x02Rq\x03."
    with pytest.raises(SpeakerWeightsError, match="refused global builtins.eval"):
        read_legacy_checkpoint(_legacy(payload, []))


def _fake_torch_checkpoint(monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, np.ndarray]:
    """A legacy checkpoint written the way torch writes one: tensors as
    torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) over a shared storage,
    the storages as persistent ids, their bytes after the pickles. Written with stand-in torch
    modules so the test needs no torch."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args: object) -> None:  # only its name is pickled
        raise AssertionError

    FloatStorage.__module__, FloatStorage.__qualname__ = torch.__name__, "FloatStorage"
    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = utils.__name__, "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage  # type: ignore[attr-defined]
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2  # type: ignore[attr-defined]
    torch._utils = utils  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)

    data = np.arange(24, dtype="<f4")

    class Tensor:
        def __init__(self, offset: int, size: tuple, stride: tuple) -> None:
            self.args = (offset, size, stride)

        def __reduce__(self) -> tuple:
            offset, size, stride = self.args
            return (_rebuild_tensor_v2, ("STORAGE", offset, size, stride, False, collections.OrderedDict()))

    class Writer(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            return ("storage", FloatStorage, "1234", "cpu", 24, None) if obj == "STORAGE" else None

    state = collections.OrderedDict(
        plain=Tensor(0, (2, 3), (3, 1)), transposed=Tensor(6, (3, 2), (1, 3)), scalar=Tensor(23, (), ())
    )
    buffer = io.BytesIO()
    Writer(buffer, protocol=2).dump({"step": 1, "model_state": state})
    storage = len(data).to_bytes(8, "little") + data.tobytes()
    return _legacy(buffer.getvalue(), ["1234"], storage), data


def test_legacy_checkpoint_tensors_become_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoint, data = _fake_torch_checkpoint(monkeypatch)
    monkeypatch.delitem(sys.modules, "torch")  # the reader must not need it
    state = read_legacy_checkpoint(checkpoint)["model_state"]
    np.testing.assert_array_equal(state["plain"], data[:6].reshape(2, 3))
    np.testing.assert_array_equal(state["transposed"], data[6:12].reshape(2, 3).T)
    assert state["scalar"] == 23.0 and state["plain"].dtype == np.float32


def test_a_truncated_checkpoint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoint, _ = _fake_torch_checkpoint(monkeypatch)
    with pytest.raises(SpeakerWeightsError):
        read_legacy_checkpoint(checkpoint[:-10])
