"""Hostile and broken REFI-QDA files (tests/storage/hostile/corpus.py, built on the fly): each is
refused with an ExchangeError that names the file and says what is wrong; the file system under
the test's folder is exactly as before (names and contents), nothing appears outside it, the
project's tables hold the same rows, and the project still opens. A secret file on disk that
the hostile files point at never reaches the project or the messages."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import inspect, text

from storage import codebook, coding, sources
from storage.analysis_records import Anchor
from storage.project import Project, create_project, open_project
from storage.refi_qda import ExchangeError
from storage.refi_qda.archive import QdpxArchive
from storage.refi_qda.import_ import import_qdc, import_qdpx
from storage.refi_qda.safe_xml import parse_xml
from tests.storage.hostile.build import qde, write_qdpx
from tests.storage.hostile.corpus import CORPUS, QDC_CORPUS, SLIP_NAME, Hostile

SECRET = "TOP-SECRET-7c1f0e: the ward manager's home address"


@pytest.fixture
def scene(tmp_path: Path) -> dict[str, Path]:
    """A project with a little in it, a folder the hostile file is written to, and a secret file
    elsewhere on the disk."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    secret = elsewhere / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = work / "study.earmark"
    with create_project(path) as project:
        code = codebook.create_code(project, "Handover")
        source = sources.create_text_source(project, "minutes", "Minutes M04", paragraphs=["SN1 opened the meeting."])
        turn = coding_turn(project, source.transcript_id)
        coding.apply_code(project, code.id, source.transcript_id, Anchor(turn, 0), Anchor(turn, 3))
    return {"root": tmp_path, "work": work, "secret": secret, "project": path}


