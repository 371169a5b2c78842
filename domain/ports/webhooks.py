"""Webhook subscriptions and their deliveries (persistence/webhook_repo.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from domain.ports.page import Page


class WebhookSubscriptionRecord(Protocol):
    id: int
    url: str
    event_types: list[str]
    secret: str
    active: bool
    status: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class WebhookDeliveryRecord(Protocol):
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    expires_at: datetime
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class WebhookRepo(Protocol):
    async def get(self, subscription_id: int) -> WebhookSubscriptionRecord | None: ...
    async def list_all(self) -> Sequence[WebhookSubscriptionRecord]: ...
    async def add(self, **values: object) -> WebhookSubscriptionRecord: ...
    async def delete(self, subscription: Any) -> None: ...
    async def flush(self) -> None: ...
    async def get_delivery(self, delivery_id: int) -> WebhookDeliveryRecord | None: ...
    async def add_delivery(self, **values: object) -> WebhookDeliveryRecord: ...
    async def list_deliveries(
        self, subscription_id: int, *, cursor: str | None, limit: int
    ) -> Page[WebhookDeliveryRecord]: ...
