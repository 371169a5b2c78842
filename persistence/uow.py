"""The unit of work: one session, one transaction, and the repositories that share it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict
from persistence.analytics import SqlAnalyticsRepo
from persistence.analytics.report_repo import SqlReportRepo
from persistence.api_key_repo import SqlApiKeyRepo
from persistence.attachment_repo import SqlAttachmentRepo
from persistence.audit_repo import SqlAuditRepo
from persistence.change_feed_repo import SqlChangeFeedRepo
from persistence.change_request_repo import SqlChangeRequestRepo
from persistence.customer_repo import SqlCodeCounter, SqlCustomerRepo
from persistence.customer_summary_repo import SqlCustomerSummaryRepo
from persistence.customer_value_repo import SqlCustomerValueRepo
from persistence.external_id_repo import SqlExternalIdRepo
from persistence.follow_up_repo import SqlFollowUpRepo
from persistence.imports.repo import SqlImportRepo
from persistence.lifecycle_repo import SqlLifecycleRepo
from persistence.notification_repo import SqlNotificationRepo
from persistence.opportunity_repo import SqlOpportunityRepo
from persistence.order_repo import SqlOrderRepo
from persistence.pool_repo import SqlPoolRepo
from persistence.search.query import SqlSearchRepo
from persistence.search.views import SqlSavedViewRepo
from persistence.tags_and_fields_repo import SqlCustomFieldRepo, SqlTagRepo
from persistence.task_repo import SqlTaskRepo
from persistence.ticket_repo import SqlTicketRepo
from persistence.user_repo import SqlUserRepo
from persistence.webhook_repo import SqlWebhookRepo

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.customers = SqlCustomerRepo(session)
        self.codes = SqlCodeCounter(session)
        self.users = SqlUserRepo(session)
        self.tags = SqlTagRepo(session)
        self.custom_fields = SqlCustomFieldRepo(session)
        self.audit = SqlAuditRepo(session)
        self.tickets = SqlTicketRepo(session)
        self.attachments = SqlAttachmentRepo(session)
        self.notifications = SqlNotificationRepo(session)
        self.lifecycle = SqlLifecycleRepo(session)
        self.pool = SqlPoolRepo(session)
        self.change_requests = SqlChangeRequestRepo(session)
        self.orders = SqlOrderRepo(session)
        self.follow_ups = SqlFollowUpRepo(session)  # and the cadence rules
        self.opportunities = SqlOpportunityRepo(session)
        self.tasks = SqlTaskRepo(session)
        self.values = SqlCustomerValueRepo(session)
        self.imports = SqlImportRepo(session)
        self.analytics = SqlAnalyticsRepo(session)
        self.reports = SqlReportRepo(session)  # and trend alerts
        self.summaries = SqlCustomerSummaryRepo(session)
        self.search = SqlSearchRepo(session)
        self.saved_views = SqlSavedViewRepo(session)
        self.api_keys = SqlApiKeyRepo(session)
        self.external_ids = SqlExternalIdRepo(session)
        self.webhooks = SqlWebhookRepo(session)
        self.changes = SqlChangeFeedRepo(session)  # the sync feed's reads of the audit trail

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        # The search index keeps up: its before_commit hook runs at the savepoint's release too.
        try:
            async with self.session.begin_nested():
                yield
        except IntegrityError as exc:
            # As api/problems.py answers it for a whole request: a race past the pre-checks.
            raise Conflict(
                "The change conflicts with another record (a duplicate or a reference "
                "that no longer exists)."
            ) from exc


if TYPE_CHECKING:
    # Where the type checker holds the SQL side to the domain's ports: each repository above
    # must have every method its port declares, with the same signature.
    _meets_the_ports: type[UnitOfWork] = SqlUnitOfWork
