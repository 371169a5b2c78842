"""Analytics answers: every figure in one shape (definition, period, series of points)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.deps import MAX_ID
from api.schemas import Day
from domain.analytics.period import Granularity
from domain.analytics.service import Result
from domain.ticket import Channel, TicketType


class AnalyticsQuery(BaseModel):
    """The parameters every figure takes (api/query.py reads them in one pass)."""

    from_: Day = Field(alias="from", description="First day, inclusive, in the configured zone.")
    to: Day = Field(description="Last day, inclusive, in the configured zone.")
    bucket: Granularity = Field(
        Granularity.MONTH, description="day, week (ISO, Monday first) or month."
    )
    department_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "Customer and sales figures: customers owned by members of the department; service "
            "figures: tickets of the department."
        ),
    )
    owner_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Customers owned by this user (and their tickets)."
    )
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID, description="Tickets only.")
    tag_id: int | None = Field(None, ge=1, le=MAX_ID, description="Customers with this tag.")
    type: TicketType | None = Field(None, description="Tickets of this type.")
    channel: Channel | None = Field(None, description="Tickets from this channel.")
    dimension: str | None = Field(
        None,
        max_length=20,
        description=(
            "customers/distribution: industry | region | grade | stage | source | value_level; "
            "service/volume: type | channel | priority (default type)."
        ),
    )

    model_config = {"populate_by_name": True}


class Definition(BaseModel):
    zh: str
    en: str


class PeriodOut(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    bucket: Granularity
    timezone: str
    buckets: list[date] = Field(description="Each bucket's first day.")


class DrillOut(BaseModel):
    path: str = Field(description="The list, under /api/v1.")
    query: dict[str, str | list[str]] = Field(description="Its query parameters.")


class PointOut(BaseModel):
    x: str = Field(description="The bucket's first day, or the category.")
    value: float | None
    count: int | None = Field(None, description="Records behind the value (a ratio's denominator).")
    label: str | None = None
    drill: DrillOut | None = Field(None, description="The list showing the counted records.")


class SeriesOut(BaseModel):
    name: str
    group: str | None = None
    points: list[PointOut]


class FiltersOut(BaseModel):
    department_id: int | None
    owner_id: int | None
    assignee_id: int | None
    tag_id: int | None
    type: str | None
    channel: str | None


class FigureOut(BaseModel):
    figure: str
    unit: Literal["count", "ratio", "hours", "score", "cny", "days"]
    definition: Definition
    period: PeriodOut
    filters: FiltersOut = Field(description="As applied: your role may have narrowed them.")
    dimension: str | None = None
    series: list[SeriesOut]

    @classmethod
    def of(cls, r: Result) -> "FigureOut":
        p, f = r.period, r.filters
        return cls(
            figure=r.figure.key,
            unit=r.figure.unit,
            definition=Definition(zh=r.figure.zh, en=r.figure.en),
            period=PeriodOut(
                from_=p.first_day,
                to=p.last_day,
                bucket=p.granularity,
                timezone=p.zone.key,
                buckets=[b.first_day for b in p.buckets],
            ),
            filters=FiltersOut(
                department_id=f.department_id,
                owner_id=f.owner_id,
                assignee_id=f.assignee_id,
                tag_id=f.tag_id,
                type=f.ticket_type,
                channel=f.channel,
            ),
            dimension=r.dimension,
            series=[
                SeriesOut(
                    name=s.name,
                    group=s.group,
                    points=[
                        PointOut(
                            x=pt.x,
                            value=pt.value,
                            count=pt.count,
                            label=pt.label,
                            drill=None
                            if pt.drill is None
                            else DrillOut(path=pt.drill.path, query=dict(pt.drill.query)),
                        )
                        for pt in s.points
                    ],
                )
                for s in r.series
            ],
        )


class FigureInfo(BaseModel):
    figure: str
    path: str
    section: str
    unit: str
    definition: Definition
