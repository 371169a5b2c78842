"""Searching the index: the SQL form of domain/search/rules.py `match`.

Every condition is a gram pre-filter the index answers (PostgreSQL: `grams @> ARRAY[...]`
under GIN; SQLite: an intersection over search_gram's primary key) and a `LIKE` recheck on
the document's field, so the grams only ever narrow and the rule decides. Ranking runs one
statement per tier, best tier first, each ordered by last contact and limited to what is
still missing: a common word fills the page from its first tier and stops, a rare one costs
a few index probes per tier.
"""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Text, and_, bindparam, false, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from domain.roles import Actor, Role
from domain.search.rules import NAMES, TIERS, Match, SearchQuery, hidden_fields, match, needle
from persistence.models import Customer, FollowUp, Opportunity, SearchDoc, SearchGram, Ticket
from persistence.pagination import Page

DOC = SearchDoc.__table__
CUSTOMER = Customer.__table__
_DOC_FIELDS = [
    DOC.c[name]
    for name in (
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
]


def _escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _pattern(text: str, how: str) -> str:
    text = _escape(text)
    # Prefixes are asked of names only, which hold one value: anchored at the start, so
    # PostgreSQL reads them as a range of ix_search_doc_names and estimates them well.
    return {"exact": f"%\n{text}\n%", "prefix": f"\n{text}%", "part": f"%{text}%"}[how]


def _has_grams(keys: Sequence[str], dialect: str, walking: bool = False) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return DOC.c.grams.op("@>")(bindparam(None, list(keys), type_=ARRAY(Text())))
    if walking:  # one primary-key probe per gram for each customer the walk visits
        return and_(
            *(
                select(SearchGram.customer_id)
                .where(SearchGram.gram == key, SearchGram.customer_id == CUSTOMER.c.id)
                .exists()
                for key in keys
            )
        )
    probes = [select(SearchGram.customer_id).where(SearchGram.gram == key) for key in keys]
    subquery = probes[0] if len(probes) == 1 else probes[0].intersect(*probes[1:])
    return DOC.c.customer_id.in_(subquery)


# SQLite: a short query whose gram is in at least this many documents walks the customers in
# rank order and probes each, instead of reading every posting and sorting: `科技` is in one
# customer name of five, so the walk meets a page of matches within a few dozen rows (3 ms)
# where reading its 19,000 postings takes 45 ms. A rare query reads its few postings. (The
# PostgreSQL planner makes this choice itself from the gram statistics.)
_WALK_FROM = 2000


async def _walks(connection: Any, q: SearchQuery, conditions: Sequence[tuple[str, str]]) -> bool:
    """Whether one of the conditions is common: a single gram (a query of up to three
    characters, or four digits) in at least _WALK_FROM documents. Several grams are left to
    their postings: each may be common while all together are rare (the trigrams of a phone
    number's digits are in every ID number), and a walk would then read the whole table."""
    for field, how in conditions:
        if field not in q.fields or (field == NAMES and how == "prefix"):
            continue
        grams = q.grams_for(field, how)
        if len(grams) != 1:
            continue
        postings = await connection.scalar(
            select(func.count()).select_from(
                select(SearchGram.customer_id)
                .where(SearchGram.gram == grams[0])
                .limit(_WALK_FROM)
                .subquery()
            )
        )
        if postings >= _WALK_FROM:
            return True
    return False


def condition(
    q: SearchQuery,
    actor: Actor,
    dialect: str,
    conditions: Sequence[tuple[str, str]],
    walking: bool = False,
) -> ColumnElement[bool]:
    """Rows of search_doc ⋈ customer where one of `conditions` ((field, how) pairs) holds for
    the query, as the actor may see it.

    Written as (any field's pre-filter) AND (any field's rule), not as an OR of (pre-filter AND
    rule) per field: the two are equal, since a rule never holds without its field's grams, but
    this way the index answers the first part and each candidate row is checked with the `LIKE`s
    alone. In the other form PostgreSQL re-checks every `grams @>` on every candidate, which
    unpacks the document's whole gram array each time."""
    hidden = hidden_fields(actor.role.value)
    prefilters, rules = [], []
    for field, how in conditions:
        if field not in q.fields:
            continue
        rule: ColumnElement[bool] = DOC.c[field].like(
            bindparam(None, _pattern(needle(q, field), how)), escape="/"
        )
        if field == NAMES and how == "prefix":
            # A name prefix is a range of ix_search_doc_names (the grams would read every name
            # containing it); SQLite does not read LIKE as a range here, so it is spelled out.
            prefilter: ColumnElement[bool] = rule
            if dialect == "sqlite":
                start = "\n" + needle(q, field)
                prefilter = and_(
                    DOC.c.names >= bindparam(None, start),
                    DOC.c.names < bindparam(None, start + "\U0010ffff"),
                )
        else:
            prefilter = _has_grams(q.grams_for(field, how), dialect, walking)
        if field in hidden:
            if actor.user_id is None:
                continue
            rule = and_(CUSTOMER.c.owner_id == actor.user_id, rule)
        prefilters.append(prefilter)
        rules.append(rule)
    if not rules:
        return false()
    if dialect == "postgresql":
        # An import's documents have no grams until fill_grams gives them theirs (a minute
        # at most): meanwhile the rules alone decide, over the few rows ix_search_doc_ungrammed
        # holds.
        prefilters.append(DOC.c.grams.is_(None))
    return and_(or_(*prefilters), or_(*rules))


def any_field(q: SearchQuery, actor: Actor, dialect: str) -> ColumnElement[bool]:
    """`q=` on the customer list: the customer matches the query in any field."""
    every = [pair for _tier, pairs in TIERS for pair in pairs]
    matched = select(DOC.c.customer_id).where(condition(q, actor, dialect, every))
    if any(field in hidden_fields(actor.role.value) for field, _ in every):
        matched = matched.join(CUSTOMER, CUSTOMER.c.id == DOC.c.customer_id)
    return Customer.id.in_(matched)


def _readable(actor: Actor) -> list[ColumnElement[bool]]:
    """Search finds what the list shows by default: unarchived customers, an account
    manager's own."""
    where = [CUSTOMER.c.archived == false()]
    if actor.role is Role.ACCOUNT_MANAGER:
        where.append(CUSTOMER.c.owner_id == actor.user_id)
    return where


async def search_customers(
    session: AsyncSession, actor: Actor, q: SearchQuery, *, limit: int
) -> tuple[list[tuple[Any, Match]], bool]:
    """The best `limit` customers for the query, ranked (rules.Tier, then last contact
    newest first, then newest customer), each with its match; and whether there are more."""
    if q.empty:
        return [], False
    dialect = session.get_bind().dialect.name
    connection = await session.connection()
    found: list[int] = []
    for _tier, pairs in TIERS:
        if not any(field in q.fields for field, _ in pairs):
            continue
        walking = dialect == "sqlite" and await _walks(connection, q, pairs)
        stmt = (
            select(CUSTOMER.c.id)
            .select_from(DOC.join(CUSTOMER, CUSTOMER.c.id == DOC.c.customer_id))
            .where(condition(q, actor, dialect, pairs, walking), *_readable(actor))
            .order_by(CUSTOMER.c.last_contact_at.desc().nulls_last(), CUSTOMER.c.id.desc())
            .limit(limit + 1 - len(found))
        )
        if walking:  # (last_contact_at, rowid) descending is exactly the rank order
            stmt = stmt.with_hint(CUSTOMER, "INDEXED BY ix_customer_last_contact_at", "sqlite")
        if found:
            stmt = stmt.where(CUSTOMER.c.id.not_in(found))
        found += (await connection.execute(stmt)).scalars().all()
        if len(found) > limit:
            break
    more, found = len(found) > limit, found[:limit]
    if not found:
        return [], False
    rows = (
        await connection.execute(
            select(
                CUSTOMER.c.id,
                CUSTOMER.c.code,
                CUSTOMER.c.name,
                CUSTOMER.c.owner_id,
                CUSTOMER.c.stage,
                CUSTOMER.c.last_contact_at,
                *_DOC_FIELDS,
            )
            .select_from(DOC.join(CUSTOMER, CUSTOMER.c.id == DOC.c.customer_id))
            .where(CUSTOMER.c.id.in_(found))
        )
    ).all()
    by_id = {row.id: row for row in rows}
    out = []
    for customer_id in found:
        row = by_id[customer_id]
        m = match(cast(Mapping[str, str], row._mapping), q, hidden_for(actor, row.owner_id))
        if m is not None:  # None only if the row changed between the two statements
            out.append((row, m))
    return out, more


def hidden_for(actor: Actor, owner_id: int | None) -> frozenset[str]:
    """The fields hidden from the actor on a customer with this owner."""
    if actor.user_id is not None and owner_id == actor.user_id:
        return frozenset()
    return hidden_fields(actor.role.value) if actor.user_id is not None else frozenset()


class SqlSearchRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def customers(
        self, actor: Actor, q: SearchQuery, *, limit: int
    ) -> tuple[list[tuple[Any, Match]], bool]:
        return await search_customers(self.session, actor, q, limit=limit)

    async def contacts_of(self, customer_ids: Sequence[int]) -> list[Any]:
        """The contacts of these customers (in that order), with their customer's name."""
        if not customer_ids:
            return []
        from persistence.models import Contact

        rows = (
            await self.session.execute(
                select(
                    Contact.id,
                    Contact.customer_id,
                    Contact.name,
                    Contact.mobile,
                    Contact.phone,
                    Contact.email,
                    Contact.wechat,
                    CUSTOMER.c.name.label("customer_name"),
                )
                .join(CUSTOMER, CUSTOMER.c.id == Contact.customer_id)
                .where(Contact.customer_id.in_(customer_ids))
                .order_by(Contact.id)
            )
        ).all()
        order = {cid: i for i, cid in enumerate(customer_ids)}
        return sorted(rows, key=lambda r: order[r.customer_id])

    @staticmethod
    def hidden_for(actor: Actor, owner_id: int | None) -> frozenset[str]:
        return hidden_for(actor, owner_id)

    async def tickets(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[Ticket, str | None]]:
        """Tickets the actor may read whose code, title, description or customer name
        contains `text`, newest first, each with its customer's name."""
        from datetime import UTC, datetime

        from persistence.ticket_repo import SqlTicketRepo, TicketFilter

        page = await SqlTicketRepo(self.session).list_page(
            actor, TicketFilter(q=text), now=datetime.now(UTC), cursor=None, limit=limit
        )
        names = dict(
            (
                await self.session.execute(
                    select(CUSTOMER.c.id, CUSTOMER.c.name).where(
                        CUSTOMER.c.id.in_({t.customer_id for t in page.items})
                    )
                )
            ).all()
        )
        return Page([(t, names.get(t.customer_id)) for t in page.items], page.next_cursor)

    async def follow_ups(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[FollowUp, str | None]]:
        from persistence.follow_up_repo import FollowUpFilter, SqlFollowUpRepo

        page = await SqlFollowUpRepo(self.session).list_page(
            actor, FollowUpFilter(q=text), cursor=None, limit=limit
        )
        return Page([(f, name) for f, name in page.items], page.next_cursor)

    async def opportunities(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[Opportunity, str | None]]:
        from datetime import UTC, datetime

        from persistence.opportunity_repo import OpportunityFilter, SqlOpportunityRepo

        page = await SqlOpportunityRepo(self.session).list_page(
            actor, OpportunityFilter(q=text), cutoff=datetime.now(UTC), cursor=None, limit=limit
        )
        return Page([(o, name) for o, name in page.items], page.next_cursor)


def text_contains(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    """`q=` on tickets, follow-ups and opportunities: any of the columns contains the
    normalised query, case-insensitively (their text is not in the customer index)."""
    pattern = "%" + _escape(text) + "%"
    return or_(*(func.lower(column).like(pattern, escape="/") for column in columns))
