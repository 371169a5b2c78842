"""What the customer page's summary strip and tab counts show: a few counts in one round trip."""

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from domain.ports.summaries import Counts
from domain.roles import Actor
from persistence.models import Contact, CustomerOrder, FollowUp, Opportunity, Task, Ticket
from persistence.ticket_repo import SqlTicketRepo

OPEN_TICKET_EXCLUDED = ("resolved", "closed", "cancelled")
OPEN_STAGES = ("intent", "quote", "contract")


class SqlCustomerSummaryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(self, actor: Actor, customer_id: int) -> Counts:
        """One statement of scalar subqueries; tickets only those the actor may read."""

        def count(
            customer_column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
            *where: ColumnElement[bool],
        ) -> ScalarSelect[int]:
            # The FROM is the column's table.
            return (
                select(func.count()).where(customer_column == customer_id, *where).scalar_subquery()
            )

        readable = SqlTicketRepo(self.session)._readable(actor).with_only_columns(Ticket.id)
        tickets = Ticket.id.in_(readable)
        # The raw integer fen (Money's column) summed in SQL: exact on both back-ends.
        budget = func.coalesce(
            type_coerce(Opportunity.budget_max, BigInteger),
            type_coerce(Opportunity.budget_min, BigInteger),
            0,
        )
        row = (
            await self.session.execute(
                select(
                    count(Contact.customer_id),
                    count(FollowUp.customer_id),
                    count(CustomerOrder.customer_id),
                    count(Opportunity.customer_id),
                    count(Opportunity.customer_id, Opportunity.stage.in_(OPEN_STAGES)),
                    select(func.coalesce(func.sum(budget), 0))
                    .where(
                        Opportunity.customer_id == customer_id, Opportunity.stage.in_(OPEN_STAGES)
                    )
                    .scalar_subquery(),
                    count(Ticket.customer_id, tickets),
                    count(Ticket.customer_id, tickets, Ticket.status.not_in(OPEN_TICKET_EXCLUDED)),
                    count(Task.customer_id, Task.done_at.is_(None)),
                )
            )
        ).one()
        return Counts(*(int(v or 0) for v in row))
