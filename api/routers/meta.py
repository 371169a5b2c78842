"""Health, the audit trail and reference data."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator
from sqlalchemy import text

from api.deps import DatabaseDep, QueryId, ReaderDep, ReadUowDep, scopes
from api.problems import problems
from api.schemas import AuditEventOut, HealthOut, IndustryOut, Instant, Page, refuse_nul
from api.views import audit_out
from domain.customer import INDUSTRY_SECTIONS
from domain.errors import Forbidden, InvalidCursor
from domain.roles import Actor, Scope

router = APIRouter()
AuditReader = Annotated[Actor, scopes(Scope.AUDIT_READ)]


@router.get(
    "/health",
    response_model=HealthOut,
    operation_id="meta:health",
    tags=["meta"],
    responses={503: {"model": HealthOut, "description": "The database is down."}},
)
async def health(database: DatabaseDep) -> HealthOut | JSONResponse:
    """Liveness and database status (no sign-in needed)."""
    try:
        async with database.session(write=False) as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        body = HealthOut(
            status="degraded", database=f"error: {type(exc).__name__}", backend=database.backend
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return HealthOut(status="ok", database="ok", backend=database.backend)


@router.get(
    "/audit-events",
    response_model=Page[AuditEventOut],
    operation_id="audit:list_audit_events",
    tags=["audit"],
    responses=problems(Forbidden, InvalidCursor),
)
async def list_audit_events(
    actor: AuditReader,
    uow: ReadUowDep,
    entity_type: Annotated[str | None, Query(max_length=40), AfterValidator(refuse_nul)] = None,
    entity_id: QueryId | None = None,
    customer_id: QueryId | None = None,
    actor_id: QueryId | None = None,
    action: Annotated[str | None, Query(max_length=40), AfterValidator(refuse_nul)] = None,
    since: Annotated[Instant | None, Query()] = None,
    until: Annotated[Instant | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[AuditEventOut]:
    """Every audited change, newest first (admins only). Filter by entity, actor, action, time."""
    page = await uow.audit.list_page(
        entity_type=entity_type,
        entity_id=entity_id,
        customer_id=customer_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[audit_out(e) for e in page.items], next_cursor=page.next_cursor)


@router.get(
    "/industries",
    response_model=list[IndustryOut],
    operation_id="meta:list_industries",
    tags=["meta"],
    responses=problems(Forbidden),
)
async def list_industries(actor: ReaderDep) -> list[IndustryOut]:
    """GB/T 4754-2017 sections and their division codes, for the industry picker."""
    return [
        IndustryOut(
            code=code,
            label_zh=zh,
            label_en=en,
            divisions=[f"{code}{n:02d}" for n in range(first, last + 1)],
        )
        for code, (zh, en, first, last) in INDUSTRY_SECTIONS.items()
    ]
