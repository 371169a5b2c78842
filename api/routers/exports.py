"""Exports of every list to .xlsx or .csv: the list's own filters and sort, the columns people
see, in their language, masked as the list is. Each export is audited (who, which list, which
filters, how many rows): exports are how customer lists leak.

The customer list is read straight from its repository in large pages (the big one); the
other lists are read through their own endpoints, page by page, so they apply exactly the
same parameters, access rules and masking."""

import asyncio
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi import Path as Path_
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api import views
from api.deps import ClockDep, DatabaseDep, PathId, ReaderDep, ReadUowDep, SettingsDep, scopes
from api.pdf_views import customer_document, ticket_document
from api.problems import problems
from api.query import CustomerFilters, customer_filter, query_model, query_parameters
from domain import audit
from domain.errors import Forbidden, Invalid, InvalidCursor, NotFound
from domain.imports import exports
from domain.roles import Actor, Scope
from persistence.customer_repo import EXPORT_FIELDS
from persistence.imports import workbook
from persistence.models import Customer, User
from persistence.uow import SqlUnitOfWork

router = APIRouter(tags=["exports"])
PAGE = 2000  # customers per page read for an export
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
        }
    }
}
Format = Literal["xlsx", "csv"]
Lang = Literal["zh", "en"]
EXPORT_PARAMS = ("format", "lang")


class CustomerExportQuery(CustomerFilters):
    """The list's filters and sort, plus the file's format and language."""

    format: Format = Field("xlsx", description="xlsx or csv (UTF-8 with BOM).")
    lang: Lang = Field("zh", description="The language of headers and values.")


class _Sink:
    """A temp file being written with a list's rows: in the thread pool, or for a big
    export running in the background by a child process (workbook.ListWriterProcess)."""

    def __init__(self, fmt: str, title: str, headers: list[str], *, in_child: bool = False) -> None:
        fd, name = tempfile.mkstemp(suffix=f".{fmt}")
        os.close(fd)
        self.path, self.fmt = Path(name), fmt
        writer = workbook.ListWriterProcess if in_child else workbook.ListWriter
        self.writer = writer(self.path, fmt, title, headers)

    @property
    def count(self) -> int:
        return self.writer.count

    def write(self, rows: list[list[Any]]) -> None:
        self.writer.write(rows)

    def close(self) -> None:
        self.writer.close()

    def discard(self) -> None:
        self.writer.discard()
        self.path.unlink(missing_ok=True)


async def _names(
    database: Any, user_ids: set[int], customer_ids: set[int]
) -> tuple[dict[int, str], dict[int, str]]:
    users: dict[int, str] = {}
    customers: dict[int, str] = {}
    async with database.session(write=False) as session:
        if user_ids:
            users = dict(
                (
                    await session.execute(
                        select(User.id, User.display_name).where(User.id.in_(sorted(user_ids)))
                    )
                ).all()
            )
        if customer_ids:
            customers = dict(
                (
                    await session.execute(
                        select(Customer.id, Customer.name).where(
                            Customer.id.in_(sorted(customer_ids))
                        )
                    )
                ).all()
            )
    return users, customers


def _audit_export(
    uow: SqlUnitOfWork, actor: Actor, name: str, filters: dict, sink: _Sink, at: datetime
) -> None:
    """Every export is on the audit trail: which list, with which filters, how many rows."""
    changes = {
        "list": [None, name],
        "filters": [None, filters],
        "rows": [None, sink.count],
        "format": [None, sink.fmt],
    }
    audit.record(uow, actor, "export", actor.user_id or 0, "export", changes, at=at)


async def _finish(
    database: Any, actor: Actor, sink: _Sink, name: str, filters: dict, lang: str
) -> FileResponse:
    await run_in_threadpool(sink.close)
    async with database.session(write=True) as session:
        _audit_export(SqlUnitOfWork(session), actor, name, filters, sink, datetime.now(UTC))
    title = exports.TITLES[name][lang != "zh"]
    return FileResponse(
        sink.path,
        media_type=XLSX if sink.fmt == "xlsx" else CSV,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(title)}.{sink.fmt}",
            "X-Export-Rows": str(sink.count),
        },
        background=BackgroundTask(sink.discard),
    )


BACKGROUND_ROWS = 50_000  # larger customer exports run in the background


class ExportAccepted(BaseModel):
    status: Literal["running"]
    rows: int = Field(description="Rows being written; the inbox gets the download link.")


