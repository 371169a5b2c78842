"""Webhooks as the API takes and shows them."""

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas import Strict
from domain.integration import webhook as rules

EventType = Literal[
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "ticket.status_changed",
    "ticket.sla_breached",
    "follow_up.created",
    "opportunity.stage_changed",
    "order.created",
]
assert get_args(EventType) == rules.EVENT_TYPES  # the domain's list, spelt out for OpenAPI
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=200, pattern=r"^[\x21-\x7e]+$")]


class WebhookCreate(Strict):
    url: Url = Field(description="http(s); not a private, loopback or link-local address.")
    event_types: list[EventType] = Field(min_length=1, max_length=len(rules.EVENT_TYPES))
    secret: Secret | None = Field(
        None, description="The signing secret; one is generated (and shown once) without it."
    )
    active: bool = True


class WebhookPatch(Strict):
    url: Url | None = None
    event_types: list[EventType] | None = Field(
        None, min_length=1, max_length=len(rules.EVENT_TYPES)
    )
    secret: Secret | None = None
    active: bool | None = None


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[EventType]
    active: bool
    status: Literal["ok", "failing"] = Field(
        description="`failing` once a delivery was given up after 24 hours of retries; `ok` "
        "again after the next delivery that succeeds."
    )
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class WebhookSecretOut(BaseModel):
    webhook: WebhookOut
    secret: str = Field(description="Shown this once: the key of X-CRM-Signature's HMAC.")


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    event_id: str = Field(description="Sent as X-CRM-Event-Id; the same on every retry.")
    event_type: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
