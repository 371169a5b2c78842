"""search: the customer search index (search_doc; search_gram on SQLite)

Revision ID: 7a1c4e9b2d05
Revises: 7a1c9e4b2d60
Create Date: 2026-12-06 01:00:00

The tables start empty; `persistence.migrate.upgrade` (hence `crm migrate`) fills them when
a database with customers has none, through the same bulk rebuild as `crm reindex`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "7a1c4e9b2d05"
down_revision: str | Sequence[str] | None = "7a1c9e4b2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TEXT_COLUMNS = (
    "names",
    "contacts",
    "pinyin",
    "phones",
    "emails",
    "wechats",
    "address",
    "codes",
    "id_number",
)


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("customer_id", Id, nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in TEXT_COLUMNS),
        sa.Column(
            "grams",
            sa.Text().with_variant(postgresql.ARRAY(sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_search_doc_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_search_doc")),
    )
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_doc_grams", ["grams"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(
            "ix_search_doc_names",
            ["names"],
            unique=False,
            postgresql_ops={"names": "text_pattern_ops"},
        )
    op.create_table(
        "search_gram",
        sa.Column("gram", sa.Text(), nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["search_doc.customer_id"],
            name=op.f("fk_search_gram_customer_id_search_doc"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gram", "customer_id", name=op.f("pk_search_gram")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("search_gram", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_gram_customer_id"), ["customer_id"], unique=False
        )
    op.create_table(
        "saved_view",
        sa.Column("id", Id, nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("department_id", Id, nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column(
            "filters", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("sort", sa.String(length=40), nullable=True),
        sa.Column(
            "columns", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_saved_view_owner_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint(
            "owner_id", "resource", "name", name="uq_saved_view_owner_resource_name"
        ),
    )
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_view_owner_id"), ["owner_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_customer_last_contact_rank",
            "customer",
            [sa.text("last_contact_at DESC NULLS LAST"), sa.text("id DESC")],
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_view_owner_id"))
    op.drop_table("saved_view")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_customer_last_contact_rank", table_name="customer")
    with op.batch_alter_table("search_gram", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_gram_customer_id"))
    op.drop_table("search_gram")
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.drop_index("ix_search_doc_names", postgresql_ops={"names": "text_pattern_ops"})
        batch_op.drop_index("ix_search_doc_grams", postgresql_using="gin")
    op.drop_table("search_doc")
