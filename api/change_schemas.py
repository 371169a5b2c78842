"""The change feed's response: entries with the record's body, or tombstones."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.sales_schemas import FollowUpOut, OpportunityOut, OrderOut
from api.schemas import ContactOut, CustomerOut
from api.ticket_schemas import TicketOut

ChangeType = Literal["customers", "contacts", "orders", "follow_ups", "tickets", "opportunities"]


class ChangeOut(BaseModel):
    type: ChangeType
    id: int
    customer_id: int | None = Field(description="The customer the record belongs to (itself).")
    action: Literal["upsert", "delete"]
    position: int = Field(
        description="The audit entry of the record's last change in this page: with `type` "
        "and `id`, unique across the feed (an entry it already applied is one a client has "
        "seen). A contact's, order's, follow-up's, opportunity's or ticket's write is also its "
        "customer's, at the same position."
    )
    changed_at: datetime
    body: CustomerOut | ContactOut | OrderOut | FollowUpOut | TicketOut | OpportunityOut | None = (
        Field(description="upsert: the record as its GET endpoint shows it to you, now.")
    )
    external_ids: dict[str, str] | None = Field(
        description="delete: the record's ids in other systems when it was deleted."
    )
    deleted_at: datetime | None


class ChangePage(BaseModel):
    items: list[ChangeOut]
    next_cursor: str = Field(description="Pass as `since` next time; store it once applied.")
    has_more: bool = Field(description="More entries are readable now: poll again at once.")