async def _write_customers(
    database: Any, actor: Actor, f: Any, q: CustomerExportQuery, zone: ZoneInfo, sink: _Sink
) -> None:
    """Every customer of the filter, page by page, masked for the actor, into the sink."""
    async with database.session(write=False) as session:
        uow = SqlUnitOfWork(session)
        cols = list(exports.CUSTOMERS) + exports.custom_columns(await uow.custom_fields.list_all())
        users = {u.id: u.display_name for u in await uow.users.list_all()}
        row = exports.formatter(cols, q.lang, zone, users, {}, EXPORT_FIELDS)
        cursor = None
        writing: asyncio.Future | None = None
        try:
            while True:
                page = await uow.customers.list_page(
                    actor,
                    f,
                    sort=q.sort.lstrip("-"),
                    descending=q.sort.startswith("-"),
                    cursor=cursor,
                    limit=PAGE,
                    with_total=False,
                    view="export",
                )
                rows = [row(r) for r in await views.customer_export_rows(uow, actor, page.items)]
                # The sheet takes one page at a time, in order; while it writes one, the
                # database reads the next.
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(run_in_threadpool(sink.write, rows))
                cursor = page.next_cursor
                if cursor is None:
                    break
        finally:
            if writing is not None:
                await writing


async def _customer_headers(database: Any, lang: str) -> list[str]:
    async with database.session(write=False) as session:
        cols = list(exports.CUSTOMERS) + exports.custom_columns(
            await SqlUnitOfWork(session).custom_fields.list_all()
        )
    return [c.header(lang) for c in cols]


def _exports_dir(settings: Any) -> Path:
    return Path(settings.var_dir) / "exports"


async def _in_background(
    database: Any,
    actor: Actor,
    f: Any,
    q: CustomerExportQuery,
    zone: ZoneInfo,
    settings: Any,
    filters: dict,
    total: int,
) -> None:
    """Write the file under var/exports and put its link in the actor's inbox."""
    key = f"{actor.user_id}-{secrets.token_hex(16)}"
    try:
        sink = _Sink(
            q.format,
            exports.TITLES["customers"][q.lang != "zh"],
            await _customer_headers(database, q.lang),
            in_child=True,
        )
        try:
            await _write_customers(database, actor, f, q, zone, sink)
            await run_in_threadpool(sink.close)
        except BaseException:
            await run_in_threadpool(sink.discard)
            raise
        target = _exports_dir(settings) / f"{key}.{q.format}"
        target.parent.mkdir(parents=True, exist_ok=True)
        await run_in_threadpool(shutil.move, sink.path, target)
        async with database.session(write=True) as session:
            uow = SqlUnitOfWork(session)
            now = datetime.now(UTC)
            _audit_export(uow, actor, "customers", filters, sink, now)
            uow.notifications.add(
                actor.person_id,
                "export_ready",
                f"导出完成：客户 {sink.count} 行",
                at=now,
                body=f"/api/v1/exports/{key}.{q.format}",
            )
    except Exception:
        logging.getLogger("crm.exports").exception("export of %s rows failed", total)


@router.get(
    "/customers/export",
    operation_id="exports:export_customers",
    responses={
        **FILE,
        202: {
            "model": ExportAccepted,
            "description": "Over "
            f"{BACKGROUND_ROWS} rows: written in the background, "
            "the link arrives in the inbox.",
        },
        **problems(Forbidden, InvalidCursor),
    },
    openapi_extra={"parameters": query_parameters(CustomerExportQuery)},
)
async def export_customers(
    request: Request,
    actor: ReaderDep,
    uow: ReadUowDep,
    settings: SettingsDep,
    database: DatabaseDep,
    clock: ClockDep,
    q: Annotated[CustomerExportQuery, Depends(query_model(CustomerExportQuery))],
) -> Response:
    """The customer list as .xlsx or .csv: the same filters and sort as `GET /customers`
    (paging parameters aside), every match, masked for your role as the list is. Over
    50,000 rows the answer is 202 and the file's link arrives in your inbox."""
    f = await customer_filter(uow, actor, q, zone=settings.timezone, now=clock.now())
    zone = ZoneInfo(settings.timezone)
    filters = q.model_dump(
        mode="json",
        exclude={"limit", "cursor", "with_total", "format", "lang"},
        exclude_defaults=True,
    )
    total = (
        await uow.customers.list_page(
            actor,
            f,
            sort=q.sort.lstrip("-"),
            descending=q.sort.startswith("-"),
            cursor=None,
            limit=1,
            with_total=True,
        )
    ).total or 0
    if total > BACKGROUND_ROWS:
        tasks = request.app.state.__dict__.setdefault("_export_tasks", set())
        task = asyncio.create_task(
            _in_background(database, actor, f, q, zone, settings, filters, total)
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return JSONResponse({"status": "running", "rows": total}, 202)
    sink = _Sink(
        q.format,
        exports.TITLES["customers"][q.lang != "zh"],
        await _customer_headers(database, q.lang),
    )
    try:
        await _write_customers(database, actor, f, q, zone, sink)
    except BaseException:
        await run_in_threadpool(sink.discard)
        raise
    return await _finish(database, actor, sink, "customers", filters, q.lang)


@router.get(
    "/exports/{name}",
    operation_id="exports:download_export",
    responses={**FILE, **problems(NotFound)},
)
async def download_export(
    name: Annotated[str, Path_(pattern=r"^\d+-[0-9a-f]{32}\.(xlsx|csv)$")],
    actor: ReaderDep,
    settings: SettingsDep,
) -> FileResponse:
    """A file a background export wrote; only for the user who asked for it."""
    path = _exports_dir(settings) / name
    if name.split("-", 1)[0] != str(actor.user_id) or not path.exists():
        raise NotFound("export", name)
    fmt = name.rsplit(".", 1)[1]
    return FileResponse(
        path,
        media_type=XLSX if fmt == "xlsx" else CSV,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('客户')}.{fmt}"},
    )


