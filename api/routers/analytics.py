"""Analytics (`/analytics/{section}/{figure}`): every figure with its definition, the period in
buckets of the configured zone, and a drill-down link on each count."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.analytics_schemas import AnalyticsQuery, Definition, FigureInfo, FigureOut
from api.deps import ReadUowDep, SettingsDep, scopes
from api.problems import problems
from api.query import query_parameters
from domain.analytics import service as analytics_service
from domain.analytics.figures import FIGURES
from domain.analytics.period import period
from domain.analytics.scope import Filters
from domain.errors import Forbidden, Invalid
from domain.roles import Actor

router = APIRouter(prefix="/analytics", tags=["analytics"])
AnyUser = Annotated[Actor, scopes()]


async def read_query(request: Request) -> AnalyticsQuery:
    """As api/query.py's query_model, by alias (`from` is a Python keyword)."""
    params = request.query_params
    data = {}
    for name, field in AnalyticsQuery.model_fields.items():
        key = field.alias or name
        if key in params:
            data[key] = params[key]
    try:
        return AnalyticsQuery.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


Query = Annotated[AnalyticsQuery, Depends(read_query)]


def path_of(key: str) -> str:
    section, name = key.split(".")
    return f"/analytics/{section}/{name.replace('_', '-')}"


@router.get(
    "/figures",
    response_model=list[FigureInfo],
    operation_id="analytics:list_figures",
    responses=problems(),
)
async def list_figures(actor: AnyUser) -> list[FigureInfo]:
    """Every figure with its path and definition."""
    return [
        FigureInfo(
            figure=f.key,
            path=path_of(f.key),
            section=f.section,
            unit=f.unit,
            definition=Definition(zh=f.zh, en=f.en),
        )
        for f in FIGURES.values()
    ]


def _route(key: str) -> None:
    figure = FIGURES[key]

    async def endpoint(
        actor: AnyUser, uow: ReadUowDep, settings: SettingsDep, q: Query
    ) -> FigureOut:
        p = period(q.from_, q.to, q.bucket, ZoneInfo(settings.timezone))
        asked = Filters(
            department_id=q.department_id,
            owner_id=q.owner_id,
            assignee_id=q.assignee_id,
            tag_id=q.tag_id,
            ticket_type=q.type,
            channel=q.channel,
        )
        result = await analytics_service.figure(
            uow.analytics, actor, key, p, asked, dimension=q.dimension
        )
        return FigureOut.of(result)

    endpoint.__doc__ = f"{figure.en}\n\n{figure.zh}"
    name = key.replace(".", "_")
    endpoint.__name__ = name
    router.add_api_route(
        path_of(key).removeprefix("/analytics"),
        endpoint,
        methods=["GET"],
        response_model=FigureOut,
        operation_id=f"analytics:{name}",
        responses=problems(Forbidden, Invalid),
        openapi_extra={"parameters": query_parameters(AnalyticsQuery)},
    )


for _key in FIGURES:
    _route(_key)
