"""external ids: customer.external_ids ({system: id}) and external_id, the lookup that keeps
each system's ids unique per kind of record

Revision ID: 7d2f9e4c1a63
Revises: 4e8a1c6b2d90
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "7d2f9e4c1a63"
down_revision: str | Sequence[str] | None = "4e8a1c6b2d90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "external_id",
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("entity_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "system", "value", name=op.f("pk_external_id")),
        sa.UniqueConstraint("entity_type", "entity_id", "system", name="uq_external_id_entity"),
    )
    # Plain ALTER TABLE on SQLite too (3.35+): a batch rebuild of customer would break the
    # customer_tag triggers that name it.
    op.add_column("customer", sa.Column("external_ids", Json, nullable=True))


def downgrade() -> None:
    op.drop_column("customer", "external_ids")
    op.drop_table("external_id")
