"""search: phone numbers indexed by 4-digit grams; customer.name_sort for pinyin name order

Revision ID: c2e8a4d61f09
Revises: 7a1c4e9b2d05
Create Date: 2026-12-06 04:00:00

The search documents are emptied: their phone grams changed from 3 to 4 digits, and
`crm migrate` rebuilds an empty index of a database with customers (persistence/migrate.py).
`name_sort` is filled from each name with the same function the application keeps it with.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from domain.search.normalize import name_sort_key

# revision identifiers, used by Alembic.
revision: str = 'c2e8a4d61f09'
down_revision: Union[str, Sequence[str], None] = '7a1c4e9b2d05'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NameSort = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_BATCH = 5000


def _fill_name_sort() -> None:
    connection = op.get_bind()
    customer = sa.table("customer", sa.column("id", sa.BigInteger()), sa.column("name", sa.Text()),
                        sa.column("name_sort", NameSort))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(customer.c.id, customer.c.name).where(customer.c.id > last_id)
            .order_by(customer.c.id).limit(_BATCH)).all()
        if not rows:
            return
        connection.execute(
            customer.update().where(customer.c.id == sa.bindparam("key"))
            .values(name_sort=sa.bindparam("key_sort")),
            [{"key": row.id, "key_sort": name_sort_key(row.name)} for row in rows])
        last_id = rows[-1].id


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("TRUNCATE search_gram, search_doc")
    else:
        op.execute("DELETE FROM search_gram")
        op.execute("DELETE FROM search_doc")
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sort', NameSort, nullable=True))
    _fill_name_sort()
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.alter_column('name_sort', existing_type=NameSort, nullable=False)
        batch_op.create_index('ix_customer_name_sort_id', ['name_sort', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_name_sort_id')
        batch_op.drop_column('name_sort')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("TRUNCATE search_gram, search_doc")
    else:
        op.execute("DELETE FROM search_gram")
        op.execute("DELETE FROM search_doc")
