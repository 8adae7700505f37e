"""Encrypted projects: SQLCipher 4 (through the `sqlcipher3` binding) under the same SQLite schema.

An encrypted project file is a SQLCipher 4 database with its default settings (AES-256, 4 KiB pages,
HMAC-SHA512 per page, PBKDF2-HMAC-SHA512 with 256,000 iterations), so the `sqlcipher` shell opens
it with the same password. Its first 16 bytes are the random salt; everything after is ciphertext,
so plain sqlite3 sees "file is not a database".

The password is stretched once per opening, here, with the salt read from the file: every
connection after that (the engine's pool, the integrity check, the backups) is given the derived
raw key, so the 256,000 PBKDF2 rounds are paid once and not on every pooled connection. The key
lives in memory only while the project is open; the password itself is not kept.

Conversions (encrypt, decrypt, change the password) write a converted copy beside the file with
`sqlcipher_export`, check it (integrity, every table's row count), and only then rename it over
the original: on any failure the original is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from storage.errors import ProjectError

SQLITE_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
KEY_BYTES = 32
KDF_ITERATIONS = 256_000  # SQLCipher 4's default; what the `sqlcipher` shell uses with a passphrase
SMALLEST_PAGE = 512  # an SQLCipher file is a whole number of pages of at least this size
# Each page read from the file is decrypted and its HMAC checked; a page found in SQLite's own
# cache is not. Plain SQLite leans on the operating system's file cache instead, so an encrypted
# connection gets a larger cache of its own (32 MiB, filled only as pages are read): a repeated
# retrieval, and the index look-ups of the integrity check, then decrypt each page once. Set by
# the caller after the key check: the pragma reads the whole schema, and a damaged schema must be
# reported as damage, not as a wrong password.
LARGE_CACHE = f"PRAGMA cache_size = -{32 * 1024}"


class PasswordRequiredError(ProjectError):
    """The project is encrypted (or not a project at all) and no password was given."""


class WrongPasswordError(ProjectError):
    """The password does not open the project (or the file is not a project). Nothing was changed."""


@dataclass(frozen=True)
class CipherKey:
    """The key SQLCipher derives from a password and a file's salt. Never printed."""

    raw: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    def literal(self) -> str:
        """SQLCipher's raw-key form, the key and then the salt in hex: it skips SQLCipher's own
        KDF, and a new file made with it gets this salt (so the password opens it later)."""
        return f"x'{self.raw.hex()}{self.salt.hex()}'"


def derive_key(password: str, salt: bytes) -> CipherKey:
    """PBKDF2-HMAC-SHA512 over the password's UTF-8 bytes: exactly what SQLCipher 4 does with
    `PRAGMA key = 'password'`, so files stay readable by any SQLCipher 4 tool."""
    if not password:
        raise ProjectError("The password is empty: a project's password needs at least one character.")
    raw = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES)
    return CipherKey(raw, salt)


def new_key(password: str) -> CipherKey:
    """A key with a fresh random salt, for a new encrypted file."""
    return derive_key(password, secrets.token_bytes(SALT_BYTES))


def key_for_file(path: Path, password: str) -> CipherKey:
    """The key that opens `path` if `password` is its password."""
    with open(path, "rb") as handle:
        salt = handle.read(SALT_BYTES)
    return derive_key(password, salt)


# --- telling files apart -----------------------------------------------------------------------

def looks_encrypted(header: bytes, size: int) -> bool:
    """Whether a file that is not plain SQLite could be an SQLCipher database: a whole number of
    pages whose first bytes (the salt) are not one repeated byte. Without the password nothing
    can tell an encrypted project from random bytes; this only rules out text, empty files and
    zero-filled ones, which get the plainer "not a project" message."""
    if header.startswith(SQLITE_HEADER) or size < SMALLEST_PAGE or size % SMALLEST_PAGE:
        return False
    salt = header[:SALT_BYTES]
    return len(salt) == SALT_BYTES and len(set(salt)) > 1


