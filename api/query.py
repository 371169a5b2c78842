"""Query parameters: read into one pydantic model by a plain dependency, and refused when
nobody declared them.

FastAPI can do the first itself (`q: Annotated[Model, Query()]`) but inspects the model's
annotations again on every request; on the customer list that cost more than the query. Same
validation, same 422 problem, same OpenAPI parameters.

Nothing is silently ignored: `refuse_unknown_query` (an app-wide dependency) answers 400
naming any query parameter a GET route does not declare in the OpenAPI document, and any
`sort` outside the route's enum, so a misspelt filter never returns the unfiltered list.
"""

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar, get_origin
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from api.deps import MAX_ID
from api.schemas import Day, Instant, refuse_nul
from domain import customer_service
from domain.customer import ActivityStatus, Grade, Kind, Source, Stage, Urgency, sees_amounts
from domain.errors import DomainError, Forbidden, Invalid
from domain.roles import Actor
from domain.search.normalize import normalize
from domain.search.rules import parse as parse_search
from persistence.customer_repo import CustomerFilter
from persistence.ticket_repo import TicketFilter

M = TypeVar("M", bound=BaseModel)

# The parameters every list shares.
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page.")
]
UpdatedSince = Annotated[
    Instant | None,
    Query(
        description="Changed at or after this instant (ISO 8601 with offset), as on the "
        "customers' list: for syncs (GET /changes also reports deletions, in commit order)."
    ),
]
Owner = Annotated[
    str | None, Query(pattern=r"^(me|[1-9][0-9]{0,18})$", description="`me`, or a user id.")
]

CloseMonth = Annotated[
    str | None,
    Query(
        pattern=r"^(19[7-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
        description="Expected to close in this month: `YYYY-MM`, 1970-01 to 2100-12.",
    ),
]


def month_start(month: str | None) -> date | None:
    """A `YYYY-MM` the pattern let through → the month's first day."""
    return None if month is None else date.fromisoformat(f"{month}-01")


def owner_id_of(actor: Actor, owner: str | None) -> int | None:
    """`me` → the caller; a number → that user (ids past BIGINT match nobody)."""
    if owner is None:
        return None
    if owner == "me":
        return actor.user_id if actor.user_id is not None else 0
    return min(int(owner), MAX_ID)


def query_model(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency giving `model` validated from the query string (unknown names are refused
    by `refuse_unknown_query`); list fields take every occurrence (`?stage=a&stage=b`)."""
    lists = frozenset(
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    )

    async def read_query(request: Request) -> M:  # async: FastAPI runs a plain def in a thread
        params = request.query_params
        data = {
            name: params.getlist(name) if name in lists else params[name]
            for name in model.model_fields
            if name in params
        }
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise RequestValidationError(
                [
                    {**error, "loc": ("query", *error["loc"])}
                    for error in exc.errors(include_url=False)
                ]
            ) from None

    return read_query


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI parameters FastAPI documents for `Annotated[model, Query()]`, for a route's
    `openapi_extra` (model types they refer to must be in the app's schemas already)."""
    probe_app = FastAPI()

    @probe_app.get("/")
    def probe(q: Annotated[model, Query()]) -> None:  # type: ignore[valid-type]
        """Never called."""

    return probe_app.openapi()["paths"]["/"]["get"]["parameters"]


class UnknownParameter(DomainError):
    code = "unknown-parameter"

    def __init__(self, names: list[str], known: list[str]) -> None:
        super().__init__(
            f"Unknown query parameter(s): {', '.join(names)}. This endpoint takes: "
            f"{', '.join(known) or 'none'}.",
            errors=[{"field": n, "message": "unknown query parameter"} for n in names[:20]],
        )


class UnknownSort(DomainError):
    code = "unknown-sort"

    def __init__(self, value: str, known: list[str]) -> None:
        super().__init__(
            f"Unknown sort {value!r}; one of: {', '.join(known)}.",
            errors=[{"field": "sort", "message": f"unknown sort {value!r}"}],
        )


_DECLARED: dict[tuple[int, Any], tuple[frozenset[str], tuple[str, ...] | None]] = {}


def _enum(schema: dict[str, Any]) -> list[str] | None:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for option in schema.get("anyOf", []):
        if (found := _enum(option)) is not None:
            return found
    return None


def declared_query(
    app: FastAPI, route: APIRoute, path: str
) -> tuple[frozenset[str], tuple[str, ...] | None]:
    """The query parameter names a GET route documents, and its `sort` values if it has any.
    Found by operation id (or, for routes without one, by the request's path): the route in
    the request's scope is the router's own, without the prefix the OpenAPI document has."""
    key = (id(app), id(route))
    if key not in _DECLARED:
        operation: dict[str, Any] = {}
        for template, item in app.openapi()["paths"].items():
            candidate = item.get("get")
            if candidate is None:
                continue
            if route.operation_id and candidate.get("operationId") == route.operation_id:
                operation = candidate
                break
            if (
                not route.operation_id
                and template.endswith(route.path_format)
                and re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)), path)
            ):
                operation = candidate
                break
        params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        if route.path_format.endswith("/export"):
            # An export takes its list's filters and sort (not its paging), passed through.
            listed = (
                app.openapi()["paths"]
                .get(
                    next(
                        (t for t in app.openapi()["paths"] if t.endswith(route.path_format)), ""
                    ).removesuffix("/export"),
                    {},
                )
                .get("get", {})
            )
            params += [
                p
                for p in listed.get("parameters", [])
                if p.get("in") == "query"
                and p["name"] not in ("limit", "cursor", "with_total", "exact_total")
                and p["name"] not in {q["name"] for q in params}
            ]
        sort = next((p for p in params if p["name"] == "sort"), None)
        sorts = _enum(sort.get("schema", {})) if sort else None
        _DECLARED[key] = (
            frozenset(p["name"] for p in params),
            tuple(sorts) if sorts is not None else None,
        )
    return _DECLARED[key]


