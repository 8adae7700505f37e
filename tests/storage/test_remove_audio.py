"""Removing a recording's audio on a real project file: the file goes from disk, the transcript,
its codings and memos stay, the audit records the file's name, hash, duration and when; a file
that cannot be deleted changes nothing; transcription refuses to start on removed audio."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import codebook, coding, memos, recordings, sources, transcripts
from storage.analysis_records import Anchor
from storage.errors import ProjectError
from storage.models import AuditEntry, Recording
from storage.project import Project, create_project, open_project
from tests.helpers import turn_segments

TURNS = [("SN1", "We had an unexpected death during transfer."), ("CG", "The handover was the problem.")]


@pytest.fixture
def project(project_path: Path):  # noqa: ANN201
    with create_project(project_path) as opened:
        yield opened


def add_recording(project: Project, media: Path, content_hash: str = "abc123") -> tuple[int, int]:
    """A recording of `media` with a transcript of TURNS, a coding and two memos."""
    recording, added = recordings.add_recording(project, recordings.MediaFacts(media, content_hash, 20.0, 1, 16000))
    assert added
    transcript = transcripts.create_transcript(project, "M04", recording.id)
    rows = transcripts.append_segments(project, transcript.id, turn_segments(TURNS), 20.0)
    transcripts.mark_finished(project, transcript.id, "done", covered_until=20.0)
    code = codebook.create_code(project, "Reviewing discharge procedures")
    coded = coding.apply_code(project, code.id, transcript.id, Anchor(rows[0].id, 0), Anchor(rows[1].id, 12))
    assert coded is not None
    memos.add_memo(project, "transcript", transcript.id, body="Listened to it twice.")
    memos.add_memo(project, "coding", coded.id, body="Story of the transfer.")
    return recording.id, transcript.id


@pytest.fixture
def media(project_path: Path, sample: Path) -> Path:
    copy = project_path.parent / "M04.wav"
    shutil.copy(sample, copy)
    return copy


def kept(project: Project, transcript_id: int) -> tuple[list[str], int, int]:
    turns = [turn.text for turn in transcripts.segments(project, transcript_id)]
    codings = coding.codings_in_transcript(project, transcript_id)
    notes = memos.memos_for(project, "transcript", transcript_id) + memos.memos_for(project, "coding", codings[0].id)
    return turns, len(codings), len(notes)


def test_remove_audio_deletes_the_file_keeps_the_rest_and_writes_the_audit(project: Project, media: Path) -> None:
    recording_id, transcript_id = add_recording(project, media)
    facts = recordings.audio_facts(project, recording_id)
    assert (facts.exists, facts.removed_on, facts.transcripts, facts.turns, facts.codings, facts.memos) == (
        True, None, ("M04",), 2, 1, 2)
    before = kept(project, transcript_id)

    after = recordings.remove_audio(project, recording_id)

    assert not media.exists() and not list(media.parent.glob("*.earmark-removing"))
    assert after.removed_on is not None and not after.exists
    assert kept(project, transcript_id) == before
    assert recordings.get_recording(project, recording_id).audio_deleted
    with project.session() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "audio_removed")).all()
        removed_at = session.get(Recording, recording_id).audio_deleted_at
    assert entry.details["file"] == "M04.wav" and entry.details["content_hash"] == "abc123"
    assert entry.details["duration"] == 20.0 and entry.details["file_was_missing"] is False
    assert entry.details["when"].startswith(removed_at.date().isoformat())
    reason = sources.playback_unavailable(project, transcript_id)
    assert reason is not None and reason.startswith(f"Audio removed on {after.removed_on} (recorded in the audit)")
    with pytest.raises(ProjectError, match="already removed"):
        recordings.remove_audio(project, recording_id)


def test_removal_survives_reopening(project_path: Path, media: Path) -> None:
    with create_project(project_path) as project:
        recording_id, transcript_id = add_recording(project, media)
        recordings.remove_audio(project, recording_id)
    with open_project(project_path) as project:
        assert recordings.get_recording(project, recording_id).audio_deleted
        assert kept(project, transcript_id)[1:] == (1, 2)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may delete files in a read-only folder")
def test_a_file_that_cannot_be_deleted_changes_nothing(project: Project, tmp_path: Path, sample: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    media = locked / "M04.wav"
    shutil.copy(sample, media)
    recording_id, _ = add_recording(project, media)
    locked.chmod(0o555)
    try:
        with pytest.raises(ProjectError, match=r"Cannot delete .*M04\.wav.*Nothing was changed"):
            recordings.remove_audio(project, recording_id)
    finally:
        locked.chmod(0o755)
    assert media.exists()
    assert not recordings.get_recording(project, recording_id).audio_deleted
    with project.session() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "audio_removed")).first() is None


def test_a_refused_delete_changes_nothing_even_as_root(project: Project, media: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder test above cannot refuse root (as in this container): here the operating
    system's refusal is simulated at the one call that moves the file."""
    recording_id, _ = add_recording(project, media)

    def refuse(source: object, _target: object) -> None:
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr("storage.recordings.os.replace", refuse)
    with pytest.raises(ProjectError, match=r"Cannot delete .*M04\.wav: Permission denied\. Nothing was changed"):
        recordings.remove_audio(project, recording_id)
    assert media.exists() and not recordings.get_recording(project, recording_id).audio_deleted


