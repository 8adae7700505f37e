"""Which turns' speakers a person set.

- segments.speaker_by_hand: 1 when the speaker of this turn was chosen, merged, split off or
  corrected by the user; 0 when it came from automatic speaker labelling or from an imported
  file. Re-running speaker labelling never changes a turn marked 1 (issue 8). Plain ALTER TABLE:
  a batch rebuild of segments would drop and re-create its full-text triggers for nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE segments ADD COLUMN speaker_by_hand BOOLEAN NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE segments DROP COLUMN speaker_by_hand")