async def refuse_unknown_query(request: Request) -> None:
    """400 for a query parameter the GET route does not declare, or a sort it does not offer."""
    if (
        request.method != "GET"
        or not request.scope.get("query_string")
        or not request.url.path.startswith("/api/")
    ):  # the web app's pages take any URL
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names, sorts = declared_query(request.app, route, request.url.path)
    unknown = sorted(set(request.query_params.keys()) - names)
    if unknown:
        raise UnknownParameter(unknown, sorted(names))
    if sorts is not None:
        for value in request.query_params.getlist("sort"):
            if value not in sorts:
                raise UnknownSort(value, list(sorts))


# ---- list filters, shared by the lists and whatever else filters them (exports, views) ----


def day_start(day: date | None, zone: str) -> datetime | None:
    """A calendar day in the configured zone → its first instant."""
    return None if day is None else datetime.combine(day, time(), ZoneInfo(zone))


def day_after(day: date | None, zone: str) -> datetime | None:
    """An inclusive end day → the first instant after it."""
    return (
        None
        if day is None
        else datetime.combine(date.fromordinal(day.toordinal() + 1), time(), ZoneInfo(zone))
    )


TagIds = list[Annotated[int, Field(ge=1, le=MAX_ID)]]
CustomerSort = Literal[
    "created_at",
    "-created_at",
    "name",
    "-name",
    "code",
    "-code",
    "updated_at",
    "-updated_at",
    "last_contact_at",
    "-last_contact_at",
    "cumulative_amount",
    "-cumulative_amount",
    "grade",
    "-grade",
]