def test_a_failed_project_write_puts_the_file_back(project: Project, media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recording_id, _ = add_recording(project, media)

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise ProjectError("Cannot write the project: the disk is full.")

    monkeypatch.setattr(type(project), "write", full_disk)
    with pytest.raises(ProjectError, match="disk is full"):
        recordings.remove_audio(project, recording_id)
    assert media.exists() and not list(media.parent.glob("*.earmark-removing"))


def test_a_missing_file_is_recorded_as_removed(project: Project, media: Path) -> None:
    recording_id, transcript_id = add_recording(project, media)
    media.unlink()
    reason = sources.playback_unavailable(project, transcript_id)
    assert reason is not None and "The recording file M04.wav is missing" in reason and str(media) in reason
    recordings.remove_audio(project, recording_id)
    with project.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "audio_removed")).one()
    assert entry.details["file_was_missing"] is True


def test_a_file_another_recording_plays_is_not_deleted(project: Project, media: Path) -> None:
    first, _ = add_recording(project, media, "hash-one")
    second, _ = recordings.add_recording(project, recordings.MediaFacts(media, "hash-two", 20.0, 1, 16000))
    with pytest.raises(ProjectError, match=rf"also the audio of M04\.wav \(recording {second.id}\)"):
        recordings.remove_audio(project, first)
    assert media.exists()


def test_read_only_project_refuses(project_path: Path, media: Path) -> None:
    with create_project(project_path) as project:
        recording_id, _ = add_recording(project, media)
    with open_project(project_path, read_only=True) as project:
        with pytest.raises(ProjectError, match="read-only"):
            recordings.remove_audio(project, recording_id)
    assert media.exists()


def test_transcription_refuses_removed_audio(project: Project, media: Path, sample: Path) -> None:
    from app.jobs import prepare

    recording_id, _ = add_recording(project, media)
    recordings.remove_audio(project, recording_id)
    shutil.copy(sample, media)  # the same file put back under the same name
    with pytest.raises(ProjectError, match=r"audio of M04\.wav was removed on .* cannot be transcribed again"):
        prepare(project, media)
    assert recordings.removed_audio_at(project, media.parent / "other.wav") is None


def test_transcription_refuses_a_copy_of_removed_audio_from_elsewhere(project: Project, media: Path,
                                                                     sample: Path) -> None:
    from app.jobs import prepare

    prepared = prepare(project, media)
    recordings.remove_audio(project, prepared.recording.id)
    copy = media.parent / "backup of M04.wav"  # found again by its content, not its place
    shutil.copy(sample, copy)
    with pytest.raises(ProjectError, match=r"audio of M04\.wav was removed on"):
        prepare(project, copy)
    assert len(recordings.list_recordings(project)) == 1
