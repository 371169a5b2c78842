"""Tickets, their timeline and pauses, and the service settings they run by: SLA policies,
routing rules and the business calendar (persistence/ticket_repo.py)."""

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, Protocol

from domain.calendar import BusinessCalendar
from domain.ticket import Candidate


class TicketRecord(Protocol):
    id: int
    code: str
    customer_id: int
    external_ids: dict[str, str] | None
    contact_id: int | None
    type: str
    channel: str
    title: str
    description: str
    urgent: bool
    important: bool
    priority: str
    priority_overridden: bool
    status: str
    department_id: int | None
    assignee_id: int | None
    created_by: int | None
    expected_resolution_at: datetime | None
    opened_at: datetime
    root_cause: str | None
    responsible_party: str | None
    remedy: str | None
    revisit_at: datetime | None
    customer_accepted: bool | None
    satisfaction_response_speed: int | None
    satisfaction_resolution: int | None
    satisfaction_attitude: int | None
    satisfaction_overall: int | None
    satisfaction_comment: str | None
    # SLA targets in minutes on `sla_calendar`, agreed when the ticket was opened
    sla_calendar: str
    first_response_minutes: int
    resolution_minutes: int
    update_minutes: int
    first_response_at: datetime | None
    last_public_reply_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_since: datetime | None
    first_response_due_at: datetime | None
    first_response_warn_at: datetime | None
    resolution_due_at: datetime | None
    resolution_warn_at: datetime | None
    update_due_at: datetime | None
    last_assigned_at: datetime | None
    first_response_elapsed_minutes: float | None
    resolution_elapsed_minutes: float | None
    reopen_count: int
    created_at: datetime
    updated_at: datetime
    version: int


class TicketPauseRecord(Protocol):
    ticket_id: int
    started_at: datetime
    ended_at: datetime | None


class TicketEventRecord(Protocol):
    id: int
    ticket_id: int
    at: datetime
    actor_id: int | None
    kind: str
    visibility: str
    body: str | None
    data: dict[str, Any]  # JSON, by kind


class SlaPolicyRecord(Protocol):
    id: int
    priority: str
    ticket_type: str | None  # None: the priority's base policy
    first_response_minutes: int
    resolution_minutes: int
    update_minutes: int
    calendar: str
    version: int


class RoutingRuleRecord(Protocol):
    id: int
    ticket_type: str
    department_id: int


class BusinessHoursRecord(Protocol):
    timezone: str
    opens: time
    closes: time
    version: int


class CalendarOverrideRecord(Protocol):
    day: date
    is_workday: bool
    note: str | None


class TicketRepo(Protocol):
    async def get(self, ticket_id: int) -> TicketRecord | None: ...
    async def get_many(self, ticket_ids: Collection[int]) -> Sequence[TicketRecord]: ...
    def new(
        self,
        *,
        code: str,
        customer_id: int,
        type: str,
        channel: str,
        title: str,
        priority: str,
        priority_overridden: bool,
        status: str,
        department_id: int | None,
        assignee_id: int | None,
        created_by: int | None,
        opened_at: datetime,
        last_assigned_at: datetime | None,
        contact_id: int | None = ...,
        description: str = ...,
        urgent: bool = ...,
        important: bool = ...,
        expected_resolution_at: datetime | None = ...,
        root_cause: str | None = ...,
        responsible_party: str | None = ...,
        remedy: str | None = ...,
        revisit_at: datetime | None = ...,
        external_ids: dict[str, str] | None = ...,
    ) -> TicketRecord: ...
    async def add(self, ticket: TicketRecord) -> None: ...
    async def flush(self) -> None: ...

    async def collaborators(self, ticket_id: int) -> tuple[list[int], list[int]]: ...
    # Ticket id → (user ids, department ids), for every id asked (empty lists: none).
    async def collaborators_of(
        self, ticket_ids: Sequence[int]
    ) -> Mapping[int, tuple[list[int], list[int]]]: ...
    async def set_collaborators(
        self, ticket_id: int, user_ids: Sequence[int], department_ids: Sequence[int]
    ) -> None: ...
    async def pauses(self, ticket_id: int) -> Sequence[TicketPauseRecord]: ...
    async def pauses_of(
        self, ticket_ids: Sequence[int]
    ) -> Mapping[int, Sequence[TicketPauseRecord]]: ...
    async def start_pause(self, ticket_id: int, at: datetime) -> None: ...
    async def add_pause(self, ticket_id: int, start: datetime, end: datetime | None) -> None: ...
    async def end_pause(self, ticket_id: int, at: datetime) -> None: ...

    def add_event(
        self,
        ticket_id: int,
        at: datetime,
        actor_id: int | None,
        kind: str,
        *,
        body: str | None = ...,
        visibility: str = ...,
        data: dict[str, Any] | None = ...,
    ) -> TicketEventRecord: ...
    async def get_event(self, ticket_id: int, event_id: int) -> TicketEventRecord | None: ...

    async def sla_policy(self, priority: str, ticket_type: str) -> SlaPolicyRecord: ...
    async def list_policies(self) -> Sequence[SlaPolicyRecord]: ...
    async def get_policy(self, policy_id: int) -> SlaPolicyRecord | None: ...
    async def add_policy(
        self,
        *,
        priority: str,
        ticket_type: str | None,
        first_response_minutes: int,
        resolution_minutes: int,
        update_minutes: int,
        calendar: str,
    ) -> SlaPolicyRecord: ...
    async def delete_policy(self, policy: SlaPolicyRecord) -> None: ...
    async def routed_department(self, ticket_type: str) -> int | None: ...
    async def list_routes(self) -> Sequence[RoutingRuleRecord]: ...
    async def set_route(self, ticket_type: str, department_id: int) -> RoutingRuleRecord: ...
    async def delete_route(self, ticket_type: str) -> None: ...
    async def business_hours(self) -> BusinessHoursRecord: ...
    async def calendar_overrides(self) -> Sequence[CalendarOverrideRecord]: ...
    async def set_override(self, day: date, is_workday: bool | None, note: str | None) -> None: ...
    async def business_calendar(self) -> BusinessCalendar: ...
    async def running_on_business_calendar(
        self, *, due_from: datetime | None = ...
    ) -> Sequence[TicketRecord]: ...
    async def set_sla_thresholds(self, rows: Sequence[Mapping[str, object]]) -> None: ...
    async def assignment_candidates(self, department_id: int) -> list[Candidate]: ...
    async def workload(self) -> list[tuple[int, str, int | None, str, int]]: ...
