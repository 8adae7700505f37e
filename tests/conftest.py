"""Shared fixtures. Tests use the real parts: the bundled tiny.en model, real SQLite files,
a real Qt window (offscreen unless a display is given). Files from ../shared/testdata are
optional: tests that need them skip when the folder is absent (a user's fresh clone)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = Path(os.environ.get("EARMARK_TESTDATA", ROOT.parent / "shared" / "testdata"))

# The speaker model installed by `earmark speakers install` lives in the user's data folder, which
# the sandbox below hides: name it before hiding (CI names its own copy in the variable).
if not os.environ.get("EARMARK_SPEAKER_WEIGHTS"):
    from audio.speaker_weights import user_weights_path

    if user_weights_path().is_file():
        os.environ["EARMARK_SPEAKER_WEIGHTS"] = str(user_weights_path())

# Keep the user's real settings, documents and caches out of the tests.
_sandbox = Path(tempfile.mkdtemp(prefix="earmark-tests-"))
for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_DOCUMENTS_DIR"):
    os.environ[variable] = str(_sandbox / variable.lower())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"


def shared_file(relative: str) -> Path:
    path = TESTDATA / relative
    if not path.exists():
        pytest.skip(f"{relative} not available (../shared/testdata is absent)")
    return path


def installed_speaker_weights() -> Path:
    """The installed speaker model's file; skips the test (saying how to install it) without one."""
    from audio.speaker_weights import INSTALL_COMMAND, default_weights_path

    path = default_weights_path()
    if not path.is_file():
        pytest.skip(f"speaker weights not installed ({path}): run `{INSTALL_COMMAND}`")
    return path


def require_output() -> None:
    """Skip without an audio output device, unless CI requires one (EARMARK_REQUIRE_AUDIO=1)."""
    import sounddevice as sd

    try:
        sd.query_devices(kind="output")
    except sd.PortAudioError as error:
        if os.environ.get("EARMARK_REQUIRE_AUDIO"):
            raise
        pytest.skip(f"no audio output device here ({error}); CI configures an ALSA null device")


@pytest.fixture
def jfk() -> Path:
    return shared_file("audio/faster-whisper/jfk.flac")


@pytest.fixture
def sample() -> Path:
    from resources import sample_recording

    return sample_recording()


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.earmark"


def run_earmark(*args: str, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    """The real command line, in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, **kwargs
    )


@pytest.fixture(scope="session")
def long_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About five minutes of meeting: the bundled sample three times over, as 16 kHz WAV."""
    import wave

    import numpy as np

    from audio.decode import decode
    from resources import sample_recording

    samples = decode(sample_recording())
    pause = np.zeros(16_000, dtype=np.float32)
    joined = np.concatenate([samples, pause, samples, pause, samples])
    path = tmp_path_factory.mktemp("media") / "long-meeting.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((np.clip(joined, -1, 1) * 32767).astype("<i2").tobytes())
    return path
