"""What the domain needs from the outside world, as structural types: the unit of work here,
its repositories and the records they return in one module each."""

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from domain.ports.api_keys import ApiKeyRecord, ApiKeyRepo
from domain.ports.attachments import AttachmentRecord, AttachmentRepo
from domain.ports.change_requests import ChangeRequestRecord, ChangeRequestRepo
from domain.ports.customers import ContactRecord, CustomerRecord, CustomerRepo
from domain.ports.external_ids import ExternalIdRepo
from domain.ports.follow_ups import CadenceRuleRecord, FollowUpRecord, FollowUpRepo
from domain.ports.imports import ImportRecord, ImportRepo
from domain.ports.lifecycle import CustomerValueRepo, LifecycleRepo, LifecycleSettingsRecord
from domain.ports.opportunities import OpportunityRecord, OpportunityRepo
from domain.ports.orders import OrderRecord, OrderRepo
from domain.ports.page import Page
from domain.ports.pool import PoolRepo
from domain.ports.saved_views import SavedViewRecord, SavedViewRepo
from domain.ports.search import SearchRepo
from domain.ports.summaries import Counts, SummaryRepo
from domain.ports.support import AuditRepo, CodeCounter, NotificationRepo
from domain.ports.tags_and_fields import CustomFieldRecord, CustomFieldRepo, TagRecord, TagRepo
from domain.ports.tasks import TaskRecord, TaskRepo
from domain.ports.tickets import (
    BusinessHoursRecord,
    CalendarOverrideRecord,
    RoutingRuleRecord,
    SlaPolicyRecord,
    TicketEventRecord,
    TicketPauseRecord,
    TicketRecord,
    TicketRepo,
)
from domain.ports.users import DepartmentRecord, RefreshTokenRecord, UserRecord, UserRepo
from domain.ports.webhooks import WebhookDeliveryRecord, WebhookRepo, WebhookSubscriptionRecord

__all__ = [
    "ContactRecord",
    "CustomerRecord",
    "CustomerRepo",
    "CadenceRuleRecord",
    "FollowUpRecord",
    "FollowUpRepo",
    "CustomFieldRecord",
    "CustomFieldRepo",
    "TagRecord",
    "TagRepo",
    "ApiKeyRecord",
    "ApiKeyRepo",
    "AttachmentRecord",
    "AttachmentRepo",
    "ChangeRequestRecord",
    "ChangeRequestRepo",
    "ExternalIdRepo",
    "CustomerValueRepo",
    "LifecycleRepo",
    "LifecycleSettingsRecord",
    "OpportunityRecord",
    "OpportunityRepo",
    "OrderRecord",
    "OrderRepo",
    "PoolRepo",
    "SavedViewRecord",
    "ImportRecord",
    "ImportRepo",
    "SavedViewRepo",
    "SearchRepo",
    "AuditRepo",
    "CodeCounter",
    "Counts",
    "NotificationRepo",
    "SummaryRepo",
    "Clock",
    "Page",
    "PasswordHasher",
    "TaskRecord",
    "TaskRepo",
    "BusinessHoursRecord",
    "CalendarOverrideRecord",
    "RoutingRuleRecord",
    "SlaPolicyRecord",
    "TicketEventRecord",
    "TicketPauseRecord",
    "TicketRecord",
    "TicketRepo",
    "DepartmentRecord",
    "RefreshTokenRecord",
    "UserRecord",
    "UserRepo",
    "UnitOfWork",
    "WebhookDeliveryRecord",
    "WebhookRepo",
    "WebhookSubscriptionRecord",
]


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    """Repositories sharing one transaction (persistence.uow.SqlUnitOfWork)."""

    @property
    def customers(self) -> CustomerRepo: ...

    @property
    def codes(self) -> CodeCounter: ...

    @property
    def users(self) -> UserRepo: ...

    @property
    def tags(self) -> TagRepo: ...

    @property
    def custom_fields(self) -> CustomFieldRepo: ...

    @property
    def audit(self) -> AuditRepo: ...

    @property
    def tickets(self) -> TicketRepo: ...

    @property
    def attachments(self) -> AttachmentRepo: ...

    @property
    def notifications(self) -> NotificationRepo: ...

    @property
    def lifecycle(self) -> LifecycleRepo: ...

    @property
    def pool(self) -> PoolRepo: ...

    @property
    def change_requests(self) -> ChangeRequestRepo: ...

    @property
    def orders(self) -> OrderRepo: ...

    @property
    def follow_ups(self) -> FollowUpRepo: ...

    @property
    def opportunities(self) -> OpportunityRepo: ...

    @property
    def tasks(self) -> TaskRepo: ...

    @property
    def values(self) -> CustomerValueRepo: ...

    @property
    def imports(self) -> ImportRepo: ...

    @property
    def summaries(self) -> SummaryRepo: ...

    @property
    def search(self) -> SearchRepo: ...

    @property
    def saved_views(self) -> SavedViewRepo: ...

    @property
    def api_keys(self) -> ApiKeyRepo: ...

    @property
    def external_ids(self) -> ExternalIdRepo: ...

    @property
    def webhooks(self) -> WebhookRepo: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A part of the transaction that an exception inside it undoes alone (and re-raises):
        one item of a batch."""
        ...


class PasswordHasher(Protocol):
    """Slow by design: implementations keep the work off the event loop."""

    async def hash(self, password: str) -> str: ...
    async def verify(self, password: str, password_hash: str | None) -> bool: ...
