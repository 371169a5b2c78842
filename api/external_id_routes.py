"""GET and PUT …/by-external-id/{system}/{external_id} of the records that belong to a
customer (contacts, orders, tickets, follow-ups, opportunities): one pattern, written once
and added to each resource's router by `add` (domain/integration/record_sync.py does the
work)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from api.deps import (
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    ReaderDep,
    ReadUowDep,
    SettingsDep,
    SystemClock,
    UowDep,
    etag,
)
from api.problems import problems
from api.query import ExternalId, ExternalSystem
from api.route_factory import endpoint
from config import Settings
from domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, VersionMismatch
from domain.integration import record_sync
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork

R = TypeVar("R", bound=record_sync.Synced)
UPSERT_PROBLEMS = (NotFound, Forbidden, Invalid, Conflict, VersionMismatch)


@dataclass(frozen=True)
class Routes(Generic[R]):
    kind: record_sync.Kind[R]
    collection: str  # /{collection}/by-external-id/…, as in the URL: "follow-ups"
    body: type[BaseModel]  # of the PUT
    out: type[BaseModel]
    answer: Callable[[SqlUnitOfWork, Actor, R, SystemClock, Settings], Awaitable[BaseModel]]
    put_doc: str
    put_problems: tuple[type[DomainError], ...] = UPSERT_PROBLEMS
    # the actor dependencies, Annotated[Actor, scopes(...)]
    reader: Any = ReaderDep
    writer: Any = CustomerWriterDep
    # the record's own URL, for a 201; default /api/v1/{collection}/{id}
    location: Callable[[R], str] | None = None


def add(router: APIRouter, r: Routes[R]) -> None:
    """GET and PUT /{collection}/by-external-id/{system}/{external_id} on `router` (whose
    prefix may be the collection), with operation ids "{the router's tag}:get_{entity}_…"."""
    entity, tag = r.kind.entity_type, router.tags[0]
    path = f"/{r.collection}/by-external-id/{{system}}/{{external_id}}".removeprefix(router.prefix)

    async def get(
        system: ExternalSystem,
        external_id: ExternalId,
        actor: Actor,
        uow: ReadUowDep,
        clock: ClockDep,
        settings: SettingsDep,
        response: Response,
    ) -> Any:
        record = await record_sync.find(uow, actor, r.kind, system, external_id)
        response.headers["ETag"] = etag(record.version)
        return await r.answer(uow, actor, record, clock, settings)

    async def put(
        system: ExternalSystem,
        external_id: ExternalId,
        body: BaseModel,
        actor: Actor,
        uow: UowDep,
        clock: ClockDep,
        settings: SettingsDep,
        if_match: IfMatchDep,
        response: Response,
    ) -> Any:
        created, record = await record_sync.upsert(
            uow,
            clock,
            actor,
            r.kind,
            system,
            external_id,
            body.model_dump(exclude_unset=True),
            if_match=if_match,
            zone=ZoneInfo(settings.timezone),
        )
        response.headers["ETag"] = etag(record.version)
        if created:
            response.status_code = status.HTTP_201_CREATED
            response.headers["Location"] = (
                r.location(record) if r.location else f"/api/v1/{r.collection}/{record.id}"
            )
        return await r.answer(uow, actor, record, clock, settings)

    router.get(
        path,
        response_model=r.out,
        operation_id=f"{tag}:get_{entity}_by_external_id",
        responses=problems(NotFound, Forbidden, Invalid),
    )(
        endpoint(
            get,
            f"get_{entity}_by_external_id",
            f"The {r.kind.noun} another system knows by this id (`external_ids`).",
            actor=r.reader,
        )
    )
    router.put(
        path,
        response_model=r.out,
        operation_id=f"{tag}:upsert_{entity}_by_external_id",
        responses={
            **problems(*r.put_problems),
            201: {"model": r.out, "description": f"Created: no {r.kind.noun} had this id."},
        },
    )(endpoint(put, f"upsert_{entity}_by_external_id", r.put_doc, actor=r.writer, body=r.body))
