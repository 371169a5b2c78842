"""search and list filters: new grams (phone 4-grams, whole values); customer.name_sort for
pinyin name order; customer.tag_ids kept by triggers, and ix_customer_filters on PostgreSQL

Revision ID: c2e8a4d61f09
Revises: 7a1c4e9b2d05
Create Date: 2026-12-06 04:00:00

The search documents are emptied: their grams changed (phones by 4 digits, whole values for
the exact tier, e-mails and WeChat ids in a group of their own), and `crm migrate` rebuilds an
empty index of a database with customers (persistence/migrate.py). `name_sort` is filled from
each name with the same function the application keeps it with.

`tag_ids` is a copy of the customer's customer_tag rows kept by triggers, so that every writer
(the services, imports, tag merges, cascades from a deleted tag) keeps it without knowing: on
PostgreSQL statement triggers with transition tables (one UPDATE per statement, however many
rows a bulk insert brings), on SQLite row triggers. PostgreSQL indexes it with the customer's
scalar filter columns in one GIN index (btree_gin).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.search.normalize import name_sort_key

# revision identifiers, used by Alembic.
revision: str = "c2e8a4d61f09"
down_revision: str | Sequence[str] | None = "7a1c4e9b2d05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NameSort = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
IdArray = sa.JSON().with_variant(postgresql.ARRAY(sa.BigInteger()), "postgresql")
_BATCH = 5000
# SQLite rebuilds the table; without this its ids lose AUTOINCREMENT and a deleted customer's
# id (and with it its history) would be handed to the next new one.
_KEEP_IDS = {"sqlite_autoincrement": True}
FILTER_COLUMNS = [
    "tag_ids",
    "stage",
    "grade",
    "kind",
    "activity_status",
    "value_level",
    "source",
    "urgency",
    "owner_id",
]

_PG_TAG_IDS = [
    """
CREATE FUNCTION customer_tag_ids_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE customer SET tag_ids = ARRAY(
            SELECT t.tag_id FROM customer_tag t WHERE t.customer_id = customer.id
            ORDER BY t.tag_id)
        WHERE customer.id IN (SELECT customer_id FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE customer SET tag_ids = ARRAY(
            SELECT t.tag_id FROM customer_tag t WHERE t.customer_id = customer.id
            ORDER BY t.tag_id)
        WHERE customer.id IN (SELECT customer_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER customer_tag_ids_insert AFTER INSERT ON customer_tag
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_tag_ids_refresh()""",
    """
CREATE TRIGGER customer_tag_ids_update AFTER UPDATE ON customer_tag
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_tag_ids_refresh()""",
    """
CREATE TRIGGER customer_tag_ids_delete AFTER DELETE ON customer_tag
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_tag_ids_refresh()""",
]
_SQLITE_REFRESH = """UPDATE customer SET tag_ids = (
    SELECT json_group_array(tag_id) FROM (
        SELECT tag_id FROM customer_tag WHERE customer_id = {row}.customer_id ORDER BY tag_id))
    WHERE id = {row}.customer_id;"""
# SQLite drops a table's triggers with it: a later migration that rebuilds customer_tag
# (batch_alter_table) must create these again.
_SQLITE_TAG_IDS = [
    f"CREATE TRIGGER customer_tag_ids_insert AFTER INSERT ON customer_tag BEGIN "
    f"{_SQLITE_REFRESH.format(row='NEW')} END",
    f"CREATE TRIGGER customer_tag_ids_update AFTER UPDATE ON customer_tag BEGIN "
    f"{_SQLITE_REFRESH.format(row='OLD')} {_SQLITE_REFRESH.format(row='NEW')} END",
    f"CREATE TRIGGER customer_tag_ids_delete AFTER DELETE ON customer_tag BEGIN "
    f"{_SQLITE_REFRESH.format(row='OLD')} END",
]


def _fill_tag_ids(postgres: bool) -> None:
    if postgres:
        op.execute("""UPDATE customer SET tag_ids = t.ids FROM (
                          SELECT customer_id, array_agg(tag_id ORDER BY tag_id) AS ids
                          FROM customer_tag GROUP BY customer_id) t
                      WHERE customer.id = t.customer_id""")
        op.execute("UPDATE customer SET tag_ids = '{}' WHERE tag_ids IS NULL")
    else:
        op.execute("""UPDATE customer SET tag_ids = (
                          SELECT json_group_array(tag_id) FROM (
                              SELECT tag_id FROM customer_tag
                              WHERE customer_id = customer.id ORDER BY tag_id))""")


def _keep_tag_ids(postgres: bool) -> None:
    """The triggers come last: SQLite checks them when a batch operation renames customer."""
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute("SET LOCAL maintenance_work_mem = '512MB'")  # one GIN build, not many minutes
        op.create_index(
            "ix_customer_filters", "customer", FILTER_COLUMNS, unique=False, postgresql_using="gin"
        )
    for statement in _PG_TAG_IDS if postgres else _SQLITE_TAG_IDS:
        op.execute(statement)


def _fill_name_sort() -> None:
    connection = op.get_bind()
    customer = sa.table(
        "customer",
        sa.column("id", sa.BigInteger()),
        sa.column("name", sa.Text()),
        sa.column("name_sort", NameSort),
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(customer.c.id, customer.c.name)
            .where(customer.c.id > last_id)
            .order_by(customer.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            customer.update()
            .where(customer.c.id == sa.bindparam("key"))
            .values(name_sort=sa.bindparam("key_sort")),
            [{"key": row.id, "key_sort": name_sort_key(row.name)} for row in rows],
        )
        last_id = rows[-1].id


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("TRUNCATE search_gram, search_doc")
    else:
        op.execute("DELETE FROM search_gram")
        op.execute("DELETE FROM search_doc")
    with op.batch_alter_table("customer", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("name_sort", NameSort, nullable=True))
        batch_op.add_column(sa.Column("tag_ids", IdArray, nullable=True))
    _fill_name_sort()
    _fill_tag_ids(postgres)
    with op.batch_alter_table("customer", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.alter_column("name_sort", existing_type=NameSort, nullable=False)
        batch_op.alter_column("tag_ids", existing_type=IdArray, nullable=False)
        batch_op.create_index("ix_customer_name_sort_id", ["name_sort", "id"], unique=False)
    _keep_tag_ids(postgres)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in ("insert", "update", "delete"):
        op.execute(
            f"DROP TRIGGER customer_tag_ids_{trigger}" + (" ON customer_tag" if postgres else "")
        )
    if postgres:
        op.execute("DROP FUNCTION customer_tag_ids_refresh()")
        op.drop_index("ix_customer_filters", table_name="customer", postgresql_using="gin")
    with op.batch_alter_table("customer", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_index("ix_customer_name_sort_id")
        batch_op.drop_column("tag_ids")
        batch_op.drop_column("name_sort")
    if postgres:
        op.execute("TRUNCATE search_gram, search_doc")
    else:
        op.execute("DELETE FROM search_gram")
        op.execute("DELETE FROM search_doc")
