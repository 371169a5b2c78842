"""Demo data for a first start: departments, one user per role, tags, custom fields,
realistic Chinese customers (including the example rows of our source documents) and their
orders, opportunities and follow-ups."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from stdnum.cn import ric, uscc

from domain import (
    customer_service,
    follow_up_service,
    opportunity_service,
    order_service,
    tags_and_fields_service,
    user_service,
)
from domain.ports import Clock, PasswordHasher
from domain.roles import Actor, Role
from domain.sales import SHANGHAI
from jobs.seed_demo_service import add_service_desk, run_jobs_once
from persistence.db import Database
from persistence.uow import SqlUnitOfWork

DEPARTMENTS = [("tech", "技术部"), ("after_sales", "售后部"), ("sales", "销售部")]
USERS = [  # username, display name, role, department key
    ("admin", "系统管理员", Role.ADMIN, None),
    ("supervisor", "王主管", Role.SUPERVISOR, "after_sales"),
    ("zhangwei", "张伟", Role.ACCOUNT_MANAGER, "sales"),
    ("lina", "李娜", Role.ACCOUNT_MANAGER, "sales"),
    ("agent", "刘客服", Role.AGENT, "after_sales"),
    ("readonly", "赵只读", Role.READONLY, None),
]
TAGS = [
    ("区域-华东", "#1677ff"),
    ("区域-华北", "#13c2c2"),
    ("区域-华南", "#52c41a"),
    ("行业-IT服务", "#722ed1"),
    ("行业-制造", "#fa8c16"),
    ("状态-意向强烈", "#f5222d"),
    ("偏好本地化服务", "#eb2f96"),
    ("价值-高", "#faad14"),
]
CUSTOM_FIELDS: list[dict[str, Any]] = [
    {"key": "erp_system", "label_zh": "现用ERP系统", "label_en": "Current ERP", "type": "text"},
    {
        "key": "annual_budget",
        "label_zh": "年度预算(万元)",
        "label_en": "Annual budget (10k CNY)",
        "type": "number",
        "sensitive": True,
    },
    {
        "key": "contract_type",
        "label_zh": "合作方式",
        "label_en": "Contract type",
        "type": "enum",
        "options": ["年框", "单次采购", "代理"],
    },
]


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 (registered at 工商, 企业) numbered n."""
    body = f"91310000{n:09d}"
    return body + uscc.calc_check_digit(body + "0")


def id_number(region: str, birthday: str, sequence: int) -> str:
    body = f"{region}{birthday}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


# name, industry, size, stage, owner, region, tags, extra, contacts
ORGANIZATIONS: list[tuple[Any, ...]] = [
    (
        "上海云帆科技有限公司",
        "I65",
        "100-500",
        "intent",
        "zhangwei",
        "华东-上海",
        ["偏好本地化服务", "行业-IT服务", "区域-华东"],
        {
            "main_business": "企业软件定制与IT服务",
            "grade": "A",
            "source": "exhibition",
            "urgency": "high",
            "custom_fields": {"erp_system": "用友U8", "annual_budget": 80},
        },
        [
            ("陈晓明", "IT总监", "13812345678", "chenxm@yunfan-tech.cn", "chenxm_it"),
            ("周丽", "采购经理", "13987654321", None, None),
        ],
    ),
    (
        "江苏恒力制造集团",
        "C34",
        "1000+",
        "customer",
        "zhangwei",
        "华东-苏州",
        ["行业-制造", "区域-华东", "价值-高"],
        {
            "main_business": "通用机械设备制造",
            "grade": "S",
            "source": "referral",
            "urgency": "medium",
            "custom_fields": {"contract_type": "年框", "annual_budget": 500},
        },
        [("王建国", "设备部部长", "13605121234", "wangjg@hengli-group.com", None)],
    ),
    (
        "广州万家商贸有限公司",
        "F52",
        "20-100",
        "potential",
        "lina",
        "华南-广州",
        ["区域-华南"],
        {"main_business": "日用百货零售连锁", "source": "online", "urgency": "low"},
        [("黄美玲", "店长", "13502201234", None, "huangml88")],
    ),
    (
        "北京华信数据服务有限公司",
        "I64",
        "500-1000",
        "intent",
        "lina",
        "华北-北京",
        ["区域-华北", "状态-意向强烈"],
        {"grade": "B", "source": "cold_call", "urgency": "high"},
        [("李强", "CTO", "13910012345", "liqiang@huaxin-data.cn", None)],
    ),
    (
        "杭州明达电子有限公司",
        "C39",
        "100-500",
        "customer",
        "zhangwei",
        "华东-杭州",
        ["区域-华东"],
        {"grade": "A", "source": "partner"},
        [("孙伟", "总经理", "13757112345", "sunwei@mingda-e.com", "sunwei_md")],
    ),
    (
        "深圳恒通物流有限公司",
        "G58",
        "500-1000",
        "lost",
        "lina",
        "华南-深圳",
        [],
        {"grade": "C", "source": "advertising"},
        [],
    ),
    (
        "成都天府餐饮管理有限公司",
        "H62",
        "20-100",
        "potential",
        "lina",
        "西南-成都",
        [],
        {"source": "exhibition"},
        [("刘芳", "运营经理", "13880012345", None, None)],
    ),
]
INDIVIDUALS: list[tuple[Any, ...]] = [
    (
        "张三",
        id_number("110105", "19850312", 123),
        "customer",
        "zhangwei",
        "华北-北京",
        [("张三", None, "13800138000", "zhangsan@example.com", None)],
    ),
    (
        "李梅",
        id_number("310104", "19920726", 246),
        "intent",
        "lina",
        "华东-上海",
        [("李梅", None, "13761234567", None, "limei_sh")],
    ),
]


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


