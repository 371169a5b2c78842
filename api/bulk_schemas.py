"""Batches of writes (POST …/bulk): the items in, one answer per item out."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, SkipValidation

from api.problems import Problem
from api.sales_schemas import FollowUpCreate, OrderUpsert
from api.schemas import ContactCreate, CustomerCreate, Strict
from api.ticket_schemas import TicketCreate
from domain.batch import MAX_BATCH


class ExternalIdIn(Strict):
    system: str = Field(
        pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="The other system's name, e.g. `erp`."
    )
    id: str = Field(min_length=1, max_length=200, description="The record's id there.")


class CustomerBulkItem(CustomerCreate):
    external_id: ExternalIdIn | None = Field(
        None,
        description="Upsert by this id, as PUT /customers/by-external-id/{system}/{id} does; "
        "left out, the item is a plain create (POST /customers).",
    )


class CustomerBulkIn(Strict):
    # Each item is validated on its own by the route, so that one malformed item is that
    # item's 422 and not the whole batch's; the schema still documents the item's shape.
    items: Annotated[
        list[SkipValidation[CustomerBulkItem]], Field(min_length=1, max_length=MAX_BATCH)
    ]


class ContactBulkIn(Strict):
    items: Annotated[list[SkipValidation[ContactCreate]], Field(min_length=1, max_length=MAX_BATCH)]


def _upsert_by(put: str, post: str) -> Any:
    return Field(
        None,
        description=f"Upsert by this id, as PUT {put} does; left out, the item is a plain "
        f"create ({post}).",
    )


class OrderBulkItem(OrderUpsert):
    external_id: ExternalIdIn | None = _upsert_by(
        "/orders/by-external-id/{system}/{id}", "POST /customers/{customer_id}/orders"
    )


class FollowUpBulkItem(FollowUpCreate):
    external_id: ExternalIdIn | None = _upsert_by(
        "/follow-ups/by-external-id/{system}/{id}", "POST /follow-ups"
    )


class TicketBulkItem(TicketCreate):
    external_id: ExternalIdIn | None = _upsert_by(
        "/tickets/by-external-id/{system}/{id}", "POST /tickets"
    )


class OrderBulkIn(Strict):
    items: Annotated[list[SkipValidation[OrderBulkItem]], Field(min_length=1, max_length=MAX_BATCH)]


class FollowUpBulkIn(Strict):
    items: Annotated[
        list[SkipValidation[FollowUpBulkItem]], Field(min_length=1, max_length=MAX_BATCH)
    ]


class TicketBulkIn(Strict):
    items: Annotated[
        list[SkipValidation[TicketBulkItem]], Field(min_length=1, max_length=MAX_BATCH)
    ]


class BulkItemOut(BaseModel):
    index: int = Field(description="The item's position in `items`, from 0.")
    status: int = Field(
        description="201 created, 200 updated, 202 sent for approval (change requests), "
        "or the 4xx the item would have answered alone, with `error`."
    )
    id: int | None = Field(None, description="The record created, updated or to approve.")
    error: Problem | None = None


class BulkOut(BaseModel):
    items: list[BulkItemOut]
