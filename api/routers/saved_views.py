"""Saved views (/saved-views): named filters of the customer, ticket, follow-up and
opportunity lists, and the built-in views every user has."""

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from api.deps import AnyUserDep, ClockDep, IfMatchDep, PathId, ReadUowDep, SettingsDep, UowDep, etag
from api.problems import problems
from api.query import CustomerQuery
from api.schemas import refuse_nul
from domain.errors import Conflict, Forbidden, Invalid, VersionMismatch
from domain.search import views as view_rules
from domain.search.views import ViewNotFound

router = APIRouter(prefix="/saved-views", tags=["saved-views"])

Resource = Literal["customers", "tickets", "follow_ups", "opportunities"]
Visibility = Literal["private", "department", "everyone"]
FilterValue = Annotated[str, AfterValidator(refuse_nul), Field(max_length=300)]
Filters = Annotated[
    dict[
        Annotated[str, Field(max_length=40)],
        FilterValue | Annotated[list[FilterValue], Field(max_length=50)],
    ],
    Field(
        max_length=60,
        description="The list's query parameters, as in its URL: a value or a list of values.",
    ),
]
LIST_PATHS = {
    "customers": "/api/v1/customers",
    "tickets": "/api/v1/tickets",
    "follow_ups": "/api/v1/follow-ups",
    "opportunities": "/api/v1/opportunities",
}


class SavedViewIn(BaseModel, extra="forbid"):
    name: Annotated[str, AfterValidator(refuse_nul)] = Field(min_length=1, max_length=50)
    resource: Resource
    filters: Filters = {}
    sort: str | None = Field(None, max_length=40)
    columns: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=40)
    visibility: Visibility = "private"


class SavedViewPatch(BaseModel, extra="forbid"):
    name: Annotated[str, AfterValidator(refuse_nul)] | None = Field(
        None, min_length=1, max_length=50
    )
    filters: Filters | None = None
    sort: str | None = Field(None, max_length=40)
    columns: list[Annotated[str, Field(max_length=40)]] | None = Field(None, max_length=40)
    visibility: Visibility | None = None


class SavedViewOut(BaseModel):
    id: int | None = Field(description="None for a built-in view.")
    key: str = Field(description="The built-in's name, or the id as text: open with it.")
    builtin: bool
    name: str
    resource: Resource
    filters: dict[str, str | list[str]]
    sort: str | None
    columns: list[str]
    visibility: Visibility
    owner_id: int | None
    mine: bool
    version: int | None


class DroppedCondition(BaseModel):
    name: str
    value: str
    reason: Literal["tag-deleted", "custom-field-deleted"]


class SavedViewOpenOut(BaseModel):
    view: SavedViewOut
    filters: dict[str, str | list[str]] = Field(
        description="The conditions that still hold: the query to list with."
    )
    dropped: list[DroppedCondition] = Field(description="Conditions left out, and why.")


def _out(actor: Any, view: Any) -> SavedViewOut:
    return SavedViewOut(
        id=view.id,
        key=str(view.id),
        builtin=False,
        name=view.name,
        resource=view.resource,
        filters=view.filters,
        sort=view.sort,
        columns=view.columns,
        visibility=view.visibility,
        owner_id=view.owner_id,
        mine=view.owner_id == actor.user_id,
        version=view.version,
    )


def _builtin_out(b: view_rules.BuiltIn, language: str) -> SavedViewOut:
    return SavedViewOut(
        id=None,
        key=b.key,
        builtin=True,
        name=b.name_en if language.startswith("en") else b.name_zh,
        resource=b.resource,
        filters=b.filters,
        sort=b.sort,
        columns=[],
        visibility="everyone",
        owner_id=None,
        mine=False,
        version=None,
    )


