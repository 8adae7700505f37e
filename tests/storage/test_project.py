"""Opening, creating, locking and protecting the project file."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import transcripts
from storage.errors import ProjectError, ReadOnlyProjectError
from storage.project import create_project, open_project
from storage.records import NewSegment, Word


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_turn(project, text: str = "hello there") -> int:  # noqa: ANN001
    transcript = transcripts.create_transcript(project, "t", None)
    transcripts.append_segments(project, transcript.id, [NewSegment(0.0, 1.0, text, (Word("hello", 0, 0.5, 0.9),))], 1.0)
    return transcript.id


def test_new_project_uses_wal_and_foreign_keys(project_path: Path) -> None:
    with create_project(project_path) as project:
        with project.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert not project_path.with_name(project_path.name + ".partial").exists()


def test_create_refuses_existing_file(project_path: Path) -> None:
    project_path.write_text("my notes")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(project_path)
    assert project_path.read_text() == "my notes"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"just some text\n" * 50, "not an SQLite database"), (b"\x00" * 4096, "not an SQLite database")],
)
def test_not_a_project_is_refused_and_left_alone(project_path: Path, content: bytes, message: str) -> None:
    project_path.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as caught:
        open_project(project_path)
    assert str(project_path) in str(caught.value)
    assert project_path.read_bytes() == content


def test_foreign_sqlite_database_is_refused(project_path: Path) -> None:
    connection = sqlite3.connect(project_path)
    connection.execute("CREATE TABLE customers (id INTEGER)")
    connection.commit()
    connection.close()
    before = digest(project_path)
    with pytest.raises(ProjectError, match="not an Earmark project"):
        open_project(project_path)
    assert digest(project_path) == before


def test_damaged_project_is_refused_and_not_overwritten(project_path: Path) -> None:
    with create_project(project_path) as project:
        add_turn(project)
        with project.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(project_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size):  # scribble over every page but the header
        data[page * page_size + 40 : page * page_size + 400] = b"\xa5" * 360
    project_path.write_bytes(bytes(data))
    before = digest(project_path)
    with pytest.raises(ProjectError, match="damaged|integrity") as caught:
        open_project(project_path)
    assert str(project_path) in str(caught.value)
    assert digest(project_path) == before


def test_second_process_opens_read_only_and_says_so(project_path: Path) -> None:
    create_project(project_path).close()
    with open_project(project_path) as first:
        assert not first.read_only
        script = textwrap.dedent(f"""
            from storage.project import open_project
            project = open_project({str(project_path)!r})
            print(project.read_only, "|", project.read_only_reason)
            project.close()
        """)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        read_only, reason = result.stdout.strip().split(" | ")
        assert read_only == "True"
        assert "another Earmark" in reason
        add_turn(first)  # the first one still writes
    with open_project(project_path) as again:  # the lock is gone with the first
        assert not again.read_only


def test_read_only_project_refuses_writes(project_path: Path) -> None:
    create_project(project_path).close()
    with open_project(project_path, read_only=True) as project:
        with pytest.raises(ReadOnlyProjectError, match="read-only"):
            transcripts.create_transcript(project, "x", None)


def test_full_disk_gives_clear_error_and_keeps_saved_work(project_path: Path) -> None:
    with create_project(project_path) as project:
        transcript_id = add_turn(project, "saved before the disk filled")
        with project.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

        # SQLite reports SQLITE_FULL when a database reaches max_page_count: the same error
        # a full disk gives, without filling the test machine's disk.
        from sqlalchemy import event

        @event.listens_for(project.engine, "connect")
        def _cap(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

        project.engine.dispose()
        big = [NewSegment(float(i), float(i + 1), "x" * 5000) for i in range(50)]
        with pytest.raises(ProjectError, match="disk is full") as caught:
            transcripts.append_segments(project, transcript_id, big, 50.0)
        assert str(project_path) in str(caught.value)
    with open_project(project_path) as reopened:
        texts = [s.text for s in transcripts.segments(reopened, transcript_id)]
    assert texts == ["saved before the disk filled"]


def test_missing_project_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        open_project(tmp_path / "nowhere.earmark")
    assert not (tmp_path / "nowhere.earmark").exists()


def test_rolling_backups_follow_changes(project_path: Path) -> None:
    from storage import backups

    create_project(project_path).close()
    assert not backups.backup_dir(project_path).exists(), "a new, empty project needs no backup"
    for round_ in range(7):
        with open_project(project_path) as project:
            add_turn(project, f"change {round_}")
    kept = sorted(backups.backup_dir(project_path).glob("*.earmark"))
    assert len(kept) == backups.KEEP
    with open_project(kept[-1], read_only=True) as newest:
        assert len(transcripts.list_transcripts(newest)) == 6, "the newest backup holds all but the last change"
