"""Meetings for every source, imported documents, and the pseudonym list.

- transcripts.meeting_id: a transcript (of a recording, or a typed or imported document such as
  minutes or field notes) can belong to a meeting. Added with plain ALTER TABLE, not a batch
  rebuild: transcripts carry no full-text triggers, but a rebuild would be needless copying.
- transcripts.source_file: the file name a document was imported from (TXT, DOCX), for the user.
- pseudonyms: real names and their replacements, applied to transcripts or only to exports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE transcripts ADD COLUMN meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL")
    op.execute("ALTER TABLE transcripts ADD COLUMN source_file TEXT")
    op.create_index("ix_transcripts_meeting", "transcripts", ["meeting_id"])
    op.create_table(
        "pseudonyms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("real_name", sa.Text(), nullable=False),
        sa.Column("replacement", sa.Text(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pseudonyms")
    op.drop_index("ix_transcripts_meeting", "transcripts")
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_column("source_file")
        batch.drop_column("meeting_id")
