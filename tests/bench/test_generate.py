"""bench/generate.py with follow-ups and orders: exact totals, and every customer's derived
columns agree with its rows, as the services would keep them (a small load on each back-end)."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bench import generate
from persistence.db import Database
from tests.conftest import BACKENDS_RUN, fresh_database

# Rows whose derived columns disagree with the follow-ups and orders behind them.
MISMATCHES = {
    "last_contact_at": """SELECT count(*) FROM customer c WHERE c.last_contact_at IS DISTINCT FROM
        (SELECT max(f.at) FROM follow_up f WHERE f.customer_id = c.id)""",
    "first_contact_at": """SELECT count(*) FROM customer c WHERE c.first_contact_at IS DISTINCT FROM
        (SELECT min(f.at) FROM follow_up f WHERE f.customer_id = c.id)""",
    "cumulative_amount": """SELECT count(*) FROM customer c WHERE c.cumulative_amount <>
        (SELECT coalesce(sum(o.amount), 0) FROM customer_order o
         WHERE o.customer_id = c.id AND o.status <> 'cancelled')""",
    "last_order_on": """SELECT count(*) FROM customer c WHERE c.last_order_on IS DISTINCT FROM
        (SELECT max(o.ordered_on) FROM customer_order o
         WHERE o.customer_id = c.id AND o.status <> 'cancelled')""",
    "first_cooperation_on": """SELECT count(*) FROM customer c
        WHERE c.first_cooperation_on IS DISTINCT FROM
        (SELECT min(o.ordered_on) FROM customer_order o
         WHERE o.customer_id = c.id AND o.status <> 'cancelled')""",
    "follow_up owner": """SELECT count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id
        WHERE f.owner_id <> c.owner_id""",
    "orders of prospects": """SELECT count(*) FROM customer_order o
        JOIN customer c ON c.id = o.customer_id WHERE c.stage IN ('potential', 'intent')""",
}


async def query(url: str, sql: str) -> list[tuple]:
    database = Database(url)
    try:
        async with database.session(write=False) as s:
            return [tuple(row) for row in (await s.execute(text(sql))).all()]
    finally:
        await database.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_follow_ups_and_orders_with_consistent_customers(backend, tmp_path, capsys):
    with fresh_database(backend, tmp_path) as url:
        generate.main(
            [
                "--customers",
                "400",
                "--follow-ups",
                "2000",
                "--orders",
                "1500",
                "--database-url",
                url,
                "--jobs",
                "1",
                "--chunk",
                "150",
            ]
        )
        summary = json.loads(capsys.readouterr().out)
        assert (summary["customers"], summary["follow_ups"], summary["orders"]) == (400, 2000, 1500)
        run = lambda sql: asyncio.run(query(url, sql))  # noqa: E731
        assert run("SELECT count(*) FROM follow_up") == [(2000,)]
        assert run("SELECT count(*) FROM customer_order") == [(1500,)]
        assert {name: run(sql)[0][0] for name, sql in MISMATCHES.items()} == dict.fromkeys(
            MISMATCHES, 0
        )
        # activity: dormant exactly when the latest follow-up or order (else the creation) is
        # 180 or more Shanghai calendar days old
        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
        rows = run("""SELECT c.activity_status, c.last_contact_at, c.last_order_on, c.created_at
                      FROM customer c""")
        wrong = 0
        for status, contact, order, created in rows:
            days = [_local_day(contact)] if contact else []
            days += [_day(order)] if order else []
            last = max(days) if days else _local_day(created)
            wrong += status != ("dormant" if today - last >= timedelta(days=180) else "active")
        assert wrong == 0 and {r[0] for r in rows} == {"active", "dormant"}
        assert run("SELECT count(DISTINCT status) FROM customer_order") == [(2,)]
        # the tag copy the list filters read, filled by the triggers from the bulk load
        copies = {
            cid: sorted(json.loads(t) if isinstance(t, str) else t)
            for cid, t in run("SELECT id, tag_ids FROM customer")
        }
        truth: dict[int, list[int]] = {cid: [] for cid in copies}
        for cid, tag_id in run("SELECT customer_id, tag_id FROM customer_tag ORDER BY tag_id"):
            truth[cid].append(tag_id)
        assert copies == truth and any(truth.values())
        BACKENDS_RUN.add(backend)


def _local_day(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo("Asia/Shanghai")).date()


def _day(value):
    return value if not isinstance(value, str) else datetime.fromisoformat(value).date()
