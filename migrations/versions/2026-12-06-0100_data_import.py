"""imports: the data_import table (one row per uploaded spreadsheet); indexes to find
duplicates of imported rows by exact customer name and by contact e-mail

Revision ID: 8a4c1e7b2d90
Revises: 7a1c4e9b2d60
Create Date: 2026-12-06 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8a4c1e7b2d90"
down_revision: str | Sequence[str] | None = "7a1c4e9b2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "data_import",
        sa.Column("id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("import_valid_rows", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sheet", sa.String(100), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("done_rows", sa.Integer(), nullable=False),
        sa.Column("counts", Json, nullable=False),
        sa.Column("mapping", Json, nullable=False),
        sa.Column("errors", Json, nullable=False),
        sa.Column("duplicates", Json, nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("report_key", sa.String(64), nullable=True),
        sa.Column("undo", Json, nullable=False),
        sa.Column("revert_result", Json, nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_data_import_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_data_import"),
    )
    op.create_index("ix_data_import_user_id_id", "data_import", ["user_id", "id"])
    op.create_index("ix_customer_name_id", "customer", ["name", "id"])
    op.create_index("ix_contact_email", "contact", ["email"])


def downgrade() -> None:
    op.drop_index("ix_contact_email", table_name="contact")
    op.drop_index("ix_customer_name_id", table_name="customer")
    op.drop_index("ix_data_import_user_id_id", table_name="data_import")
    op.drop_table("data_import")
