"""Migrations exist from the first version: the chain is unbroken, the models match the
latest schema, and a project made by the first revision opens in the latest with its data."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage import backups, migrate, transcripts
from storage.fulltext import is_index_table
from storage.models import Base
from storage.project import create_project, open_project
from tests.helpers import project_at_revision


def test_revision_chain_is_unbroken() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, "more than one head: migrations branched"
    assert len(script.get_bases()) == 1
    chain = list(script.walk_revisions())  # head to base; raises on a gap
    assert chain[-1].down_revision is None
    for newer, older in zip(chain, chain[1:]):
        assert newer.down_revision == older.revision


def test_models_match_the_latest_migration(project_path: Path) -> None:
    create_project(project_path).close()
    engine = create_engine(f"sqlite:///{project_path}")
    with engine.connect() as connection:
        # The full-text indexes are virtual tables kept out of the ORM metadata on purpose.
        opts = {"include_name": lambda name, type_, _parent: not (type_ == "table" and is_index_table(name or ""))}
        differences = compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata)
    engine.dispose()
    # SQLite cannot report named foreign keys back exactly; tables and columns must agree.
    structural = [d for d in differences if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
    assert structural == []


def test_first_revision_project_opens_in_latest(project_path: Path) -> None:
    project_at_revision(
        project_path, "0001",
        "INSERT INTO transcripts (id, guid, name, kind, status, transcribed_until, created_at, updated_at) "
        "VALUES (1, 'g-1', 'M01', 'recording', 'done', 12.5, '2026-01-01', '2026-01-01')",
        "INSERT INTO speakers (id, guid, label) VALUES (1, 's-1', 'SN1')",
        "INSERT INTO segments (transcript_id, position, start, \"end\", speaker_id, text, words) "
        "VALUES (1, 0, 0.0, 2.0, 1, 'Good morning everyone', '[[\"Good\", 0.0, 0.4, 0.9]]')",
    )

    with open_project(project_path) as project:
        assert project.schema_revision() == migrate.head_revision()
        [transcript] = transcripts.list_transcripts(project)
        [segment] = transcripts.segments(project, transcript.id)
    assert (transcript.name, transcript.transcribed_until) == ("M01", 12.5)
    assert (segment.speaker, segment.text, segment.words[0].text) == ("SN1", "Good morning everyone", "Good")
    kept = list(backups.backup_dir(project_path).glob("*before-upgrade-from-0001*.earmark"))
    assert len(kept) == 1, "the pre-upgrade project must be backed up"