class CustomerFilters(BaseModel):
    """Which customers, in which order: the list's parameters without its paging (an export
    takes every match)."""

    sort: CustomerSort = "-created_at"
    q: Annotated[str | None, AfterValidator(refuse_nul)] = Field(
        None, max_length=100, description="Search, as GET /search matches customers."
    )
    stage: list[Stage] = []
    grade: list[Grade] = []
    activity_status: list[ActivityStatus] = []
    value_level: list[Literal["high", "medium", "low"]] = []
    kind: Kind | None = None
    source: list[Source] = []
    urgency: list[Urgency] = []
    industry: Annotated[str | None, AfterValidator(refuse_nul)] = Field(
        None, max_length=4, description="Section or division; a section matches its divisions."
    )
    region: list[
        Annotated[str, AfterValidator(refuse_nul), Field(min_length=1, max_length=100)]
    ] = Field([], description="Region starts with any of these (a province, or province and city).")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    unowned: bool = Field(False, description="Only customers without an owner (the pool).")
    owner_department_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The owner is in this department."
    )
    tag_id: TagIds = Field([], description="Has all of these tags (as `tags_all`).")
    tags_all: TagIds = Field([], description="Has all of these tags.")
    tags_any: TagIds = Field([], description="Has at least one of these tags.")
    tags_none: TagIds = Field([], description="Has none of these tags.")
    tag_category: Annotated[str | None, AfterValidator(refuse_nul)] = Field(
        None, max_length=50, description="Has a tag of this category (`区域` for `区域-华东`)."
    )
    archived: Literal["false", "true", "all"] = Field(
        "false", description="Archived customers are admins' only."
    )
    created_from: Day | None = Field(None, description="Inclusive, local date.")
    created_to: Day | None = Field(None, description="Inclusive, local date.")
    updated_since: Instant | None = Field(
        None,
        description="Changed at or after this instant (ISO 8601 with offset), for syncs: with "
        "`sort=updated_at`, page through everything changed since the last run.",
    )
    first_contact_from: Day | None = None
    first_contact_to: Day | None = None
    last_contact_from: Day | None = None
    last_contact_to: Day | None = None
    not_contacted_days: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="No contact in this many days (calendar days in the "
        "configured zone); never contacted included.",
    )
    next_follow_up_to: Day | None = Field(
        None, description="A follow-up is due on or before this day."
    )
    amount_min: Decimal | None = Field(None, ge=0, le=10**12, decimal_places=2)
    amount_max: Decimal | None = Field(None, ge=0, le=10**12, decimal_places=2)
    order_count_min: int | None = Field(None, ge=0, le=10**6)
    order_count_max: int | None = Field(None, ge=0, le=10**6)
    custom: list[Annotated[str, AfterValidator(refuse_nul), Field(max_length=300)]] = Field(
        [],
        description="Custom field conditions: `key:value`, `key:a|b` (one of), "
        "`key:low..high` (numbers, dates).",
    )
    name: Annotated[str | None, AfterValidator(refuse_nul)] = Field(
        None, max_length=100, description="Name contains (case-insensitive)."
    )
    exact_total: bool = Field(
        False, description="Count every match exactly, however many (slower on wide filters)."
    )


class CustomerQuery(CustomerFilters):
    """The customer list's query parameters as one model, validated in one pass."""

    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200.")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    with_total: bool = Field(
        False,
        description="Also count the matches: exactly up to 10,000, the planner's estimate past "
        "that (see `total_accuracy`).",
    )


def parse_custom(
    conditions: list[str], definitions: dict[str, Any]
) -> tuple[list[tuple[str, str, tuple[Any, ...], bool]], list[dict[str, str]]]:
    """`key:value` conditions → (key, op, values, numeric) and the errors of those that do not
    hold (an unknown key, a value of the wrong type)."""
    out, errors = [], []
    for i, condition in enumerate(conditions):
        key, sep, text = condition.partition(":")
        field = f"custom[{i}]"
        definition = definitions.get(key)
        if not sep or definition is None:
            errors.append({"field": field, "message": f"unknown custom field {key!r}"})
            continue
        kind = str(definition.type)
        number = kind == "number"
        try:
            if ".." in text and kind in ("number", "date"):
                low, _, high = text.partition("..")
                bounds = tuple(
                    None if not v else (float(v) if number else date.fromisoformat(v).isoformat())
                    for v in (low, high)
                )
                out.append((key, "range", bounds, number))
            else:
                values = tuple(v for v in text.split("|"))
                if kind == "bool":
                    values = tuple({"true": "true", "false": "false"}[v] for v in values)
                elif number:
                    values = tuple(float(v) for v in values)  # type: ignore[misc]
                elif kind == "date":
                    values = tuple(date.fromisoformat(v).isoformat() for v in values)
                out.append((key, "eq", values, number))
        except (ValueError, KeyError):
            errors.append({"field": field, "message": f"not a {kind} value: {text!r}"})
    return out, errors


