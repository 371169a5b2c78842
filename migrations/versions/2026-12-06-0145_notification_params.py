"""notifications: the parameters a reader's language renders them from

Revision ID: 7a1c9e4b2d60
Revises: b84d2f6a1c37
Create Date: 2026-12-06 01:45:00

Notifications were stored as finished Chinese text (`title`), so an English reader got
Chinese. `params` holds what the text is made of (a customer's name, a ticket's code and
title); the web app renders `kind` + `params` in the reader's language and `title` stays for
e-mail and for rows written before this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "7a1c9e4b2d60"
down_revision: str | Sequence[str] | None = "b84d2f6a1c37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column(
                "params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("params")
