"""a tag's customers in id order: ix_customer_tag_tag_id_customer_id in place of
ix_customer_tag_tag_id

Revision ID: 9e4c2a7b5d18
Revises: 8d3b1f6e2a95
Create Date: 2026-12-07 18:00:00

A page of the customer list in id order filtered by a tag now asks customer_tag
(persistence/customer_repo.py _tag_conditions): with the customer id in the index, a tag's
customers are read in id order and the scan stops at the page. The index on tag_id alone is
covered by the new one.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9e4c2a7b5d18"
down_revision: str | Sequence[str] | None = "8d3b1f6e2a95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customer_tag_tag_id_customer_id", "customer_tag", ["tag_id", "customer_id"])
    op.drop_index("ix_customer_tag_tag_id", table_name="customer_tag")


def downgrade() -> None:
    op.create_index("ix_customer_tag_tag_id", "customer_tag", ["tag_id"])
    op.drop_index("ix_customer_tag_tag_id_customer_id", table_name="customer_tag")
