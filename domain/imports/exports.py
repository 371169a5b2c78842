"""What an export of each list holds: the columns people see in the app, in their language,
with enum values as words and times in the configured zone. Pure: the API pages through the
list and hands each item (a dict shaped like the list's JSON) to a `formatter`."""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter, methodcaller
from typing import Any
from zoneinfo import ZoneInfo

from domain.imports import columns as c

TICKET_TYPE = {
    "presales_consult": ("售前咨询", "Pre-sales consult"),
    "order_support": ("订单支持", "Order support"),
    "after_sales_repair": ("售后维修", "After-sales repair"),
    "return_exchange": ("退换货", "Return / exchange"),
    "complaint": ("投诉", "Complaint"),
    "technical_consult": ("技术咨询", "Technical"),
    "training": ("培训", "Training"),
    "customization": ("定制", "Customisation"),
}
TICKET_CHANNEL = {
    "phone": ("电话", "Phone"),
    "online_chat": ("在线客服", "Online chat"),
    "email": ("邮件", "E-mail"),
    "store": ("门店", "Store"),
    "web_form": ("网页表单", "Web form"),
    "api": ("API", "API"),
}
TICKET_STATUS = {
    "new": ("新建", "New"),
    "assigned": ("已分派", "Assigned"),
    "in_progress": ("处理中", "In progress"),
    "waiting_customer": ("待客户反馈", "Waiting for customer"),
    "resolved": ("已解决", "Resolved"),
    "closed": ("已关闭", "Closed"),
    "reopened": ("已重开", "Reopened"),
    "cancelled": ("已取消", "Cancelled"),
}
ACTIVITY = {
    "active": ("活跃", "Active"),
    "dormant": ("休眠", "Dormant"),
    "churn_risk": ("流失风险", "Churn risk"),
}
OPPORTUNITY_STAGE = {
    "intent": ("意向", "Intent"),
    "quote": ("报价", "Quote"),
    "contract": ("合同", "Contract"),
    "won": ("赢单", "Won"),
    "lost": ("输单", "Lost"),
}
YES_NO = {True: ("是", "Yes"), False: ("否", "No")}


@dataclass(frozen=True, slots=True)
class ExportColumn:
    key: str  # the item's key; "a.b" reaches into a nested object
    zh: str
    en: str
    kind: str = "text"  # text | enum | date | time | money | bool | list | user | customer
    choices: Mapping[Any, tuple[str, str]] = field(default_factory=dict)

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _e(key: str, zh: str, en: str, choices: Mapping[Any, tuple[str, str]]) -> ExportColumn:
    return ExportColumn(key, zh, en, "enum", choices)


