"""one owner's lists: ix_customer_owner_name_sort, ix_customer_owner_last_contact_sort, and the
due list's ix_follow_up_open_next_action in place of ix_follow_up_owner_id_next_action_due_on

Revision ID: 8d3b1f6e2a95
Revises: 7c2a9e4d1b36
Create Date: 2026-12-07 17:30:00

At a million customers an account manager's list by name (and anyone's list of one owner by
last contact) walked the whole table's sort index past the other owners' customers (7,000 rows
for a page, 21 ms): each gets an index on (owner_id, its sort key, id). The due list read every
follow-up of its owner due by today, done ones included, for a few hundred open ones (20 ms);
its index now holds only open next actions (persistence/follow_up_repo.py open_next_action).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8d3b1f6e2a95"
down_revision: str | Sequence[str] | None = "7c2a9e4d1b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EPOCH = {
    "postgresql": "'1970-01-01 00:00:00+00'::timestamptz",
    "sqlite": "'1970-01-01 00:00:00.000000'",
}
OPEN_NEXT_ACTION = "next_action IS NOT NULL AND next_action_done_at IS NULL"


def upgrade() -> None:
    epoch = EPOCH[op.get_bind().dialect.name]
    op.create_index("ix_customer_owner_name_sort", "customer", ["owner_id", "name_sort", "id"])
    op.create_index(
        "ix_customer_owner_last_contact_sort",
        "customer",
        ["owner_id", sa.text(f"coalesce(last_contact_at, {epoch})"), "id"],
    )
    op.drop_index("ix_follow_up_owner_id_next_action_due_on", table_name="follow_up")
    op.create_index(
        "ix_follow_up_open_next_action",
        "follow_up",
        ["owner_id", "next_action_due_on"],
        postgresql_where=sa.text(OPEN_NEXT_ACTION),
        sqlite_where=sa.text(OPEN_NEXT_ACTION),
    )


def downgrade() -> None:
    op.drop_index("ix_follow_up_open_next_action", table_name="follow_up")
    op.create_index(
        "ix_follow_up_owner_id_next_action_due_on", "follow_up", ["owner_id", "next_action_due_on"]
    )
    op.drop_index("ix_customer_owner_last_contact_sort", table_name="customer")
    op.drop_index("ix_customer_owner_name_sort", table_name="customer")
