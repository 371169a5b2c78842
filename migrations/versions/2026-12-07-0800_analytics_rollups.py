"""analytics rollups: the whole desk's counts per local day, kept by triggers (PostgreSQL)

Revision ID: 5b7e2c9d4a18
Revises: 7d2f9e4c1a63
Create Date: 2026-12-07 08:00:00

The whole desk's figures counted a year of rows per request (600,000 tickets, 3,600,000
follow-ups or orders at a million customers). These tables hold the same counts, so a year
is a few tens of thousands of rows:

- `analytics_ticket_day`: tickets per day, event, department and one of: all of them, or a
  type, a channel or a priority (`split`, `value`). An
  event is what happened to a ticket that day: `opened`, `first_response` (with its stored
  working minutes), `resolved`, `closed` (not a cancellation; with the satisfaction scores
  when closed and rated) and `left` (resolved or closed: the day it left the backlog, never
  before the day it came in);
- `analytics_agent_day`: tickets per day, event, assignee and department;
- `analytics_duration_day`: first responses and resolutions per day and bin of their working
  minutes (a log scale), with indexes on the ticket by bin and instant: the percentiles;
- `analytics_follow_up_day`: follow-ups per day, owner (who made it) and method;
- `analytics_customer_day`: customers created per day;
- `analytics_customer_count`: customers per dimension and value (activity, industry section,
  region, grade, stage, source, value level), today;
- `analytics_order_unit`: per calendar day, ISO week and month, the customers with an order
  (not cancelled) dated in it and those with two or more.

Like the figures, they leave out archived customers and their follow-ups and orders:
archiving a customer (or bringing one back) moves its records out (or in), and a customer's
deletion takes them off before they cascade away.

They are kept exact in the writing transaction by statement triggers with transition tables,
so every writer (the services, the jobs, imports, bulk loads) keeps them without knowing:
each statement adds a row per key of what its new rows count minus what its old rows
counted. Rows are only ever added, so concurrent writers never wait for each other here
(but for orders of one customer: see _UNITS); `analytics_rollups_fold()` (a job) sums
each key's rows into one. `analytics_rollup_zone` holds the zone whose local days they count;
`analytics_rollups_rebuild(zone)` counts everything again (a changed zone). PostgreSQL only:
SQLite installations are small and count the raw rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5b7e2c9d4a18"
down_revision: str | Sequence[str] | None = "7d2f9e4c1a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger()
DEFAULT_ZONE = "Asia/Shanghai"  # config.Settings.timezone's default


@dataclass(frozen=True)
class Rollup:
    """A table of counts and how a row of `base` counts in it. `events` is a LATERAL VALUES
    over the base row `t` giving (event, at, measures…), `at` an instant whose local day is
    the row's day (NULL: the event did not happen) or, with `at_is_day`, a date; `keys` are
    the table's other key columns and `key_values` their values from `t`."""

    table: str
    base: str
    keys: tuple[str, ...]
    key_values: tuple[str, ...]
    events: str
    measures: tuple[str, ...]
    where: str = "TRUE"
    day_column: str = "day"
    splits: str = ""  # another LATERAL, when a row counts under several keys

    def deltas(self) -> str:
        """INSERT … SELECT of what the rows of `%s` (the source: a transition table or the
        base table, with a sign column) count, one row per key. `$1` is the zone."""
        sums = [f"sum(t.sign * e.{m})" for m in self.measures]
        columns = [self.day_column, "event", *self.keys]
        values = ["(e.at AT TIME ZONE $1)::date", "e.event", *self.key_values]
        group = ", ".join(str(i) for i in range(1, len(columns) + 1))
        return f"""INSERT INTO {self.table} ({", ".join(columns)}, {", ".join(self.measures)})
SELECT {", ".join(values)}, {", ".join(sums)}
FROM %s AS t CROSS JOIN LATERAL {self.events} {self.splits}
WHERE e.at IS NOT NULL AND {self.where}
GROUP BY {group}
HAVING {" OR ".join(f"{s} <> 0" for s in sums)}"""

    def fold(self) -> str:
        return _fold(
            self.table, [self.day_column, "event", *self.keys], self.measures, self.day_column
        )


