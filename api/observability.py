"""Logs, request ids and metrics.

Every request gets an id: the client's `X-Request-ID` when it is a sane token, else a new one;
it is returned in the response's `X-Request-ID` and is on every log line written while the
request runs (a context variable), with the user id once known. One line per request records
method, route (the path template: ids and query strings — where tokens could be — stay out),
status and duration. `CRM_LOG_FORMAT=json` writes each line as one JSON object.

`GET /metrics` (Prometheus text format) answers only with `Authorization: Bearer
<CRM_METRICS_TOKEN>`, and is not there at all when no token is set. Counters and histograms are
per process; the database figures (SLA alerts sent, outbox backlog) are read at scrape time.
"""

import contextvars
import hmac
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import decode_access_token
from config import Settings
from domain.sla_alert import Target, Threshold
from jobs.metrics import JOB_DURATION, JOB_FAILURES, JOB_RUNS
from persistence.db import Database
from persistence.models import Notification, SlaAlert

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # anything else could forge log lines
log = logging.getLogger("crm.http")

# ---- metrics --------------------------------------------------------------------------------

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "crm_http_requests_total",
    "HTTP requests by route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "crm_http_request_duration_seconds",
    "HTTP request latency.",
    ["method", "route", "status"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
for job_metric in (JOB_RUNS, JOB_FAILURES, JOB_DURATION):
    REGISTRY.register(job_metric)
POOL = Gauge(
    "crm_db_pool_connections",
    "Database pool connections by pool and state.",
    ["pool", "state"],
    registry=REGISTRY,
)


class _DatabaseFigures:
    """Collected at scrape time from the values `read_database_figures` just fetched."""

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str, int]] = []
        self.backlog: int | None = None

    def collect(self) -> Iterator[Metric]:
        alerts = CounterMetricFamily(
            "crm_sla_alerts_sent",
            "SLA alerts sent (all processes), by target and threshold.",
            labels=["target", "threshold"],
        )
        for target, threshold, count in self.alerts:
            alerts.add_metric([target, threshold], count)
        yield alerts
        if self.backlog is not None:
            yield GaugeMetricFamily(
                "crm_outbox_backlog", "Notifications not yet e-mailed.", value=self.backlog
            )


_FIGURES = _DatabaseFigures()
REGISTRY.register(_FIGURES)


async def read_database_figures(database: Database) -> None:
    async with database.session(write=False) as session:
        rows = (
            await session.execute(
                select(SlaAlert.target, SlaAlert.threshold, func.count()).group_by(
                    SlaAlert.target, SlaAlert.threshold
                )
            )
        ).all()
        backlog = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.emailed_at.is_(None))
        )
    counts = {(t.value, h.value): 0 for t in Target for h in Threshold}  # zeros shown too
    counts.update({(str(t), str(h)): int(n) for t, h, n in rows})
    _FIGURES.alerts = [(t, h, n) for (t, h), n in sorted(counts.items())]
    _FIGURES.backlog = int(backlog or 0)
    for name, engine in (("write", database.write_engine), ("read", database.read_engine)):
        pool = engine.sync_engine.pool
        for state, method in (
            ("size", "size"),
            ("checked_out", "checkedout"),
            ("overflow", "overflow"),
        ):
            value = getattr(pool, method, None)
            if callable(value):
                POOL.labels(name, state).set(value())


# ---- logs -----------------------------------------------------------------------------------


def _with_context(factory: Any) -> Any:
    """A log record factory that stamps every record with the request's id and user id, so
    every handler (also a test's capture) sees them."""
    if getattr(factory, "crm_context", False):
        return factory

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        return record

    make.crm_context = True  # type: ignore[attr-defined]
    return make


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "route", "status", "duration_ms", "client")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "user_id", *self.FIELDS):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [request {rid}, user {getattr(record, 'user_id', None)}]" if rid else line


_HANDLER_NAME = "crm-stderr"


def configure_logging(settings: Settings) -> None:
    """One handler on the root logger, on stderr, for the app's and the server's loggers
    (added once; other handlers, such as a test's log capture, stay)."""
    logging.setLogRecordFactory(_with_context(logging.getLogRecordFactory()))
    root = logging.getLogger()
    if not any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.set_name(_HANDLER_NAME)
        root.addHandler(stderr)
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            handler.setFormatter(
                JsonFormatter() if settings.log_format == "json" else TextFormatter()
            )
    for name in ("uvicorn", "uvicorn.error", "apscheduler"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("crm").setLevel(settings.log_level.upper())
    # uvicorn's own access line knows neither the request id nor the route: ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True


# ---- the middleware -------------------------------------------------------------------------


class RequestContext:
    """Pure ASGI (a BaseHTTPMiddleware would cost a task per request on the hottest path)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        rid_token, user_token = request_id.set(rid), user_id.set(self._user(scope))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route, str(status)).observe(seconds)
            log.info(
                "%s %s %s %.1f ms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id.reset(rid_token)
            user_id.reset(user_token)

    def _user(self, scope: Scope) -> int | None:
        header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if not header or not header[:7].lower() == b"bearer ":
            return None
        claims = decode_access_token(
            header[7:].decode("latin-1").strip(), key=self.settings.signing_key
        )  # cached per token
        return claims.user_id if claims else None


def route_of(scope: Scope) -> str:
    """The matched path template with its router prefix (`/api/v1/customers/{customer_id}`):
    an included route knows only its own part, so the prefix is the request path's leading
    segments that the template does not cover."""
    template = getattr(scope.get("route"), "path", None)
    if not template:
        return "unmatched"
    if ":path}" in template:
        return template
    own = [s for s in template.split("/") if s]
    actual = [s for s in scope["path"].split("/") if s]
    if len(actual) < len(own):
        return template
    return "/" + "/".join(actual[: len(actual) - len(own)] + own)


def install(app: FastAPI, settings: Settings) -> None:
    """Logging, the request-context middleware and GET /metrics."""
    configure_logging(settings)
    app.add_middleware(RequestContext, settings=settings)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        token = request.app.state.settings.metrics_token
        given = request.headers.get("authorization", "")
        if not token:
            return Response(status_code=404)
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        await read_database_figures(request.app.state.database)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
