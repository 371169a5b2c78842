"""Liveness and readiness probes (no sign-in): a load balancer or orchestrator sends traffic to
a process only when it is ready, and restarts it only when it is not live."""

from functools import cache

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import DatabaseDep

router = APIRouter(prefix="/health", tags=["meta"])


class LiveOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str  # ready | not_ready
    database: str  # ok | error: <kind>
    revision: str | None  # the database's schema revision
    head: str | None  # the revision this code needs


@cache
def _head() -> str | None:
    from persistence.migrate import head_revision

    return head_revision()


@router.get("/live", response_model=LiveOut, operation_id="meta:health_live")
async def live() -> LiveOut:
    """The process answers (it does not touch the database: a database outage is not a reason
    to restart the server)."""
    return LiveOut(status="live")


@router.get(
    "/ready",
    response_model=ReadyOut,
    operation_id="meta:health_ready",
    responses={503: {"model": ReadyOut, "description": "Not ready for traffic."}},
)
async def ready(database: DatabaseDep) -> ReadyOut | JSONResponse:
    """Ready for traffic: the database answers and its schema is at the revision this code
    needs (`crm migrate` has run). 503 otherwise."""
    revision = None
    try:
        async with database.session(write=False) as session:
            revision = await session.scalar(text("SELECT version_num FROM alembic_version"))
        state = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        state = f"error: {type(exc).__name__}"
    body = ReadyOut(
        status="ready" if state == "ok" and revision == _head() else "not_ready",
        database=state,
        revision=revision,
        head=_head(),
    )
    if body.status != "ready":
        return JSONResponse(body.model_dump(), status_code=503)
    return body
