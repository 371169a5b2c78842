"""The combined search (persistence/search/query.py): customers ranked by the index, their
contacts, and tickets, follow-ups and opportunities by text."""

from collections.abc import Sequence
from typing import Protocol

from domain.ports.page import Page
from domain.roles import Actor
from domain.search.rules import Match, SearchQuery


class CustomerHitRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_id(self) -> int | None: ...


class ContactHitRow(Protocol):
    """A contact with its customer's name; what rules.document reads of a contact."""

    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def mobile(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def wechat(self) -> str | None: ...
    @property
    def customer_name(self) -> str: ...


class TicketHitRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str | None: ...


class FollowUpHitRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def summary(self) -> str: ...
    @property
    def feedback(self) -> str | None: ...


class OpportunityHitRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def title(self) -> str: ...


class SearchRepo(Protocol):
    async def customers(
        self, actor: Actor, q: SearchQuery, *, limit: int
    ) -> tuple[list[tuple[CustomerHitRow, Match]], bool]:
        """The best `limit` readable customers for the query, each with its match; and
        whether there are more."""
        ...

    async def contacts_of(self, customer_ids: Sequence[int]) -> Sequence[ContactHitRow]: ...

    def hidden_for(self, actor: Actor, owner_id: int | None) -> frozenset[str]: ...

    # Each a page of (record, its customer's name), newest first, readable by the actor.
    async def tickets(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[TicketHitRow, str | None]]: ...

    async def follow_ups(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[FollowUpHitRow, str | None]]: ...

    async def opportunities(
        self, actor: Actor, text: str, *, limit: int
    ) -> Page[tuple[OpportunityHitRow, str | None]]: ...
