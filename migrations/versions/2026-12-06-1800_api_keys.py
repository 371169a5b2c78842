"""API keys for machines: api_key, api_key_window (the per-minute request counts), and
audit_event.api_key_id (the key a change was made with)

Revision ID: 4e8a1c6b2d90
Revises: 9c4e2a7b5d18
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "4e8a1c6b2d90"
down_revision: str | Sequence[str] | None = "9c4e2a7b5d18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.DateTime(timezone=True)
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_id", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("previous_digest", sa.String(length=64), nullable=True),
        sa.Column("previous_valid_until", Utc, nullable=True),
        sa.Column("scopes", Json, nullable=False),
        sa.Column("owner_id", Id, nullable=True),
        sa.Column("expires_at", Utc, nullable=True),
        sa.Column("allowed_ips", Json, nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("last_used_at", Utc, nullable=True),
        sa.Column("rotated_at", Utc, nullable=True),
        sa.Column("revoked_at", Utc, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_api_key_owner_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_key_public_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "api_key_window",
        sa.Column("api_key_id", Id, nullable=False),
        sa.Column("starts_at", Utc, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_key.id"],
            name=op.f("fk_api_key_window_api_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_key_id", "starts_at", name=op.f("pk_api_key_window")),
    )
    op.add_column("audit_event", sa.Column("api_key_id", Id, nullable=True))  # no rebuild


def downgrade() -> None:
    op.drop_column("audit_event", "api_key_id")

    op.drop_table("api_key_window")
    op.drop_table("api_key")
