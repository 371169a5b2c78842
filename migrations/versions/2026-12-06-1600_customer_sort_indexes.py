"""customer list sorts read in index order: ix_customer_last_contact_sort, ix_customer_grade_rank,
ix_customer_updated_at_id, ix_customer_cumulative_amount_id

Revision ID: 3a7c5e2f9b14
Revises: 8f2c6a1d4b37
Create Date: 2026-12-06 16:00:00

Each sort the customer list offers gets an index on exactly its key and id (persistence/models.py
LAST_CONTACT_SORT, GRADE_RANK): at a million customers a sort without one read and sorted the
whole table for every page. The expressions spell their constants as the list's statements do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3a7c5e2f9b14"
down_revision: str | Sequence[str] | None = "8f2c6a1d4b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRADE_RANK = (
    "(CASE WHEN (grade = 'S') THEN 4 WHEN (grade = 'A') THEN 3 WHEN (grade = 'B') THEN 2 "
    "WHEN (grade = 'C') THEN 1 ELSE 0 END)"
)
EPOCH = {
    "postgresql": "'1970-01-01 00:00:00+00'::timestamptz",
    "sqlite": "'1970-01-01 00:00:00.000000'",
}


def upgrade() -> None:
    epoch = EPOCH[op.get_bind().dialect.name]
    op.create_index(
        "ix_customer_last_contact_sort",
        "customer",
        [sa.text(f"coalesce(last_contact_at, {epoch})"), "id"],
    )
    op.create_index("ix_customer_grade_rank", "customer", [sa.text(GRADE_RANK), "id"])
    op.create_index("ix_customer_updated_at_id", "customer", ["updated_at", "id"])
    op.create_index("ix_customer_cumulative_amount_id", "customer", ["cumulative_amount", "id"])


def downgrade() -> None:
    for name in (
        "ix_customer_cumulative_amount_id",
        "ix_customer_updated_at_id",
        "ix_customer_grade_rank",
        "ix_customer_last_contact_sort",
    ):
        op.drop_index(name, table_name="customer")
