"""Customer value (RFM) in SQL: aggregates, quintile scores, grades and their explanation.

One run is a handful of set-based statements: the orders are aggregated per customer and
scored with window functions into a temporary table (`rfm_score`), from which the score
boundaries are read, the changes audited and the customers updated. Only customers whose
scores, level or grade change are written, so a second run over the same data writes nothing.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (BigInteger, Column, ColumnElement, Date, Integer, MetaData, String,
                        Table, and_, case, exists, func, insert, literal, or_, select, text,
                        type_coerce, update)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer_value import CANCELLED, GRADE_RULES, NO_ORDERS, QUINTILES, Raw
from persistence.lifecycle_repo import AUDIT_COLUMNS, CUSTOMER
from persistence.models import AuditEvent, Customer, CustomerOrder, JobRun, UtcDateTime

ORDER = CustomerOrder.__table__.c
SCORE = Table(
    "rfm_score", MetaData(),
    Column("customer_id", BigInteger, primary_key=True),
    Column("last_order_on", Date), Column("orders", Integer), Column("amount", BigInteger),
    Column("r", Integer), Column("f", Integer), Column("m", Integer),
    Column("grade", String(1)), Column("level", String(10)),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
S = SCORE.c
DIMENSIONS = (("recency_days", S.r, S.last_order_on), ("frequency", S.f, S.orders),
              ("monetary", S.m, S.amount))


def _quintile(order_by: ColumnElement[Any]) -> ColumnElement[int]:
    """domain.customer_value.quintile in SQL: RANK() is a tie group's first rank, the count
    over the group its size; integer division is floor division for these operands."""
    rank = func.rank().over(order_by=order_by)
    ties = func.count().over(partition_by=order_by)
    return 1 + QUINTILES * (2 * rank + ties - 2) // (2 * func.count().over())


def _by_total(total: ColumnElement[int], attribute: str) -> ColumnElement[str]:
    return case(*((total >= rule.min_total, str(getattr(rule, attribute)))
                  for rule in GRADE_RULES[:-1]), else_=str(getattr(GRADE_RULES[-1], attribute)))


class SqlCustomerValueRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # ---- the job ----

    async def score(self) -> int:
        """Score every unarchived customer with orders into `rfm_score`; how many."""
        connection = await self.session.connection()
        if self.dialect == "postgresql":
            # Three sorts over all scored customers: in memory rather than on disk.
            await self.session.execute(text("SET LOCAL work_mem = '64MB'"))
        else:  # a temporary table outlives the transaction on SQLite
            await self.session.execute(text("DROP TABLE IF EXISTS temp.rfm_score"))
        await connection.run_sync(SCORE.create)
        agg = (select(ORDER.customer_id, func.max(ORDER.ordered_on).label("last_on"),
                      func.count().label("orders"),
                      func.sum(cast_fen(ORDER.amount)).label("amount"))
               .join_from(CustomerOrder.__table__, Customer.__table__,
                          CUSTOMER.id == ORDER.customer_id)
               .where(ORDER.status != CANCELLED, CUSTOMER.archived.is_(False))
               .group_by(ORDER.customer_id).subquery())
        # Recency: an older last order ranks lower, so the most recent buyers score 5.
        ranked = select(agg.c.customer_id, agg.c.last_on, agg.c.orders, agg.c.amount,
                        _quintile(agg.c.last_on).label("r"), _quintile(agg.c.orders).label("f"),
                        _quintile(agg.c.amount).label("m")).subquery()
        total = ranked.c.r + ranked.c.f + ranked.c.m
        rows = select(*ranked.c, _by_total(total, "grade"), _by_total(total, "level"))
        result = await self.session.execute(insert(SCORE).from_select(
            ["customer_id", "last_order_on", "orders", "amount", "r", "f", "m", "grade",
             "level"], rows))
        if self.dialect == "postgresql":
            await self.session.execute(text("ANALYZE rfm_score"))  # no autovacuum on temp
        return result.rowcount

    async def thresholds(self, as_of: date) -> dict[str, list[dict[str, Any]]]:
        """Per dimension and score: the lowest and highest raw value that got it, and how
        many customers did (scores nobody got are left out)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name, score, raw in DIMENSIONS:
            stmt = (select(score, func.min(raw), func.max(raw), func.count())
                    .group_by(score).order_by(score))
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
        system audit event per customer whose level or grade changed. Customers without
        orders get no scores, level low and grade C."""
        scored = exists().where(S.customer_id == CUSTOMER.id)
        counts = {}
        for key, join, values, condition in (
                ("scored_changed", True,
                 {"r": S.r, "f": S.f, "m": S.m, "level": S.level, "grade": S.grade},
                 CUSTOMER.id == S.customer_id),
                ("unscored_changed", False,
                 {"r": None, "f": None, "m": None, "level": str(NO_ORDERS[1]),
                  "grade": str(NO_ORDERS[0])},
                 ~scored)):
            grade = case((CUSTOMER.grade_locked.is_(True), CUSTOMER.grade),
                         else_=_value(values["grade"]))
            level_changed = CUSTOMER.value_level.is_distinct_from(_value(values["level"]))
            grade_changed = CUSTOMER.grade.is_distinct_from(grade)
            changed = or_(CUSTOMER.rfm_recency.is_distinct_from(_value(values["r"], Integer)),
                          CUSTOMER.rfm_frequency.is_distinct_from(_value(values["f"], Integer)),
                          CUSTOMER.rfm_monetary.is_distinct_from(_value(values["m"], Integer)),
                          level_changed, grade_changed)
            where = and_(CUSTOMER.archived.is_(False), condition)
            audit = (select(literal(now, UtcDateTime), literal(None, BigInteger),
                            literal("customer", String), CUSTOMER.id, CUSTOMER.id,
                            literal("value", String),
                            self._changes(("value_level", CUSTOMER.value_level,
                                           _value(values["level"]), level_changed),
                                          ("grade", CUSTOMER.grade, grade, grade_changed)))
                     .where(where, or_(level_changed, grade_changed)))
            if join:
                audit = audit.join_from(Customer.__table__, SCORE,
                                        CUSTOMER.id == S.customer_id)
            await self.session.execute(insert(AuditEvent).from_select(AUDIT_COLUMNS, audit))
            result = await self.session.execute(
                update(Customer.__table__).where(where, changed).values(
                    rfm_recency=values["r"], rfm_frequency=values["f"],
                    rfm_monetary=values["m"], value_level=values["level"], grade=grade,
                    value_computed_at=now, updated_at=now))
            counts[key] = result.rowcount
        if self.dialect != "postgresql":
            await self.session.execute(text("DROP TABLE temp.rfm_score"))
        return counts

    def _changes(self, *fields: tuple[str, Any, Any, ColumnElement[bool]]) -> Any:
        """{field: [before, after]} of the fields whose condition holds, as JSON."""
        if self.dialect == "postgresql":
            pairs = []
            for name, before, after, changed in fields:
                pairs += [literal(name, String),
                          case((changed, func.jsonb_build_array(before, after)))]
            return func.jsonb_strip_nulls(func.jsonb_build_object(*pairs))
        pairs = []
        for name, before, after, changed in fields:
            pairs += [literal(name, String),
                      func.json(case((changed, func.json_array(before, after))))]
        # json_patch drops the members whose value is null: the fields that did not change.
        return func.json_patch("{}", func.json_object(*pairs))

    # ---- the explanation ----

    async def raw(self, customer_id: int) -> Raw:
        """The customer's orders as RFM counts them (cancelled ones left out)."""
        stmt = (select(func.max(ORDER.ordered_on), func.count(),
                       func.coalesce(func.sum(cast_fen(ORDER.amount)), 0))
                .where(ORDER.customer_id == customer_id, ORDER.status != CANCELLED))
        last, orders, fen = (await self.session.execute(stmt)).one()
        return Raw(last_order_on=_day(last) if last is not None else None, orders=orders,
                   amount=_yuan(fen))

    async def last_run(self, job: str) -> dict[str, Any] | None:
        """The result of the job's latest finished run (its thresholds), if any."""
        stmt = (select(JobRun.result).where(JobRun.job == job, JobRun.finished_at.is_not(None))
                .order_by(JobRun.finished_at.desc()).limit(1))
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
