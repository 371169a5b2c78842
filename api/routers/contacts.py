"""Contacts by another system's id. The others live under their customer
(/customers/{customer_id}/contacts); an upsert names the customer in its body."""

from fastapi import APIRouter

from api import external_id_routes, views
from api.deps import SystemClock
from api.external_id_routes import Routes
from api.schemas import ContactOut, ContactUpsert
from config import Settings
from domain.integration import record_sync
from domain.ports import ContactRecord
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/contacts", tags=["contacts"])


async def _answer(
    uow: SqlUnitOfWork,
    actor: Actor,
    contact: ContactRecord,
    clock: SystemClock,
    settings: Settings,
) -> ContactOut:
    customer = await uow.customers.require(contact.customer_id)
    return views.contact_out(actor, customer.owner_id, contact)


external_id_routes.add(
    router,
    Routes(
        kind=record_sync.CONTACT,
        collection="contacts",
        body=ContactUpsert,
        out=ContactOut,
        answer=_answer,
        location=lambda contact: f"/api/v1/customers/{contact.customer_id}/contacts/{contact.id}",
        put_doc="""
        Create the contact with this external id on the customer `customer_id` (201), or
        update the one that has it (200; fields left out keep their values, the customer cannot
        change). The id is added to `external_ids`; one another contact holds is a 409.""",
    ),
)
