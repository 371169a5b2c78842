"""the follow-up list newest first, everyone's and one owner's: ix_follow_up_at_id,
ix_follow_up_owner_id_at_id

Revision ID: 6b1d8f3a2c57
Revises: 3a7c5e2f9b14
Create Date: 2026-12-06 16:30:00

At a million follow-ups the list sorted the whole table for every page.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "6b1d8f3a2c57"
down_revision: str | Sequence[str] | None = "3a7c5e2f9b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_follow_up_at_id", "follow_up", ["at", "id"])
    op.create_index("ix_follow_up_owner_id_at_id", "follow_up", ["owner_id", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_owner_id_at_id", table_name="follow_up")
    op.drop_index("ix_follow_up_at_id", table_name="follow_up")
