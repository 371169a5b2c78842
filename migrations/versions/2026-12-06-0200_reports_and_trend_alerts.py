"""analytics: reports (日报/周报/月报) with their files, subscriptions and role defaults,
trend alerts

Revision ID: b84d2f6a1c37
Revises: a7c3e1f05b21
Create Date: 2026-12-06 02:00:00

A report is unique per (period kind, first day, recipient): the report jobs and on-demand
requests insert-or-find, so a re-run makes no second copy. Its two files are kept in the
database, so any API process can serve them. A trend alert is unique per (kind, subject,
period): it fires once per condition and period.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "b84d2f6a1c37"
down_revision: str | Sequence[str] | None = "a7c3e1f05b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Utc = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", Id, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("recipient_id", Id, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("finished_at", Utc, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
            name=op.f("fk_report_recipient_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint(
            "kind", "first_day", "recipient_id", name="uq_report_kind_first_day_recipient"
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "report_subscription",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_report_subscription_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_report_subscription")),
    )
    op.create_table(
        "report_role_default",
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("role", "kind", name=op.f("pk_report_role_default")),
    )
    op.create_table(
        "trend_alert",
        sa.Column("id", Id, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_alert")),
        sa.UniqueConstraint(
            "kind", "subject", "period_start", name="uq_trend_alert_kind_subject_period_start"
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("trend_alert")
    op.drop_table("report_role_default")
    op.drop_table("report_subscription")
    op.drop_table("report")