def _fold(table: str, keys: Sequence[str], measures: Sequence[str], day: str | None) -> str:
    """One statement, one snapshot: the rows of every day that has a key with several rows
    (of the whole table, without a day) are replaced by one row per key holding their sum
    (none when it is all zeros). Rows other transactions add meanwhile are not seen: they
    stay for the next fold."""
    columns = ", ".join(keys)
    sums = [f"sum({m})" for m in measures]
    if day is None:
        gone = f"DELETE FROM {table} RETURNING *"
    else:
        gone = f"""DELETE FROM {table} WHERE {day} IN (
        SELECT {day} FROM {table} GROUP BY {columns} HAVING count(*) > 1)
    RETURNING *"""
    return f"""WITH gone AS ({gone})
INSERT INTO {table} ({columns}, {", ".join(measures)})
SELECT {columns}, {", ".join(sums)} FROM gone GROUP BY {columns}
HAVING {" OR ".join(f"{s} <> 0" for s in sums)}"""


_RATED = "t.status = 'closed' AND t.satisfaction_overall IS NOT NULL"


def _score(column: str) -> str:
    return (
        f"CASE WHEN {_RATED} AND t.{column} IS NOT NULL THEN 1 ELSE 0 END, "
        f"CASE WHEN {_RATED} THEN coalesce(t.{column}, 0) ELSE 0 END"
    )


_FIRST_RESPONSE_AT = (
    "CASE WHEN t.first_response_elapsed_minutes IS NOT NULL THEN t.first_response_at END"
)
_FIRST_RESPONSE_ON_TIME = (
    "CASE WHEN t.first_response_elapsed_minutes <= t.first_response_minutes THEN 1 ELSE 0 END"
)
_RESOLUTION_TIMED = "CASE WHEN t.resolution_elapsed_minutes IS NOT NULL THEN 1 ELSE 0 END"
_RESOLUTION_ON_TIME = (
    "CASE WHEN t.resolution_elapsed_minutes <= t.resolution_minutes THEN 1 ELSE 0 END"
)
_REOPENED = "CASE WHEN t.reopen_count > 0 THEN 1 ELSE 0 END"
_SCORES = ", ".join(
    _score(c)
    for c in (
        "satisfaction_response_speed",
        "satisfaction_resolution",
        "satisfaction_attitude",
        "satisfaction_overall",
    )
)
TICKET_DAY = Rollup(
    table="analytics_ticket_day",
    base="ticket",
    keys=("department_id", "split", "value"),
    key_values=("t.department_id", "s.split", "s.value"),
    # Each count once in total and once under its type, its channel and its priority: the
    # figures split or filter by one of them at a time (a cube of all three would be as many
    # rows as tickets).
    splits="""CROSS JOIN LATERAL (VALUES
    ('all', ''), ('type', t.type), ('channel', t.channel), ('priority', t.priority)
) AS s(split, value)""",
    events=f"""(VALUES
    ('opened', t.opened_at, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ('first_response', {_FIRST_RESPONSE_AT}, 1, 1, {_FIRST_RESPONSE_ON_TIME}, {_REOPENED},
        0, 0, 0, 0, 0, 0, 0, 0),
    ('resolved', t.resolved_at, 1, {_RESOLUTION_TIMED}, {_RESOLUTION_ON_TIME},
        {_RESOLUTION_TIMED} * {_REOPENED}, 0, 0, 0, 0, 0, 0, 0, 0),
    ('closed', CASE WHEN t.status <> 'cancelled' THEN t.closed_at END, 1, 0, 0, 0, {_SCORES}),
    ('left', CASE WHEN coalesce(t.resolved_at, t.closed_at) IS NOT NULL
        THEN greatest(t.opened_at, coalesce(t.resolved_at, t.closed_at)) END,
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
) AS e(event, at, tickets, timed, on_time, reopened, speed_n, speed_sum, resolution_n,
       resolution_sum, attitude_n, attitude_sum, overall_n, overall_sum)""",
    measures=(
        "tickets",
        "timed",
        "on_time",
        "reopened",
        "speed_n",
        "speed_sum",
        "resolution_n",
        "resolution_sum",
        "attitude_n",
        "attitude_sum",
        "overall_n",
        "overall_sum",
    ),
)
AGENT_DAY = Rollup(
    table="analytics_agent_day",
    base="ticket",
    keys=("assignee_id", "department_id"),
    key_values=("t.assignee_id", "t.department_id"),
    events=f"""(VALUES
    ('opened', t.opened_at, 1, 0, 0),
    ('first_response', {_FIRST_RESPONSE_AT}, 1, 1, {_FIRST_RESPONSE_ON_TIME}),
    ('resolved', t.resolved_at, 1, {_RESOLUTION_TIMED}, {_RESOLUTION_ON_TIME})
) AS e(event, at, tickets, timed, on_time)""",
    measures=("tickets", "timed", "on_time"),
    where="t.assignee_id IS NOT NULL",
)
FOLLOW_UP_DAY = Rollup(
    table="analytics_follow_up_day",
    base="follow_up",
    keys=("owner_id", "method"),
    key_values=("t.owner_id", "t.method"),
    events="(VALUES ('made', t.at, 1)) AS e(event, at, follow_ups)",
    measures=("follow_ups",),
)
CUSTOMER_DAY = Rollup(
    table="analytics_customer_day",
    base="customer",
    keys=(),
    key_values=(),
    events="(VALUES ('created', t.created_at, 1)) AS e(event, at, customers)",
    measures=("customers",),
)
# Percentiles are not sums: per day, how many durations fell in each bin of a log scale (3 %
# wide). A median is then the r-th smallest duration of one bin in the bucket, read from the
# ticket's index on (bin, instant): a few hundred rows instead of the period's all.
DURATION_BIN = """
CREATE FUNCTION analytics_duration_bin(minutes double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT floor(ln(1 + greatest(minutes, 0)) * 32)::integer $$"""
DURATION_DAY = Rollup(
    table="analytics_duration_day",
    base="ticket",
    keys=("bin",),
    key_values=("e.bin",),
    events=f"""(VALUES
    ('first_response', {_FIRST_RESPONSE_AT},
        analytics_duration_bin(t.first_response_elapsed_minutes), 1),
    ('resolution',
        CASE WHEN t.resolution_elapsed_minutes IS NOT NULL THEN t.resolved_at END,
        analytics_duration_bin(t.resolution_elapsed_minutes), 1)
) AS e(event, at, bin, tickets)""",
    measures=("tickets",),
)
DURATION_INDEXES = {
    "ix_ticket_first_response_bin": ("first_response_elapsed_minutes", "first_response_at"),
    "ix_ticket_resolution_bin": ("resolution_elapsed_minutes", "resolved_at"),
}
DAY_ROLLUPS = (TICKET_DAY, AGENT_DAY, DURATION_DAY, FOLLOW_UP_DAY, CUSTOMER_DAY)

