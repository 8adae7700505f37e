"""`earmark --self-test`: a headless check that an installed Earmark works end to end.

It creates a temporary project, transcribes the bundled sample with the bundled model in the
engine process, closes and reopens the project, checks what it holds, prints a short report
and returns 0, or non-zero with the reason.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from app.version import __version__

# Words the bundled sample says clearly; the model must hear most of them.
EXPECTED_WORDS = ("welcome", "community", "practice", "discharge", "safeguarding", "training", "feedback")


def run_self_test(out: TextIO = sys.stdout) -> int:
    from app import jobs
    from audio.engine import EngineSettings
    from audio.models import resolve_model
    from resources import sample_recording
    from storage import transcripts
    from storage.project import create_project, open_project

    started = time.monotonic()

    def say(line: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {line}", file=out, flush=True)

    try:
        say(f"Earmark {__version__} self-test (Python {sys.version.split()[0]}, frozen={getattr(sys, 'frozen', False)})")
        model = resolve_model("tiny.en")
        say(f"model {model.name} at {model.path}: checksum ok")
        media = sample_recording()
        if not media.is_file():
            raise RuntimeError(f"the bundled sample recording is missing ({media})")
        with tempfile.TemporaryDirectory(prefix="earmark-selftest-") as folder:
            path = Path(folder) / "self-test.earmark"
            with create_project(path) as project:
                prepared = jobs.prepare(project, media)
                result = jobs.transcribe(project, prepared, EngineSettings(model="tiny.en", mode="batched"))
            say(f"transcribed {media.name} ({prepared.recording.duration:.1f} s): {result.segment_count} turns, {result.word_count} words")
            with open_project(path) as reopened:
                stored = transcripts.list_transcripts(reopened)
                if len(stored) != 1 or stored[0].status != "done":
                    raise RuntimeError(f"the reopened project holds {len(stored)} transcripts, status {[t.status for t in stored]}")
                text = " ".join(s.text for s in transcripts.segments(reopened, stored[0].id)).lower()
                revision = reopened.schema_revision()
            heard = [word for word in EXPECTED_WORDS if word in text]
            if len(heard) < len(EXPECTED_WORDS) - 2:
                raise RuntimeError(f"the transcript misses expected words: heard only {heard}")
            say(f"reopened project (schema {revision}): transcript done, {len(heard)}/{len(EXPECTED_WORDS)} expected words heard")
            _check_encryption(Path(folder) / "encrypted.earmark")
            say("encrypted project: created, reopened with its password, wrong password refused, unreadable as plain SQLite")
            _check_docx(Path(folder) / "encrypted.earmark", Path(folder) / "roles.docx")
            say("DOCX: a roles table written and read back")
    except Exception as error:  # the report must name any failure, whatever its type
        print(f"SELF-TEST FAILED: {error}", file=out, flush=True)
        return 1
    say("SELF-TEST PASSED")
    return 0


def _check_docx(project_path: Path, out: Path) -> None:
    """python-docx opens its templates from inside the package: prove the installer carries them."""
    from docx import Document

    from storage import participants, writeup
    from storage.project import open_project

    with open_project(project_path, "self-test password") as project:
        participants.create_participant(project, "SN1", role="Senior Nurse 1", organisation="NHS trust")
        writeup.export_roles(project, out)
    rows = [[cell.text for cell in row.cells] for row in Document(str(out)).tables[0].rows]
    if ["SN1", "Senior Nurse 1", "NHS trust"] not in rows:
        raise RuntimeError(f"the roles table came back as {rows}")


def _check_encryption(path: Path) -> None:
    """SQLCipher is a native module the installer must carry: create, reopen and refuse."""
    import sqlite3

    from storage import codebook
    from storage.encryption import WrongPasswordError
    from storage.project import create_project, open_project

    with create_project(path, "self-test password") as project:
        codebook.create_code(project, "Self-test code")
    with open_project(path, "self-test password") as reopened:
        if [code.name for code in codebook.codes_tree(reopened)] != ["Self-test code"]:
            raise RuntimeError("the encrypted project did not keep its code")
    try:
        open_project(path, "not the password").close()
    except WrongPasswordError:
        pass
    else:
        raise RuntimeError("a wrong password opened the encrypted project")
    plain = sqlite3.connect(path)
    try:
        plain.execute("SELECT name FROM sqlite_master").fetchall()
        raise RuntimeError("plain SQLite could read the encrypted project")
    except sqlite3.DatabaseError:
        pass
    finally:
        plain.close()
