"""change feed: audit_event.txid, the writing transaction's id on PostgreSQL, so that the
change feed reads entries in commit order (rows of transactions older than its snapshot's
xmin only); SQLite keeps it NULL, its writers being serialised

Revision ID: 8e4a2f6c1d93
Revises: 8f3a6d2c9e41
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8e4a2f6c1d93"
down_revision: str | Sequence[str] | None = "8f3a6d2c9e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.add_column("audit_event", sa.Column("txid", sa.BigInteger(), nullable=True))
        return
    # A constant default fills the existing rows without rewriting the table (PostgreSQL 11+):
    # they all come first in the feed. New rows then get their transaction's id.
    op.execute("ALTER TABLE audit_event ADD COLUMN txid bigint DEFAULT 0")
    op.execute(
        "ALTER TABLE audit_event ALTER COLUMN txid SET DEFAULT pg_current_xact_id()::text::bigint"
    )
    op.create_index("ix_audit_event_txid_id", "audit_event", ["txid", "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_audit_event_txid_id", table_name="audit_event")
    op.drop_column("audit_event", "txid")
