"""Trend alerts raised by the `trend-alerts` job."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MAX_ID, AnyUserDep, ReadUowDep
from api.problems import problems
from api.report_schemas import TrendAlertOut
from domain.analytics.scope import check_alert_reader
from domain.analytics.trends import evidence
from domain.errors import Forbidden

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get(
    "",
    response_model=list[TrendAlertOut],
    operation_id="alerts:list_alerts",
    responses=problems(Forbidden),
)
async def list_alerts(
    actor: AnyUserDep,
    uow: ReadUowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description=("Older than this alert (the last id of the previous page)."),
        ),
    ] = None,
) -> list[TrendAlertOut]:
    """Trend alerts, newest first, each with its numbers and links to the evidence (the
    ticket list and the dashboard chart in the web app)."""
    check_alert_reader(actor)
    return [
        TrendAlertOut(
            id=a.id,
            kind=a.kind,
            subject=a.subject,
            period_start=a.period_start,
            period_end=a.period_end,
            created_at=a.created_at,
            data=a.data,
            evidence=evidence(a.kind, a.subject, a.period_start, a.period_end),
        )
        for a in await uow.reports.list_alerts(limit, before_id)
    ]
