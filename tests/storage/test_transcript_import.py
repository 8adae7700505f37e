"""Importing another tool's transcript into a project: tied to a recording or not; a broken or
mismatched file adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import transcripts
from storage.errors import ProjectError
from storage.models import AuditEntry, Transcript
from storage.project import Project, create_project
from storage.recordings import MediaFacts, add_recording
from storage.transcript_formats import TranscriptFormatError
from storage.transcript_import import import_transcript, timed_words

TEAMS = "WEBVTT\n\n0:0:1.0 --> 0:0:3.0\n<v SN1>Hot issues first.</v>\n\n0:0:2.5 --> 0:0:5.0\n<v CG>We need to review it.</v>\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with create_project(tmp_path / "study.earmark") as opened:
        yield opened


def recording(project: Project, tmp_path: Path, duration: float = 60.0) -> int:
    media = tmp_path / "M04.flac"
    media.write_bytes(b"not read here")
    return add_recording(project, MediaFacts(media, "ab" * 32, duration, 1, 16000))[0].id


def transcript_count(project: Project) -> int:
    with project.session() as session:
        return session.scalar(select(func.count()).select_from(Transcript))


def test_a_teams_file_tied_to_a_recording_keeps_speakers_and_times(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "M04 Teams.vtt"
    path.write_text(TEAMS, encoding="utf-8")
    done = import_transcript(project, path, recording_id=recording(project, tmp_path))
    turns = transcripts.segments(project, done.transcript.id)
    assert [(t.speaker, t.start, t.end, t.text) for t in turns] == [
        ("SN1", 1.0, 3.0, "Hot issues first."), ("CG", 2.5, 5.0, "We need to review it.")]
    assert turns[0].words[0].text == "Hot" and turns[0].words[0].start == 1.0 and turns[0].words[-1].end == 3.0
    assert done.transcript.recording_id is not None and done.transcript.name == "M04 Teams"
    with project.session() as session:
        assert session.scalars(select(AuditEntry.action)).all()[-1] == "transcript_imported"


def test_a_transcript_longer_than_its_recording_is_refused_and_adds_nothing(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "other.vtt"
    path.write_text(TEAMS, encoding="utf-8")
    short = recording(project, tmp_path, duration=2.0)
    with pytest.raises(ProjectError, match="runs to 5.0 s but the recording lasts 2.0 s"):
        import_transcript(project, path, recording_id=short)
    assert transcript_count(project) == 0


def test_a_broken_file_adds_nothing(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:0x,000\nOne\n", encoding="utf-8")
    with pytest.raises(TranscriptFormatError, match="broken.srt, line 2"):
        import_transcript(project, path)
    assert transcript_count(project) == 0


def test_a_file_without_times_becomes_a_text_source(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("SN1: Hot issues first.\nCG: Agreed.\n", encoding="utf-8")
    done = import_transcript(project, path)
    assert done.transcript.kind == "document" and done.transcript.segment_count == 2
    with pytest.raises(ProjectError, match="no times, so it cannot play in sync"):
        import_transcript(project, path, recording_id=recording(project, tmp_path))


def test_words_share_their_turn_by_length() -> None:
    assert timed_words("a bbb", 0.0, 4.0) == [["a", 0.0, 1.0, 1.0], ["bbb", 1.0, 4.0, 1.0]]


NVIVO = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "transcripts" / "nvivo-style-transcribeme"


@pytest.mark.skipif(not NVIVO.is_dir(), reason="../shared/testdata is absent")
def test_the_nvivo_windows_transcript_imports_with_31_turns_by_s1_and_s2(project: Project) -> None:
    done = import_transcript(project, next(NVIVO.glob("*nvivo-pc.txt")))
    turns = transcripts.segments(project, done.transcript.id)
    assert done.format == "nvivo-windows" and len(turns) == 31 and {t.speaker for t in turns} == {"S1", "S2"}
    assert [t.start for t in turns] == sorted(t.start for t in turns)
