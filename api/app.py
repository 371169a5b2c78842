"""The FastAPI application: API under /api/v1, the single-page app at /."""

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import contract, idempotency, observability, problems
from api.deps import SystemClock
from api.guards import BodyLimit, SecurityHeaders
from api.query import refuse_unknown_query
from api.routers import (
    alerts,
    analytics,
    api_keys,
    attachments,
    auth,
    backups,
    bulk,
    cadence_rules,
    change_requests,
    changes,
    contacts,
    customers,
    follow_ups,
    health,
    lifecycle,
    meta,
    notifications,
    opportunities,
    orders,
    pool,
    reports,
    tasks,
    tickets,
    users,
    webhooks,
)
from api.routers import exports as exports_router
from api.routers import imports as imports_router
from api.routers import saved_views as saved_views_router
from api.routers import search as search_router
from api.routers import service_settings as service_settings_router
from api.routers import tags_and_fields as tags_and_fields_router
from config import Settings
from jobs import search_grams
from jobs.scheduler import start_scheduler
from persistence.db import Database
from persistence.imports import child, files

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: object | None = None) -> FastAPI:
    settings = settings or Settings()
    files.limit_malloc_arenas()
    database = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        app.state.scheduler = start_scheduler(database) if settings.jobs else None
        # What exists now (modules, routes, schemas) lives as long as the server: out of the
        # collector's sight, a full collection walks only what requests made. It was ~15 % of
        # a change-feed page of 1,000 (a full collection every few pages, 60–100 ms each).
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()  # an app made and stopped in-process (tests) can then be collected
        if app.state.scheduler is not None:
            app.state.scheduler.shutdown(wait=False)
        child.stop()
        await search_grams.stop(database)
        await database.dispose()

    app = FastAPI(
        title="客户关系与服务管理 CRM",
        version="1.0.0",
        description="Customers, contacts, tags, service tickets and their audit trail. "
        "Errors are RFC 9457 problem+json; lists use keyset pagination.",
        lifespan=lifespan,
        dependencies=[Depends(refuse_unknown_query)],  # every GET: no parameter ignored
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock or SystemClock()
    problems.install(app)
    idempotency.install(app)  # innermost middleware: it keeps answers as the routes made them
    app.add_middleware(SecurityHeaders, api_prefix=API_PREFIX)
    app.add_middleware(BodyLimit)  # before any route reads a body, it is bounded
    # Before the lists' routers: /customers/export is not /customers/{customer_id}.
    app.include_router(exports_router.router, prefix=API_PREFIX)
    for router in (
        meta.router,
        auth.router,
        users.router,
        bulk.router,
        bulk.records_router,
        customers.router,
        contacts.router,
        tags_and_fields_router.router,
        tickets.router,
        notifications.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(attachments.router, prefix=API_PREFIX)
    app.include_router(service_settings_router.router, prefix=API_PREFIX)
    app.include_router(pool.router, prefix=API_PREFIX)
    app.include_router(change_requests.router, prefix=API_PREFIX)
    app.include_router(api_keys.router, prefix=API_PREFIX)
    app.include_router(changes.router, prefix=API_PREFIX)
    app.include_router(webhooks.router, prefix=API_PREFIX)
    for router in (
        orders.router,
        follow_ups.router,
        opportunities.router,
        cadence_rules.router,
        lifecycle.router,
        tasks.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.openapi = lambda: contract.openapi(app)  # type: ignore[method-assign]
    app.include_router(imports_router.router, prefix=API_PREFIX)
    app.include_router(analytics.router, prefix=API_PREFIX)
    app.include_router(reports.router, prefix=API_PREFIX)
    app.include_router(alerts.router, prefix=API_PREFIX)
    app.include_router(backups.router, prefix=API_PREFIX)
    app.include_router(health.router, prefix=API_PREFIX)
    observability.install(app, settings)
    app.include_router(search_router.router, prefix=API_PREFIX)
    app.include_router(saved_views_router.router, prefix=API_PREFIX)
    _mount_frontend(app, settings.frontend_dist)
    return app


def _mount_frontend(app: FastAPI, dist: Path) -> None:
    """Serve the built SPA; unknown paths outside /api fall back to index.html."""
    index = dist / "index.html"
    if not index.exists():
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        if path.startswith("api/"):
            from starlette.exceptions import HTTPException

            raise HTTPException(404, "No such API endpoint.")
        return FileResponse(index)