# The customer export's headers are the import's, so an exported file imports back.
CUSTOMERS = (
    ExportColumn("code", "客户编号", "Code"),
    ExportColumn("name", "客户名称", "Name"),
    _e("kind", "客户类型", "Kind", c.KIND_CHOICES),
    ExportColumn("credit_code", "统一社会信用代码", "Credit code"),
    ExportColumn("id_number", "身份证号", "ID number"),
    _e("gender", "性别", "Gender", c.GENDER_CHOICES),
    ExportColumn("birthday", "出生日期", "Birthday", "date"),
    ExportColumn("industry", "行业", "Industry"),
    _e("size", "规模", "Size", c.SIZE_CHOICES),
    ExportColumn("main_business", "主营业务", "Main business"),
    ExportColumn("region", "地区", "Region"),
    ExportColumn("address", "地址", "Address"),
    _e("stage", "客户阶段", "Stage", c.STAGE_CHOICES),
    _e("activity_status", "活跃状态", "Activity", ACTIVITY),
    _e("grade", "客户等级", "Grade", c.GRADE_CHOICES),
    _e("source", "客户来源", "Source", c.SOURCE_CHOICES),
    _e("urgency", "紧急程度", "Urgency", c.URGENCY_CHOICES),
    ExportColumn("owner_id", "负责人", "Owner", "user"),
    ExportColumn("tags", "标签", "Tags", "list"),
    ExportColumn("last_contact_at", "最近联系", "Last contact", "time"),
    ExportColumn("next_follow_up_on", "下次跟进", "Next follow-up", "date"),
    ExportColumn("cumulative_amount", "累计金额（元）", "Cumulative amount (CNY)", "money"),
    ExportColumn("created_at", "创建时间", "Created", "time"),
)
CONTACTS = (
    ExportColumn("name", "联系人", "Contact"),
    ExportColumn("title", "职务", "Title"),
    ExportColumn("mobile", "手机", "Mobile"),
    ExportColumn("phone", "电话", "Phone"),
    ExportColumn("email", "邮箱", "E-mail"),
    ExportColumn("wechat", "微信", "WeChat"),
    ExportColumn("is_primary", "主联系人", "Primary", "bool"),
)
TICKETS = (
    ExportColumn("code", "工单编号", "Code"),
    ExportColumn("title", "标题", "Title"),
    ExportColumn("customer_id", "客户", "Customer", "customer"),
    _e("type", "类型", "Type", TICKET_TYPE),
    _e("channel", "渠道", "Channel", TICKET_CHANNEL),
    ExportColumn("priority", "优先级", "Priority"),
    _e("status", "状态", "Status", TICKET_STATUS),
    ExportColumn("assignee_id", "处理人", "Assignee", "user"),
    ExportColumn("opened_at", "创建时间", "Opened", "time"),
    ExportColumn("first_response_at", "首次响应", "First response", "time"),
    ExportColumn("resolved_at", "解决时间", "Resolved", "time"),
    ExportColumn("closed_at", "关闭时间", "Closed", "time"),
    ExportColumn("satisfaction.overall", "总体满意度", "Overall satisfaction"),
)
FOLLOW_UPS = (
    ExportColumn("at", "跟进时间", "When", "time"),
    ExportColumn("customer_name", "客户名称", "Customer"),
    _e("method", "跟进方式", "Method", c.METHOD_CHOICES),
    ExportColumn("summary", "跟进内容", "Summary"),
    ExportColumn("feedback", "客户反馈", "Feedback"),
    ExportColumn("next_action", "下一步", "Next action"),
    ExportColumn("next_action_due_on", "下一步日期", "Next action due", "date"),
    ExportColumn("effective", "有效跟进", "Effective", "bool"),
    ExportColumn("owner_id", "跟进人", "Owner", "user"),
)
OPPORTUNITIES = (
    ExportColumn("title", "商机", "Opportunity"),
    ExportColumn("customer_name", "客户名称", "Customer"),
    _e("stage", "阶段", "Stage", OPPORTUNITY_STAGE),
    ExportColumn("budget_min", "预算下限（元）", "Budget from (CNY)", "money"),
    ExportColumn("budget_max", "预算上限（元）", "Budget to (CNY)", "money"),
    ExportColumn("expected_close_on", "预计成交", "Expected close", "date"),
    ExportColumn("stale", "停滞", "Stale", "bool"),
    ExportColumn("owner_id", "负责人", "Owner", "user"),
    ExportColumn("created_at", "创建时间", "Created", "time"),
)
ORDERS = (
    ExportColumn("order_no", "订单号", "Order no."),
    ExportColumn("contract_no", "合同号", "Contract no."),
    ExportColumn("product", "产品", "Product"),
    ExportColumn("amount", "金额（元）", "Amount (CNY)", "money"),
    ExportColumn("ordered_on", "下单日期", "Ordered on", "date"),
    _e("status", "订单状态", "Status", c.ORDER_STATUS_CHOICES),
)
AUDIT = (
    ExportColumn("at", "时间", "When", "time"),
    ExportColumn("actor_id", "操作人", "By", "user"),
    ExportColumn("entity_type", "对象", "Record"),
    ExportColumn("entity_id", "编号", "Id"),
    ExportColumn("action", "操作", "Action"),
    ExportColumn("changes", "变更", "Changes", "json"),
)
LISTS: dict[str, tuple[ExportColumn, ...]] = {
    "customers": CUSTOMERS,
    "contacts": CONTACTS,
    "tickets": TICKETS,
    "follow_ups": FOLLOW_UPS,
    "opportunities": OPPORTUNITIES,
    "orders": ORDERS,
    "audit_events": AUDIT,
}
TITLES = {
    "customers": ("客户", "Customers"),
    "contacts": ("联系人", "Contacts"),
    "tickets": ("工单", "Tickets"),
    "follow_ups": ("跟进记录", "Follow-ups"),
    "opportunities": ("商机", "Opportunities"),
    "orders": ("订单", "Orders"),
    "audit_events": ("审计日志", "Audit log"),
}