async def _pages(
    request: Request, path: str, params: list[tuple[str, str]], paged: bool
) -> AsyncIterator[list[dict]]:
    """The list's items, read through the list endpoint itself with the caller's token."""
    transport = httpx.ASGITransport(app=request.app)
    headers = {"Authorization": request.headers.get("authorization", "")}
    async with httpx.AsyncClient(transport=transport, base_url="http://export") as client:
        cursor = None
        while True:
            query: list[tuple[str, str | int | float | bool | None]] = [*params]
            if paged:
                query.append(("limit", "200"))
            if cursor:
                query.append(("cursor", cursor))
            response = await client.get(f"/api/v1{path}", params=query, headers=headers)
            if response.status_code != 200:
                raise _Relay(response)
            body = response.json()
            if not paged:
                yield body
                return
            yield body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return


class _Relay(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response


async def _export_list(
    request: Request,
    actor: Actor,
    database: Any,
    settings: Any,
    name: str,
    path: str,
    *,
    paged: bool = True,
) -> Response:
    params = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in EXPORT_PARAMS + ("limit", "cursor")
    ]
    fmt = request.query_params.get("format", "xlsx")
    lang = request.query_params.get("lang", "zh")
    errors = []
    if fmt not in ("xlsx", "csv"):
        errors.append({"field": "format", "message": "xlsx or csv"})
    if lang not in ("zh", "en"):
        errors.append({"field": "lang", "message": "zh or en"})
    if errors:
        raise Invalid(errors)
    zone = ZoneInfo(settings.timezone)
    cols = exports.LISTS[name]
    sink = _Sink(fmt, exports.TITLES[name][lang != "zh"], [c.header(lang) for c in cols])
    try:
        async for items in _pages(request, path, params, paged):
            user_ids = {i[c.key] for i in items for c in cols if c.kind == "user" and i.get(c.key)}
            customer_ids = {
                i[c.key] for i in items for c in cols if c.kind == "customer" and i.get(c.key)
            }
            users, customers = await _names(database, user_ids, customer_ids)
            row = exports.formatter(cols, lang, zone, users, customers)
            rows = [row(i) for i in items]
            await run_in_threadpool(sink.write, rows)
    except _Relay as relay:
        await run_in_threadpool(sink.discard)
        return Response(
            relay.response.content,
            relay.response.status_code,
            media_type=relay.response.headers.get("content-type"),
        )
    except BaseException:
        await run_in_threadpool(sink.discard)
        raise
    filters: dict[str, Any] = {}
    for k, v in params:
        filters.setdefault(k, []).append(v)
    return await _finish(database, actor, sink, name, filters, lang)


def _params(list_operation: str) -> dict:
    return {
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["xlsx", "csv"], "default": "xlsx"},
            },
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
            },
        ],
        "description": f"Every item of `{list_operation}` with the same query parameters "
        "(paging aside), as .xlsx or .csv.",
    }


TicketReader = Annotated[Actor, scopes(Scope.TICKETS_READ)]
AuditReader = Annotated[Actor, scopes(Scope.AUDIT_READ)]


