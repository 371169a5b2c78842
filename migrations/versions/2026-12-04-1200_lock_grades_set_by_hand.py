"""customer value: lock the grades people set before the customer-value job existed

Revision ID: 3f6d2b8e9c41
Revises: 5c0e7d1f3a92
Create Date: 2026-12-04 12:00:00

`grade_locked` came with the job (1925c152668b) and started false everywhere, so the job's
first run would overwrite every grade a person had set, and clear it on customers without
orders. A grade that the job has never written (value_computed_at is NULL) was set by a
person or an import: lock it, so RFM leaves it alone until an admin unlocks it.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3f6d2b8e9c41"
down_revision: str | Sequence[str] | None = "5c0e7d1f3a92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE customer SET grade_locked = true "
        "WHERE grade IS NOT NULL AND value_computed_at IS NULL AND NOT grade_locked"
    )


def downgrade() -> None:
    # Data only: after the upgrade a locked grade cannot be told from one an admin locked.
    pass
