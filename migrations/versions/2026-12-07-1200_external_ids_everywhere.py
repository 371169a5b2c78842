"""external ids everywhere: external_ids ({system: id}) on contact, customer_order, ticket,
follow_up and opportunity, as on customer; the external_id lookup holds their ids too

Revision ID: 5b7e3d9a2c41
Revises: 8e4a2f6c1d93
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "5b7e3d9a2c41"
down_revision: str | Sequence[str] | None = "8e4a2f6c1d93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = ("contact", "customer_order", "ticket", "follow_up", "opportunity")


def upgrade() -> None:
    # Plain ALTER TABLE on SQLite too, never a batch rebuild: see 2026-12-06-1830.
    for table in TABLES:
        op.add_column(table, sa.Column("external_ids", Json, nullable=True))


def downgrade() -> None:
    entity_types = ("contact", "order", "ticket", "follow_up", "opportunity")
    op.execute(
        sa.text("DELETE FROM external_id WHERE entity_type IN :types").bindparams(
            sa.bindparam("types", entity_types, expanding=True)
        )
    )
    for table in TABLES:
        op.drop_column(table, "external_ids")
