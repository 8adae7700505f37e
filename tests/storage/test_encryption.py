"""Encrypted projects: creating, opening (and refusing), backups, migrations, and converting
either way or to a new password without losing anything."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage import backups, encryption, fulltext, migrate, transcripts
from storage.codebook import codes_tree
from storage.encryption import PasswordRequiredError, WrongPasswordError
from storage.errors import ProjectError
from storage.project import Project, create_project, open_project
from storage.retrieval import coded_passages
from tests.helpers import add_turns, held_elsewhere, project_at_revision
from tests.storage.coding_data import build_study

PASSWORD = "correct horse battery staple"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file beside the project (WAL, lock, backups included) with its hash."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def plain_sqlite_refuses(path: Path) -> bool:
    connection = sqlite3.connect(path)
    try:
        connection.execute("SELECT name FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as error:
        return "not a database" in str(error)
    finally:
        connection.close()
    return False


def snapshot(project: Project) -> dict[str, object]:
    """What a researcher would miss if a conversion lost it: turns, codes with counts, coded
    passages, full-text hits, every table's row count."""
    with project.engine.connect() as connection:
        tables = [row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name")]
        counts = {name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() for name in tables}
    codes = codes_tree(project)
    return {
        "turns": [(t.name, [(s.speaker, s.text) for s in transcripts.segments(project, t.id)])
                  for t in transcripts.list_transcripts(project)],
        "codes": [(c.name, c.count, c.total) for c in codes],
        "passages": [(p.code_name, p.text) for p in coded_passages(project, [c.id for c in codes])],
        "search": [(h.kind, h.id, h.snippet) for h in fulltext.search(project, "learning")],
        "counts": counts,
    }


@pytest.fixture
def encrypted(project_path: Path) -> Path:
    with create_project(project_path, PASSWORD) as project:
        add_turns(project, "M01", [("SN1", "Hot issues first."), ("CS", "The learning was huge.")])
    return project_path


# --- creating and opening ------------------------------------------------------------------------

def test_new_encrypted_project_is_unreadable_without_the_password(encrypted: Path) -> None:
    assert not encrypted.read_bytes().startswith(encryption.SQLITE_HEADER)
    assert encryption.is_encrypted(encrypted)
    assert not encrypted.with_name(encrypted.name + ".partial").exists()
    shell = subprocess.run(["/usr/bin/sqlite3", str(encrypted), ".tables"], capture_output=True, text=True)
    assert shell.returncode != 0 and "not a database" in shell.stderr
    assert "segments" not in shell.stdout
    assert plain_sqlite_refuses(encrypted)
    assert b"learning" not in encrypted.read_bytes()


def test_encrypted_project_opens_with_its_password_in_wal_with_foreign_keys(encrypted: Path) -> None:
    with open_project(encrypted, PASSWORD) as project:
        assert project.encrypted and not project.read_only
        texts = [s.text for s in transcripts.segments(project, 1)]
        with project.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA cipher_version").scalar()
    assert texts == ["Hot issues first.", "The learning was huge."]


def test_the_sqlcipher_passphrase_opens_it_as_any_sqlcipher_tool_would(encrypted: Path) -> None:
    connection = encryption.cipher_module().connect(str(encrypted))
    connection.execute(f"PRAGMA key = '{PASSWORD}'")
    assert connection.execute("SELECT count(*) FROM segments").fetchone()[0] == 2
    connection.close()


def test_no_password_is_refused_with_a_message_and_nothing_changes(encrypted: Path) -> None:
    before = folder_state(encrypted.parent)
    with pytest.raises(PasswordRequiredError, match="encrypted") as caught:
        open_project(encrypted)
    assert str(encrypted) in str(caught.value) and "password" in str(caught.value)
    assert folder_state(encrypted.parent) == before


@pytest.mark.parametrize("wrong", ["wrong", PASSWORD.upper(), PASSWORD + " ", "correct horse battery stapl"])
def test_wrong_password_is_refused_and_changes_nothing(encrypted: Path, wrong: str) -> None:
    before = folder_state(encrypted.parent)
    with pytest.raises(WrongPasswordError, match="wrong") as caught:
        open_project(encrypted, wrong)
    assert str(encrypted) in str(caught.value)
    assert folder_state(encrypted.parent) == before, "no WAL, no lock, no backup, no change"
    assert not encrypted.with_name(encrypted.name + ".lock").exists()
    with open_project(encrypted, PASSWORD) as project:  # and the right one still works
        assert not project.read_only


@pytest.mark.parametrize("password", ["it's \"quoted\"; --", "Grüße aus Köln ✓", "x" * 300])
def test_any_password_text_works(project_path: Path, password: str) -> None:
    with create_project(project_path, password) as project:
        add_turns(project, "M01", [("SN1", "hello")])
    with open_project(project_path, password) as project:
        assert [s.text for s in transcripts.segments(project, 1)] == ["hello"]
    with pytest.raises(WrongPasswordError):
        open_project(project_path, password[:-1] or "?")


def test_empty_password_is_refused(project_path: Path) -> None:
    with pytest.raises(ProjectError, match="empty"):
        create_project(project_path, "")
    assert not project_path.exists()


def test_plain_project_ignores_a_password(project_path: Path) -> None:
    create_project(project_path).close()
    with open_project(project_path, "anything") as project:
        assert not project.encrypted


def test_random_bytes_ask_for_a_password_and_are_refused_unchanged(project_path: Path) -> None:
    project_path.write_bytes(bytes(range(256)) * 16)  # a whole page, not a header: could be encrypted
    before = digest(project_path)
    with pytest.raises(PasswordRequiredError, match="not an Earmark project"):
        open_project(project_path)
    with pytest.raises(WrongPasswordError):
        open_project(project_path, "guess")
    assert digest(project_path) == before
    assert sorted(p.name for p in project_path.parent.iterdir()) == [project_path.name]


def test_read_only_opening_of_an_encrypted_project(encrypted: Path) -> None:
    before = digest(encrypted)
    with open_project(encrypted, PASSWORD, read_only=True) as project:
        assert project.read_only and project.encrypted
        assert len(transcripts.segments(project, 1)) == 2
    assert digest(encrypted) == before


def test_writes_from_a_worker_thread_while_the_gui_thread_reads(encrypted: Path) -> None:
    """Transcription writes through project.write() on its own thread (app/workers.py)."""
    with open_project(encrypted, PASSWORD) as project:
        transcript = transcripts.create_transcript(project, "streamed", None)
        errors: list[BaseException] = []

        def stream() -> None:
            try:
                for n in range(20):
                    rows = add_turns(project, f"batch {n}", [("SN2", f"turn {n}")])[1]
                    assert rows
                transcripts.append_segments(project, transcript.id, [], 1.0)
            except BaseException as error:  # reported below, on the test's thread
                errors.append(error)

        worker = threading.Thread(target=stream)
        worker.start()
        while worker.is_alive():
            transcripts.list_transcripts(project)
        worker.join()
        assert errors == []
    with open_project(encrypted, PASSWORD) as project:
        assert len(transcripts.list_transcripts(project)) == 22


def test_damaged_encrypted_project_is_refused_and_not_overwritten(project_path: Path) -> None:
    with create_project(project_path, PASSWORD) as project:
        add_turns(project, "M01", [("SN1", "words " * 400)] * 40)
    data = bytearray(project_path.read_bytes())
    for page in range(2, len(data) // 4096):  # page 1 (and so the key check) intact
        data[page * 4096 + 100: page * 4096 + 300] = b"\xa5" * 200
    project_path.write_bytes(bytes(data))
    before = digest(project_path)
    with pytest.raises(ProjectError, match="damaged|integrity") as caught:
        open_project(project_path, PASSWORD)
    assert not isinstance(caught.value, WrongPasswordError)
    assert digest(project_path) == before


# --- backups and migrations ------------------------------------------------------------------------

def test_backups_of_an_encrypted_project_are_encrypted_with_the_same_password(encrypted: Path) -> None:
    for round_ in range(3):
        with open_project(encrypted, PASSWORD) as project:
            add_turns(project, f"round {round_}", [("OT", f"change {round_}")])
    kept = sorted(backups.backup_dir(encrypted).glob("*"))
    assert len([p for p in kept if p.suffix == ".earmark"]) == 3
    for path in kept:
        assert not path.read_bytes().startswith(encryption.SQLITE_HEADER), f"{path.name} is plain"
        assert b"change" not in path.read_bytes()
    with open_project(kept[-1], PASSWORD, read_only=True) as newest:
        assert len(transcripts.list_transcripts(newest)) == 3
    with pytest.raises(WrongPasswordError):
        open_project(kept[-1], "wrong", read_only=True)


def test_a_failed_backup_leaves_no_plain_copy(encrypted: Path) -> None:
    with pytest.raises(Exception):
        backups.take_backup(encrypted, "no-key", force=True)  # forgetting the key must not write plain
    leftovers = list(backups.backup_dir(encrypted).glob("*"))
    assert all(not p.read_bytes().startswith(encryption.SQLITE_HEADER) for p in leftovers)
    assert not [p for p in leftovers if p.stat().st_size > 0]


def encrypt_raw(plain: Path, target: Path, password: str) -> None:
    """An encrypted copy made outside Earmark (without upgrading the schema)."""
    encryption.cipher_module()  # silence SQLCipher's log
    key = encryption.new_key(password)
    connection = encryption.connect(plain, None, cipher=True)
    connection.execute("ATTACH DATABASE ? AS converted KEY ?", (str(target), key.literal()))
    connection.execute("SELECT sqlcipher_export('converted')")
    connection.execute("DETACH DATABASE converted")
    connection.close()


def test_old_encrypted_project_is_backed_up_encrypted_then_migrated(tmp_path: Path, project_path: Path) -> None:
    old = tmp_path / "old-plain.earmark"
    project_at_revision(
        old, "0001",
        "INSERT INTO transcripts (id, guid, name, kind, status, transcribed_until, created_at, updated_at) "
        "VALUES (1, 'g-1', 'M01', 'recording', 'done', 12.5, '2026-01-01', '2026-01-01')",
        "INSERT INTO segments (transcript_id, position, start, \"end\", text, words) "
        "VALUES (1, 0, 0.0, 2.0, 'Good morning everyone', '[]')",
    )
    encrypt_raw(old, project_path, PASSWORD)
    with open_project(project_path, PASSWORD) as project:
        assert project.schema_revision() == migrate.head_revision()
        assert [s.text for s in transcripts.segments(project, 1)] == ["Good morning everyone"]
    [kept] = backups.backup_dir(project_path).glob("*before-upgrade-from-0001*.earmark")
    assert encryption.is_encrypted(kept) and plain_sqlite_refuses(kept)
    backup = encryption.connect(kept, encryption.check_password(kept, PASSWORD), read_only=True)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    backup.close()


# --- conversions -----------------------------------------------------------------------------------

@pytest.fixture
def study(project_path: Path) -> Path:
    build_study(project_path).project.close()
    return project_path


def test_encrypt_change_and_decrypt_keep_everything(study: Path) -> None:
    with open_project(study) as project:
        before = snapshot(project)
    assert before["passages"] and before["search"]

    done = encryption.encrypt_project(study, "first password")
    assert done.encrypted and encryption.is_encrypted(study) and plain_sqlite_refuses(study)
    with open_project(study, "first password") as project:
        assert project.encrypted and snapshot(project) == before

    encryption.change_password(study, "first password", "second password")
    with pytest.raises(WrongPasswordError):
        open_project(study, "first password")
    with open_project(study, "second password") as project:
        assert snapshot(project) == before

    done = encryption.decrypt_project(study, "second password")
    assert not done.encrypted and not encryption.is_encrypted(study)
    with open_project(study) as project:
        assert not project.encrypted and snapshot(project) == before
    assert sqlite3.connect(study).execute("SELECT count(*) FROM codings").fetchone()[0] == 4


def test_encrypting_encrypts_the_existing_backups(study: Path) -> None:
    for round_ in range(2):
        with open_project(study) as project:
            add_turns(project, f"extra {round_}", [("SN1", "plain words")])
    assert list(backups.backup_dir(study).glob("*.earmark"))
    done = encryption.encrypt_project(study, PASSWORD)
    kept = list(backups.backup_dir(study).glob("*"))
    assert done.backups_converted == len([p for p in kept if p.suffix == ".earmark"]) >= 2
    for path in kept:
        assert not path.read_bytes().startswith(encryption.SQLITE_HEADER), f"{path.name} stayed plain"
    encryption.change_password(study, PASSWORD, "next")
    for path in backups.backup_dir(study).glob("*.earmark"):
        with pytest.raises(WrongPasswordError):
            encryption.check_password(path, PASSWORD)
        encryption.check_password(path, "next")


def test_conversion_with_a_wrong_password_changes_nothing(study: Path) -> None:
    encryption.encrypt_project(study, PASSWORD)
    before = folder_state(study.parent)
    with pytest.raises(WrongPasswordError):
        encryption.decrypt_project(study, "wrong")
    with pytest.raises(WrongPasswordError):
        encryption.change_password(study, "wrong", "new")
    assert folder_state(study.parent) == before


def test_conversion_is_refused_while_the_project_is_open_elsewhere(study: Path) -> None:
    before = digest(study)
    with held_elsewhere(study):
        with pytest.raises(ProjectError, match="another Earmark") as caught:
            encryption.encrypt_project(study, PASSWORD)
    assert str(study) in str(caught.value)
    assert digest(study) == before and not encryption.is_encrypted(study)


@contextmanager
def held_encrypted_elsewhere(path: Path, password: str) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from storage.project import open_project
            project = open_project({str(path)!r}, {password!r}); print("locked", flush=True); sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.communicate("")


def test_password_change_is_refused_while_open_elsewhere(encrypted: Path) -> None:
    with held_encrypted_elsewhere(encrypted, PASSWORD):
        before = digest(encrypted)
        with pytest.raises(ProjectError, match="another Earmark"):
            encryption.change_password(encrypted, PASSWORD, "new")
        with pytest.raises(ProjectError, match="another Earmark"):
            encryption.decrypt_project(encrypted, PASSWORD)
        assert digest(encrypted) == before
    with open_project(encrypted, PASSWORD) as project:
        assert not project.read_only


def test_a_failed_conversion_leaves_the_original_untouched(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_project(study) as project:
        before_data = snapshot(project)
    before = digest(study)

    def broken_copy(*_args: object) -> None:
        raise ProjectError("the converted copy does not hold the same tables and rows as the project")

    monkeypatch.setattr(encryption, "_verify", broken_copy)
    with pytest.raises(ProjectError, match="left as it was") as caught:
        encryption.encrypt_project(study, PASSWORD)
    assert str(study) in str(caught.value)
    assert digest(study) == before and not encryption.is_encrypted(study)
    assert not study.with_name(study.name + ".converting").exists()
    assert not study.with_name(study.name + ".lock").exists()
    monkeypatch.undo()
    with open_project(study) as project:
        assert snapshot(project) == before_data


def test_converting_the_wrong_way_is_refused(study: Path) -> None:
    with pytest.raises(ProjectError, match="not encrypted"):
        encryption.decrypt_project(study, PASSWORD)
    with pytest.raises(ProjectError, match="not encrypted"):
        encryption.change_password(study, PASSWORD, "new")
    encryption.encrypt_project(study, PASSWORD)
    with pytest.raises(ProjectError, match="already encrypted"):
        encryption.encrypt_project(study, "again")


def test_a_full_disk_in_an_encrypted_project_is_a_clear_error_and_keeps_saved_work(encrypted: Path) -> None:
    """SQLCipher's errors reach Project.write as SQLAlchemy's, like plain SQLite's (the creator
    and module given to the engine)."""
    from sqlalchemy import event

    from storage.records import NewSegment

    with open_project(encrypted, PASSWORD) as project:
        with project.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

        @event.listens_for(project.engine, "connect")
        def _cap(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

        project.engine.dispose()
        big = [NewSegment(float(i), float(i + 1), "x" * 5000) for i in range(50)]
        with pytest.raises(ProjectError, match="disk is full") as caught:
            transcripts.append_segments(project, 1, big, 50.0)
        assert str(encrypted) in str(caught.value)
    with open_project(encrypted, PASSWORD) as reopened:
        assert [s.text for s in transcripts.segments(reopened, 1)] == ["Hot issues first.", "The learning was huge."]
