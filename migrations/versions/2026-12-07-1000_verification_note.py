"""verification note: customer.verification_note, the note of the last check (核实), kept on
the customer so that the page reads it with the customer instead of searching the history

Revision ID: 3c9d1e7f5b20
Revises: 5b7e2c9d4a18
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3c9d1e7f5b20"
down_revision: str | Sequence[str] | None = "5b7e2c9d4a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The note of the check that set verified_at: the `verify` event at that same instant.
BACKFILL = {
    "postgresql": """
        UPDATE customer AS c SET verification_note = e.changes -> 'note' ->> 1
        FROM audit_event AS e
        WHERE e.entity_type = 'customer' AND e.entity_id = c.id AND e.action = 'verify'
          AND e.at = c.verified_at AND e.changes ? 'note'
    """,
    "sqlite": """
        UPDATE customer SET verification_note = (
            SELECT json_extract(e.changes, '$.note[1]') FROM audit_event AS e
            WHERE e.entity_type = 'customer' AND e.entity_id = customer.id
              AND e.action = 'verify' AND e.at = customer.verified_at
            ORDER BY e.id DESC LIMIT 1
        )
        WHERE verified_at IS NOT NULL
    """,
}


def upgrade() -> None:
    # Plain ALTER TABLE on SQLite too: a batch rebuild of customer would break its triggers.
    op.add_column("customer", sa.Column("verification_note", sa.Text(), nullable=True))
    op.execute(BACKFILL[op.get_bind().dialect.name])


def downgrade() -> None:
    op.drop_column("customer", "verification_note")
