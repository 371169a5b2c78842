"""Request and response bodies of change requests (edits of a customer's key fields that wait
for an admin's approval)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas import Strict
from domain.change_request import KEY_FIELDS, ChangeRequestStatus


class ChangeRequestOut(BaseModel):
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    field: Literal[KEY_FIELDS]  # type: ignore[valid-type]
    old_value: Any = Field(description="The value when the request was made.")
    new_value: Any = Field(description="The value asked for (normalised).")
    status: ChangeRequestStatus
    requested_by: int
    comment: str | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    masked_fields: list[str] = Field(description="old_value / new_value when masked for you.")


class ChangeRequestsAccepted(BaseModel):
    """202: the key fields await an admin's approval; nothing changed yet."""

    detail: str
    items: list[ChangeRequestOut]


class RejectIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
