"""Orders and contracts (订单/合同) of customers."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api import external_id_routes
from api.deps import (
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    PathId,
    ReaderDep,
    ReadUowDep,
    SystemClock,
    UowDep,
    etag,
)
from api.external_id_routes import Routes
from api.problems import problems
from api.query import Cursor, Limit, UpdatedSince
from api.sales_schemas import OrderCreate, OrderOut, OrderPatch, OrderUpsert
from api.sales_views import order_out
from api.schemas import Page
from config import Settings
from domain import order_service
from domain.errors import Conflict, Forbidden, Invalid, InvalidCursor, NotFound, VersionMismatch
from domain.integration import record_sync
from domain.ports import OrderRecord
from domain.roles import Actor
from domain.sales import OrderStatus
from persistence.uow import SqlUnitOfWork

router = APIRouter(tags=["orders"])


@router.get(
    "/customers/{customer_id}/orders",
    response_model=Page[OrderOut],
    operation_id="orders:list_customer_orders",
    responses=problems(NotFound, Forbidden, InvalidCursor),
)
async def list_customer_orders(
    customer_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status_: Annotated[list[OrderStatus], Query(alias="status")] = [],  # noqa: B006
    updated_since: UpdatedSince = None,
) -> Page[OrderOut]:
    """A customer's orders, latest order date first. Agents see no money: 403."""
    customer = await order_service.readable_customer(uow, actor, customer_id)
    page = await uow.orders.list_page(
        customer.id,
        status=[s.value for s in status_],
        cursor=cursor,
        limit=limit,
        updated_since=updated_since,
    )
    return Page(items=[order_out(o) for o in page.items], next_cursor=page.next_cursor)


@router.post(
    "/customers/{customer_id}/orders",
    response_model=OrderOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="orders:create_order",
    responses=problems(NotFound, Forbidden, Invalid, Conflict),
)
async def create_order(
    customer_id: PathId,
    body: OrderCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    response: Response,
) -> OrderOut:
    """Record an order or contract (admins; account managers on their own customers). Without
    `order_no` the server assigns `O` + yyyymm + 6 digits; a taken one is a 409. The
    customer's cumulative amount, first-cooperation and last-order dates follow at once."""
    order = await order_service.create(
        uow, clock, actor, customer_id, body.model_dump(exclude_unset=True)
    )
    response.headers["ETag"] = etag(order.version)
    response.headers["Location"] = f"/api/v1/orders/{order.id}"
    return order_out(order)


@router.get(
    "/orders/{order_id}",
    response_model=OrderOut,
    operation_id="orders:get_order",
    responses=problems(NotFound, Forbidden),
)
async def get_order(
    order_id: PathId, actor: ReaderDep, uow: ReadUowDep, response: Response
) -> OrderOut:
    """One order; `ETag` carries its version."""
    order, _ = await order_service.get_readable(uow, actor, order_id)
    response.headers["ETag"] = etag(order.version)
    return order_out(order)


@router.patch(
    "/orders/{order_id}",
    response_model=OrderOut,
    operation_id="orders:update_order",
    responses=problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_order(
    order_id: PathId,
    body: OrderPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> OrderOut:
    """Change an order (send `If-Match`); `status: cancelled` takes it out of the customer's
    totals."""
    order = await order_service.update(
        uow, clock, actor, order_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    response.headers["ETag"] = etag(order.version)
    return order_out(order)


async def _answer(
    uow: SqlUnitOfWork, actor: Actor, order: OrderRecord, clock: SystemClock, settings: Settings
) -> OrderOut:
    return order_out(order)


external_id_routes.add(
    router,
    Routes(
        kind=record_sync.ORDER,
        collection="orders",
        body=OrderUpsert,
        out=OrderOut,
        answer=_answer,
        put_doc="""
        Record the order with this external id for the customer `customer_id` (201), or
        update the one that has it (200; fields left out keep their values, the customer cannot
        change). The id is added to `external_ids`; one another order holds is a 409.""",
    ),
)
