"""service tickets

Revision ID: a237913591ea
Revises: 6b59626b1d3c
Create Date: 2026-11-23 14:47:36.041185

"""

from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "a237913591ea"
down_revision: str | Sequence[str] | None = "6b59626b1d3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.DateTime(timezone=True)
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "business_hours",
        sa.Column("id", Id, nullable=False),
        sa.Column("timezone", sa.String(length=50), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_hours")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_override")),
    )
    op.create_table(
        "job_run",
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("due_at", Utc, nullable=False),
        sa.Column("started_at", Utc, nullable=False),
        sa.Column("finished_at", Utc, nullable=True),
        sa.Column("result", Json, nullable=False),
        sa.PrimaryKeyConstraint("job", "due_at", name=op.f("pk_job_run")),
    )
    op.create_table(
        "sla_policy",
        sa.Column("id", Id, nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("ticket_type", sa.String(length=30), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("update_minutes", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy")),
        sa.UniqueConstraint("priority", "ticket_type", name=op.f("uq_sla_policy_priority")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "routing_rule",
        sa.Column("id", Id, nullable=False),
        sa.Column("ticket_type", sa.String(length=30), nullable=False),
        sa.Column("department_id", Id, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_routing_rule_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
        sa.UniqueConstraint("ticket_type", name=op.f("uq_routing_rule_ticket_type")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "notification",
        sa.Column("id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("entity_id", Id, nullable=True),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("read_at", Utc, nullable=True),
        sa.Column("emailed_at", Utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_user_id_read_at_id", ["user_id", "read_at", "id"], unique=False
        )

    op.create_table(
        "ticket",
        sa.Column("id", Id, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("contact_id", Id, nullable=True),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("important", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("priority_overridden", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("department_id", Id, nullable=True),
        sa.Column("assignee_id", Id, nullable=True),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("expected_resolution_at", Utc, nullable=True),
        sa.Column("opened_at", Utc, nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("responsible_party", sa.String(length=20), nullable=True),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("revisit_at", Utc, nullable=True),
        sa.Column("customer_accepted", sa.Boolean(), nullable=True),
        sa.Column("satisfaction_response_speed", sa.Integer(), nullable=True),
        sa.Column("satisfaction_resolution", sa.Integer(), nullable=True),
        sa.Column("satisfaction_attitude", sa.Integer(), nullable=True),
        sa.Column("satisfaction_overall", sa.Integer(), nullable=True),
        sa.Column("satisfaction_comment", sa.Text(), nullable=True),
        sa.Column("sla_calendar", sa.String(length=10), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("update_minutes", sa.Integer(), nullable=False),
        sa.Column("first_response_at", Utc, nullable=True),
        sa.Column("last_public_reply_at", Utc, nullable=True),
        sa.Column("resolved_at", Utc, nullable=True),
        sa.Column("closed_at", Utc, nullable=True),
        sa.Column("paused_since", Utc, nullable=True),
        sa.Column("first_response_due_at", Utc, nullable=True),
        sa.Column("first_response_warn_at", Utc, nullable=True),
        sa.Column("resolution_due_at", Utc, nullable=True),
        sa.Column("resolution_warn_at", Utc, nullable=True),
        sa.Column("update_due_at", Utc, nullable=True),
        sa.Column("last_assigned_at", Utc, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_ticket_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_ticket_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_ticket_created_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_ticket_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_ticket_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint("code", name=op.f("uq_ticket_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_assignee_id_status", ["assignee_id", "status"], unique=False
        )
        batch_op.create_index("ix_ticket_customer_id_id", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_ticket_department_id_id", ["department_id", "id"], unique=False)
        batch_op.create_index(
            "ix_ticket_first_response_warn_at", ["first_response_warn_at"], unique=False
        )
        batch_op.create_index("ix_ticket_resolution_warn_at", ["resolution_warn_at"], unique=False)
        batch_op.create_index("ix_ticket_status_id", ["status", "id"], unique=False)
        batch_op.create_index("ix_ticket_update_due_at", ["update_due_at"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", Id, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", Id, nullable=True),
        sa.Column("created_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_attachment_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachment_storage_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "sla_alert",
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.String(length=10), nullable=False),
        sa.Column("cycle", Utc, nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_sla_alert_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "ticket_id", "target", "threshold", "cycle", name=op.f("pk_sla_alert")
        ),
    )
    op.create_table(
        "ticket_collaborator",
        sa.Column("id", Id, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=True),
        sa.Column("department_id", Id, nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_ticket_collaborator_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_collaborator_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_ticket_collaborator_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_collaborator")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ticket_collaborator", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_collaborator_department_id", ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_collaborator_ticket_id"), ["ticket_id"], unique=False
        )
        batch_op.create_index("ix_ticket_collaborator_user_id", ["user_id"], unique=False)

    op.create_table(
        "ticket_event",
        sa.Column("id", Id, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.Column("actor_id", Id, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_event_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_event_ticket_id_id", ["ticket_id", "id"], unique=False)

    op.create_table(
        "ticket_pause",
        sa.Column("id", Id, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("started_at", Utc, nullable=False),
        sa.Column("ended_at", Utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_pause_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_pause")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ticket_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_pause_ticket_id"), ["ticket_id"], unique=False)
    _seed_defaults()


# The defaults of our service agreements (minutes on the policy's calendar): P1 runs 24x7,
# the rest on business hours; complaints get a first response within 2 working hours.
DEFAULT_POLICIES = [
    # priority, type, first response, resolution, customer-update interval, calendar
    ("P1", None, 30, 4 * 60, 2 * 60, "24x7"),
    ("P2", None, 24 * 60, 5 * 9 * 60, 24 * 60, "business"),
    ("P3", None, 2 * 60, 3 * 9 * 60, 24 * 60, "business"),
    ("P4", None, 48 * 60, 10 * 9 * 60, 24 * 60, "business"),
    ("P2", "complaint", 2 * 60, 5 * 9 * 60, 24 * 60, "business"),
    ("P3", "complaint", 2 * 60, 3 * 9 * 60, 24 * 60, "business"),
    ("P4", "complaint", 2 * 60, 10 * 9 * 60, 24 * 60, "business"),
]


def _seed_defaults() -> None:
    now = datetime.now(UTC)
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    policy = sa.table(
        "sla_policy",
        *(
            sa.column(c)
            for c in (
                "priority",
                "ticket_type",
                "first_response_minutes",
                "resolution_minutes",
                "update_minutes",
                "calendar",
                "version",
            )
        ),
        sa.column("created_at", Utc),
        sa.column("updated_at", Utc),
    )
    op.bulk_insert(
        policy,
        [
            {
                "priority": p,
                "ticket_type": t,
                "first_response_minutes": fr,
                "resolution_minutes": res,
                "update_minutes": upd,
                "calendar": cal,
                **stamps,
            }
            for p, t, fr, res, upd, cal in DEFAULT_POLICIES
        ],
    )
    hours = sa.table(
        "business_hours",
        sa.column("id"),
        sa.column("timezone"),
        sa.column("opens", sa.Time()),
        sa.column("closes", sa.Time()),
        sa.column("version"),
        sa.column("created_at", Utc),
        sa.column("updated_at", Utc),
    )
    op.bulk_insert(
        hours,
        [{"id": 1, "timezone": "Asia/Shanghai", "opens": time(9), "closes": time(18), **stamps}],
    )


def downgrade() -> None:
    with op.batch_alter_table("ticket_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_pause_ticket_id"))

    op.drop_table("ticket_pause")
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_event_ticket_id_id")

    op.drop_table("ticket_event")
    with op.batch_alter_table("ticket_collaborator", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_collaborator_user_id")
        batch_op.drop_index(batch_op.f("ix_ticket_collaborator_ticket_id"))
        batch_op.drop_index("ix_ticket_collaborator_department_id")

    op.drop_table("ticket_collaborator")
    op.drop_table("sla_alert")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_ticket_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_update_due_at")
        batch_op.drop_index("ix_ticket_status_id")
        batch_op.drop_index("ix_ticket_resolution_warn_at")
        batch_op.drop_index("ix_ticket_first_response_warn_at")
        batch_op.drop_index("ix_ticket_department_id_id")
        batch_op.drop_index("ix_ticket_customer_id_id")
        batch_op.drop_index("ix_ticket_assignee_id_status")

    op.drop_table("ticket")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_id_read_at_id")

    op.drop_table("notification")
    op.drop_table("routing_rule")
    op.drop_table("sla_policy")
    op.drop_table("job_run")
    op.drop_table("calendar_override")
    op.drop_table("business_hours")
