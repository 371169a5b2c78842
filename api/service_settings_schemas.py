"""Request and response bodies for the service settings: SLA policies, routing rules and the
business calendar."""

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from api.schemas import Id, Strict, refuse_null
from domain.service_settings_service import MAX_MINUTES
from domain.ticket import Priority, TicketType

# Strict: 30 is a target, "30", 30.5 and true are not.
Minutes = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_MINUTES,
        strict=True,
        description="Whole minutes on the policy's calendar, at most 60 days.",
    ),
]
CalendarName = Literal["24x7", "business"]
Note = Annotated[str, StringConstraints(max_length=200)]


class SlaPolicyCreate(Strict):
    priority: Priority
    ticket_type: TicketType | None = Field(None, description="Null: the priority's base policy.")
    first_response_minutes: Minutes
    resolution_minutes: Minutes
    update_minutes: Minutes = Field(
        description="The interval within which the customer hears from us again."
    )
    calendar: CalendarName


class SlaPolicyPatch(Strict):
    first_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    update_minutes: Minutes | None = None
    calendar: CalendarName | None = None

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class SlaPolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    priority: Priority
    ticket_type: TicketType | None
    first_response_minutes: int
    resolution_minutes: int
    update_minutes: int
    calendar: CalendarName
    version: int
    created_at: datetime
    updated_at: datetime


class RoutingRuleIn(Strict):
    department_id: Id


class RoutingRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    ticket_type: TicketType
    department_id: int | None = Field(
        description="Null when the default department does not exist: tickets stay unrouted."
    )
    department_key: str | None
    department_name: str | None
    is_default: bool = Field(description="True: no rule is set, the built-in default applies.")


# A time of day without an offset: a string with a pattern in the contract (`format: time`
# means RFC 3339, which requires an offset).
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["09:00"],
        }
    ),
]


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("must be a local time without an offset, such as 09:00")
    return value


class BusinessHoursIn(Strict):
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=50)] = Field(
        description="An IANA zone, such as Asia/Shanghai."
    )
    opens: LocalTime = Field(description="Local time the working day starts, such as 09:00.")
    closes: LocalTime = Field(description="Local time it ends; after `opens`.")

    @field_validator("opens", "closes")
    @classmethod
    def _no_offset(cls, value: time) -> time:
        return _local(value)


class CalendarOverrideIn(Strict):
    is_workday: bool = Field(
        description="True: a working day (e.g. a company make-up day); false: a day off."
    )
    note: Note | None = None


class CalendarOverrideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    day: date
    is_workday: bool
    note: str | None


class BusinessCalendarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    timezone: str
    opens: LocalTime
    closes: LocalTime
    version: int
    overrides: list[CalendarOverrideOut] = Field(
        description="Company days off and working days over China's official schedule, by day."
    )


class DuePreviewOut(BaseModel):
    due_at: datetime = Field(description="In the business calendar's zone.")
