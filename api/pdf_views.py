"""What goes into the PDF documents, read through the API as the caller (so masking is the
API's), laid out by persistence/imports/pdf.py in a worker thread."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool

from domain.imports import columns as c
from domain.imports import exports as x
from persistence.imports import pdf

RECENT = 20


def _label(choices: dict, value: Any) -> str:
    return "" if value is None else choices.get(value, (value, value))[0]


def _when(value: str | None, zone: ZoneInfo, with_time: bool = True) -> str:
    if not value:
        return ""
    if len(value) == 10:
        return value
    moment = datetime.fromisoformat(value).astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _money(value: Any) -> str:
    return "（无权查看）" if value is None else f"¥{float(value):,.2f}"


async def _user_names(api: Any) -> dict[int, str]:
    users = await api.get("/users")
    items = users.get("items", users) if isinstance(users, dict) else (users or [])
    return {u["id"]: u.get("display_name") or u.get("username") for u in items}


async def customer_document(api: Any, customer_id: int, zone: ZoneInfo) -> tuple[bytes, str]:
    customer = await api.required(f"/customers/{customer_id}")
    contacts = await api.get(f"/customers/{customer_id}/contacts") or []
    follow_ups = await api.get("/follow-ups", customer_id=customer_id, limit=RECENT)
    orders = await api.get(f"/customers/{customer_id}/orders", limit=RECENT)
    tickets = await api.get("/tickets", customer_id=customer_id, limit=RECENT)
    fields = await api.get("/custom-fields") or []
    users = await _user_names(api)
    org = customer["kind"] == "organization"
    identity = [
        ("客户编号", customer["code"]),
        ("客户名称", customer["name"]),
        ("客户类型", _label(c.KIND_CHOICES, customer["kind"])),
    ]
    if org:
        identity += [
            ("统一社会信用代码", customer["credit_code"]),
            ("行业", customer["industry"]),
            ("规模", _label(c.SIZE_CHOICES, customer["size"])),
            ("主营业务", customer["main_business"]),
        ]
    else:
        identity += [
            ("身份证号", customer["id_number"] or "（无权查看）"),
            ("性别", _label(c.GENDER_CHOICES, customer["gender"])),
            ("出生日期", customer["birthday"]),
        ]
    identity += [
        ("地区", customer["region"]),
        ("地址", customer["address"]),
        ("客户阶段", _label(c.STAGE_CHOICES, customer["stage"])),
        ("活跃状态", _label(x.ACTIVITY, customer["activity_status"])),
        ("客户来源", _label(c.SOURCE_CHOICES, customer["source"])),
        ("紧急程度", _label(c.URGENCY_CHOICES, customer["urgency"])),
        ("负责人", users.get(customer["owner_id"], "公海") if customer["owner_id"] else "公海"),
        ("标签", "、".join(t["name"] for t in customer["tags"]) or "—"),
        ("最近联系", _when(customer["last_contact_at"], zone)),
        ("下次跟进", customer["next_follow_up_on"]),
    ]
    labels = {f["key"]: f["label_zh"] for f in fields}
    custom = [(labels.get(k, k), v) for k, v in (customer["custom_fields"] or {}).items()]
    value = [
        ("客户等级", customer["grade"] or "—"),
        (
            "价值",
            {"high": "高价值", "medium": "中价值", "low": "低价值"}.get(
                customer["value_level"], "—"
            ),
        ),
        ("累计金额", _money(customer["cumulative_amount"])),
        ("首次合作", customer["first_cooperation_on"]),
        ("最近订单", customer["last_order_on"]),
    ]
    contact_rows = [
        (
            ct["name"],
            ct["title"],
            ct["mobile"],
            ct["phone"],
            ct["email"],
            ct["wechat"],
            "是" if ct["is_primary"] else "",
        )
        for ct in contacts
    ]
    sections: list[tuple[str, Any]] = [
        ("基本信息", identity),
        (
            "联系人",
            (
                ("姓名", "职务", "手机", "电话", "邮箱", "微信", "主要"),
                contact_rows,
                (0.12, 0.12, 0.17, 0.15, 0.22, 0.13, 0.09),
            ),
        ),
        ("自定义字段", custom or None),
        ("客户价值", value),
    ]
    if follow_ups is not None:
        sections.append(
            (
                "最近跟进",
                (
                    ("时间", "方式", "内容", "客户反馈", "跟进人"),
                    [
                        (
                            _when(f["at"], zone),
                            _label(c.METHOD_CHOICES, f["method"]),
                            f["summary"],
                            f["feedback"],
                            users.get(f["owner_id"], ""),
                        )
                        for f in follow_ups["items"]
                    ],
                    (0.16, 0.08, 0.4, 0.24, 0.12),
                ),
            )
        )
    sections.append(
        (
            "订单",
            (
                ("订单号", "产品", "金额", "下单日期", "状态"),
                [
                    (
                        o["order_no"],
                        o["product"],
                        _money(o["amount"]),
                        o["ordered_on"],
                        _label(c.ORDER_STATUS_CHOICES, o["status"]),
                    )
                    for o in orders["items"]
                ],
                (0.2, 0.34, 0.16, 0.16, 0.14),
            ),
        )
        if orders is not None
        else ("订单", "（无权查看金额）")
    )
    if tickets is not None:
        sections.append(
            (
                "服务工单",
                (
                    ("工单编号", "标题", "类型", "优先级", "状态", "创建时间"),
                    [
                        (
                            t["code"],
                            t["title"],
                            _label(x.TICKET_TYPE, t["type"]),
                            t["priority"],
                            _label(x.TICKET_STATUS, t["status"]),
                            _when(t["opened_at"], zone),
                        )
                        for t in tickets["items"]
                    ],
                    (0.18, 0.3, 0.13, 0.09, 0.13, 0.17),
                ),
            )
        )
    masked = customer.get("masked_fields") or []
    footer = f"客户档案 {customer['code']}" + ("（部分信息已按权限隐藏）" if masked else "")
    subtitle = f"一户一档  生成于 {datetime.now(zone).strftime('%Y-%m-%d %H:%M')}"
    data = await run_in_threadpool(
        pdf.document, f"客户档案：{customer['name']}", subtitle, sections, footer
    )
    return data, customer["code"]


async def ticket_document(api: Any, ticket_id: int, zone: ZoneInfo) -> tuple[bytes, str]:
    ticket = await api.required(f"/tickets/{ticket_id}")
    timeline = await api.get(f"/tickets/{ticket_id}/timeline") or []
    customer = await api.get(f"/customers/{ticket['customer_id']}")
    users = await _user_names(api)
    info = [
        ("工单编号", ticket["code"]),
        ("标题", ticket["title"]),
        ("客户", customer["name"] if customer else ticket["customer_id"]),
        ("客户编号", customer["code"] if customer else ""),
        ("类型", _label(x.TICKET_TYPE, ticket["type"])),
        ("渠道", _label(x.TICKET_CHANNEL, ticket["channel"])),
        ("优先级", ticket["priority"]),
        ("状态", _label(x.TICKET_STATUS, ticket["status"])),
        ("处理人", users.get(ticket["assignee_id"], "") if ticket["assignee_id"] else ""),
        ("创建时间", _when(ticket["opened_at"], zone)),
        ("解决时间", _when(ticket["resolved_at"], zone)),
        ("关闭时间", _when(ticket["closed_at"], zone)),
    ]
    states = {
        "ok": "正常",
        "warning": "预警",
        "breached": "已超时",
        "met": "已达成",
        "paused": "暂停",
    }
    sla = ticket["sla"]
    sla_rows = [
        (
            name,
            _when(sla[key]["due_at"], zone),
            states.get(sla[key]["state"], sla[key]["state"]),
            f"{sla[key]['elapsed_minutes']:.0f}",
        )
        for key, name in (
            ("first_response", "首次响应"),
            ("resolution", "解决"),
            ("update", "进展更新"),
        )
    ]
    replies = [
        (_when(e["at"], zone), users.get(e["actor_id"], ""), e["body"])
        for e in timeline
        if e["visibility"] == "public" and e.get("body")
    ]
    s = ticket.get("satisfaction")
    acceptance = [
        ("客户验收", {True: "已验收", False: "未验收", None: "—"}[ticket.get("customer_accepted")])
    ]
    if s:
        acceptance += [
            ("响应速度", f"{s['response_speed']} / 5"),
            ("解决效果", f"{s['resolution']} / 5"),
            ("服务态度", f"{s['attitude']} / 5"),
            ("总体满意度", f"{s['overall']} / 5"),
            ("客户评价", s.get("comment") or ""),
        ]
    sections = [
        ("工单信息", info),
        ("问题描述", ticket["description"] or "—"),
        (
            "服务时效（SLA）",
            (("目标", "截止时间", "状态", "已用工作分钟"), sla_rows, (0.2, 0.3, 0.2, 0.3)),
        ),
        ("处理记录（客户可见）", (("时间", "处理人", "内容"), replies, (0.2, 0.15, 0.65))),
        ("验收与满意度", acceptance),
        (
            "签字确认",
            "客户签字：____________________    日期：____________\n\n"
            "服务人员签字：____________________    日期：____________",
        ),
    ]
    subtitle = f"服务单  生成于 {datetime.now(zone).strftime('%Y-%m-%d %H:%M')}"
    data = await run_in_threadpool(
        pdf.document, f"服务单：{ticket['code']}", subtitle, sections, f"服务单 {ticket['code']}"
    )
    return data, ticket["code"]
