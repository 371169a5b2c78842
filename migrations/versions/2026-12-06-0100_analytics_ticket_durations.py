"""analytics: working minutes to first response and to resolution, reopen count, time indexes

Revision ID: a7c3e1f05b21
Revises: 8a4c1e7b2d90
Create Date: 2026-12-06 01:00:00

The on-time rates, medians and p90s of the service figures are aggregates over these stored
durations: working minutes on the ticket's own SLA calendar, pauses left out, written by the
ticket service when the target is fulfilled. Computing them at read time would walk the
business calendar for every ticket of a year. Tickets fulfilled before this revision keep
NULL and are left out of those figures.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c3e1f05b21"
down_revision: str | Sequence[str] | None = "8a4c1e7b2d90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "ticket", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("first_response_elapsed_minutes", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("resolution_elapsed_minutes", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_ticket_opened_at", ["opened_at"], unique=False)
        batch_op.create_index("ix_ticket_resolved_at", ["resolved_at"], unique=False)
        batch_op.create_index("ix_ticket_closed_at", ["closed_at"], unique=False)
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.create_index("ix_customer_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_customer_created_at")
    with op.batch_alter_table(
        "ticket", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_ticket_closed_at")
        batch_op.drop_index("ix_ticket_resolved_at")
        batch_op.drop_index("ix_ticket_opened_at")
        batch_op.drop_column("reopen_count")
        batch_op.drop_column("resolution_elapsed_minutes")
        batch_op.drop_column("first_response_elapsed_minutes")
