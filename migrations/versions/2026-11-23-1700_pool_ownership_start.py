"""pool: when the current owner got the customer (owned_since), and the pool list's index

Revision ID: 5c0e7d1f3a92
Revises: 1925c152668b
Create Date: 2026-11-23 17:00:00

The optional "no order for M days" pool rule counts from the later of the last order and the
start of the current ownership; owner_engaged_at cannot serve, since every effective follow-up
moves it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5c0e7d1f3a92"
down_revision: str | Sequence[str] | None = "1925c152668b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Utc = sa.DateTime(timezone=True)
POOL = sa.text("owner_id IS NULL")


def upgrade() -> None:
    # SQLite rebuilds the table: keep AUTOINCREMENT, or deleted ids would be handed out again.
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("owned_since", Utc, nullable=True))
        batch_op.create_index(batch_op.f("ix_customer_owned_since"), ["owned_since"], unique=False)
        batch_op.create_index(
            "ix_customer_pool",
            ["pool_entered_at", "id"],
            unique=False,
            postgresql_where=POOL,
            sqlite_where=POOL,
        )
    # Owners so far: their ownership is taken to start when their pool clock did.
    op.execute("UPDATE customer SET owned_since = owner_engaged_at WHERE owner_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_customer_pool", postgresql_where=POOL, sqlite_where=POOL)
        batch_op.drop_index(batch_op.f("ix_customer_owned_since"))
        batch_op.drop_column("owned_since")
