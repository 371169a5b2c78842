"""Lifecycle rules: dormancy, churn risk and the periodic check of basic information.

Day thresholds are calendar days in the configured zone (CRM_TIMEZONE, Asia/Shanghai): a
customer last heard from on day D with `dormancy_days` = 180 turns dormant on day D + 180 at
00:00 local time. The jobs compare stored instants with the first instant of a local day
(`Cuts`), so the SQL needs no time-zone arithmetic and can use plain indexes.

Activity status precedence: churn_risk > dormant > active. A customer who complained
recently and stopped ordering is the more urgent case, so the dormancy job never touches a
churn_risk customer, and the churn-risk job takes customers from active or dormant alike.
When the churn rule stops holding the customer goes back to active, and the next dormancy
run makes it dormant again if it has been quiet long enough. (With the default settings the
two cannot hold at once: a complaint in the last 90 days is an interaction in the last 180.)
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from domain.customer import ActivityStatus


class AlertKind(StrEnum):
    """lifecycle_alert.kind: with (customer id, cycle) what makes each reminder once-only."""

    DORMANT = "dormant"  # cycle: the local date the customer turned dormant
    CHURN_RISK = "churn_risk"  # cycle: the local date the customer turned churn_risk
    VERIFICATION = "verification"  # cycle: the due date of the check


class TaskKind(StrEnum):
    ACTIVATION = "activation"
    VERIFICATION = "verification"
    MANUAL = "manual"  # written by a person (POST /tasks), not by a job


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The lifecycle_settings columns the jobs of this module read (defaults as seeded)."""

    dormancy_days: int = 180
    churn_no_order_days: int = 365
    churn_complaint_days: int = 90
    verification_days: int = 90


TASK_DAYS: Final = 7  # a task created by a job is due this many days later

# Notification kinds and texts; the customer's name follows the title.
DORMANT_NOTICE: Final = ("customer_dormant", "客户已休眠，请制定激活计划：")
CHURN_NOTICE: Final = ("customer_churn_risk", "客户有流失风险（久未下单且近期投诉）：")
VERIFICATION_NOTICE: Final = ("verification_due", "请核查客户基本信息：")
ACTIVATION_TASK_TITLE: Final = "激活休眠客户："
VERIFICATION_TASK_TITLE: Final = "核查客户基本信息："


def local_day(at: datetime, zone: tzinfo) -> date:
    return at.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of a local calendar day (aware; compares with stored UTC times)."""
    return datetime.combine(day, time(), zone)


@dataclass(frozen=True, slots=True)
class Cuts:
    """Where `days` calendar days back from `today` fall: anything on `last_day` or before is
    at least `days` old; as an instant, anything before `since` is."""

    today: date
    last_day: date  # today - days
    since: datetime  # the first instant of last_day + 1

    @classmethod
    def of(cls, today: date, days: int, zone: tzinfo) -> "Cuts":
        last = today - timedelta(days=days)
        return cls(today, last, day_start(last + timedelta(days=1), zone))


def is_dormant(last_interaction: date, today: date, dormancy_days: int) -> bool:
    """No follow-up, ticket or order for `dormancy_days` calendar days."""
    return last_interaction <= today - timedelta(days=dormancy_days)


def is_churn_risk(
    last_order: date | None, last_complaint: date | None, today: date, t: Thresholds
) -> bool:
    """Has ordered, but not in `churn_no_order_days`, and complained in the last
    `churn_complaint_days` (the day of the complaint counts as day 1)."""
    return (
        last_order is not None
        and last_complaint is not None
        and last_order <= today - timedelta(days=t.churn_no_order_days)
        and last_complaint > today - timedelta(days=t.churn_complaint_days)
    )


def verification_due_on(last_checked: date, verification_days: int) -> date:
    """The day a reminder is due: `verification_days` after the last check (or creation)."""
    return last_checked + timedelta(days=verification_days)


def activity_status(*, churn_risk: bool, dormant: bool) -> ActivityStatus:
    """The precedence the two jobs keep between them (see the module docstring)."""
    if churn_risk:
        return ActivityStatus.CHURN_RISK
    return ActivityStatus.DORMANT if dormant else ActivityStatus.ACTIVE
