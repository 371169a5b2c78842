"""SLA alerts: which thresholds the scans raise, who is told, and which breaches escalate.

A target warns at 80 % of its time and breaches at 100 % (`domain.sla.WARNING_AT`); the
thresholds are stored on the ticket, so the scans only compare them with `now`. Each alert is
raised once per ticket, target, threshold and cycle: first response and resolution have one
cycle (`ONCE`); the customer-update interval has one per due time, since each public reply
starts a new interval.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from domain.ticket import Priority

ONCE: Final = datetime(1970, 1, 1, tzinfo=UTC)  # the cycle of the alerts raised once per ticket


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    UPDATE = "update"


class Threshold(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True, slots=True)
class AlertRule:
    target: Target
    threshold: Threshold
    kind: str  # the notification kind
    title: str  # notification title; `{code}` is the ticket code
    notify_supervisor: bool  # the supervisor of the ticket's department
    notify_admins: bool  # every active admin
    escalate: frozenset[Priority] = frozenset()  # priorities whose alert escalates
    escalation_title: str = ""

    @property
    def per_cycle(self) -> bool:
        return self.target is Target.UPDATE


ESCALATING: Final = frozenset({Priority.P1, Priority.P2})
# The escalation goes to the department's supervisor, or to every active admin when the
# department has none, so that a breach never escalates to nobody.
ESCALATION_KIND: Final = "sla_escalation"

# The assignee always hears of an alert; a user in several of the roles is told once.
SCAN_RULES: Final = (
    AlertRule(
        Target.FIRST_RESPONSE,
        Threshold.WARNING,
        "sla_warning",
        "工单 {code} 首次响应即将超时",
        True,
        True,
    ),
    AlertRule(
        Target.FIRST_RESPONSE,
        Threshold.BREACH,
        "sla_breach",
        "工单 {code} 首次响应已超时",
        True,
        True,
        ESCALATING,
        "工单 {code} 首次响应超时，已升级给主管",
    ),
    AlertRule(
        Target.RESOLUTION,
        Threshold.WARNING,
        "sla_warning",
        "工单 {code} 即将超过解决时限",
        True,
        True,
    ),
    AlertRule(
        Target.RESOLUTION,
        Threshold.BREACH,
        "sla_breach",
        "工单 {code} 已超过解决时限",
        True,
        True,
        ESCALATING,
        "工单 {code} 解决超时，已升级给主管",
    ),
)
# The customer has waited a whole update interval for news: remind whoever works the ticket.
UPDATE_RULE: Final = AlertRule(
    Target.UPDATE,
    Threshold.BREACH,
    "update_reminder",
    "工单 {code} 已到客户更新时间，请回复客户",
    False,
    False,
)
