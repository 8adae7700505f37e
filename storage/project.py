"""Opening, creating and closing a project file (one SQLite database, extension .earmark).

Opening checks, in order: the file is SQLite (or, given its password, an encrypted project:
storage/encryption.py), it is not locked by another Earmark (else it opens read-only and says
so), it passes PRAGMA integrity_check, and its schema is the latest (older projects are backed
up, then migrated). A new project is built beside its final name and renamed into place, so a
failure never leaves a half-written project behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import backups, encryption, migrate
from storage.encryption import SQLITE_HEADER, CipherKey, PasswordRequiredError
from storage.errors import ProjectError, ReadOnlyProjectError
from storage.locking import ProjectLock

PROJECT_SUFFIX = ".earmark"


class Project:
    """An open project. Use `session()` for reads and `write()` for one user action's changes."""

    def __init__(self, path: Path, engine: Engine, lock: ProjectLock | None, read_only_reason: str | None,
                 *, encrypted: bool = False) -> None:
        self.path = path
        self.engine = engine
        self._lock = lock
        self.read_only_reason = read_only_reason
        self.encrypted = encrypted
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One short transaction. A full disk or a vanished file becomes a ProjectError that
        names the project; the transaction is rolled back, so what was saved before stays."""
        if self.read_only:
            raise ReadOnlyProjectError(f"{self.path} is open read-only: {self.read_only_reason}")
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as error:
            raise ProjectError(_explain_write_failure(self.path, error)) from error

    def schema_revision(self) -> str:
        with self.engine.connect() as connection:
            return migrate.current_revision(connection) or "none"

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def create_project(path: Path, password: str | None = None) -> Project:
    """Create a new, empty project at `path` (which must not exist) and open it; encrypted with
    `password` when one is given."""
    path = Path(path).absolute()
    if path.exists():
        raise ProjectError(f"{path} already exists: choose another name, or open it instead.")
    if not path.parent.is_dir():
        raise ProjectError(f"Cannot create {path}: the folder {path.parent} does not exist.")
    key = encryption.new_key(password) if password is not None else None
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        engine = _make_engine(partial, read_only=False, key=key)
        try:
            with engine.connect() as connection:
                migrate.upgrade(connection)
                # Fold the WAL into the main file so the rename below carries everything.
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
        partial.replace(path)
    except (OSError, DBAPIError) as error:
        for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise ProjectError(f"Cannot create {path}: {_reason(error)}") from error
    return open_with_key(path, key, new=True)


def open_project(path: Path, password: str | None = None, *, read_only: bool = False) -> Project:
    """Open an existing project, migrating it to the latest schema if it is older. An encrypted
    project needs its `password` (PasswordRequiredError without one, WrongPasswordError for a
    wrong one; either way nothing is changed). A plain project ignores the password."""
    path = Path(path).absolute()
    key: CipherKey | None = None
    if not _check_file(path):
        if password is None:
            raise PasswordRequiredError(
                f"{path} is encrypted (or it is not an Earmark project): give its password to open it."
            )
        key = encryption.key_for_file(path, password)
    return open_with_key(path, key, read_only=read_only)


def open_with_key(path: Path, key: CipherKey | None, *, read_only: bool = False, new: bool = False) -> Project:
    """open_project with the key already derived (None: a plain project). `new`: just created,
    so no backup is needed."""
    path = Path(path).absolute()
    if key is None:
        _check_file(path)
    else:
        # Before the lock, the backup or any write: a wrong password must leave no trace.
        encryption.check_key(path, key)
    lock: ProjectLock | None = None
    reason: str | None = "opened read-only on request" if read_only else None
    if not read_only:
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            reason = "the file or its folder is not writable"
        else:
            lock = ProjectLock(path)
            if not lock.acquire():
                reason = f"it is open in another Earmark window (process {lock.holder()})"
                lock = None
    try:
        # Look before touching: the checks read through a plain connection, so a file that
        # turns out not to be ours is never switched to WAL or otherwise written.
        revision = _inspect(path, key, read_only=reason is not None)
        if reason is not None and revision != migrate.head_revision():
            raise ProjectError(
                f"{path} needs an upgrade to this version of Earmark, which cannot be done while it is "
                "read-only. Close the other Earmark window, or make the file writable, and open it again."
            )
        if reason is None and not new:
            # Rolling backups: one per opening that follows a change, the newest five kept.
            backups.take_backup(path, "on-open", key=key)
        engine = _make_engine(path, read_only=reason is not None, key=key)
        if reason is None and revision != migrate.head_revision():
            try:
                _migrate(path, engine, revision, key)
            except BaseException:
                engine.dispose()
                raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return Project(path, engine, lock, reason, encrypted=key is not None)


def open_or_create(path: Path, password: str | None = None) -> Project:
    return open_project(path, password) if Path(path).exists() else create_project(path, password)


def _check_file(path: Path) -> bool:
    """True for a plain SQLite file, False for one that may be an encrypted project; raises for
    anything else."""
    if not path.exists():
        raise ProjectError(f"{path} does not exist: check the name, or create a new project.")
    if path.is_dir():
        raise ProjectError(f"{path} is a folder, not an Earmark project file.")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        size = path.stat().st_size
    except OSError as error:
        raise ProjectError(f"Cannot read {path}: {error.strerror}.") from error
    if len(header) == 0:
        raise ProjectError(f"{path} is empty, not an Earmark project. Nothing was changed.")
    if header == SQLITE_HEADER:
        return True
    if encryption.looks_encrypted(header, size):
        return False
    raise ProjectError(f"{path} is not an Earmark project (it is not an SQLite database). Nothing was changed.")


def _make_engine(path: Path, *, read_only: bool, key: CipherKey | None = None) -> Engine:
    if key is not None:
        # SQLCipher: every pooled connection (GUI thread or transcription worker) gets the key as
        # its first statement; the URL only tells SQLAlchemy that this is a file (a queue pool).
        engine = create_engine(
            f"sqlite+pysqlite:///{path}", module=encryption.cipher_module(),
            creator=lambda: encryption.connect(path, key, read_only=read_only, check_same_thread=False),
        )
    elif read_only:
        engine = create_engine(f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 10})
    else:
        engine = create_engine(f"sqlite+pysqlite:///{path}", connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        if not read_only:
            # WAL lets the window read while a transcription job writes; NORMAL sync is
            # durable across process crashes (only a power cut can lose the last commits).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten text is zeroed in the file, not left in free space: a name
            # replaced by its pseudonym must not stay readable with a hex editor.
            cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        if key is not None:
            cursor.execute(encryption.LARGE_CACHE)
        cursor.close()

    return engine


def _inspect(path: Path, key: CipherKey | None, *, read_only: bool) -> str | None:
    """Run PRAGMA integrity_check and return the schema revision; refuse files that are not
    Earmark projects or come from a newer Earmark."""
    damaged = (
        f"Nothing was changed; restore the newest copy from {backups.backup_dir(path)} if there is one."
    )
    try:
        connection = encryption.connect(path, key, read_only=read_only)
        try:
            if key is not None:
                connection.execute(encryption.LARGE_CACHE)
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = found[0] if found else None
        finally:
            connection.close()
    except encryption.database_errors() as error:
        raise ProjectError(f"{path} is damaged and cannot be opened ({error}). {damaged}") from error
    problems = [row[0] for row in rows if row[0] != "ok"]
    if problems:
        raise ProjectError(f"{path} failed its integrity check ({problems[0]}). {damaged}")
    if revision is None and tables:
        raise ProjectError(f"{path} is an SQLite database but not an Earmark project. Nothing was changed.")
    if revision is not None and not _is_known_revision(revision):
        raise ProjectError(
            f"{path} was saved by a newer Earmark (schema {revision}). Update Earmark to open it; nothing was changed."
        )
    return revision


def _migrate(path: Path, engine: Engine, revision: str | None, key: CipherKey | None) -> None:
    backups.take_backup(path, f"before-upgrade-from-{revision or 'empty'}", force=True, key=key)
    try:
        with engine.connect() as connection:
            migrate.upgrade(connection)
    except (DBAPIError, RuntimeError) as error:
        raise ProjectError(f"Cannot upgrade {path}: {_reason(error)}. The project was left as it was.") from error


def _is_known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip() or type(original).__name__


def _explain_write_failure(path: Path, error: OperationalError) -> str:
    reason = _reason(error)
    if "full" in reason.lower():
        return f"Cannot save to {path}: the disk is full. Free some space; everything saved before is kept."
    if "readonly" in reason.lower() or "read-only" in reason.lower():
        return f"Cannot save to {path}: the file has become read-only ({reason})."
    return f"Cannot save to {path}: {reason}."
