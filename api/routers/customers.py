"""Customers (一户一档), their contacts, tags and history."""

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from api import change_request_views, views
from api.change_request_schemas import ChangeRequestsAccepted
from api.deps import (
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    PathId,
    ReaderDep,
    ReadUowDep,
    SettingsDep,
    UowDep,
    etag,
)
from api.problems import problems
from api.query import (
    Cursor,
    CustomerQuery,
    ExternalId,
    ExternalSystem,
    Limit,
    UpdatedSince,
    customer_filter,
    query_model,
    query_parameters,
)
from api.schemas import (
    ArchiveIn,
    AuditEventOut,
    ContactCreate,
    ContactOut,
    ContactPatch,
    CustomerCreate,
    CustomerOut,
    CustomerPatch,
    Page,
    SameCustomerOut,
    TagIdsIn,
    refuse_nul,
)
from domain import change_request_service, customer_service
from domain.change_request import ChangeRequestPending
from domain.errors import (
    Conflict,
    FieldsForbidden,
    Forbidden,
    Invalid,
    InvalidCursor,
    NotFound,
    VersionMismatch,
)
from domain.integration import customer_sync
from domain.roles import Actor

router = APIRouter(prefix="/customers", tags=["customers"])

Sort = Literal[
    "created_at", "-created_at", "name", "-name", "code", "-code", "updated_at", "-updated_at"
]


@router.get(
    "",
    response_model=Page[CustomerOut],
    operation_id="customers:list_customers",
    responses=problems(Forbidden, InvalidCursor, Invalid),
    openapi_extra={"parameters": query_parameters(CustomerQuery)},
)
async def list_customers(
    actor: ReaderDep,
    uow: ReadUowDep,
    settings: SettingsDep,
    clock: ClockDep,
    q: Annotated[CustomerQuery, Depends(query_model(CustomerQuery))],
) -> Response:
    """List the customers you may see, newest first unless sorted otherwise. Keyset paging.
    Every filter combines with AND; `q` searches as GET /search does (any field, role
    rules included). `custom` filters admin-defined fields: `key:value`, `key:a|b` (one of),
    `key:low..high` (numbers and dates; either end may be left out). Amount filters are
    refused (403) for roles that do not see amounts."""
    f = await customer_filter(uow, actor, q, zone=settings.timezone, now=clock.now())
    page = await uow.customers.list_page(
        actor,
        f,
        sort=q.sort.lstrip("-"),
        descending=q.sort.startswith("-"),
        cursor=q.cursor,
        limit=q.limit,
        with_total=q.with_total,
        exact_total=q.exact_total,
    )
    return await views.customer_page(uow, actor, page, now=clock.now(), zone=settings.timezone)