def coding_turn(project: Project, transcript_id: int) -> int:
    from storage.transcripts import segments

    return segments(project, transcript_id)[0].id


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root`: its name and a hash of its content. SQLite's shared-memory index
    (-shm) is listed but not hashed: readers write their read marks into it."""
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "link to " + os.readlink(path)
            elif name.endswith("-shm"):
                found[key] = "shared memory"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def row_counts(project: Project) -> dict[str, int]:
    with project.session() as session:
        tables = inspect(session.connection()).get_table_names()
        return {table: session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


def everything_stored(project: Project) -> str:
    with project.session() as session:
        turns = session.execute(text("SELECT group_concat(text, ' ') FROM segments")).scalar() or ""
        memos = session.execute(text("SELECT group_concat(body, ' ') FROM memos")).scalar() or ""
        names = session.execute(text("SELECT group_concat(name, ' ') FROM transcripts")).scalar() or ""
    return f"{turns} {memos} {names}"


def refused_unchanged(scene: dict[str, Path], case: Hostile, importer) -> str:  # noqa: ANN001
    hostile = case.make(scene["work"], scene["secret"])
    with open_project(scene["project"]) as project:
        files, rows = snapshot(scene["root"]), row_counts(project)
        with pytest.raises(ExchangeError) as refused:
            importer(project, hostile)
        message = str(refused.value)
        assert row_counts(project) == rows
        assert snapshot(scene["root"]) == files, "the import changed files on disk"
    for where in (scene["root"].parent, scene["root"].parent.parent, Path("/tmp")):
        assert not (where / SLIP_NAME).exists(), f"something was written to {where}"
    with open_project(scene["project"]) as project:  # it still opens, and holds what it held
        assert [c.name for c in codebook.codes_tree(project)] == ["Handover"]
        assert SECRET not in everything_stored(project)
    assert hostile.name in message, message
    assert case.says in message, message
    assert SECRET not in message
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_a_hostile_qdpx_is_refused_and_changes_nothing(scene: dict[str, Path], case: Hostile) -> None:
    refused_unchanged(scene, case, import_qdpx)


@pytest.mark.parametrize("case", QDC_CORPUS, ids=lambda case: case.name)
def test_a_hostile_qdc_is_refused_and_changes_nothing(scene: dict[str, Path], case: Hostile) -> None:
    refused_unchanged(scene, case, import_qdc)


def test_a_text_outside_the_archive_is_refused_even_after_a_good_source(scene: dict[str, Path]) -> None:
    """The good source before it was read but is not written: one transaction, nothing half-done."""
    case = next(case for case in CORPUS if case.name == "plainTextPath absolute://")
    message = refused_unchanged(scene, case, import_qdpx)
    assert "“Secret”" in message and "never other files on this computer" in message
    with open_project(scene["project"], read_only=True) as project:
        assert [source.name for source in sources.list_sources(project)] == ["Minutes M04"]


def test_refusals_say_what_to_do(scene: dict[str, Path]) -> None:
    message = refused_unchanged(scene, CORPUS[0], import_qdpx)
    assert "Earmark has changed nothing" in message and "tampered" in message


def test_a_missing_file_is_refused_with_its_name(scene: dict[str, Path]) -> None:
    with open_project(scene["project"]) as project, pytest.raises(ExchangeError, match="gone.qdpx does not exist"):
        import_qdpx(project, scene["work"] / "gone.qdpx")


def test_a_read_only_project_is_refused_before_the_file_is_read(scene: dict[str, Path]) -> None:
    good = write_qdpx(scene["work"] / "good.qdpx", qde())
    with open_project(scene["project"], read_only=True) as project, pytest.raises(ExchangeError, match="read-only"):
        import_qdpx(project, good)


def test_an_entry_is_read_with_a_cap_on_what_it_really_unpacks_to(tmp_path: Path) -> None:
    path = write_qdpx(tmp_path / "small.qdpx", qde(), {"Sources/a.txt": b"x" * 5000})
    with QdpxArchive.open(path) as archive:
        assert archive.read("Sources/a.txt") == b"x" * 5000
        with pytest.raises(ExchangeError, match="unpacks to more than"):
            archive.read("Sources/a.txt", limit=4999)


def test_an_archive_is_read_with_a_cap_on_everything_it_unpacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.refi_qda import archive

    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 8000)
    path = write_qdpx(tmp_path / "two.qdpx", qde(), {"Sources/a.txt": b"x" * 5000, "Sources/b.txt": b"y" * 5000})
    with QdpxArchive.open(path) as opened:
        opened.read("Sources/a.txt")
        with pytest.raises(ExchangeError, match="b.txt' with the entries read before it, unpacks to more than 8000 bytes"):
            opened.read("Sources/b.txt")


def test_broken_xml_says_where(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match=r"notes.qdc, line 3, column 3: the XML is broken \(mismatched tag\)"):
        parse_xml(b"<a>\n<b>\n</a>", "notes.qdc")
    with pytest.raises(ExchangeError, match="more than the 0 MB"):
        parse_xml(b"<a/>" * 1000, "big.qdc", limit=100)


# --- any damage to a well-formed project: imported, or refused cleanly ------------------------------

_GARBAGE = ("", "-1", "x", "9" * 40, "{", "internal://../x", "internal://", "#zzz", "absolute:///etc/passwd",
            "00000064-0000-4000-8000-000000000000", "2024-13-45T99:00:00Z", "Diary 2024-13-45 (decision): x")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_attributes_are_imported_or_refused_cleanly(data: st.DataObject) -> None:
    """Any attribute of a rich project.qde replaced by garbage: the import either works or is
    an ExchangeError, and a refused import leaves the project as it was."""
    from tests.storage.test_refi_import import full_project

    with tempfile.TemporaryDirectory() as folder:
        original = full_project(Path(folder) / "full.qdpx")
        with zipfile.ZipFile(original) as archive:
            entries = {name: archive.read(name) for name in archive.namelist()}
        text = entries["project.qde"].decode()
        places = [match.span(2) for match in _ATTRIBUTE.finditer(text)]
        chosen = sorted(set(data.draw(st.lists(st.sampled_from(places), min_size=1, max_size=6))), reverse=True)
        for start, end in chosen:
            text = text[:start] + data.draw(st.sampled_from(_GARBAGE)) + text[end:]
        entries["project.qde"] = text.encode()
        damaged = Path(folder) / "damaged.qdpx"
        with zipfile.ZipFile(damaged, "w") as archive:
            for name, content in entries.items():
                archive.writestr(name, content)
        with create_project(Path(folder) / "p.earmark") as project:
            rows = row_counts(project)
            try:
                summary = import_qdpx(project, damaged)
            except ExchangeError as error:
                assert "damaged.qdpx" in str(error)
                assert row_counts(project) == rows
            else:
                assert summary.sources <= 2
