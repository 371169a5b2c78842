"""an agent's open tickets newest first: ix_ticket_assignee_open

Revision ID: 7c2a9e4d1b36
Revises: 5b7c2e9a4f10
Create Date: 2026-12-07 17:00:00

At a million tickets "my open tickets" walked the primary key backwards past every other
agent's tickets and their own finished ones (27,000 rows for a page, 7 ms): (assignee_id,
status) serves counts by status, not a page by id. Partial, on the open statuses
(domain.ticket.OPEN), so that a filter on any of them can use it; an agent's tickets of every
status are one in thirty, which the primary key finds soon enough.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7c2a9e4d1b36"
down_revision: str | Sequence[str] | None = "5b7c2e9a4f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('assigned', 'in_progress', 'new', 'reopened', 'waiting_customer')"


def upgrade() -> None:
    op.create_index(
        "ix_ticket_assignee_open",
        "ticket",
        ["assignee_id", "id"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_assignee_open", table_name="ticket")