async def customer_filter(
    uow: Any, actor: Actor, q: CustomerFilters, *, zone: str, now: datetime
) -> CustomerFilter:
    """The list's filter from its query; 403 for a filter or sort on what the role may not
    see (money and what derives from it, sensitive custom fields: a filter would tell the
    hidden values apart), 422 for custom-field conditions that do not hold."""
    money = (
        q.amount_min is not None
        or q.amount_max is not None
        or bool(q.value_level)
        or q.sort.lstrip("-") == "cumulative_amount"
    )
    if money and not sees_amounts(actor):
        raise Forbidden("Your role does not see amounts, so it cannot filter or sort on them.")
    custom: list[tuple[str, str, tuple[Any, ...], bool]] = []
    if q.custom:
        definitions = await uow.custom_fields.definitions()
        custom, errors = parse_custom(q.custom, definitions)
        if errors:
            raise Invalid(errors)
        if not sees_amounts(actor) and any(definitions[key].sensitive for key, *_ in custom):
            raise Forbidden(
                "Your role does not see sensitive custom fields, so it cannot filter on them."
            )
    not_contacted_since = None
    if q.not_contacted_days is not None:
        today = now.astimezone(ZoneInfo(zone)).date()
        not_contacted_since = day_start(
            date.fromordinal(today.toordinal() - q.not_contacted_days + 1), zone
        )
    search = parse_search(q.q) if q.q and q.q.strip() else None
    return CustomerFilter(
        stage=q.stage,
        grade=q.grade,
        activity_status=q.activity_status,
        kind=q.kind,
        value_level=q.value_level,
        source=q.source,
        urgency=q.urgency,
        region=q.region,
        industry=q.industry.upper() if q.industry else None,
        owner_id=q.owner_id,
        unowned=q.unowned,
        owner_department_id=q.owner_department_id,
        tag_ids=[*q.tag_id, *q.tags_all],
        tags_any=q.tags_any,
        tags_none=q.tags_none,
        tag_category=q.tag_category,
        archived=customer_service.archived_filter(actor, q.archived),
        created_from=day_start(q.created_from, zone),
        created_to=day_after(q.created_to, zone),
        updated_since=q.updated_since,
        first_contact_from=day_start(q.first_contact_from, zone),
        first_contact_to=day_after(q.first_contact_to, zone),
        last_contact_from=day_start(q.last_contact_from, zone),
        last_contact_to=day_after(q.last_contact_to, zone),
        not_contacted_since=not_contacted_since,
        amount_min=q.amount_min,
        amount_max=q.amount_max,
        order_count_min=q.order_count_min,
        order_count_max=q.order_count_max,
        custom=custom,
        search=search,
        name=q.name or None,
        next_follow_up_to=q.next_follow_up_to,
    )


def ticket_filter(
    *,
    zone: str,
    status: list[Any],
    priority: list[Any],
    type_: list[Any],
    department_id: int | None,
    assignee_id: int | None,
    customer_id: int | None,
    sla_state: str | None,
    created_from: date | None,
    created_to: date | None,
    channel: list[Any],
    customer_tag_id: list[int],
    resolved_from: date | None,
    resolved_to: date | None,
    closed_from: date | None,
    closed_to: date | None,
    q: str | None,
    updated_since: datetime | None = None,
) -> TicketFilter:
    """The ticket list's filter from its query parameters."""
    return TicketFilter(
        status=status,
        priority=priority,
        type=type_,
        department_id=department_id,
        assignee_id=assignee_id,
        customer_id=customer_id,
        sla_state=sla_state,
        created_from=day_start(created_from, zone),
        created_to=day_after(created_to, zone),
        channel=channel,
        customer_tag_ids=customer_tag_id,
        resolved_from=day_start(resolved_from, zone),
        resolved_to=day_after(resolved_to, zone),
        closed_from=day_start(closed_from, zone),
        closed_to=day_after(closed_to, zone),
        q=text_query(q),
        updated_since=updated_since,
    )


def text_query(q: str | None) -> str | None:
    """`q=` on tickets, follow-ups and opportunities: normalised, None when blank."""
    text = normalize(q) if q else ""
    return text or None


# An upsert's or lookup's path: /{plural}/by-external-id/{system}/{external_id}.
ExternalSystem = Annotated[
    str,
    PathParam(
        pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="The other system's name, e.g. `erp`."
    ),
]
ExternalId = Annotated[
    str, PathParam(min_length=1, max_length=200, description="The record's id there.")
]
