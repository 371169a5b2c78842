"""Batches of writes: up to 1,000 records in one request, each item answered on its own."""

from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.bulk_schemas import (
    BulkItemOut,
    BulkOut,
    ContactBulkIn,
    CustomerBulkIn,
    CustomerBulkItem,
    FollowUpBulkIn,
    FollowUpBulkItem,
    OrderBulkIn,
    OrderBulkItem,
    TicketBulkIn,
    TicketBulkItem,
)
from api.deps import (
    ClockDep,
    CustomerWriterDep,
    PathId,
    SettingsDep,
    TicketWriterDep,
    UowDep,
)
from api.problems import domain_problem, problems, status_of, validation_problem
from api.route_factory import endpoint
from api.schemas import ContactCreate
from domain import customer_service
from domain.batch import BatchItem, ItemResult
from domain.errors import (
    BatchFailed,
    Conflict,
    DomainError,
    FieldsForbidden,
    Forbidden,
    Invalid,
    NotFound,
)
from domain.integration import customer_sync, record_sync
from domain.roles import Actor

router = APIRouter(prefix="/customers", tags=["customers"])
# The records that name their customer in their body: orders, follow-ups, tickets.
records_router = APIRouter()

_CUSTOMER_ITEM: TypeAdapter[CustomerBulkItem] = TypeAdapter(CustomerBulkItem)
_CONTACT_ITEM: TypeAdapter[ContactCreate] = TypeAdapter(ContactCreate)
Item = TypeVar("Item", bound=BaseModel)
STATUS = {"created": 201, "updated": 200, "requested": 202}

Atomic = Annotated[
    bool,
    Query(description="All or nothing: any failed item fails the request (422), nothing written."),
]


def _validated(
    request: Request, adapter: TypeAdapter[Item], raw: list[Any]
) -> tuple[list[tuple[int, Item]], dict[int, BulkItemOut]]:
    """Each item checked on its own: a malformed one is its own 422, not the batch's."""
    valid, invalid = [], {}
    for index, value in enumerate(raw):
        try:
            valid.append((index, adapter.validate_python(value)))
        except ValidationError as exc:
            problem = validation_problem(list(exc.errors()), f"{request.url.path}#/items/{index}")
            invalid[index] = BulkItemOut(index=index, status=422, error=problem)
    return valid, invalid


def _batch_items(valid: list[tuple[int, Item]]) -> list[BatchItem]:
    """The checked items as the domain takes them: fields, and the external id to upsert by."""
    items = []
    for index, item in valid:
        fields = item.model_dump(exclude_unset=True)
        external = fields.pop("external_id", None)
        ref = None if external is None else (external["system"], external["id"])
        items.append(BatchItem(index, fields, ref))
    return items


def _answers(
    request: Request,
    count: int,
    invalid: dict[int, BulkItemOut],
    results: list[ItemResult],
) -> list[BulkItemOut]:
    answers = dict(invalid)
    for r in results:
        answers[r.index] = (
            BulkItemOut(
                index=r.index,
                status=status_of(type(r.error)),
                error=domain_problem(r.error, f"{request.url.path}#/items/{r.index}"),
            )
            if r.error is not None
            # built from our own values: checking them costs more than the write (0.2 ms each)
            else BulkItemOut.model_construct(
                index=r.index, status=STATUS[r.outcome or ""], id=r.record_id, error=None
            )
        )
    return [answers[i] for i in range(count)]


def _all_or_nothing(answers: list[BulkItemOut]) -> None:
    """Raised, the request's transaction rolls back: the items that did succeed are undone."""
    failed = [a for a in answers if a.error is not None]
    if failed:
        raise BatchFailed(
            [{"field": f"items.{a.index}", "message": a.error.detail} for a in failed if a.error],
            [a.index for a in failed],
        )


@router.post(
    "/bulk",
    response_model=BulkOut,
    operation_id="customers:bulk_customers",
    responses=problems(Forbidden, FieldsForbidden, NotFound, Invalid, Conflict, BatchFailed),
)
async def bulk_customers(
    body: CustomerBulkIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    request: Request,
    atomic: Atomic = False,
) -> BulkOut:
    """Create or update up to 1,000 customers at once. An item with `external_id` is an
    upsert as by PUT /customers/by-external-id/{system}/{id}; one without is a create as by
    POST /customers. Each is checked and audited exactly as alone, and answered on its own in
    `items` (same order, `index` from 0): `status` 201 created, 200 updated, 202 sent for
    approval (a non-admin's change of a key field), or the problem it would have answered
    alone (`error`), in which case nothing of that item is written and the others go on. An
    external id repeated in a batch is refused after its first item (422). With
    `atomic=true`, any failed item fails the request with a 422 listing them; nothing is
    written. An empty batch or one of more than 1,000 items is a 422."""
    valid, invalid = _validated(request, _CUSTOMER_ITEM, body.items)
    results = await customer_sync.upsert_many(
        uow, clock, actor, _batch_items(valid), zone=ZoneInfo(settings.timezone)
    )
    answers = _answers(request, len(body.items), invalid, results)
    if atomic:
        _all_or_nothing(answers)
    return BulkOut(items=answers)


