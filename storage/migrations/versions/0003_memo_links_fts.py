"""Memo links and full-text search: memos.links (the codings a diary entry refers to), and FTS5
indexes over the turns' text and the memos' title and body, kept in sync by triggers.

The indexes are external-content FTS5 tables: they store only the index, not a second copy of
every transcript, and read the text back from `segments` and `memos` for snippets. The triggers
follow SQLite's documented pattern for such tables (a 'delete' command with the old values, then
an insert of the new ones). 'rebuild' indexes what an older project already holds.

Caution for later migrations: a batch (copy-and-rename) rebuild of `segments` or `memos` drops
these triggers with the old table. Such a migration must create them again and rebuild the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Diacritics folded both ways ("resume" finds "résumé"), as a researcher searching a transcript
# typed by Whisper cannot know which spelling it chose.
TOKENIZER = "unicode61 remove_diacritics 2"

# (index, content table, indexed columns)
INDEXES = (("segments_fts", "segments", ("text",)), ("memos_fts", "memos", ("title", "body")))


def _index_ddl(index: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{table}', content_rowid='id', "
        f"tokenize='{TOKENIZER}')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        # Only when indexed text changes: renumbering turns (positions) must not touch the index.
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    with op.batch_alter_table("memos") as batch:
        batch.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    for index, table, columns in INDEXES:
        for statement in _index_ddl(index, table, columns):
            op.execute(statement)


def downgrade() -> None:
    for index, _table, _columns in INDEXES:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {index}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {index}")
    with op.batch_alter_table("memos") as batch:
        batch.drop_column("links")
