"""Batches of writes: up to 1,000 records in one request, each item answered on its own."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter, ValidationError

from api.bulk_schemas import BulkItemOut, BulkOut, CustomerBulkIn, CustomerBulkItem
from api.deps import ClockDep, CustomerWriterDep, SettingsDep, UowDep
from api.problems import domain_problem, problems, status_of, validation_problem
from domain.errors import BatchFailed, Conflict, FieldsForbidden, Forbidden, Invalid, NotFound
from domain.integration import customer_sync

router = APIRouter(prefix="/customers", tags=["customers"])

_CUSTOMER_ITEM: TypeAdapter[CustomerBulkItem] = TypeAdapter(CustomerBulkItem)
STATUS = {"created": 201, "updated": 200, "requested": 202}

Atomic = Annotated[
    bool,
    Query(description="All or nothing: any failed item fails the request (422), nothing written."),
]


def _answers(
    request: Request,
    count: int,
    invalid: dict[int, BulkItemOut],
    results: list[customer_sync.ItemResult],
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
            else BulkItemOut(index=r.index, status=STATUS[r.outcome or ""], id=r.customer_id)
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
    invalid: dict[int, BulkItemOut] = {}
    items = []
    for index, raw in enumerate(body.items):
        try:
            item = _CUSTOMER_ITEM.validate_python(raw)
        except ValidationError as exc:
            problem = validation_problem(list(exc.errors()), f"{request.url.path}#/items/{index}")
            invalid[index] = BulkItemOut(index=index, status=422, error=problem)
            continue
        fields = item.model_dump(exclude_unset=True)
        external = fields.pop("external_id", None)
        ref = None if external is None else (external["system"], external["id"])
        items.append(customer_sync.BatchItem(index, fields, ref))
    results = await customer_sync.upsert_many(
        uow, clock, actor, items, zone=ZoneInfo(settings.timezone)
    )
    answers = _answers(request, len(body.items), invalid, results)
    if atomic:
        _all_or_nothing(answers)
    return BulkOut(items=answers)