def is_encrypted(path: Path) -> bool:
    """True when `path` is not plain SQLite but could be an encrypted project (see looks_encrypted)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        return looks_encrypted(header, Path(path).stat().st_size)
    except OSError:
        return False


# --- connections -------------------------------------------------------------------------------

_cipher_loaded = False


def cipher_module() -> ModuleType:
    """The SQLCipher DB-API module, imported when the first encrypted project is met (it is not
    needed for plain projects, and it costs start-up time). SQLCipher logs every failed page
    decryption to stderr: a wrong password would print lines the user should not see, so its
    log is switched off once, process-wide."""
    global _cipher_loaded
    from sqlcipher3 import dbapi2

    if not _cipher_loaded:
        quiet = dbapi2.connect(":memory:")
        try:
            quiet.execute("PRAGMA cipher_log_level = NONE")
        finally:
            quiet.close()
        _cipher_loaded = True
    return dbapi2


def database_errors() -> tuple[type[Exception], ...]:
    """The DatabaseError classes of both bindings, for `except` clauses."""
    errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
    if _cipher_loaded:  # no SQLCipher error can be raised before the binding is loaded
        errors += (cipher_module().DatabaseError,)
    return errors


def connect(path: Path, key: CipherKey | None, *, read_only: bool = False, timeout: float = 10,
            check_same_thread: bool = True, cipher: bool = False) -> Any:
    """A DB-API connection to `path`: plain sqlite3 without a key (SQLCipher's binding if `cipher`,
    for its sqlcipher_export); SQLCipher with the key set as the connection's first statement
    (SQLCipher's rule). A wrong key fails at the first read."""
    module: Any = sqlite3 if key is None and not cipher else cipher_module()
    target = f"file:{path}?mode=ro" if read_only else str(path)
    connection = module.connect(target, uri=read_only, timeout=timeout, check_same_thread=check_same_thread)
    if key is not None:
        try:
            connection.execute(f"PRAGMA key = \"{key.literal()}\"")  # hex digits only: nothing to escape
        except BaseException:
            connection.close()
            raise
    return connection


def check_key(path: Path, key: CipherKey) -> None:
    """Raise WrongPasswordError unless `key` decrypts `path`. Reads only: nothing is written, no
    journal is made, no lock is taken."""
    if not _opens(path, key):
        raise WrongPasswordError(
            f"The password for {path} is wrong (or the file is not an Earmark project). Nothing was changed; "
            "check the password (capitals, keyboard layout) and try again."
        )


def check_password(path: Path, password: str) -> CipherKey:
    """The key for `path`, after checking that `password` opens it (see check_key)."""
    key = key_for_file(path, password)
    check_key(path, key)
    return key


# --- conversions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Conversion:
    """What a conversion did, for the message to the user."""

    path: Path
    encrypted: bool  # the project's state now
    backup: Path | None  # the newest backup taken before the conversion
    backups_converted: int  # older backups now under the same key (or plain) as the project
    backups_removed: int  # backups that could not be converted and would have stayed readable


def encrypt_project(path: Path, password: str) -> Conversion:
    """Encrypt a plain project with `password` (a fresh salt)."""
    path = Path(path).absolute()
    _require_state(path, encrypted=False)
    return _convert(path, None, new_key(password), "before-encrypting")


def decrypt_project(path: Path, password: str) -> Conversion:
    """Remove the encryption of a project whose password is `password`."""
    path = Path(path).absolute()
    _require_state(path, encrypted=True)
    return _convert(path, key_for_file(path, password), None, "before-decrypting")


def change_password(path: Path, old: str, new: str) -> Conversion:
    """Re-encrypt a project under a new password (and a fresh salt)."""
    path = Path(path).absolute()
    _require_state(path, encrypted=True)
    old_key = key_for_file(path, old)
    check_key(path, old_key)  # before the slow derivation of the new key
    return _convert(path, old_key, new_key(new), "before-password-change")


def _require_state(path: Path, *, encrypted: bool) -> None:
    if not path.is_file():
        raise ProjectError(f"{path} does not exist: check the name.")
    if encrypted and not is_encrypted(path):
        raise ProjectError(f"{path} is not encrypted: there is no password to remove or change. Nothing was changed.")
    if not encrypted and is_encrypted(path):
        raise ProjectError(f"{path} is already encrypted. To change its password, use Change Password. "
                           "Nothing was changed.")


def _convert(path: Path, source: CipherKey | None, target: CipherKey | None, reason: str) -> Conversion:
    """Open the project (password, lock, integrity and schema checks as any opening), back it up,
    write the converted copy, verify it, rename it into place; then bring the backups along."""
    # storage.project imports this module; importing it here, when a conversion runs, keeps
    # the cipher primitives free of the Project class.
    from storage import backups
    from storage.project import open_with_key

    project = open_with_key(path, source)
    try:
        if project.read_only:
            raise ProjectError(f"Cannot convert {path}: {project.read_only_reason}. Nothing was changed.")
        backups.take_backup(path, reason, key=source)
        newest = sorted(backups.backup_dir(path).glob("*.earmark"))
        project.engine.dispose()  # the lock stays held until project.close()
        copy = path.with_name(path.name + ".converting")
        try:
            _export(path, source, copy, target)
            _verify(path, source, copy, target)
            _replace(copy, path)
        except (OSError, ProjectError, *database_errors()) as error:
            _remove_database(copy)
            detail = error if isinstance(error, ProjectError) else f"{type(error).__name__}: {error}"
            raise ProjectError(f"Cannot convert {path} ({detail}). The project was left as it was.") from error
    finally:
        project.close()
    converted, removed = _convert_backups(backups.backup_dir(path), source, target)
    return Conversion(path, target is not None, newest[-1] if newest else None, converted, removed)


def _export(source_path: Path, source: CipherKey | None, target_path: Path, target: CipherKey | None) -> None:
    """sqlcipher_export: the schema and every row (FTS shadow tables included) into a new file
    under the target key ('' is no encryption). Triggers are made after the rows are copied, so
    the full-text indexes are copied, not re-indexed."""
    _remove_database(target_path)
    connection = connect(source_path, source, cipher=True)
    try:
        # Fold any WAL into the file first: after the rename no old WAL may pair with the copy.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target_value = "" if target is None else target.literal()
        connection.execute("ATTACH DATABASE ? AS converted KEY ?", (str(target_path), target_value))
        try:
            connection.execute("SELECT sqlcipher_export('converted')")
        finally:
            connection.execute("DETACH DATABASE converted")
    finally:
        connection.close()


def _verify(source_path: Path, source: CipherKey | None, copy: Path, target: CipherKey | None) -> None:
    """The copy opens with the target key, passes its integrity check, and has the same schema
    objects and the same number of rows in every table as the source."""
    contents = []
    for path, key in ((source_path, source), (copy, target)):
        connection = connect(path, key, read_only=True)
        try:
            if path == copy:
                problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
                if problems:
                    raise ProjectError(f"the converted copy failed its integrity check: {problems[0]}")
            objects = sorted(connection.execute("SELECT type, name FROM sqlite_master"))
            tables = [name for kind, name in connection.execute(
                "SELECT type, name FROM sqlite_master WHERE type = 'table' AND rootpage > 0")]
            counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
            contents.append((objects, counts))
        finally:
            connection.close()
    if contents[0] != contents[1]:
        raise ProjectError("the converted copy does not hold the same tables and rows as the project")


def _replace(copy: Path, path: Path) -> None:
    """Rename the verified copy over the project, durably, keeping the file's permissions."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ProjectError("another program is still reading or writing it")
    os.chmod(copy, path.stat().st_mode & 0o7777)
    with open(copy, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(copy, path)
    for leftover in (wal, path.with_name(path.name + "-shm")):  # the old file's, now empty
        leftover.unlink(missing_ok=True)
    if os.name == "posix":
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _convert_backups(folder: Path, source: CipherKey | None, target: CipherKey | None) -> tuple[int, int]:
    """Bring every backup under the project's new key, so that an old password (or no password)
    opens none of them. A backup that cannot be converted is removed when the project is now
    encrypted (it would stay readable the old way) and left alone when it is now plain."""
    converted = removed = 0
    for backup in sorted(folder.glob("*.earmark")) if folder.is_dir() else []:
        copy = backup.with_suffix(".converting")
        try:
            _export(backup, source, copy, target)
            _verify(backup, source, copy, target)
            _replace(copy, backup)
            converted += 1
        except (OSError, ProjectError, *database_errors()):
            _remove_database(copy)
            if target is not None and not _opens(backup, target):
                backup.unlink(missing_ok=True)
                removed += 1
    return converted, removed


def _opens(path: Path, key: CipherKey | None) -> bool:
    """Whether `key` decrypts page 1. The schema cookie is read from page 1 alone, so damage
    further in is left to the integrity check to report as damage, not as a wrong password."""
    try:
        connection = connect(path, key, read_only=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except database_errors():
        return False
    return True


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
