"""Encrypted projects from the command line, as a user runs it: `earmark new --encrypted`,
transcribing into it, coding it, the password from a file, the environment or a prompt, and
`earmark encrypt`, `decrypt`, `password`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from storage import encryption
from storage.analysis_records import Anchor
from storage.codebook import create_code
from storage.coding import apply_code
from storage.encryption import WrongPasswordError
from storage.project import create_project, open_project
from storage.retrieval import coded_passages
from tests.conftest import ROOT, run_earmark
from tests.helpers import add_turns

PASSWORD = "SN1 met CG at M03"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def earmark(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command line without a terminal; `password` in EARMARK_PASSWORD when given."""
    env = {k: v for k, v in os.environ.items() if k != "EARMARK_PASSWORD"}
    if password is not None:
        env["EARMARK_PASSWORD"] = password
    return run_earmark(*args, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first twelve seconds of the bundled sample meeting: enough for a few turns."""
    from audio.decode import decode
    from resources import sample_recording

    samples = decode(sample_recording())[: 12 * 16_000]
    path = tmp_path_factory.mktemp("media") / "opening.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((samples.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text(PASSWORD + "\n", encoding="utf-8")  # as an editor saves it
    return path


def test_round_trip_create_transcribe_code_close_reopen(clip: Path, project_path: Path, password_file: Path) -> None:
    created = earmark("new", str(project_path), "--encrypted", "--password-file", str(password_file))
    assert created.returncode == 0, created.stderr
    assert "encrypted" in created.stdout and "cannot be recovered" in created.stderr
    shell = subprocess.run(["/usr/bin/sqlite3", str(project_path), ".tables"], capture_output=True, text=True)
    assert shell.returncode != 0 and "not a database" in shell.stderr

    transcribed = earmark("transcribe", str(clip), "--project", str(project_path), "--password-file", str(password_file))
    assert transcribed.returncode == 0, transcribed.stderr
    assert encryption.is_encrypted(project_path)

    with open_project(project_path, PASSWORD) as project:
        from storage import transcripts

        [transcript] = transcripts.list_transcripts(project)
        turns = transcripts.segments(project, transcript.id)
        assert transcript.status == "done" and turns
        code = create_code(project, "Hot issues")
        first = turns[0]
        assert apply_code(project, code.id, transcript.id, Anchor(first.id, 0), Anchor(first.id, len(first.text)))
    shell = subprocess.run(["/usr/bin/sqlite3", str(project_path), ".tables"], capture_output=True, text=True)
    assert shell.returncode != 0

    with pytest.raises(WrongPasswordError):
        open_project(project_path, "SN1 met CG at M04")
    with open_project(project_path, PASSWORD) as reopened:
        [passage] = coded_passages(reopened, [code.id])
        assert passage.text == first.text and passage.transcript_name == "opening"
    passages = earmark("passages", str(project_path), "--code", "hot issues", "--json", password=PASSWORD)
    assert passages.returncode == 0, passages.stderr
    assert json.loads(passages.stdout)[0]["text"] == first.text


def test_every_command_takes_the_password_from_a_file_or_the_environment(project_path: Path, password_file: Path) -> None:
    with create_project(project_path, PASSWORD) as project:
        add_turns(project, "M01", [("SN1", "Hot issues first.")])
    for args in (["show"], ["vocabulary", "Community of Practice"]):
        from_file = earmark(args[0], str(project_path), *args[1:], "--password-file", str(password_file))
        assert from_file.returncode == 0, (args, from_file.stderr)
    for args in (["codes"], ["autocode", "--code", "Issues", "--match", "issues"]):
        from_environment = earmark(args[0], str(project_path), *args[1:], password=PASSWORD)
        assert from_environment.returncode == 0, (args, from_environment.stderr)
    info = json.loads(earmark("info", str(project_path), "--json", password=PASSWORD).stdout)
    assert info["encrypted"] is True and info["transcripts"][0]["segments"] == 1 and info["codings"] == 1


def test_no_password_without_a_terminal_is_one_line_saying_how(project_path: Path) -> None:
    create_project(project_path, PASSWORD).close()
    before = digest(project_path)
    result = earmark("info", str(project_path))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert str(project_path) in line and "--password-file" in line and "EARMARK_PASSWORD" in line
    assert digest(project_path) == before


def test_wrong_password_is_one_line_and_changes_nothing(project_path: Path, tmp_path: Path) -> None:
    create_project(project_path, PASSWORD).close()
    before = sorted(p.name for p in tmp_path.iterdir()), digest(project_path)
    result = earmark("codes", str(project_path), password="nope")
    assert result.returncode == 1 and "wrong" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (sorted(p.name for p in tmp_path.iterdir()), digest(project_path)) == before


@pytest.mark.parametrize(("content", "expected"), [(None, "Cannot read the password file"), ("", "is empty"),
                                                   ("\n", "is empty")])
def test_unusable_password_file_is_named(project_path: Path, tmp_path: Path, content: str | None, expected: str) -> None:
    create_project(project_path, PASSWORD).close()
    bad = tmp_path / "pw.txt"
    if content is not None:
        bad.write_text(content)
    result = earmark("info", str(project_path), "--password-file", str(bad))
    assert result.returncode == 1 and expected in result.stderr and str(bad) in result.stderr


def test_a_password_ending_in_spaces_keeps_them(project_path: Path, tmp_path: Path) -> None:
    create_project(project_path, "trailing  ").close()
    kept = tmp_path / "pw.txt"
    kept.write_text("trailing  \r\n")  # only the one line ending goes
    assert earmark("info", str(project_path), "--password-file", str(kept)).returncode == 0


def test_transcribe_into_a_new_project_with_a_password_encrypts_it(clip: Path, project_path: Path,
                                                                   password_file: Path) -> None:
    result = earmark("transcribe", str(clip), "--project", str(project_path), "--password-file", str(password_file))
    assert result.returncode == 0, result.stderr
    assert "encrypted" in result.stderr and "cannot be recovered" in result.stderr
    assert encryption.is_encrypted(project_path)


def test_encrypt_password_decrypt_commands(project_path: Path, password_file: Path, tmp_path: Path) -> None:
    with create_project(project_path) as project:
        add_turns(project, "M01", [("SN1", "Hot issues first.")])
    encrypted = earmark("encrypt", str(project_path), "--password-file", str(password_file))
    assert encrypted.returncode == 0, encrypted.stderr
    assert "cannot be recovered" in encrypted.stderr and encryption.is_encrypted(project_path)
    again = earmark("encrypt", str(project_path), password=PASSWORD)
    assert again.returncode == 1 and "already encrypted" in again.stderr

    new_file = tmp_path / "new.txt"
    new_file.write_text("second\n")
    changed = earmark("password", str(project_path), "--password-file", str(password_file),
                      "--new-password-file", str(new_file))
    assert changed.returncode == 0, changed.stderr
    assert earmark("info", str(project_path), password=PASSWORD).returncode == 1
    no_new = earmark("password", str(project_path), password="second")
    assert no_new.returncode == 1 and "--new-password-file" in no_new.stderr

    wrong = earmark("decrypt", str(project_path), password=PASSWORD)
    assert wrong.returncode == 1 and "wrong" in wrong.stderr and encryption.is_encrypted(project_path)
    decrypted = earmark("decrypt", str(project_path), password="second")
    assert decrypted.returncode == 0, decrypted.stderr
    assert not encryption.is_encrypted(project_path)
    shell = subprocess.run(["/usr/bin/sqlite3", str(project_path), "SELECT text FROM segments"],
                           capture_output=True, text=True)
    assert shell.stdout.strip() == "Hot issues first."


def test_new_without_a_password_and_without_a_terminal_creates_nothing(project_path: Path) -> None:
    result = earmark("new", str(project_path), "--encrypted")
    assert result.returncode == 1 and "--password-file" in result.stderr
    assert not project_path.exists()
    plain = earmark("new", str(project_path))
    assert plain.returncode == 0 and not encryption.is_encrypted(project_path)


# --- in a terminal -------------------------------------------------------------------------------

def in_terminal(args: list[str], answers: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run the command line in a pseudo-terminal, typing each answer when a prompt ends in ': '."""
    import pty

    pid, terminal = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling terminal, as in a shell
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "app", *args])
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:  # the child closed the terminal: it has finished
            break
        if not chunk:
            break
        output += chunk
        if pending and output.rstrip(b" ").endswith(b":"):
            os.write(terminal, pending.pop(0).encode() + b"\n")
            output += b"\n"
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_terminal_is_asked_for_the_password_and_asked_again_when_wrong(project_path: Path) -> None:
    with create_project(project_path, PASSWORD) as project:
        add_turns(project, "M01", [("SN1", "Hot issues first.")])
    code, output = in_terminal(["show", str(project_path)], ["wrong", PASSWORD])
    assert code == 0, output
    assert output.count("Password for") == 2 and "Wrong password" in output
    assert "Hot issues first." in output and PASSWORD not in output, "the password is not echoed"


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_new_encrypted_in_a_terminal_asks_twice_after_the_warning(project_path: Path) -> None:
    code, output = in_terminal(["new", str(project_path), "--encrypted"], ["first try", "first typo", "agreed", "agreed"])
    assert code == 0, output
    assert output.index("cannot be recovered") < output.index("New password")
    assert "differ" in output
    with open_project(project_path, "agreed") as project:
        assert project.encrypted
