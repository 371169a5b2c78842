"""Who sees which figures, and over which records.

Account managers: their own customers only (owner forced to themselves), in every section.
Agents: service figures of their department (or, without one, of the tickets assigned to
them); customer and sales figures are not theirs. Supervisors, admins and readonly users:
everything, filtered as they ask. A filter that would reach past a role's records is a 403,
never silently widened or narrowed."""

from dataclasses import dataclass, replace
from enum import StrEnum

from domain.errors import Forbidden
from domain.roles import Actor, Role


class Section(StrEnum):
    CUSTOMERS = "customers"
    SALES = "sales"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Filters:
    department_id: int | None = None  # the owner's department; for tickets, the ticket's
    owner_id: int | None = None  # the customer's owner (account manager)
    assignee_id: int | None = None  # tickets only
    tag_id: int | None = None  # the customer has this tag
    ticket_type: str | None = None
    channel: str | None = None


EVERYTHING = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.READONLY})


def scoped(actor: Actor, section: Section, asked: Filters) -> Filters:
    """The filters a figure is computed with for `actor`: what they asked, narrowed to what
    their role may read."""
    if actor.role in EVERYTHING:
        return asked
    if actor.role is Role.ACCOUNT_MANAGER:
        if asked.owner_id not in (None, actor.user_id):
            raise Forbidden("Account managers see figures of their own customers only.")
        return replace(asked, owner_id=actor.user_id)
    if actor.role is Role.AGENT and section is Section.SERVICE:
        if actor.department_id is None:
            if asked.assignee_id not in (None, actor.user_id):
                raise Forbidden("Agents see the service figures of their own tickets.")
            return replace(asked, assignee_id=actor.user_id)
        if asked.department_id not in (None, actor.department_id):
            raise Forbidden("Agents see the service figures of their department.")
        return replace(asked, department_id=actor.department_id)
    raise Forbidden("Customer and sales figures are not open to agents.")


def sections_of(actor: Actor) -> tuple[Section, ...]:
    """The sections a role's dashboard shows."""
    if actor.role is Role.AGENT:
        return (Section.SERVICE,)
    return (Section.CUSTOMERS, Section.SALES, Section.SERVICE)


def check_alert_reader(actor: Actor) -> None:
    """Trend alerts are the team's: supervisors, admins and readonly users."""
    if actor.role not in EVERYTHING:
        raise Forbidden("Trend alerts are for supervisors, admins and readonly users.")