async def seed_demo(
    database: Database, passwords: PasswordHasher, admin_password: str | None
) -> dict[str, str] | None:
    """Seed an empty database; returns {username: password}, or None if users exist."""
    clock: Clock = FixedClock(datetime.now(UTC))
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        if await uow.users.list_all():
            return None
        password = admin_password or secrets.token_urlsafe(9)
        bootstrap = Actor(user_id=None, role=Role.ADMIN)
        departments = {}
        for key, name in DEPARTMENTS:
            created = await user_service.create_department(
                uow, clock, bootstrap, {"key": key, "name": name}
            )
            departments[key] = created.id
        users = {}
        for username, display, role, department in USERS:
            user = await user_service.create_user(
                uow,
                clock,
                passwords,
                bootstrap,
                {
                    "username": username,
                    "password": password,
                    "role": role,
                    "display_name": display,
                    "department_id": departments[department] if department else None,
                },
            )
            users[username] = user.id
        admin = Actor(user_id=users["admin"], role=Role.ADMIN)
        # 王主管 supervises every department, so SLA escalations reach someone in the demo.
        for department_id in departments.values():
            await user_service.update_department(
                uow,
                clock,
                admin,
                department_id,
                {"supervisor_id": users["supervisor"]},
                if_match=None,
            )
        tags = {}
        for name, color in TAGS:
            tags[name] = (
                await tags_and_fields_service.create_tag(
                    uow, clock, admin, {"name": name, "color": color}
                )
            ).id
        for field in CUSTOM_FIELDS:
            await tags_and_fields_service.create_field(
                uow, clock, admin, {"options": [], "required": False, "sensitive": False, **field}
            )
        customers = {}
        for n, (
            name,
            industry,
            size,
            stage,
            owner,
            region,
            tag_names,
            extra,
            contacts,
        ) in enumerate(ORGANIZATIONS, start=1):
            customer = await customer_service.create(
                uow,
                clock,
                admin,
                {
                    "kind": "organization",
                    "name": name,
                    "credit_code": credit_code(n),
                    "industry": industry,
                    "size": size,
                    "stage": stage,
                    "owner_id": users[owner],
                    "region": region,
                    "tag_ids": [tags[t] for t in tag_names],
                    **extra,
                },
            )
            await _add_contacts(uow, clock, admin, customer.id, contacts)
            customers[name] = customer.id
        for name, number, stage, owner, region, contacts in INDIVIDUALS:
            customer = await customer_service.create(
                uow,
                clock,
                admin,
                {
                    "kind": "individual",
                    "name": name,
                    "id_number": number,
                    "stage": stage,
                    "owner_id": users[owner],
                    "region": region,
                    "source": "referral",
                },
            )
            await _add_contacts(uow, clock, admin, customer.id, contacts)
            customers[name] = customer.id
        await _add_sales(uow, clock.now(), users, customers)
        await add_service_desk(uow, clock.now(), users, customers, credit_code)
    await run_jobs_once(database, clock.now())
    return {username: password for username, *_ in USERS}


