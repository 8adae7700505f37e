"""The model catalogue: the bundled weights are verified; nothing reaches the network unasked."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from audio import models
from audio.errors import ModelError


def test_bundled_model_resolves_and_is_verified() -> None:
    choice = models.resolve_model("tiny.en")
    assert choice.name == "tiny.en"
    assert (choice.path / "model.bin").is_file()
    assert not choice.multilingual


def test_damaged_bundled_weights_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "model"
    shutil.copytree(models.bundled_model_path(), copy)
    with open(copy / "model.bin", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    monkeypatch.setattr(models, "bundled_model_path", lambda: copy)
    with pytest.raises(ModelError, match="damaged"):
        models.resolve_model("tiny.en")


def test_a_folder_that_is_not_a_model_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a CTranslate2 Whisper model folder"):
        models.resolve_model(str(tmp_path))


def test_a_model_not_downloaded_says_how_to_get_it() -> None:
    with pytest.raises(ModelError, match="earmark models download small"):
        models.resolve_model("small")


def test_download_offline_fails_at_once_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # A host that refuses at once stands in for a machine with no internet.
    monkeypatch.setattr(models, "HUB_HOST", "127.0.0.1")
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot be reached"):
        models.download_model("base")
    assert time.monotonic() - started < 5


def test_hub_is_kept_offline() -> None:
    models.keep_hub_offline()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