@router.get(
    "/tickets/export",
    operation_id="exports:export_tickets",
    responses={**FILE, **problems(Forbidden, Invalid)},
    openapi_extra=_params("GET /tickets"),
)
async def export_tickets(
    request: Request, actor: TicketReader, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The ticket list as a spreadsheet."""
    return await _export_list(request, actor, database, settings, "tickets", "/tickets")


@router.get(
    "/follow-ups/export",
    operation_id="exports:export_follow_ups",
    responses={**FILE, **problems(Forbidden, Invalid)},
    openapi_extra=_params("GET /follow-ups"),
)
async def export_follow_ups(
    request: Request, actor: ReaderDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The follow-up list as a spreadsheet."""
    return await _export_list(request, actor, database, settings, "follow_ups", "/follow-ups")


@router.get(
    "/opportunities/export",
    operation_id="exports:export_opportunities",
    responses={**FILE, **problems(Forbidden, Invalid)},
    openapi_extra=_params("GET /opportunities"),
)
async def export_opportunities(
    request: Request, actor: ReaderDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The opportunity list as a spreadsheet."""
    return await _export_list(request, actor, database, settings, "opportunities", "/opportunities")


@router.get(
    "/audit-events/export",
    operation_id="exports:export_audit_events",
    responses={**FILE, **problems(Forbidden, Invalid)},
    openapi_extra=_params("GET /audit-events"),
)
async def export_audit_events(
    request: Request, actor: AuditReader, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The audit log as a spreadsheet (admins)."""
    return await _export_list(request, actor, database, settings, "audit_events", "/audit-events")


@router.get(
    "/customers/{customer_id}/contacts/export",
    operation_id="exports:export_contacts",
    responses={**FILE, **problems(NotFound, Forbidden, Invalid)},
    openapi_extra=_params("GET /customers/{customer_id}/contacts"),
)
async def export_contacts(
    customer_id: PathId,
    request: Request,
    actor: ReaderDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """A customer's contacts as a spreadsheet."""
    return await _export_list(
        request,
        actor,
        database,
        settings,
        "contacts",
        f"/customers/{customer_id}/contacts",
        paged=False,
    )


@router.get(
    "/customers/{customer_id}/orders/export",
    operation_id="exports:export_orders",
    responses={**FILE, **problems(NotFound, Forbidden, Invalid)},
    openapi_extra=_params("GET /customers/{customer_id}/orders"),
)
async def export_orders(
    customer_id: PathId,
    request: Request,
    actor: ReaderDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """A customer's orders as a spreadsheet."""
    return await _export_list(
        request, actor, database, settings, "orders", f"/customers/{customer_id}/orders"
    )


# ---- PDF documents -------------------------------------------------------------------------

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


class _Api:
    """The app's own endpoints with the caller's token: a document shows exactly what the
    caller may read, masked the same way."""

    def __init__(self, request: Request) -> None:
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=request.app),
            base_url="http://pdf/api/v1",
            headers={"Authorization": request.headers.get("authorization", "")},
        )

    async def get(self, path: str, **params: Any) -> Any:
        """The body, or None when the caller may not read it (e.g. agents and money)."""
        response = await self.client.get(path, params=params)
        if response.status_code in (403, 404):
            return None
        if response.status_code != 200:
            raise _Relay(response)
        return response.json()

    async def required(self, path: str) -> Any:
        response = await self.client.get(path)
        if response.status_code != 200:
            raise _Relay(response)
        return response.json()


def _pdf_response(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.pdf"},
    )


@router.get(
    "/customers/{customer_id}/pdf",
    operation_id="exports:customer_pdf",
    responses={**PDF, **problems(NotFound, Forbidden)},
)
async def customer_pdf(
    customer_id: PathId,
    request: Request,
    actor: ReaderDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """The customer file (一户一档) as PDF: identity, contacts, tags, custom fields, recent
    follow-ups, orders, tickets and value, masked for your role like the customer page."""
    api = _Api(request)
    zone = ZoneInfo(settings.timezone)
    try:
        async with api.client:
            data = await customer_document(api, customer_id, zone)
    except _Relay as relay:
        return Response(
            relay.response.content,
            relay.response.status_code,
            media_type=relay.response.headers.get("content-type"),
        )
    return _pdf_response(data[0], f"{data[1]}-客户档案")


@router.get(
    "/tickets/{ticket_id}/pdf",
    operation_id="exports:ticket_pdf",
    responses={**PDF, **problems(NotFound, Forbidden)},
)
async def ticket_pdf(
    ticket_id: PathId,
    request: Request,
    actor: TicketReader,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """The service record (服务单) of a ticket as PDF: the ticket, its customer-visible
    replies, SLA figures, acceptance and satisfaction, with a signature line."""
    api = _Api(request)
    zone = ZoneInfo(settings.timezone)
    try:
        async with api.client:
            data = await ticket_document(api, ticket_id, zone)
    except _Relay as relay:
        return Response(
            relay.response.content,
            relay.response.status_code,
            media_type=relay.response.headers.get("content-type"),
        )
    return _pdf_response(data[0], f"{data[1]}-服务单")
