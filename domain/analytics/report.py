"""Reports (日报 / 周报 / 月报): which period a report covers, which figures it holds for a
role, and each figure as a table with Chinese headings, ready for the xlsx and PDF renderers."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.analytics.period import Granularity
from domain.analytics.scope import Section, sections_of
from domain.analytics.service import Result
from domain.errors import Conflict, NotFound
from domain.notification_email import Attachment
from domain.roles import Actor, Role


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportNotFound(NotFound):
    code = "report-not-found"

    def __init__(self, report_id: object) -> None:
        super().__init__("report", report_id)


class ReportNotReady(Conflict):
    code = "report-not-ready"


TITLES = {ReportKind.DAILY: "日报", ReportKind.WEEKLY: "周报", ReportKind.MONTHLY: "月报"}
BUCKETS = {
    ReportKind.DAILY: Granularity.DAY,
    ReportKind.WEEKLY: Granularity.DAY,
    ReportKind.MONTHLY: Granularity.WEEK,
}
# Who gets which report when they never chose (users change theirs in their settings).
ROLE_DEFAULTS: dict[Role, frozenset[ReportKind]] = {
    Role.ADMIN: frozenset({ReportKind.MONTHLY}),
    Role.SUPERVISOR: frozenset({ReportKind.DAILY, ReportKind.WEEKLY, ReportKind.MONTHLY}),
    Role.ACCOUNT_MANAGER: frozenset({ReportKind.WEEKLY}),
    Role.AGENT: frozenset(),
    Role.READONLY: frozenset(),
}


def report_days(kind: ReportKind, start: date | None, today: date) -> tuple[date, date]:
    """The first and last day a report covers. Without `start`: the last complete period
    before `today` (yesterday; last ISO week; last month). With it: the period holding it."""
    if kind is ReportKind.DAILY:
        day = start or today - timedelta(days=1)
        return day, day
    if kind is ReportKind.WEEKLY:
        anchor = start or today - timedelta(days=7)
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6)
    anchor = start or (today.replace(day=1) - timedelta(days=1))
    first = anchor.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    dimension: str | None = None


SECTIONS: dict[Section, tuple[Item, ...]] = {
    Section.CUSTOMERS: (
        Item("customers.new"),
        Item("customers.activity"),
        Item("customers.distribution", "stage"),
        Item("customers.repurchase"),
    ),
    Section.SALES: (Item("sales.follow_ups"), Item("sales.funnel"), Item("sales.pool")),
    Section.SERVICE: (
        Item("service.volume", "type"),
        Item("service.backlog"),
        Item("service.sla"),
        Item("service.durations"),
        Item("service.satisfaction"),
        Item("service.top_problems"),
        Item("service.agents"),
        Item("service.complaints"),
    ),
}
SECTION_TITLES = {Section.CUSTOMERS: "客户", Section.SALES: "销售", Section.SERVICE: "服务"}


def items_for(actor: Actor) -> list[tuple[Section, tuple[Item, ...]]]:
    return [(section, SECTIONS[section]) for section in sections_of(actor)]


FIGURE_TITLES = {
    "customers.new": "新增客户",
    "customers.activity": "客户活跃状态",
    "customers.distribution": "客户阶段分布",
    "customers.repurchase": "复购率",
    "sales.follow_ups": "跟进次数",
    "sales.funnel": "商机漏斗",
    "sales.cycle": "成交周期",
    "sales.pool": "公海流动",
    "service.volume": "工单量（按类型）",
    "service.backlog": "积压工单",
    "service.sla": "SLA 达成率",
    "service.durations": "响应与解决时长（工作小时）",
    "service.reopen": "重开率",
    "service.agents": "坐席工作量",
    "service.satisfaction": "满意度",
    "service.top_problems": "满意度最低的问题类型 Top 5",
    "service.complaints": "投诉分析",
}
# Series names and category keys in Chinese (reports are read by people, not by code).
WORDS = {
    "new": "新增",
    "customers": "客户数",
    "stage": "客户数",
    "customers_with_orders": "下单客户",
    "repeat_customers": "复购客户",
    "repurchase_rate": "复购率",
    "follow_ups": "跟进次数",
    "opportunities": "商机数",
    "reached": "到达数",
    "conversion": "转化率",
    "amount": "金额（元）",
    "median_days": "中位天数",
    "release": "释放",
    "claim": "领取",
    "opened": "新建",
    "resolved": "已解决",
    "closed": "已关闭",
    "backlog": "积压",
    "first_response_on_time_rate": "首次响应达成率",
    "first_response_fulfilled": "已首次响应",
    "first_response_on_time": "首次响应按时",
    "resolution_on_time_rate": "解决达成率",
    "resolution_fulfilled": "已解决数",
    "resolution_on_time": "解决按时",
    "first_response_median_hours": "首次响应中位数",
    "first_response_p90_hours": "首次响应 P90",
    "resolution_median_hours": "解决中位数",
    "resolution_p90_hours": "解决 P90",
    "reopened": "重开",
    "reopen_rate": "重开率",
    "open": "在办",
    "response_speed": "响应速度",
    "resolution": "解决效果",
    "attitude": "服务态度",
    "overall": "总体",
    "complaints": "投诉数",
    "by_responsible_party": "按责任方",
    "by_root_cause": "按根因",
    "all": "全部",
    "none": "未填写",
    "active": "活跃",
    "dormant": "沉睡",
    "churn_risk": "流失风险",
    "potential": "潜在",
    "intent": "意向",
    "customer": "成交",
    "lost": "流失/输单",
    "quote": "报价",
    "contract": "合同",
    "won": "赢单",
    "presales_consult": "售前咨询",
    "order_support": "订单支持",
    "after_sales_repair": "售后维修",
    "return_exchange": "退换货",
    "complaint": "投诉",
    "technical_consult": "技术咨询",
    "training": "培训",
    "customization": "定制",
    "phone": "电话",
    "visit": "拜访",
    "email": "邮件",
    "wechat": "微信",
    "meeting": "会议",
    "sms": "短信",
    "online_chat": "在线客服",
    "store": "门店",
    "web_form": "网页表单",
    "api": "API",
    "product_quality": "产品质量",
    "service_error": "服务失误",
    "logistics": "物流",
    "other": "其他",
}


def word(key: str) -> str:
    return WORDS.get(key, key)


@dataclass(frozen=True, slots=True)
class Table:
    """One figure as rows: the first column is the bucket or category."""

    key: str
    title: str
    definition: str
    unit: str
    header: list[str]
    rows: list[list[str | float | None]]
    series_count: int  # value columns (after the first)
    over_time: bool  # rows are buckets (a line or column chart over time)


def table(result: Result) -> Table:
    """Rows: the union of the series' x values in order of appearance; columns: the series
    (and groups). Names are person names where the point carries one."""
    columns = [s for s in result.series if s.points]
    xs: list[str] = []
    labels: dict[str, str] = {}
    for s in columns:
        for p in s.points:
            if p.x not in labels:
                xs.append(p.x)
                labels[p.x] = p.label or word(p.x)
    cells = {(i, p.x): p.value for i, s in enumerate(columns) for p in s.points}
    header = [
        "时段"
        if result.period.buckets and xs and xs[0] == result.period.buckets[0].first_day.isoformat()
        else "项目"
    ]
    header += [f"{word(s.name)}·{word(s.group)}" if s.group else word(s.name) for s in columns]
    rows = [[labels[x], *[cells.get((i, x)) for i in range(len(columns))]] for x in xs]
    over_time = header[0] == "时段"
    return Table(
        result.figure.key,
        FIGURE_TITLES.get(result.figure.key, result.figure.key),
        result.figure.zh,
        result.figure.unit,
        header,
        rows,
        len(columns),
        over_time,
    )


@dataclass(frozen=True, slots=True)
class ReportContent:
    kind: ReportKind
    first_day: date
    last_day: date
    recipient: str
    sections: list[tuple[str, list[Table]]]

    @property
    def title(self) -> str:
        return f"{TITLES[self.kind]} {self.first_day.isoformat()} 至 {self.last_day.isoformat()}"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachments(
    kind: ReportKind, first_day: date, last_day: date, xlsx: bytes, pdf: bytes
) -> tuple[Attachment, ...]:
    """A report's two files as its e-mail carries them, named as people file them
    (周报_2026-11-30_2026-12-06.pdf)."""
    stem = f"{TITLES[kind]}_{first_day.isoformat()}_{last_day.isoformat()}"
    return (
        Attachment(f"{stem}.pdf", "application/pdf", pdf),
        Attachment(f"{stem}.xlsx", XLSX_TYPE, xlsx),
    )