Formatter = Callable[[Any], list[Any]]


def _get(item: Mapping[str, Any], key: str) -> Any:
    value: Any = item
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class _Words(dict):
    """Names by code; a code without a name stays as it is. Its __getitem__ is the
    conversion itself: no Python call per cell for the commonest columns."""

    def __missing__(self, key: Any) -> Any:
        return key if isinstance(key, str) else str(key)


def _value(
    col: ExportColumn,
    en: bool,
    zone: ZoneInfo,
    users: Mapping[int, str],
    customers: Mapping[int, str],
) -> Callable[[Any], Any] | None:
    """How a column's value (never None) becomes what people read; None: as it is."""
    match col.kind:
        case "enum":
            return _Words({code: label[en] for code, label in col.choices.items()}).__getitem__
        case "bool":
            return lambda value: YES_NO[bool(value)][en]
        case "time":

            def local(value: Any) -> Any:
                if isinstance(value, str):
                    value = datetime.fromisoformat(value)
                return value.astimezone(zone).replace(tzinfo=None)

            return local
        case "date":
            return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
        case "money":
            return lambda value: value if type(value) is Decimal else Decimal(str(value))
        case "list":
            # a list of tags (dicts or names), or the names already joined (a big export)
            return lambda value: (
                value
                if isinstance(value, str)
                else "、".join(t["name"] if isinstance(t, Mapping) else str(t) for t in value)
            )
        case "user":
            return _Words(users).__getitem__
        case "customer":
            return _Words(customers).__getitem__
        case "json":
            return lambda value: json.dumps(value, ensure_ascii=False, default=str)
    return None


def formatter(
    cols: Sequence[ExportColumn],
    lang: str,
    zone: ZoneInfo,
    users: Mapping[int, str],
    customers: Mapping[int, str],
    fields: Sequence[str] | None = None,
) -> Formatter:
    """One item → the row people read: words for codes, local times, names for ids. Items
    are dicts shaped like the list's JSON, or tuples whose positions `fields` names (the
    rows of a big export, read without building a dict each). Each column's conversion is
    worked out once, not per cell: an export has millions of cells."""
    en = lang != "zh"
    converters = [
        (i, convert)
        for i, col in enumerate(cols)
        if (convert := _value(col, en, zone, users, customers)) is not None
    ]
    if fields is None:
        getters = [
            (lambda item, key=col.key: _get(item, key))
            if "." in col.key
            else methodcaller("get", col.key)
            for col in cols
        ]

        def pick(item: Any) -> list[Any]:
            return [get(item) for get in getters]
    else:
        position = {name: i for i, name in enumerate(fields)}
        nested = [
            (i, position[col.key.partition(".")[0]], col.key.partition(".")[2])
            for i, col in enumerate(cols)
            if "." in col.key
        ]
        # (a nested key's place is filled below; a key the rows lack fails here, not later)
        plain = itemgetter(*[position[col.key.partition(".")[0]] for col in cols], 0)

        def pick(item: Any) -> list[Any]:
            values = list(plain(item))[:-1]  # one C call for every column (a tuple always)
            for i, at, key in nested:
                values[i] = _get(item[at] or {}, key)
            return values

    def row(item: Any) -> list[Any]:
        values = pick(item)
        for i, convert in converters:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        return values

    return row


def custom_columns(definitions: Sequence[Any]) -> list[ExportColumn]:
    return [ExportColumn(f"custom_fields.{d.key}", d.label_zh, d.label_en) for d in definitions]
