"""The layering in DESIGN.md: storage/ and audio/ work without Qt, and the import contracts hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT


def test_storage_and_audio_work_with_pyside6_blocked(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import importlib.abc, sys

        class BlockQt(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "app", "widgets"):
                    raise ImportError("blocked for this test: " + name)
                return None

        sys.meta_path.insert(0, BlockQt())
        from pathlib import Path
        from audio.decode import decode, probe
        from audio.engine import EngineSettings
        from audio.models import resolve_model
        from audio.turns import TimedWord, split_into_turns
        from storage import transcripts
        from storage.project import create_project, open_project
        from storage.records import NewSegment, Word
        from storage.summary import summarise

        from resources import sample_recording
        assert probe(sample_recording()).duration > 60
        assert len(decode(sample_recording())) > 16000 * 60
        resolve_model("tiny.en")
        path = Path({str(tmp_path)!r}) / "headless.earmark"
        with create_project(path) as project:
            t = transcripts.create_transcript(project, "notes", None)
            transcripts.append_segments(project, t.id, [NewSegment(0, 1, "hello", (Word("hello", 0, 1, 1.0),))], 1.0)
        with open_project(path) as project:
            assert summarise(project).transcripts[0].word_count == 1
        assert not any(m.split(".")[0] in ("PySide6", "shiboken6") for m in sys.modules)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the test extra"
    result = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or "0 broken" in result.stdout.lower()
