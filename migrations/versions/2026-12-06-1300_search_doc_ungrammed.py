"""search documents whose grams an import left for later: ix_search_doc_ungrammed

Revision ID: 5d3b9e0a7c21
Revises: c2e8a4d61f09
Create Date: 2026-12-06 13:00:00

An import of many customers writes their search documents without grams and fills them after
its commit (persistence/search/index.py fill_grams); meanwhile searches read those documents
through this partial index. PostgreSQL only: on SQLite the grams are rows of search_gram.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5d3b9e0a7c21"
down_revision: str | Sequence[str] | None = "c2e8a4d61f09"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_search_doc_ungrammed",
            "search_doc",
            ["customer_id"],
            unique=False,
            postgresql_where=sa.text("grams IS NULL"),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(
            "ix_search_doc_ungrammed",
            table_name="search_doc",
            postgresql_where=sa.text("grams IS NULL"),
        )