# The columns whose change can change a count, per base table: an UPDATE that changes none of
# them (most: SLA clocks, replies, versions, last contact) counts nothing.
COUNTED_COLUMNS = {
    "ticket": (
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "status",
        "department_id",
        "assignee_id",
        "type",
        "channel",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "first_response_elapsed_minutes",
        "resolution_elapsed_minutes",
        "reopen_count",
        "satisfaction_response_speed",
        "satisfaction_resolution",
        "satisfaction_attitude",
        "satisfaction_overall",
    ),
    "follow_up": ("at", "owner_id", "method", "customer_id"),
    "customer": (
        "archived",
        "created_at",
        "activity_status",
        "industry",
        "region",
        "grade",
        "stage",
        "source",
        "value_level",
    ),
    "customer_order": ("customer_id", "ordered_on", "status"),
}

CUSTOMER_DIMENSIONS = """(VALUES
    ('activity_status', t.activity_status),
    ('industry', substr(t.industry, 1, 1)),
    ('region', t.region),
    ('grade', t.grade),
    ('stage', t.stage),
    ('source', t.source),
    ('value_level', t.value_level)
) AS d(dimension, value)"""
_CUSTOMER_COUNT = f"""INSERT INTO analytics_customer_count (dimension, value, customers)
SELECT d.dimension, d.value, sum(t.sign) FROM %s AS t CROSS JOIN LATERAL {CUSTOMER_DIMENSIONS}
GROUP BY 1, 2 HAVING sum(t.sign) <> 0"""

