"""The customer page's counts (persistence/customer_summary_repo.py)."""

from dataclasses import dataclass
from typing import Protocol

from domain.roles import Actor


@dataclass(frozen=True, slots=True)
class Counts:
    """The customer page's tab counts (money in fen)."""

    contacts: int
    follow_ups: int
    orders: int
    opportunities: int
    open_opportunities: int
    open_opportunity_fen: int
    tickets: int
    open_tickets: int
    open_tasks: int


class SummaryRepo(Protocol):
    async def counts(self, actor: Actor, customer_id: int) -> Counts: ...