@router.post(
    "/{customer_id}/contacts/bulk",
    response_model=BulkOut,
    operation_id="contacts:bulk_contacts",
    tags=["contacts"],
    responses=problems(NotFound, Forbidden, Invalid, BatchFailed),
)
async def bulk_contacts(
    customer_id: PathId,
    body: ContactBulkIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    request: Request,
    atomic: Atomic = False,
) -> BulkOut:
    """Add up to 1,000 contacts to a customer at once, each as POST …/contacts would (phones
    to E.164; the first contact, or one marked primary, becomes the only primary), answered
    on its own in `items`: 201 with its `id`, or its problem as `error` (nothing of it
    written; the others go on). A customer you may not change is a 404 or 403 for the whole
    request. `atomic=true`, limits and answers as on POST /customers/bulk."""
    valid, invalid = _validated(request, _CONTACT_ITEM, body.items)
    results = await customer_service.add_contacts(
        uow,
        clock,
        actor,
        customer_id,
        [(index, item.model_dump(exclude_unset=True)) for index, item in valid],
    )
    answers = _answers(request, len(body.items), invalid, results)
    if atomic:
        _all_or_nothing(answers)
    return BulkOut(items=answers)


def _add_records_route(
    kind: record_sync.Kind[Any],
    *,
    path: str,
    tag: str,
    body: type[BaseModel],
    item: type[BaseModel],
    writer: Any,
    errors: tuple[type[DomainError], ...],
    doc: str,
) -> None:
    """POST {path}: a batch of one kind of record as record_sync.upsert_many writes it."""
    adapter: TypeAdapter[BaseModel] = TypeAdapter(item)
    name = f"bulk_{kind.entity_type}s"

    async def bulk(
        body: Any,
        actor: Actor,
        uow: UowDep,
        clock: ClockDep,
        settings: SettingsDep,
        request: Request,
        atomic: Atomic = False,
    ) -> BulkOut:
        valid, invalid = _validated(request, adapter, body.items)
        results = await record_sync.upsert_many(
            uow, clock, actor, kind, _batch_items(valid), zone=ZoneInfo(settings.timezone)
        )
        answers = _answers(request, len(body.items), invalid, results)
        if atomic:
            _all_or_nothing(answers)
        return BulkOut(items=answers)

    records_router.post(
        path,
        response_model=BulkOut,
        operation_id=f"{tag}:{name}",
        tags=[tag],
        responses=problems(*errors, BatchFailed),
    )(endpoint(bulk, name, doc, body=body, actor=writer))


_add_records_route(
    record_sync.ORDER,
    path="/orders/bulk",
    tag="orders",
    body=OrderBulkIn,
    item=OrderBulkItem,
    writer=CustomerWriterDep,
    errors=(NotFound, Forbidden, Invalid, Conflict),
    doc="""
    Record or update up to 1,000 orders at once. An item with `external_id` is an upsert
    as by PUT /orders/by-external-id/{system}/{id}; one without is a create as by POST
    /customers/{customer_id}/orders (`customer_id` in the item). Each is checked and audited
    exactly as alone, and answered on its own in `items` (same order, `index` from 0):
    `status` 201 created, 200 updated, or the problem it would have answered alone (`error`),
    in which case nothing of that item is written and the others go on. An external id
    repeated in a batch is refused after its first item (422). With `atomic=true`, any failed
    item fails the request with a 422 listing them; nothing is written. An empty batch or one
    of more than 1,000 items is a 422.""",
)
_add_records_route(
    record_sync.FOLLOW_UP,
    path="/follow-ups/bulk",
    tag="follow_ups",
    body=FollowUpBulkIn,
    item=FollowUpBulkItem,
    writer=CustomerWriterDep,
    errors=(NotFound, Forbidden, FieldsForbidden, Invalid, Conflict),
    doc="""
    Record or correct up to 1,000 follow-ups at once: an item with `external_id` as by PUT
    /follow-ups/by-external-id/{system}/{id}, one without as by POST /follow-ups, each with
    the same effects on its customer (last contact, pool clock, next follow-up date) as
    alone. Answers, `atomic=true` and limits as on POST /orders/bulk.""",
)
_add_records_route(
    record_sync.TICKET,
    path="/tickets/bulk",
    tag="tickets",
    body=TicketBulkIn,
    item=TicketBulkItem,
    writer=TicketWriterDep,
    errors=(NotFound, Forbidden, FieldsForbidden, Invalid, Conflict),
    doc="""
    Open or edit up to 1,000 tickets at once: an item with `external_id` as by PUT
    /tickets/by-external-id/{system}/{id}, one without as by POST /tickets, each routed,
    assigned and given its SLA clocks as alone. Answers, `atomic=true` and limits as on POST
    /orders/bulk.""",
)
