"""user.language: the web app's language at sign-in and that of the user's e-mails;
user.email_muted: the topics of notifications the user gets no e-mail about

Revision ID: 8f2c6a1d4b37
Revises: 5d3b9e0a7c21
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision: str = "8f2c6a1d4b37"
down_revision: str | Sequence[str] | None = "5d3b9e0a7c21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), server_default="zh-CN", nullable=False)
        )
        batch_op.add_column(sa.Column("email_muted", Json, server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("email_muted")
        batch_op.drop_column("language")