# Orders: whether a customer has one, or two, in a day, week or month is not a sum of the
# day's rows, so the trigger counts the customer's orders in each unit its changed orders
# fall in (after the statement) and adds the change of "has one" and "has two". Two
# transactions adding a customer's orders at once would each miss the other's: the
# customers are locked first (_LOCK_CUSTOMERS), as the order services lock them anyway.
_UNITS = """(VALUES
    ('day', o.ordered_on, o.ordered_on),
    ('week', date_trunc('week', o.ordered_on)::date, date_trunc('week', o.ordered_on)::date + 6),
    ('month', date_trunc('month', o.ordered_on)::date,
        (date_trunc('month', o.ordered_on) + interval '1 month')::date - 1)
) AS u(granularity, first_day, last_day)"""
_ORDER_UNITS = f"""WITH changed AS (
    SELECT o.customer_id, u.granularity, u.first_day, u.last_day,
        sum(CASE WHEN o.status <> 'cancelled' THEN o.sign ELSE 0 END) AS delta
    FROM %s AS o CROSS JOIN LATERAL {_UNITS}
    GROUP BY 1, 2, 3, 4),
counted AS (
    SELECT c.granularity, c.first_day, c.delta, (
        SELECT count(*) FROM customer_order x
        WHERE x.customer_id = c.customer_id AND x.status <> 'cancelled'
            AND x.ordered_on BETWEEN c.first_day AND c.last_day) AS after
    FROM changed c WHERE c.delta <> 0)
INSERT INTO analytics_order_unit (granularity, first_day, with_orders, repeat)
SELECT granularity, first_day,
    sum((after >= 1)::int - (after - delta >= 1)::int),
    sum((after >= 2)::int - (after - delta >= 2)::int)
FROM counted GROUP BY 1, 2
HAVING sum((after >= 1)::int - (after - delta >= 1)::int) <> 0
    OR sum((after >= 2)::int - (after - delta >= 2)::int) <> 0"""
# Lock the customers of the changed orders (all of them, archived or not) before counting.
_LOCK_CUSTOMERS = """PERFORM 1 FROM customer WHERE id IN (SELECT customer_id FROM %s AS o)
ORDER BY id FOR NO KEY UPDATE"""
# What whole customers' orders count, `%s` giving (sign, id): a customer archived or brought
# back, deleted, or every customer when counting again.
_CUSTOMER_ORDER_UNITS = f"""INSERT INTO analytics_order_unit
    (granularity, first_day, with_orders, repeat)
SELECT granularity, first_day, sum(sign), sum(CASE WHEN n >= 2 THEN sign ELSE 0 END) FROM (
    SELECT x.sign, u.granularity, u.first_day, o.customer_id, count(*) AS n
    FROM %s AS x JOIN customer_order o ON o.customer_id = x.id AND o.status <> 'cancelled'
    CROSS JOIN LATERAL {_UNITS} GROUP BY 1, 2, 3, 4) per_customer
GROUP BY 1, 2
HAVING sum(sign) <> 0 OR sum(CASE WHEN n >= 2 THEN sign ELSE 0 END) <> 0"""

# The rollups count records of customers that are not archived. A record's own trigger
# looks its customer up (a deleted customer's records count nothing: the customer's BEFORE
# DELETE trigger took them off while they were still there); the customer's triggers move a
# customer's records in or out when it is archived or brought back.
_KEPT = {
    "ticket": ("", "TRUE"),
    "follow_up": ("JOIN customer kc ON kc.id = {a}.customer_id AND NOT kc.archived", "TRUE"),
    "customer_order": (
        "JOIN customer kc ON kc.id = {a}.customer_id AND NOT kc.archived",
        "TRUE",
    ),
    "customer": ("", "NOT {a}.archived"),
}
_TOGGLED = """(SELECT CASE WHEN n.archived THEN -1 ELSE 1 END AS sign, n.id
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.archived IS DISTINCT FROM n.archived)"""
_LOCKED = {
    "INSERT": "(SELECT customer_id FROM new_rows)",
    "DELETE": "(SELECT customer_id FROM old_rows)",
    "UPDATE": "(SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows)",
}


def _sources(table: str) -> dict[str, str]:
    """The rows a statement changed that count (their customer is not archived), old ones
    with sign -1."""
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COUNTED_COLUMNS[table])
    join, condition = _KEPT[table]
    return {
        "INSERT": f"""(SELECT 1 AS sign, n.* FROM new_rows n {join.format(a="n")}
    WHERE {condition.format(a="n")})""",
        "DELETE": f"""(SELECT -1 AS sign, o.* FROM old_rows o {join.format(a="o")}
    WHERE {condition.format(a="o")})""",
        "UPDATE": f"""(SELECT -1 AS sign, o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
        {join.format(a="o")} WHERE ({changed}) AND {condition.format(a="o")}
    UNION ALL
    SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
        {join.format(a="n")} WHERE ({changed}) AND {condition.format(a="n")})""",
    }


def _static(template: str, source: str, zone: str) -> str:
    """A statement of the functions below: `%s` is the source, `$1` the zone. Written into
    the function as it is (not EXECUTEd), so PL/pgSQL prepares it once per session."""
    return template.replace("%s", source).replace("$1", zone)


