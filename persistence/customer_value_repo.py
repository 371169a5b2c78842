"""Customer value (RFM) in SQL: aggregates, quintile scores, grades and their explanation.

One run is a handful of set-based statements over two temporary tables. `rfm_score`: the
orders aggregated per customer and scored with window functions. `rfm_change`: one pass over
the customers, joined to their scores, keeping those whose scores, level or grade would
change, with the values they had. From those the run audits level and grade changes and
updates the customers by primary key. Only changed customers are written, so a second run
over the same data writes nothing, and a nightly run writes only the few that moved.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer_value import CANCELLED, GRADE_RULES, QUINTILES, Raw
from persistence.db import rowcount
from persistence.lifecycle_scan_repo import AUDIT_COLUMNS, CUSTOMER
from persistence.models import AuditEvent, Customer, CustomerOrder, JobRun, UtcDateTime

ORDER = CustomerOrder.__table__.c
TEMPORARY = MetaData()
SCORE = Table(
    "rfm_score",
    TEMPORARY,
    Column("customer_id", BigInteger, primary_key=True, autoincrement=False),
    Column("last_order_on", Date),
    Column("orders", Integer),
    Column("amount", BigInteger),
    Column("r", Integer),
    Column("f", Integer),
    Column("m", Integer),
    Column("grade", String(1)),
    Column("level", String(10)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
CHANGE = Table(
    "rfm_change",
    TEMPORARY,
    Column("customer_id", BigInteger, primary_key=True, autoincrement=False),
    Column("r", Integer),
    Column("f", Integer),
    Column("m", Integer),
    Column("level", String(10)),
    Column("grade", String(1)),
    Column("old_level", String(10)),
    Column("old_grade", String(1)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
S, CH = SCORE.c, CHANGE.c
DIMENSIONS = (
    ("recency_days", S.r, S.last_order_on),
    ("frequency", S.f, S.orders),
    ("monetary", S.m, S.amount),
)


def _quintile(order_by: ColumnElement[Any]) -> ColumnElement[int]:
    """domain.customer_value.quintile in SQL: RANK() is a tie group's first rank, the count
    over the group its size; integer division is floor division for these operands."""
    rank = func.rank().over(order_by=order_by)
    ties = func.count().over(partition_by=order_by)
    return 1 + QUINTILES * (2 * rank + ties - 2) // (2 * func.count().over())


def _by_total(total: ColumnElement[int], attribute: str) -> ColumnElement[str]:
    return case(
        *((total >= rule.min_total, str(getattr(rule, attribute))) for rule in GRADE_RULES[:-1]),
        else_=str(getattr(GRADE_RULES[-1], attribute)),
    )


class SqlCustomerValueRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # ---- the job ----

    async def _create(self, table: Table) -> None:
        if self.dialect != "postgresql":  # a temporary table outlives the transaction there
            await self.session.execute(text(f"DROP TABLE IF EXISTS temp.{table.name}"))
        await (await self.session.connection()).run_sync(table.create)

    async def _analyze(self, table: Table) -> None:
        if self.dialect == "postgresql":  # autovacuum never analyzes temporary tables
            await self.session.execute(text(f"ANALYZE {table.name}"))

    async def score(self) -> int:
        """Score every unarchived customer with orders into `rfm_score`; how many."""
        if self.dialect == "postgresql":
            # Hash aggregates and three sorts over all scored customers: in memory.
            await self.session.execute(text("SET LOCAL work_mem = '64MB'"))
        await self._create(SCORE)
        # Aggregate the orders first, then drop the (few) archived customers with an
        # anti-join on ix_customer_archived_id: no customer lookup per order, and no pass
        # over the whole customer table.
        agg = (
            select(
                ORDER.customer_id,
                func.max(ORDER.ordered_on).label("last_on"),
                func.count().label("orders"),
                func.sum(cast_fen(ORDER.amount)).label("amount"),
            )
            .where(ORDER.status != CANCELLED)
            .group_by(ORDER.customer_id)
            .subquery()
        )
        archived = exists().where(CUSTOMER.archived.is_(True), CUSTOMER.id == agg.c.customer_id)
        counted = select(agg).where(~archived).subquery()
        # Recency: an older last order ranks lower, so the most recent buyers score 5.
        ranked = select(
            counted.c.customer_id,
            counted.c.last_on,
            counted.c.orders,
            counted.c.amount,
            _quintile(counted.c.last_on).label("r"),
            _quintile(counted.c.orders).label("f"),
            _quintile(counted.c.amount).label("m"),
        ).subquery()
        total = ranked.c.r + ranked.c.f + ranked.c.m
        rows = select(*ranked.c, _by_total(total, "grade"), _by_total(total, "level"))
        result = await self.session.execute(
            insert(SCORE).from_select(
                [
                    "customer_id",
                    "last_order_on",
                    "orders",
                    "amount",
                    "r",
                    "f",
                    "m",
                    "grade",
                    "level",
                ],
                rows,
            )
        )
        await self._analyze(SCORE)
        return rowcount(result)

    async def thresholds(self, as_of: date) -> dict[str, list[dict[str, Any]]]:
        """Per dimension and score: the lowest and highest raw value that got it, and how
        many customers did (scores nobody got are left out)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name, score, raw in DIMENSIONS:
            stmt = (
                select(score, func.min(raw), func.max(raw), func.count())
                .group_by(score)
                .order_by(score)
            )
            bands = []
            for value, low, high, customers in (await self.session.execute(stmt)).all():
                if name == "recency_days":  # the latest order is the fewest days ago
                    low, high = (as_of - _day(high)).days, (as_of - _day(low)).days
                elif name == "monetary":
                    low, high = str(_yuan(low)), str(_yuan(high))
                bands.append({"score": value, "min": low, "max": high, "customers": customers})
            out[name] = bands
        return out

    async def apply(self, now: datetime) -> dict[str, int]:
        """Write the scores, levels and grades that changed (an admin's grade stays), with a
        system audit event per customer whose level or grade changed. A customer without
        orders (not in `rfm_score`) gets them all null, so prospects are never written."""
        await self._create(CHANGE)
        level = S.level
        grade = case((CUSTOMER.grade_locked.is_(True), CUSTOMER.grade), else_=S.grade)
        changes = (
            select(CUSTOMER.id, S.r, S.f, S.m, level, grade, CUSTOMER.value_level, CUSTOMER.grade)
            .select_from(Customer.__table__)
            .outerjoin(SCORE, S.customer_id == CUSTOMER.id)
            .where(
                CUSTOMER.archived.is_(False),
                or_(
                    CUSTOMER.rfm_recency.is_distinct_from(S.r),
                    CUSTOMER.rfm_frequency.is_distinct_from(S.f),
                    CUSTOMER.rfm_monetary.is_distinct_from(S.m),
                    CUSTOMER.value_level.is_distinct_from(level),
                    CUSTOMER.grade.is_distinct_from(grade),
                ),
            )
        )
        await self.session.execute(
            insert(CHANGE).from_select(
                ["customer_id", "r", "f", "m", "level", "grade", "old_level", "old_grade"], changes
            )
        )
        await self._analyze(CHANGE)
        level_changed = CH.old_level.is_distinct_from(CH.level)
        grade_changed = CH.old_grade.is_distinct_from(CH.grade)
        audit = select(
            literal(now, UtcDateTime),
            literal(None, BigInteger),
            literal("customer", String),
            CH.customer_id,
            CH.customer_id,
            literal("value", String),
            self._changes(
                ("value_level", CH.old_level, CH.level, level_changed),
                ("grade", CH.old_grade, CH.grade, grade_changed),
            ),
        ).where(or_(level_changed, grade_changed))
        await self.session.execute(insert(AuditEvent).from_select(AUDIT_COLUMNS, audit))
        # The lock is read again as the row is written: an admin may have fixed the grade
        # since rfm_change was filled.
        await self.session.execute(
            update(Customer.__table__)
            .where(CUSTOMER.id == CH.customer_id)
            .values(
                rfm_recency=CH.r,
                rfm_frequency=CH.f,
                rfm_monetary=CH.m,
                value_level=CH.level,
                grade=case((CUSTOMER.grade_locked.is_(True), CUSTOMER.grade), else_=CH.grade),
                value_computed_at=now,
                updated_at=now,
            )
        )
        scored, changed = (
            await self.session.execute(select(func.count(CH.r), func.count()).select_from(CHANGE))
        ).one()
        if self.dialect != "postgresql":
            for table in (SCORE, CHANGE):
                await self.session.execute(text(f"DROP TABLE temp.{table.name}"))
        return {"scored_changed": scored, "unscored_changed": changed - scored}

    def _changes(self, *fields: tuple[str, Any, Any, ColumnElement[bool]]) -> Any:
        """{field: [before, after]} of the fields whose condition holds, as JSON."""
        if self.dialect == "postgresql":
            pairs = []
            for name, before, after, changed in fields:
                pairs += [
                    literal(name, String),
                    case((changed, func.jsonb_build_array(before, after))),
                ]
            return func.jsonb_strip_nulls(func.jsonb_build_object(*pairs))
        pairs = []
        for name, before, after, changed in fields:
            pairs += [
                literal(name, String),
                func.json(case((changed, func.json_array(before, after)))),
            ]
        # json_patch drops the members whose value is null: the fields that did not change.
        return func.json_patch("{}", func.json_object(*pairs))

    # ---- the explanation ----

    async def raw(self, customer_id: int) -> Raw:
        """The customer's orders as RFM counts them (cancelled ones left out)."""
        stmt = select(
            func.max(ORDER.ordered_on),
            func.count(),
            func.coalesce(func.sum(cast_fen(ORDER.amount)), 0),
        ).where(ORDER.customer_id == customer_id, ORDER.status != CANCELLED)
        last, orders, fen = (await self.session.execute(stmt)).one()
        return Raw(
            last_order_on=_day(last) if last is not None else None, orders=orders, amount=_yuan(fen)
        )

    async def last_run(self, job: str) -> dict[str, Any] | None:
        """The result of the job's latest finished run (its thresholds), if any."""
        stmt = (
            select(JobRun.result)
            .where(JobRun.job == job, JobRun.finished_at.is_not(None))
            .order_by(JobRun.finished_at.desc())
            .limit(1)
        )
        result = await self.session.scalar(stmt)
        return result if result and "thresholds" in result else None


def cast_fen(amount: ColumnElement[Any]) -> ColumnElement[int]:
    """The integer fen behind a Money column (no conversion): sums stay exact integers."""
    return type_coerce(amount, BigInteger)


def _value(value: Any, type_: Any = String) -> Any:
    return literal(value, type_) if not isinstance(value, ColumnElement) else value


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _yuan(fen: Any) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)
