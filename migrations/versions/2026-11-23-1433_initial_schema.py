"""initial schema

Revision ID: 6b59626b1d3c
Revises:
Create Date: 2026-11-23 14:33:41.811696

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "6b59626b1d3c"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.DateTime(timezone=True)
Money = sa.BigInteger()  # integer fen
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", Id, nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.Column("actor_id", Id, nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("changes", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_customer_id_id", ["customer_id", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_event_entity", ["entity_type", "entity_id", "id"], unique=False
        )

    op.create_table(
        "code_counter",
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_code_counter")),
    )
    op.create_table(
        "custom_field_definition",
        sa.Column("id", Id, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label_zh", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("options", Json, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_field_definition")),
        sa.UniqueConstraint("key", name=op.f("uq_custom_field_definition_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "department",
        sa.Column("id", Id, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("supervisor_id", Id, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("key", name=op.f("uq_department_key")),
        sa.UniqueConstraint("name", name=op.f("uq_department_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "login_failure",
        sa.Column("id", Id, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_username_at", ["username", "at"], unique=False)

    op.create_table(
        "tag",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "user",
        sa.Column("id", Id, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department_id", Id, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_user_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_department_id"), ["department_id"], unique=False)
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_department_supervisor_id_user"),
            "user",
            ["supervisor_id"],
            ["id"],
            ondelete="SET NULL",
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table(
        "customer",
        sa.Column("id", Id, nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("industry", sa.String(length=4), nullable=True),
        sa.Column("size", sa.String(length=20), nullable=True),
        sa.Column("main_business", sa.Text(), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("activity_status", sa.String(length=20), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=True),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("custom_fields", Json, nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("archived_reason", sa.String(length=500), nullable=True),
        sa.Column("first_contact_at", Utc, nullable=True),
        sa.Column("last_contact_at", Utc, nullable=True),
        sa.Column("cumulative_amount", Money, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_customer_owner_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_code")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_customer_credit_code")),
        sa.UniqueConstraint("id_number", name=op.f("uq_customer_id_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_archived_id", ["archived", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_last_contact_at"), ["last_contact_at"], unique=False
        )
        batch_op.create_index(
            "ix_customer_name_trgm",
            ["name"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        )
        batch_op.create_index("ix_customer_owner_id_id", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_customer_stage_id", ["stage", "id"], unique=False)

    op.create_table(
        "refresh_token",
        sa.Column("id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("expires_at", Utc, nullable=False),
        sa.Column("used_at", Utc, nullable=True),
        sa.Column("revoked_at", Utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_refresh_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_family"), ["family"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("wechat", sa.String(length=64), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_mobile"), ["mobile"], unique=False)

    op.create_table(
        "customer_tag",
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("tag_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_tag_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_customer_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", "tag_id", name=op.f("pk_customer_tag")),
    )
    with op.batch_alter_table("customer_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_tag_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_tag_tag_id"))

    op.drop_table("customer_tag")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_mobile"))
        batch_op.drop_index(batch_op.f("ix_contact_customer_id"))

    op.drop_table("contact")
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_family"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_stage_id")
        batch_op.drop_index("ix_customer_owner_id_id")
        batch_op.drop_index(
            "ix_customer_name_trgm", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
        )
        batch_op.drop_index(batch_op.f("ix_customer_last_contact_at"))
        batch_op.drop_index("ix_customer_archived_id")

    op.drop_table("customer")
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_department_supervisor_id_user"), type_="foreignkey")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_department_id"))

    op.drop_table("user")
    op.drop_table("tag")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_username_at")

    op.drop_table("login_failure")
    op.drop_table("department")
    op.drop_table("custom_field_definition")
    op.drop_table("code_counter")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index("ix_audit_event_customer_id_id")

    op.drop_table("audit_event")
