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
            _check_exchange(path, Path(folder))
            say("exchange: .qdpx written, imported into a new project with the same coded text; XLSX report read back")
            say(f"speakers: the bundled speaker model labels {_check_speakers(media)} voices in the sample, without torch")
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


def _check_exchange(project_path: Path, folder: Path) -> None:
    """REFI-QDA and the reports lean on defusedxml, zipfile and openpyxl: prove the installer
    carries them by a round trip of one coded turn."""
    from openpyxl import load_workbook

    from storage import codebook, coding, transcripts
    from storage.analysis_records import Anchor
    from storage.project import create_project, open_project
    from storage.refi_qda.export import export_qdpx
    from storage.refi_qda.import_ import import_qdpx
    from storage.reports import write_report

    with open_project(project_path) as project:
        transcript = transcripts.list_transcripts(project)[0]
        turn = transcripts.segments(project, transcript.id)[0]
        code = codebook.create_code(project, "Self-test theme")
        applied = coding.apply_code(project, code.id, transcript.id, Anchor(turn.id, 0), Anchor(turn.id, len(turn.text)))
        if applied is None:
            raise RuntimeError("could not code the first turn")
        expected = coding.coded_text(project, applied.id)
        archive = export_qdpx(project, folder / "exchange.qdpx").path
        write_report(project, folder / "passages.xlsx", "passages", "xlsx")
    with create_project(folder / "imported.earmark") as imported:
        summary = import_qdpx(imported, archive)
        texts = [coding.coded_text(imported, record.id)
                 for source in transcripts.list_transcripts(imported)
                 for record in coding.codings_in_transcript(imported, source.id)]
    if (summary.codes, summary.codings) != (1, 1) or texts not in ([expected], [expected.strip()]):
        raise RuntimeError(f"the .qdpx came back as {summary} holding {texts!r}, not {expected!r}")
    cells = [row for row in load_workbook(folder / "passages.xlsx", read_only=True).worksheets[0].iter_rows(values_only=True)]
    if len(cells) != 2 or "Self-test theme" not in cells[1]:
        raise RuntimeError(f"the XLSX report came back as {cells!r}")


def _check_speakers(media: Path) -> int:
    """The speaker encoder's weights travel with the installer (build.spec); the sample has four
    synthetic voices, two of them alike, so at least two must be told apart."""
    import importlib.util

    from audio.diarization import label_speakers
    from audio.speaker_weights import load_weights

    if importlib.util.find_spec("torch") is not None:
        raise RuntimeError("torch is importable: the installer must not carry it")
    voices = {span.label for span in label_speakers(media, load_weights())}
    if len(voices) < 2:
        raise RuntimeError(f"speaker labelling found {len(voices)} voice(s) in the sample")
    return len(voices)


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