def _trigger_function(
    table: str, templates: Sequence[str], *, lock: bool = False, on_update: Sequence[str] = ()
) -> str:
    sources = _sources(table)

    def branch(op: str) -> str:
        statements = [_static(t, sources[op], "rollup_zone") for t in templates]
        if lock:
            statements.insert(0, _static(_LOCK_CUSTOMERS, _LOCKED[op], "rollup_zone"))
        if op == "UPDATE":
            statements += on_update
        return "\n        ".join(f"{s};" for s in statements)

    return f"""
CREATE FUNCTION analytics_{table}_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rollup_zone text := (SELECT z.zone FROM analytics_rollup_zone z);
BEGIN
    IF TG_OP = 'INSERT' THEN
        {branch("INSERT")}
    ELSIF TG_OP = 'DELETE' THEN
        {branch("DELETE")}
    ELSE
        {branch("UPDATE")}
    END IF;
    RETURN NULL;
END $$"""


_FOLLOW_UPS_OF = "(SELECT x.sign, f.* FROM {x} AS x JOIN follow_up f ON f.customer_id = x.id)"
TRIGGER_FUNCTIONS = {
    "ticket": _trigger_function(
        "ticket", [TICKET_DAY.deltas(), AGENT_DAY.deltas(), DURATION_DAY.deltas()]
    ),
    "follow_up": _trigger_function("follow_up", [FOLLOW_UP_DAY.deltas()]),
    "customer": _trigger_function(
        "customer",
        [CUSTOMER_DAY.deltas(), _CUSTOMER_COUNT],
        on_update=[
            _static(FOLLOW_UP_DAY.deltas(), _FOLLOW_UPS_OF.format(x=_TOGGLED), "rollup_zone"),
            _static(_CUSTOMER_ORDER_UNITS, _TOGGLED, "rollup_zone"),
        ],
    ),
    "customer_order": _trigger_function("customer_order", [_ORDER_UNITS], lock=True),
}
_DELETED = "(SELECT -1 AS sign, OLD.id AS id)"
_BEFORE_DELETE_FUNCTION = f"""
CREATE FUNCTION analytics_customer_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rollup_zone text := (SELECT z.zone FROM analytics_rollup_zone z);
BEGIN
    -- Its follow-ups and orders go with it (ON DELETE CASCADE), after this: take them off
    -- while they are here.
    IF NOT OLD.archived THEN
        {_static(FOLLOW_UP_DAY.deltas(), _FOLLOW_UPS_OF.format(x=_DELETED), "rollup_zone")};
        {_static(_CUSTOMER_ORDER_UNITS, _DELETED, "rollup_zone")};
    END IF;
    RETURN OLD;
END $$"""


def _rebuild_function() -> str:
    kept = {
        "ticket": "(SELECT 1 AS sign, * FROM ticket)",
        "follow_up": _FOLLOW_UPS_OF.format(
            x="(SELECT 1 AS sign, id FROM customer WHERE NOT archived)"
        ),
        "customer": "(SELECT 1 AS sign, * FROM customer WHERE NOT archived)",
    }
    everything = "\n    ".join(
        f"{_static(r.deltas(), kept[r.base], 'new_zone')};" for r in DAY_ROLLUPS
    )
    count = _static(_CUSTOMER_COUNT, kept["customer"], "new_zone")
    orders = _static(
        _CUSTOMER_ORDER_UNITS, "(SELECT 1 AS sign, id FROM customer WHERE NOT archived)", "new_zone"
    )
    tables = [*(r.table for r in DAY_ROLLUPS), "analytics_customer_count", "analytics_order_unit"]
    return f"""
CREATE FUNCTION analytics_rollups_rebuild(new_zone text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The counted tables' writers wait until the counts are whole again.
    LOCK TABLE {", ".join(COUNTED_COLUMNS)} IN SHARE MODE;
    UPDATE analytics_rollup_zone SET zone = new_zone;
    {" ".join(f"DELETE FROM {t};" for t in tables)}
    {everything}
    {count};
    {orders};
END $$"""