def _validate(request: Request, resource: str, filters: dict[str, Any], sort: str | None) -> None:
    """Filters are the list's own query parameters: unknown names, a sort the list does not
    offer, and (customers) values it would refuse are a 422 naming them."""
    operation = request.app.openapi()["paths"][LIST_PATHS[resource]]["get"]
    params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    errors = [
        {"field": f"filters.{name}", "message": "not a filter of this list"}
        for name in view_rules.unknown_names(filters, list(params))
    ]
    if sort is not None:
        sorts = params.get("sort", {}).get("schema", {}).get("enum")
        if not sorts or sort not in sorts:
            errors.append({"field": "sort", "message": f"this list does not sort by {sort!r}"})
    if resource == "customers" and not errors:
        try:
            CustomerQuery.model_validate(filters)
        except ValidationError as exc:
            errors += [
                {"field": "filters." + ".".join(map(str, e["loc"])), "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
    if errors:
        raise Invalid(errors)


def _language(request: Request) -> str:
    return request.headers.get("accept-language", "zh-CN")


@router.get(
    "",
    response_model=list[SavedViewOut],
    operation_id="saved_views:list_views",
    responses=problems(),
)
async def list_views(
    request: Request,
    actor: AnyUserDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    resource: Annotated[Resource | None, Query()] = None,
) -> list[SavedViewOut]:
    """The built-in views, then your own and those shared with you (your department's,
    everyone's), by name. Built-in names follow `Accept-Language`."""
    today = clock.now().astimezone(ZoneInfo(settings.timezone)).date()
    builtins = [
        _builtin_out(b, _language(request))
        for b in view_rules.built_ins(actor, today)
        if resource in (None, b.resource)
    ]
    return builtins + [_out(actor, v) for v in await uow.saved_views.visible(actor, resource)]


@router.post(
    "",
    response_model=SavedViewOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="saved_views:create_view",
    responses=problems(Invalid, Forbidden, Conflict),
)
async def create_view(
    request: Request,
    body: SavedViewIn,
    actor: AnyUserDep,
    uow: UowDep,
    clock: ClockDep,
    response: Response,
) -> SavedViewOut:
    """Save a view. `visibility`: `private`, `department` (your department) or `everyone`
    (supervisors and admins)."""
    _validate(request, body.resource, body.filters, body.sort)
    view = await view_rules.create(uow, clock, actor, body.model_dump())
    response.headers["ETag"] = etag(view.version)
    return _out(actor, view)


@router.get(
    "/{key}",
    response_model=SavedViewOpenOut,
    operation_id="saved_views:open_view",
    responses=problems(ViewNotFound),
)
async def open_view(
    request: Request,
    actor: AnyUserDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    key: Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9-]+$")],
) -> SavedViewOpenOut:
    """Open a view by key: its conditions that still hold, and those dropped because their
    tag or custom field was deleted since."""
    today = clock.now().astimezone(ZoneInfo(settings.timezone)).date()
    builtin = next((b for b in view_rules.built_ins(actor, today) if b.key == key), None)
    if builtin is not None:
        out = _builtin_out(builtin, _language(request))
        return SavedViewOpenOut(view=out, filters=builtin.filters, dropped=[])
    if not key.isdigit() or len(key) > 18:
        raise ViewNotFound("Saved view", key)
    view = view_rules.readable(actor, await uow.saved_views.get(int(key)))
    tags, keys = await uow.saved_views.existing_tags_and_fields()
    kept, dropped = view_rules.still_valid(view.filters, tag_ids=tags, custom_keys=keys)
    return SavedViewOpenOut(
        view=_out(actor, view), filters=kept, dropped=[DroppedCondition(**d) for d in dropped]
    )


@router.patch(
    "/{view_id}",
    response_model=SavedViewOut,
    operation_id="saved_views:update_view",
    responses=problems(ViewNotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_view(
    request: Request,
    view_id: PathId,
    body: SavedViewPatch,
    actor: AnyUserDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> SavedViewOut:
    """Rename, share or change your view (admins: anyone's)."""
    changes = body.model_dump(exclude_unset=True)
    current = view_rules.readable(actor, await uow.saved_views.get(view_id))
    if "filters" in changes or "sort" in changes:
        _validate(
            request,
            current.resource,
            changes.get("filters", current.filters),
            changes.get("sort", current.sort),
        )
    view = await view_rules.update(uow, clock, actor, view_id, changes, if_match=if_match)
    response.headers["ETag"] = etag(view.version)
    return _out(actor, view)


@router.delete(
    "/{view_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="saved_views:delete_view",
    responses=problems(ViewNotFound, Forbidden),
)
async def delete_view(view_id: PathId, actor: AnyUserDep, uow: UowDep) -> None:
    """Delete your view (admins: anyone's)."""
    await view_rules.delete(uow, actor, view_id)