# Sales records, days before the first start: (customer, days ago, fields).
ORDERS = [
    (
        "江苏恒力制造集团",
        200,
        {
            "product": "设备运维平台 一期",
            "amount": "580000.00",
            "status": "completed",
            "contract_no": "HL-2024-017",
        },
    ),
    (
        "江苏恒力制造集团",
        40,
        {"product": "运维平台 年度服务", "amount": "126000.00", "status": "confirmed"},
    ),
    (
        "杭州明达电子有限公司",
        95,
        {"product": "MES 模块授权", "amount": "48000.00", "status": "completed"},
    ),
    ("张三", 20, {"product": "个人版年度订阅", "amount": "9800.00", "status": "confirmed"}),
]
# (customer, days ago, title, stage, budget, then: None | ("won", order) | ("lost", reason))
OPPORTUNITIES: list[tuple[Any, ...]] = [
    ("上海云帆科技有限公司", 25, "ERP 二期定制开发", "quote", ("300000", "500000"), None),
    ("北京华信数据服务有限公司", 45, "数据中台采购", "intent", ("800000", None), None),
    (
        "江苏恒力制造集团",
        60,
        "设备联网平台",
        "contract",
        ("200000", "260000"),
        ("won", {"product": "设备联网平台", "amount": "236000.00", "contract_no": "HL-2025-006"}),
    ),
    (
        "深圳恒通物流有限公司",
        90,
        "物流调度系统",
        "quote",
        ("150000", "200000"),
        ("lost", "客户选择了价格更低的竞品"),
    ),
]
# (customer, days ago, method, summary, feedback, effective, next action, due in days,
#  opportunity title)
FOLLOW_UPS = [
    (
        "上海云帆科技有限公司",
        2,
        "visit",
        "上门演示二期方案，IT 总监和采购经理参加",
        "对报表模块很感兴趣，要求本周给出报价",
        True,
        "发送二期报价单",
        0,
        "ERP 二期定制开发",
    ),
    (
        "北京华信数据服务有限公司",
        10,
        "phone",
        "电话跟进数据中台需求",
        "对方在内部评估，暂无答复",
        False,
        "约 CTO 做技术交流",
        -5,
        "数据中台采购",
    ),
    ("广州万家商贸有限公司", 12, "wechat", "微信介绍门店会员系统", None, False, None, None, None),
    ("李梅", 1, "email", "发送产品资料和试用账号", "已试用，反馈良好", True, None, None, None),
    (
        "江苏恒力制造集团",
        6,
        "meeting",
        "季度服务回顾会",
        "对运维响应速度满意",
        True,
        "提交下季度巡检计划",
        3,
        None,
    ),
]


async def _add_sales(
    uow: SqlUnitOfWork, now: datetime, users: dict[str, int], customers: dict[str, int]
) -> None:
    """Orders, opportunities in every stage and follow-ups (some effective, some with next
    actions due or overdue), through the services so that the derived fields follow."""

    async def owner_of(name: str) -> tuple[Any, Actor]:
        customer = await uow.customers.require(customers[name])
        return customer, Actor(user_id=customer.owner_id, role=Role.ACCOUNT_MANAGER)

    def ago(days: int) -> FixedClock:
        return FixedClock(now - timedelta(days=days))

    for name, days, fields in ORDERS:
        customer, actor = await owner_of(name)
        ordered_on = (now - timedelta(days=days)).astimezone(SHANGHAI).date()
        await order_service.create(
            uow,
            ago(days),
            actor,
            customer.id,
            {**fields, "amount": Decimal(fields["amount"]), "ordered_on": ordered_on},
        )
    opportunities = {}
    for name, days, title, stage, (low, high), then in OPPORTUNITIES:
        customer, actor = await owner_of(name)
        opportunity = await opportunity_service.create(
            uow,
            ago(days),
            actor,
            {
                "customer_id": customer.id,
                "title": title,
                "stage": stage,
                "budget_min": Decimal(low),
                "budget_max": Decimal(high) if high else None,
                "expected_close_on": (now + timedelta(days=30)).astimezone(SHANGHAI).date(),
            },
        )
        opportunities[title] = opportunity.id
        if then is not None:
            to, detail = then
            order = (
                None
                if to == "lost"
                else {
                    **detail,
                    "amount": Decimal(detail["amount"]),
                    "ordered_on": (now - timedelta(days=5)).astimezone(SHANGHAI).date(),
                }
            )
            await opportunity_service.transition(
                uow,
                ago(5),
                actor,
                opportunity.id,
                to=to,
                order=order,
                if_match=None,
                reason=detail if to == "lost" else None,
                zone=SHANGHAI,
            )
    for name, days, method, summary, feedback, effective, action, due_in, title in FOLLOW_UPS:
        customer, actor = await owner_of(name)
        at = now - timedelta(days=days)
        await follow_up_service.create(
            uow,
            FixedClock(now),
            actor,
            {
                "customer_id": customer.id,
                "at": at,
                "method": method,
                "summary": summary,
                "feedback": feedback,
                "effective": effective,
                "next_action": action,
                "next_action_due_on": (
                    None
                    if due_in is None
                    else (now + timedelta(days=due_in)).astimezone(SHANGHAI).date()
                ),
                "opportunity_id": opportunities.get(title),
            },
            zone=SHANGHAI,
        )


async def _add_contacts(
    uow: SqlUnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    contacts: list[tuple[Any, ...]],
) -> None:
    for name, title, mobile, email, wechat in contacts:
        await customer_service.add_contact(
            uow,
            clock,
            actor,
            customer_id,
            {"name": name, "title": title, "mobile": mobile, "email": email, "wechat": wechat},
        )
