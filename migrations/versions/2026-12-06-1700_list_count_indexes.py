"""counts and breached tickets from indexes: ix_customer_owner_id_archived_id and
ix_customer_stage_archived_id replace the same without `archived`; ix_ticket_first_response_due_at,
ix_ticket_resolution_due_at

Revision ID: 9c4e2a7b5d18
Revises: 6b1d8f3a2c57
Create Date: 2026-12-06 17:00:00

Every customer list filters on `archived`; with it in the owner and stage indexes, a page and
its count (up to 10,000) read the index alone. The ticket list's sla_state=breached read the
whole table.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9c4e2a7b5d18"
down_revision: str | Sequence[str] | None = "6b1d8f3a2c57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customer_owner_id_archived_id", "customer", ["owner_id", "archived", "id"])
    op.drop_index("ix_customer_owner_id_id", table_name="customer")
    op.create_index("ix_customer_stage_archived_id", "customer", ["stage", "archived", "id"])
    op.drop_index("ix_customer_stage_id", table_name="customer")
    op.create_index("ix_ticket_first_response_due_at", "ticket", ["first_response_due_at"])
    op.create_index("ix_ticket_resolution_due_at", "ticket", ["resolution_due_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_resolution_due_at", table_name="ticket")
    op.drop_index("ix_ticket_first_response_due_at", table_name="ticket")
    op.create_index("ix_customer_stage_id", "customer", ["stage", "id"])
    op.drop_index("ix_customer_stage_archived_id", table_name="customer")
    op.create_index("ix_customer_owner_id_id", "customer", ["owner_id", "id"])
    op.drop_index("ix_customer_owner_id_archived_id", table_name="customer")
