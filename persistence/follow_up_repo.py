"""Follow-ups (跟进记录), the due list and the cadence rules: their SQL."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Row,
    Select,
    String,
    Text,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports.follow_ups import CadenceRuleRecord
from domain.roles import Actor, Role
from persistence.ids import among
from persistence.models import CadenceRule, Customer, FollowUp
from persistence.pagination import Page, decode_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class FollowUpFilter:
    customer_id: int | None = None
    owner_id: int | None = None
    at_from: datetime | None = None  # inclusive
    at_to: datetime | None = None  # exclusive
    q: str | None = None  # normalised (domain.search.normalize); summary or feedback contains
    updated_since: datetime | None = None  # inclusive, as the customers' list


def open_next_action() -> Any:
    """A next action nobody has done yet."""
    return and_(FollowUp.next_action.is_not(None), FollowUp.next_action_done_at.is_(None))


def has_cadence_rule() -> Any:
    """Cadence dates count only while the customer's stage has a rule: deleting a rule stops
    that stage's reminders at once."""
    return exists().where(CadenceRule.stage == Customer.stage)


class SqlFollowUpRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, follow_up_id: int) -> FollowUp | None:
        return await self.session.get(FollowUp, follow_up_id)

    async def get_many(self, follow_up_ids: Collection[int]) -> list[FollowUp]:
        """The ones of these ids that exist, in no particular order."""
        if not follow_up_ids:
            return []
        stmt = select(FollowUp).where(among(self.session, FollowUp.id, follow_up_ids))
        return list((await self.session.scalars(stmt)).all())

    async def add(self, **values: Any) -> FollowUp:
        follow_up = FollowUp(**values)
        self.session.add(follow_up)
        await self.session.flush()
        return follow_up

    async def flush(self) -> None:
        await self.session.flush()

    async def latest_other(self, customer_id: int, except_id: int) -> FollowUp | None:
        """The customer's most recent follow-up other than `except_id`."""
        stmt = (
            select(FollowUp)
            .where(FollowUp.customer_id == customer_id, FollowUp.id != except_id)
            .order_by(FollowUp.at.desc(), FollowUp.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def first_after(self, customer_id: int, at: datetime, except_id: int) -> datetime | None:
        """When the customer was next followed up after `at`, if ever."""
        stmt = (
            select(FollowUp.at)
            .where(FollowUp.customer_id == customer_id, FollowUp.id != except_id, FollowUp.at > at)
            .order_by(FollowUp.at)
            .limit(1)
        )
        return await self.session.scalar(stmt)

    async def open_next_actions(
        self, customer_id: int, *, up_to: datetime, except_id: int
    ) -> list[FollowUp]:
        """Open next actions of the customer's follow-ups made at or before `up_to`."""
        stmt = (
            select(FollowUp)
            .where(
                FollowUp.customer_id == customer_id,
                FollowUp.id != except_id,
                FollowUp.at <= up_to,
                open_next_action(),
            )
            .order_by(FollowUp.id)
        )
        return list((await self.session.scalars(stmt)).all())

    # ---- lists ----

    def _readable(self, actor: Actor, *, one_owner: bool = False) -> Select[*tuple[Any, ...]]:
        """Follow-ups with their customer's name; archived customers are left out of lists,
        account managers see their own customers' only."""
        stmt = select(FollowUp, Customer.name).join(Customer, Customer.id == FollowUp.customer_id)
        if actor.role is not Role.ACCOUNT_MANAGER:
            return stmt.where(Customer.archived.is_(False))
        if not one_owner:
            return stmt.where(Customer.archived.is_(False), Customer.owner_id == actor.user_id)
        # With the list's owner filter: one owner's follow-ups are nearly all on that owner's
        # customers, which the planner cannot know. Joined as above it expects a few dozen rows,
        # hashes both sides whole and sorts (59 ms in EXPLAIN ANALYZE at a million); checked
        # row by row, it walks (owner_id, at, id) newest first and stops at the page.
        own_customer = (
            select(and_(Customer.owner_id == actor.user_id, Customer.archived.is_(False)))
            .where(Customer.id == FollowUp.customer_id)
            .correlate(FollowUp)
            .scalar_subquery()
        )
        return stmt.where(own_customer)

    async def list_page(
        self, actor: Actor, f: FollowUpFilter, *, cursor: str | None, limit: int
    ) -> Page[Row]:
        """Newest first (by when it happened, then id)."""
        stmt = self._readable(actor, one_owner=f.owner_id is not None)
        if f.customer_id is not None:
            stmt = stmt.where(FollowUp.customer_id == f.customer_id)
        if f.owner_id is not None:
            stmt = stmt.where(FollowUp.owner_id == f.owner_id)
        if f.at_from is not None:
            stmt = stmt.where(FollowUp.at >= f.at_from)
        if f.updated_since is not None:
            stmt = stmt.where(FollowUp.updated_at >= f.updated_since)
        if f.at_to is not None:
            stmt = stmt.where(FollowUp.at < f.at_to)
        if f.q:
            from persistence.search.query import text_contains

            stmt = stmt.where(text_contains([FollowUp.summary, FollowUp.feedback], f.q))
        return await self._page(stmt, cursor, limit)

    async def list_for_customer(
        self,
        customer_id: int,
        *,
        cursor: str | None,
        limit: int,
        updated_since: datetime | None = None,
    ) -> Page[Row]:
        """All of one customer's follow-ups (access checked on the customer), newest first."""
        stmt = (
            select(FollowUp, Customer.name)
            .join(Customer, Customer.id == FollowUp.customer_id)
            .where(FollowUp.customer_id == customer_id)
        )
        if updated_since is not None:
            stmt = stmt.where(FollowUp.updated_at >= updated_since)
        return await self._page(stmt, cursor, limit)

    async def _page(
        self, stmt: Select[*tuple[Any, ...]], cursor: str | None, limit: int
    ) -> Page[Row]:
        if cursor:
            at, last_id = decode_cursor(cursor, kinds=(datetime, int))
            # A row comparison: the (at, id) indexes seek straight to the cursor.
            stmt = stmt.where(tuple_(FollowUp.at, FollowUp.id) < tuple_(at, last_id))
        rows = list(
            (
                await self.session.execute(
                    stmt.order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(limit + 1)
                )
            ).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        if not more:
            return Page(rows, None)
        last = rows[-1][0]
        return Page(rows, encode_cursor([last.at.isoformat(), last.id]))

    async def due_page(
        self,
        owner_id: int,
        *,
        owner_is_account_manager: bool,
        today: date,
        cursor: str | None,
        limit: int,
    ) -> Page[Row]:
        """What `owner_id` has due on or before `today`: open next actions of their
        follow-ups, and their customers whose cadence date has come. Archived and pool
        customers are left out, and an account manager's next actions only count on
        customers they still own. Ordered by due date, customer, kind, follow-up."""
        actions = (
            select(
                literal("next_action", String).label("kind"),
                FollowUp.customer_id.label("customer_id"),
                Customer.name.label("customer_name"),
                FollowUp.id.label("follow_up_id"),
                FollowUp.next_action.label("next_action"),
                FollowUp.next_action_due_on.label("due_on"),
            )
            .join(Customer, Customer.id == FollowUp.customer_id)
            .where(
                FollowUp.owner_id == owner_id,
                open_next_action(),
                FollowUp.next_action_due_on <= today,
                Customer.archived.is_(False),
            )
        )
        if owner_is_account_manager:
            actions = actions.where(Customer.owner_id == owner_id)
        cadence = select(
            literal("cadence", String),
            Customer.id,
            Customer.name,
            literal(None, BigInteger),
            literal(None, Text),
            Customer.next_follow_up_on,
        ).where(
            Customer.owner_id == owner_id,
            Customer.archived.is_(False),
            Customer.next_follow_up_on <= today,
            has_cadence_rule(),
        )
        due = union_all(actions, cadence).subquery()
        follow_up = func.coalesce(due.c.follow_up_id, 0)
        stmt = select(due)
        if cursor:
            day, customer_id, kind, last = decode_cursor(cursor, kinds=(date, int, str, int))
            stmt = stmt.where(
                or_(
                    due.c.due_on > day,
                    and_(
                        due.c.due_on == day,
                        or_(
                            due.c.customer_id > customer_id,
                            and_(
                                due.c.customer_id == customer_id,
                                or_(due.c.kind > kind, and_(due.c.kind == kind, follow_up > last)),
                            ),
                        ),
                    ),
                )
            )
        rows = list(
            (
                await self.session.execute(
                    stmt.order_by(due.c.due_on, due.c.customer_id, due.c.kind, follow_up).limit(
                        limit + 1
                    )
                )
            ).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = None
        if more:
            r = rows[-1]
            next_cursor = encode_cursor(
                [_day(r.due_on).isoformat(), r.customer_id, r.kind, r.follow_up_id or 0]
            )
        return Page(rows, next_cursor)

    # ---- cadence rules ----

    async def cadence_rules(self) -> list[CadenceRule]:
        return list((await self.session.scalars(select(CadenceRule))).all())

    async def cadence_rule(self, stage: str) -> CadenceRule | None:
        return await self.session.scalar(select(CadenceRule).where(CadenceRule.stage == stage))

    async def add_cadence_rule(self, stage: str, interval_days: int) -> CadenceRule:
        rule = CadenceRule(stage=stage, interval_days=interval_days)
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def delete_cadence_rule(self, rule: CadenceRuleRecord) -> None:
        await self.session.delete(rule)
        await self.session.flush()


def _day(value: Any) -> date:
    # A date through UNION comes back as text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
