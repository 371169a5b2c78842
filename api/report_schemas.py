"""Reports, report subscriptions and trend alerts as the API shows them."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.analytics.report import ReportKind


class ReportCreate(BaseModel):
    model_config = {"extra": "forbid"}

    period: ReportKind
    start: date | None = Field(
        None,
        ge=date(1970, 1, 1),
        le=date(2100, 12, 31),
        description=(
            "Any day of the period; left out: the last complete one (yesterday, last week, last "
            "month)."
        ),
    )


class ReportFiles(BaseModel):
    xlsx: str | None = Field(description="Download path (under /api/v1) once done.")
    pdf: str | None


class ReportOut(BaseModel):
    id: int
    period: ReportKind
    first_day: date
    last_day: date
    status: Literal["pending", "done", "failed"]
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    files: ReportFiles

    @classmethod
    def of(cls, r: Any) -> "ReportOut":
        done = r.status == "done"
        return cls(
            id=r.id,
            period=r.kind,
            first_day=r.first_day,
            last_day=r.last_day,
            status=r.status,
            created_at=r.created_at,
            finished_at=r.finished_at,
            error=r.error,
            files=ReportFiles(
                xlsx=f"/reports/{r.id}/files/xlsx" if done else None,
                pdf=f"/reports/{r.id}/files/pdf" if done else None,
            ),
        )


class SubscriptionsOut(BaseModel):
    daily: bool
    weekly: bool
    monthly: bool


class SubscriptionsPatch(BaseModel):
    model_config = {"extra": "forbid"}

    daily: bool | None = None
    weekly: bool | None = None
    monthly: bool | None = None


class TrendAlertOut(BaseModel):
    id: int
    kind: Literal["ticket_type_surge", "satisfaction_decline", "first_response_below"]
    subject: str = Field(description="The ticket type, or `all`.")
    period_start: date
    period_end: date
    created_at: datetime
    data: dict[str, Any] = Field(description="The numbers behind the alert.")
    evidence: dict[str, str] = Field(
        description=(
            "`list`: the SPA list of the tickets concerned; `chart`: the analytics figure."
        )
    )