def _fold_function() -> str:
    folds = [
        *(r.fold() for r in DAY_ROLLUPS),
        _fold("analytics_customer_count", ["dimension", "value"], ["customers"], None),
        _fold(
            "analytics_order_unit",
            ["granularity", "first_day"],
            ["with_orders", "repeat"],
            "first_day",
        ),
    ]
    body = "\n    ".join(f"{f};" for f in folds)
    return f"""
CREATE FUNCTION analytics_rollups_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One fold at a time: every server process runs the job.
    PERFORM pg_advisory_xact_lock(hashtext('analytics_rollups_fold'));
    {body}
END $$"""


def _measures(*names: str) -> list[sa.Column]:
    return [sa.Column(m, sa.BigInteger(), nullable=False) for m in names]


def _day_table(rollup: Rollup, *keys: sa.Column) -> None:
    op.create_table(
        rollup.table,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        *keys,
        *_measures(*rollup.measures),
    )
    op.create_index(f"ix_{rollup.table}_day", rollup.table, ["day"])


def upgrade() -> None:
    # Open tickets by department: where the backlog is counted back from.
    op.create_index(
        "ix_ticket_unfinished",
        "ticket",
        ["department_id"],
        postgresql_where=sa.text("resolved_at IS NULL AND closed_at IS NULL"),
        sqlite_where=sa.text("resolved_at IS NULL AND closed_at IS NULL"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(DURATION_BIN)
    for name, (minutes, at) in DURATION_INDEXES.items():
        op.execute(
            f"CREATE INDEX {name} ON ticket (analytics_duration_bin({minutes}), {at}) "
            f"INCLUDE ({minutes}) WHERE {minutes} IS NOT NULL"
        )
    op.create_table("analytics_rollup_zone", sa.Column("zone", sa.String(64), primary_key=True))
    op.execute(f"INSERT INTO analytics_rollup_zone (zone) VALUES ('{DEFAULT_ZONE}')")
    _day_table(
        TICKET_DAY,
        sa.Column("department_id", Id),
        sa.Column("split", sa.String(10), nullable=False),
        sa.Column("value", sa.String(30), nullable=False),
    )
    _day_table(
        AGENT_DAY, sa.Column("assignee_id", Id, nullable=False), sa.Column("department_id", Id)
    )
    _day_table(
        FOLLOW_UP_DAY,
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
    )
    _day_table(CUSTOMER_DAY)
    _day_table(DURATION_DAY, sa.Column("bin", sa.Integer(), nullable=False))
    op.create_table(
        "analytics_customer_count",
        sa.Column("dimension", sa.String(20), nullable=False),
        sa.Column("value", sa.String(100)),
        *_measures("customers"),
    )
    op.create_table(
        "analytics_order_unit",
        sa.Column("granularity", sa.String(5), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        *_measures("with_orders", "repeat"),
    )
    op.create_index("ix_analytics_order_unit_first_day", "analytics_order_unit", ["first_day"])
    for function in TRIGGER_FUNCTIONS.values():
        op.execute(function)
    op.execute(_BEFORE_DELETE_FUNCTION)
    op.execute(_rebuild_function())
    op.execute(_fold_function())
    op.execute("SET LOCAL work_mem = '256MB'")  # the first count hashes every order once
    op.execute(f"SELECT analytics_rollups_rebuild('{DEFAULT_ZONE}')")
    for table in TRIGGER_FUNCTIONS:
        for action, references in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            op.execute(
                f"CREATE TRIGGER analytics_{table}_{action} AFTER {action.upper()} ON {table} "
                f"REFERENCING {references} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION analytics_{table}_rollup()"
            )
    op.execute(
        "CREATE TRIGGER analytics_customer_before_delete BEFORE DELETE ON customer "
        "FOR EACH ROW EXECUTE FUNCTION analytics_customer_before_delete()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER analytics_customer_before_delete ON customer")
        op.execute("DROP FUNCTION analytics_customer_before_delete()")
        for table in TRIGGER_FUNCTIONS:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER analytics_{table}_{action} ON {table}")
            op.execute(f"DROP FUNCTION analytics_{table}_rollup()")
        op.execute("DROP FUNCTION analytics_rollups_rebuild(text)")
        op.execute("DROP FUNCTION analytics_rollups_fold()")
        for rollup in DAY_ROLLUPS:
            op.drop_table(rollup.table)
        op.drop_table("analytics_customer_count")
        op.drop_table("analytics_order_unit")
        op.drop_table("analytics_rollup_zone")
        for name in DURATION_INDEXES:
            op.drop_index(name, table_name="ticket")
        op.execute("DROP FUNCTION analytics_duration_bin(double precision)")
    op.drop_index("ix_ticket_unfinished", table_name="ticket")
