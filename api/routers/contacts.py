"""Contacts by another system's id. The others live under their customer
(/customers/{customer_id}/contacts); an upsert names the customer in its body."""

from fastapi import APIRouter, Response, status

from api import views
from api.deps import ClockDep, CustomerWriterDep, IfMatchDep, ReaderDep, ReadUowDep, UowDep, etag
from api.problems import problems
from api.query import ExternalId, ExternalSystem
from api.schemas import ContactOut, ContactUpsert
from domain.errors import Conflict, Forbidden, Invalid, NotFound, VersionMismatch
from domain.integration import record_sync

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get(
    "/by-external-id/{system}/{external_id}",
    response_model=ContactOut,
    operation_id="contacts:get_contact_by_external_id",
    responses=problems(NotFound, Forbidden, Invalid),
)
async def get_contact_by_external_id(
    system: ExternalSystem,
    external_id: ExternalId,
    actor: ReaderDep,
    uow: ReadUowDep,
    response: Response,
) -> ContactOut:
    """The contact another system knows by this id (`external_ids`)."""
    contact = await record_sync.find_contact(uow, actor, system, external_id)
    customer = await uow.customers.require(contact.customer_id)
    response.headers["ETag"] = etag(contact.version)
    return views.contact_out(actor, customer.owner_id, contact)


@router.put(
    "/by-external-id/{system}/{external_id}",
    response_model=ContactOut,
    operation_id="contacts:upsert_contact_by_external_id",
    responses={
        **problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
        201: {"model": ContactOut, "description": "Created: no contact had this id."},
    },
)
async def upsert_contact_by_external_id(
    system: ExternalSystem,
    external_id: ExternalId,
    body: ContactUpsert,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> ContactOut:
    """Create the contact with this external id on the customer `customer_id` (201), or
    update the one that has it (200; fields left out keep their values, the customer cannot
    change). The id is added to `external_ids`; one another contact holds is a 409."""
    created, contact = await record_sync.upsert_contact(
        uow,
        clock,
        actor,
        system,
        external_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    response.headers["ETag"] = etag(contact.version)
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = (
            f"/api/v1/customers/{contact.customer_id}/contacts/{contact.id}"
        )
    return views.contact_out(actor, actor.user_id or 0, contact)  # writers see it whole
