"""sales: orders, follow-ups, opportunities, cadence, the pool, lifecycle jobs, change requests

Revision ID: 1925c152668b
Revises: a237913591ea
Create Date: 2026-11-23 16:38:45.450775

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "1925c152668b"
down_revision: str | Sequence[str] | None = "a237913591ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.DateTime(timezone=True)
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

CADENCE_DAYS = {"potential": 7, "intent": 3, "customer": 30}
LIFECYCLE_DEFAULTS = {
    "pool_release_days": 30,
    "pool_warning_days": 3,
    "pool_no_order_days": None,
    "pool_claim_limit": 200,
    "pool_reclaim_cooldown_days": 7,
    "stale_opportunity_days": 30,
    "dormancy_days": 180,
    "churn_no_order_days": 365,
    "churn_complaint_days": 90,
    "verification_days": 90,
}


def upgrade() -> None:
    op.create_table(
        "cadence_rule",
        sa.Column("id", Id, nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadence_rule")),
        sa.UniqueConstraint("stage", name=op.f("uq_cadence_rule_stage")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "lifecycle_alert",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("entity_id", Id, nullable=False),
        sa.Column("cycle", sa.String(length=40), nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("kind", "entity_id", "cycle", name=op.f("pk_lifecycle_alert")),
    )
    op.create_table(
        "lifecycle_settings",
        sa.Column("id", Id, nullable=False),
        sa.Column("pool_release_days", sa.Integer(), nullable=False),
        sa.Column("pool_warning_days", sa.Integer(), nullable=False),
        sa.Column("pool_no_order_days", sa.Integer(), nullable=True),
        sa.Column("pool_claim_limit", sa.Integer(), nullable=False),
        sa.Column("pool_reclaim_cooldown_days", sa.Integer(), nullable=False),
        sa.Column("stale_opportunity_days", sa.Integer(), nullable=False),
        sa.Column("dormancy_days", sa.Integer(), nullable=False),
        sa.Column("churn_no_order_days", sa.Integer(), nullable=False),
        sa.Column("churn_complaint_days", sa.Integer(), nullable=False),
        sa.Column("verification_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_settings")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "change_request",
        sa.Column("id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("old_value", Json, nullable=True),
        sa.Column("new_value", Json, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", Id, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_by", Id, nullable=True),
        sa.Column("decided_at", Utc, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_change_request_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["user.id"], name=op.f("fk_change_request_decided_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["user.id"], name=op.f("fk_change_request_requested_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.create_index("ix_change_request_status_id", ["status", "id"], unique=False)
        batch_op.create_index(
            "uq_change_request_pending",
            ["customer_id", "field"],
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "opportunity",
        sa.Column("id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("budget_min", sa.BigInteger(), nullable=True),
        sa.Column("budget_max", sa.BigInteger(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("expected_close_on", sa.Date(), nullable=True),
        sa.Column("closed_at", Utc, nullable=True),
        sa.Column("last_effective_follow_up_at", Utc, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_opportunity_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_opportunity_owner_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index("ix_opportunity_customer_id_id", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_opportunity_owner_id_stage", ["owner_id", "stage"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", Id, nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", Utc, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_task_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_task_owner_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_task_owner_id_done_at_id", ["owner_id", "done_at", "id"], unique=False
        )

    op.create_table(
        "customer_order",
        sa.Column("id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("contract_no", sa.String(length=40), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opportunity_id", Id, nullable=True),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_order_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_customer_order_opportunity_id_opportunity"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_order")),
        sa.UniqueConstraint("order_no", name=op.f("uq_customer_order_order_no")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_order_customer_id_ordered_on", ["customer_id", "ordered_on"], unique=False
        )

    op.create_table(
        "follow_up",
        sa.Column("id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("opportunity_id", Id, nullable=True),
        sa.Column("at", Utc, nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("next_action", sa.Text(), nullable=True),
        sa.Column("next_action_due_on", sa.Date(), nullable=True),
        sa.Column("next_action_done_at", Utc, nullable=True),
        sa.Column("effective", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_follow_up_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_follow_up_opportunity_id_opportunity"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_follow_up_owner_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_customer_id_at", ["customer_id", "at"], unique=False)
        batch_op.create_index("ix_follow_up_opportunity_id", ["opportunity_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_owner_id_next_action_due_on",
            ["owner_id", "next_action_due_on"],
            unique=False,
        )

    # SQLite rebuilds the table: keep AUTOINCREMENT, or deleted ids would be handed out again.
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("first_cooperation_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_order_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("owner_engaged_at", Utc, nullable=True))
        batch_op.add_column(sa.Column("pool_entered_at", Utc, nullable=True))
        batch_op.add_column(sa.Column("released_by", Id, nullable=True))
        batch_op.add_column(sa.Column("next_follow_up_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", Utc, nullable=True))
        batch_op.add_column(sa.Column("verified_by", Id, nullable=True))
        batch_op.add_column(
            sa.Column("grade_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("value_level", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("rfm_recency", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rfm_frequency", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rfm_monetary", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("value_computed_at", Utc, nullable=True))
        batch_op.alter_column("owner_id", existing_type=Id, nullable=True)
        batch_op.create_index(
            batch_op.f("ix_customer_next_follow_up_on"), ["next_follow_up_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_owner_engaged_at"), ["owner_engaged_at"], unique=False
        )

    _seed_defaults()


def _seed_defaults() -> None:
    now = datetime.now(UTC)
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    # Every existing owner gets the full pool period from the day the pool is switched on.
    op.get_bind().execute(
        sa.text("UPDATE customer SET owner_engaged_at = :now").bindparams(
            sa.bindparam("now", type_=Utc)
        ),
        {"now": now},
    )
    cadence = sa.table(
        "cadence_rule",
        sa.column("stage"),
        sa.column("interval_days"),
        sa.column("version"),
        sa.column("created_at", Utc),
        sa.column("updated_at", Utc),
    )
    op.bulk_insert(
        cadence,
        [{"stage": stage, "interval_days": days, **stamps} for stage, days in CADENCE_DAYS.items()],
    )
    settings = sa.table(
        "lifecycle_settings",
        sa.column("id"),
        sa.column("version"),
        sa.column("created_at", Utc),
        sa.column("updated_at", Utc),
        *(sa.column(name) for name in LIFECYCLE_DEFAULTS),
    )
    op.bulk_insert(settings, [{"id": 1, **stamps, **LIFECYCLE_DEFAULTS}])


def downgrade() -> None:
    # Pool customers go back to whoever released them: the old schema needs an owner.
    op.execute("UPDATE customer SET owner_id = released_by WHERE owner_id IS NULL")
    # SQLite rebuilds the table: keep AUTOINCREMENT, or deleted ids would be handed out again.
    with op.batch_alter_table(
        "customer", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_owner_engaged_at"))
        batch_op.drop_index(batch_op.f("ix_customer_next_follow_up_on"))
        batch_op.alter_column("owner_id", existing_type=Id, nullable=False)
        batch_op.drop_column("value_computed_at")
        batch_op.drop_column("rfm_monetary")
        batch_op.drop_column("rfm_frequency")
        batch_op.drop_column("rfm_recency")
        batch_op.drop_column("value_level")
        batch_op.drop_column("grade_locked")
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("next_follow_up_on")
        batch_op.drop_column("released_by")
        batch_op.drop_column("pool_entered_at")
        batch_op.drop_column("owner_engaged_at")
        batch_op.drop_column("last_order_on")
        batch_op.drop_column("first_cooperation_on")

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_owner_id_next_action_due_on")
        batch_op.drop_index("ix_follow_up_opportunity_id")
        batch_op.drop_index("ix_follow_up_customer_id_at")

    op.drop_table("follow_up")
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_order_customer_id_ordered_on")

    op.drop_table("customer_order")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_owner_id_done_at_id")
        batch_op.drop_index(batch_op.f("ix_task_customer_id"))

    op.drop_table("task")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_owner_id_stage")
        batch_op.drop_index("ix_opportunity_customer_id_id")

    op.drop_table("opportunity")
    with op.batch_alter_table("change_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_change_request_pending",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_change_request_status_id")

    op.drop_table("change_request")
    op.drop_table("lifecycle_settings")
    op.drop_table("lifecycle_alert")
    op.drop_table("cadence_rule")