@router.post(
    "",
    response_model=CustomerOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="customers:create_customer",
    responses=problems(Forbidden, FieldsForbidden, Invalid, Conflict),
)
async def create_customer(
    body: CustomerCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut:
    """Create an organization or individual. The server assigns `code`; an account manager
    becomes the owner, an admin may name one with `owner_id`."""
    customer = await customer_service.create(
        uow, clock, actor, body.model_dump(exclude_unset=True), zone=ZoneInfo(settings.timezone)
    )
    response.headers["ETag"] = etag(customer.version)
    response.headers["Location"] = f"/api/v1/customers/{customer.id}"
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.get(
    "/same-as",
    response_model=list[SameCustomerOut],
    operation_id="customers:same_as",
    responses=problems(Forbidden),
)
async def same_as(
    actor: ReaderDep,
    uow: ReadUowDep,
    name: Annotated[str | None, Query(max_length=200), AfterValidator(refuse_nul)] = None,
    credit_code: Annotated[str | None, Query(max_length=40), AfterValidator(refuse_nul)] = None,
    id_number: Annotated[str | None, Query(max_length=40), AfterValidator(refuse_nul)] = None,
) -> list[SameCustomerOut]:
    """The customers a new one would repeat: the same name, credit code or ID number (at most
    5), for the form to warn before saving. One you may open comes with its id, code and name;
    any other with its owner's name only (`in_pool`: nobody's, in the public pool)."""
    found = await customer_service.same_as(
        uow, actor, name=name, credit_code=credit_code, id_number=id_number
    )
    return [SameCustomerOut(**row) for row in found]


async def _waiting_for_approval(uow: Any, actor: Actor, requests: list) -> JSONResponse:
    """202: a non-admin's change of key fields became change requests; nothing changed yet."""
    items = await change_request_views.change_requests_out(uow, actor, requests)
    accepted = ChangeRequestsAccepted(
        detail="Waiting for an admin's approval; nothing has changed yet.", items=items
    )
    return JSONResponse(jsonable_encoder(accepted), status.HTTP_202_ACCEPTED)


@router.get(
    "/by-external-id/{system}/{external_id}",
    response_model=CustomerOut,
    operation_id="customers:get_customer_by_external_id",
    responses=problems(NotFound, Forbidden, Invalid),
)
async def get_customer_by_external_id(
    system: ExternalSystem,
    external_id: ExternalId,
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut:
    """The customer another system knows by this id (`external_ids`)."""
    customer = await customer_sync.find(uow, actor, system, external_id)
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.put(
    "/by-external-id/{system}/{external_id}",
    response_model=CustomerOut,
    operation_id="customers:upsert_customer_by_external_id",
    responses={
        **problems(NotFound, Forbidden, FieldsForbidden, Invalid, Conflict, VersionMismatch),
        201: {"model": CustomerOut, "description": "Created: no customer had this id."},
        202: {
            "model": ChangeRequestsAccepted,
            "description": "Key fields of a non-admin's update: pending change requests.",
        },
    },
)
async def upsert_customer_by_external_id(
    system: ExternalSystem,
    external_id: ExternalId,
    body: CustomerCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut | JSONResponse:
    """Create or update the customer with this external id: 201 with the new customer, or
    200 with the updated one (fields left out keep their values; `kind` cannot change). The
    id is added to `external_ids`. As on PATCH, a non-admin's change of a key field answers
    202 with change requests. An external id that another customer holds is a 409."""
    created, outcome = await customer_sync.upsert(
        uow,
        clock,
        actor,
        system,
        external_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
        zone=ZoneInfo(settings.timezone),
    )
    if outcome.requests:
        return await _waiting_for_approval(uow, actor, outcome.requests)
    customer = outcome.customer
    response.headers["ETag"] = etag(customer.version)
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/customers/{customer.id}"
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.get(
    "/{customer_id}",
    response_model=CustomerOut,
    operation_id="customers:get_customer",
    responses=problems(NotFound, Forbidden),
)
async def get_customer(
    customer_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut:
    """One customer, masked for your role. `ETag` carries the version for `If-Match`."""
    customer = await customer_service.get_readable(uow, actor, customer_id)
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.patch(
    "/{customer_id}",
    response_model=CustomerOut,
    operation_id="customers:update_customer",
    responses={
        **problems(
            NotFound,
            Forbidden,
            FieldsForbidden,
            Invalid,
            Conflict,
            ChangeRequestPending,
            VersionMismatch,
        ),
        202: {
            "model": ChangeRequestsAccepted,
            "description": "Key fields of a non-admin's edit: pending "
            "change requests, nothing changed yet.",
        },
    },
)
async def update_customer(
    customer_id: PathId,
    body: CustomerPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut | JSONResponse:
    """Change some fields. `tag_ids` replaces the tags; `custom_fields` merge key by key
    (null removes a key). Send `If-Match` to fail with 412 if someone changed it meanwhile.

    A non-admin's change of `name`, `credit_code`, `id_number` or `owner_id` (an owner
    transfer) is checked like an edit but does not apply: it answers 202 with one pending
    change request per field for an admin to approve (`/change-requests`), with
    `change_comment` as the requester's comment. Send those fields on their own (422 when
    mixed with others, so nothing is half-applied); a field with a pending request is a 409."""
    changes = body.model_dump(exclude_unset=True)
    comment = changes.pop("change_comment", None)
    outcome = await change_request_service.edit_customer(
        uow,
        clock,
        actor,
        customer_id,
        changes,
        if_match=if_match,
        comment=comment,
        zone=ZoneInfo(settings.timezone),
    )
    if outcome.requests:
        return await _waiting_for_approval(uow, actor, outcome.requests)
    customer = outcome.customer
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.delete(
    "/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="customers:delete_customer",
    responses=problems(NotFound, Forbidden, VersionMismatch),
)
async def delete_customer(
    customer_id: PathId,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> None:
    """Delete for good (admins only; the audit trail keeps what it was). Prefer archiving."""
    await customer_service.delete(uow, clock, actor, customer_id, if_match=if_match)


@router.post(
    "/{customer_id}/archive",
    response_model=CustomerOut,
    operation_id="customers:archive_customer",
    responses=problems(NotFound, Forbidden, VersionMismatch),
)
async def archive_customer(
    customer_id: PathId,
    body: ArchiveIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    settings: SettingsDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> CustomerOut:
    """Archive a customer that ended cooperation: kept, hidden from all but admins."""
    customer = await customer_service.set_archived(
        uow, clock, actor, customer_id, archived=True, reason=body.reason, if_match=if_match
    )
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.post(
    "/{customer_id}/unarchive",
    response_model=CustomerOut,
    operation_id="customers:unarchive_customer",
    responses=problems(NotFound, Forbidden, VersionMismatch),
)
async def unarchive_customer(
    customer_id: PathId,
    body: ArchiveIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    settings: SettingsDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> CustomerOut:
    """Bring an archived customer back (admins only)."""
    customer = await customer_service.set_archived(
        uow, clock, actor, customer_id, archived=False, reason=body.reason, if_match=if_match
    )
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


HistoryKind = Literal[
    "customer", "contact", "follow_up", "order", "opportunity", "ticket", "task", "change_request"
]


@router.get(
    "/{customer_id}/history",
    response_model=Page[AuditEventOut],
    operation_id="customers:customer_history",
    responses=problems(NotFound, Forbidden, InvalidCursor),
)
async def customer_history(
    customer_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity_type: Annotated[
        HistoryKind | None,
        Query(description="Only the events of one kind of record (the timeline's filter)."),
    ] = None,
) -> Page[AuditEventOut]:
    """The customer's activity timeline and audit trail: its own changes, its contacts',
    tags', follow-ups', orders', opportunities', tickets' and tasks', pool releases and claims,
    newest first, masked like the customer; `entity_type` keeps one kind."""
    customer = await customer_service.get_readable(uow, actor, customer_id)
    page = await uow.audit.list_page(
        customer_id=customer.id, cursor=cursor, limit=limit, entity_type=entity_type
    )
    sensitive = await views.sensitive_keys(uow)
    return Page(
        items=[views.masked_history(actor, customer.owner_id, e, sensitive) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/{customer_id}/tags",
    response_model=CustomerOut,
    operation_id="customers:assign_tags",
    responses=problems(NotFound, Forbidden, Invalid),
)
async def assign_tags(
    customer_id: PathId,
    body: TagIdsIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> CustomerOut:
    """Add tags to a customer (those it already has are left as they are)."""
    customer = await customer_service.assign_tags(uow, clock, actor, customer_id, body.tag_ids)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.delete(
    "/{customer_id}/tags/{tag_id}",
    response_model=CustomerOut,
    operation_id="customers:unassign_tag",
    responses=problems(NotFound, Forbidden),
)
async def unassign_tag(
    customer_id: PathId,
    tag_id: PathId,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> CustomerOut:
    """Take one tag off a customer."""
    customer = await customer_service.unassign_tag(uow, clock, actor, customer_id, tag_id)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


# ---- contacts ----


@router.get(
    "/{customer_id}/contacts",
    response_model=list[ContactOut],
    operation_id="contacts:list_contacts",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden),
)
async def list_contacts(
    customer_id: PathId, actor: ReaderDep, uow: ReadUowDep, updated_since: UpdatedSince = None
) -> list[ContactOut]:
    """All contacts of a customer, the primary first."""
    customer = await customer_service.get_readable(uow, actor, customer_id)
    return [
        views.contact_out(actor, customer.owner_id, c)
        for c in await uow.customers.contacts(customer.id, updated_since=updated_since)
    ]


@router.post(
    "/{customer_id}/contacts",
    response_model=ContactOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="contacts:create_contact",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden, Invalid),
)
async def create_contact(
    customer_id: PathId,
    body: ContactCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    response: Response,
) -> ContactOut:
    """Add a contact. Phones are normalised to E.164; the first contact becomes primary."""
    contact = await customer_service.add_contact(
        uow, clock, actor, customer_id, body.model_dump(exclude_unset=True)
    )
    response.headers["ETag"] = etag(contact.version)
    return views.contact_out(actor, actor.user_id or 0, contact)  # writers see it whole


@router.get(
    "/{customer_id}/contacts/{contact_id}",
    response_model=ContactOut,
    operation_id="contacts:get_contact",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden),
)
async def get_contact(
    customer_id: PathId, contact_id: PathId, actor: ReaderDep, uow: ReadUowDep, response: Response
) -> ContactOut:
    """One contact."""
    customer, contact = await customer_service.get_contact(uow, actor, customer_id, contact_id)
    response.headers["ETag"] = etag(contact.version)
    return views.contact_out(actor, customer.owner_id, contact)


@router.patch(
    "/{customer_id}/contacts/{contact_id}",
    response_model=ContactOut,
    operation_id="contacts:update_contact",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden, Invalid, VersionMismatch),
)
async def update_contact(
    customer_id: PathId,
    contact_id: PathId,
    body: ContactPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> ContactOut:
    """Change a contact; marking it primary unmarks the others."""
    contact = await customer_service.update_contact(
        uow,
        clock,
        actor,
        customer_id,
        contact_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    response.headers["ETag"] = etag(contact.version)
    return views.contact_out(actor, actor.user_id or 0, contact)  # writers see it whole


@router.delete(
    "/{customer_id}/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="contacts:delete_contact",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden, VersionMismatch),
)
async def delete_contact(
    customer_id: PathId,
    contact_id: PathId,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> None:
    """Remove a contact; if it was primary, the oldest remaining one becomes primary."""
    await customer_service.delete_contact(
        uow, clock, actor, customer_id, contact_id, if_match=if_match
    )
