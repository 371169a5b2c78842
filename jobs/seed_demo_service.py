"""Demo data, part two: the service desk and the lifecycle, so that a first start shows the
whole product. Tickets in every state (with satisfaction surveys spread over the last weeks,
complaints, one waiting for the customer, one reopened), SLA clocks in warning and breached;
customers whose history makes the nightly jobs act (quiet ones released to the public pool,
a dormant one with its activation task, one due for verification). The jobs themselves then
run once as of now, so the alerts, notifications, tasks and pool entries are the real ones.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from domain import customer_service, ticket_service
from domain.ports import Clock
from domain.roles import Actor, Role
from domain.ticket import TicketStatus
from persistence.db import Database
from persistence.models import Customer
from persistence.uow import SqlUnitOfWork


class _At:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


S = TicketStatus
# (customer, hours ago, type, urgent, important, title, the moves after opening:
#  [(status, hours after opening, extra)])
TICKETS: list[tuple[str, float, str, bool, bool, str, list[tuple[TicketStatus, float, dict]]]] = [
    (
        "上海云帆科技有限公司",
        0.4,
        "technical_consult",
        False,
        False,
        "接口文档中的签名算法说明不清",
        [],
    ),  # tech has no members: its supervisor takes it
    ("江苏恒力制造集团", 0.42, "after_sales_repair", True, True, "产线数据采集网关离线", []),
    ("深圳恒通物流有限公司", 2.5, "after_sales_repair", True, True, "调度大屏无法刷新", []),
    (
        "杭州明达电子有限公司",
        30,
        "order_support",
        False,
        True,
        "发票抬头需要更正",
        [(S.IN_PROGRESS, 1, {})],
    ),
    (
        "北京华信数据服务有限公司",
        50,
        "return_exchange",
        True,
        False,
        "退换一台故障网关",
        [(S.IN_PROGRESS, 1, {}), (S.WAITING_CUSTOMER, 3, {"note": "等待客户寄回设备"})],
    ),
    (
        "广州万家商贸有限公司",
        72,
        "training",
        False,
        False,
        "门店员工系统操作培训",
        [(S.IN_PROGRESS, 2, {}), (S.RESOLVED, 20, {"note": "已完成两场线上培训"})],
    ),
    (
        "张三",
        120,
        "complaint",
        True,
        True,
        "客服电话长时间无人接听",
        [
            (S.IN_PROGRESS, 0.5, {}),
            (S.RESOLVED, 6, {"note": "已致歉并调整排班"}),
            (S.REOPENED, 30, {"note": "客户反映周末仍无人接听"}),
        ],
    ),
    (
        "上海云帆科技有限公司",
        96,
        "customization",
        False,
        True,
        "报表导出增加自定义列",
        [(S.CANCELLED, 10, {"note": "客户改为采购二期项目一并实现"})],
    ),
]
# Closed tickets with their surveys, a week apart: the satisfaction history.
# (customer, days ago, type, title, response speed, resolution, attitude, overall, comment)
CLOSED = [
    ("江苏恒力制造集团", 56, "after_sales_repair", "传感器读数漂移", 4, 4, 5, 4, "处理及时"),
    ("杭州明达电子有限公司", 49, "technical_consult", "MES 接口调用超时", 3, 4, 4, 4, None),
    ("深圳恒通物流有限公司", 42, "complaint", "上门服务迟到两小时", 2, 3, 3, 2, "希望准时"),
    ("北京华信数据服务有限公司", 35, "order_support", "合同付款节点确认", 5, 5, 5, 5, None),
    ("广州万家商贸有限公司", 28, "presales_consult", "会员系统报价咨询", 4, 4, 4, 4, None),
    (
        "上海云帆科技有限公司",
        21,
        "after_sales_repair",
        "服务器硬盘告警",
        4,
        5,
        4,
        5,
        "工程师很专业",
    ),
    ("江苏恒力制造集团", 14, "training", "新版运维平台培训", 5, 4, 5, 5, None),
    ("张三", 7, "return_exchange", "个人版激活码无效", 3, 3, 4, 3, "流程有点长"),
    ("李梅", 3, "technical_consult", "试用账号无法登录", 5, 5, 5, 5, None),
]
COMPLAINT = {
    "root_cause": "排班不足，高峰时段坐席不够",
    "responsible_party": "service_error",
    "remedy": "增加周末值班并设置回拨",
    "revisit_at": None,
}
# Customers with a past, shaped directly (a demo has no history of its own): (name, owner,
# days since creation and last contact, days since the owner last engaged, industry).
AGED = [
    ("成都蓉城餐饮管理有限公司", "zhangwei", 45, 45, "H62"),  # quiet past 30 days: to the pool
    ("武汉江汉建材贸易有限公司", "lina", 60, 60, "F51"),  # ditto
    ("西安秦川机械配件厂", "zhangwei", 28, 28, "C34"),  # 2 days from release: warned
    ("南京紫金文化传媒有限公司", "lina", 200, 10, "R86"),  # 200 days unheard of: dormant
    ("青岛海晨食品有限公司", "zhangwei", 100, 5, "C13"),  # unverified for 100 days
]


async def add_service_desk(
    uow: SqlUnitOfWork,
    now: datetime,
    users: dict[str, int],
    customers: dict[str, int],
    credit_code: Any,
) -> None:
    admin = Actor(user_id=users["admin"], role=Role.ADMIN)
    agent = Actor(
        user_id=users["agent"],
        role=Role.AGENT,
        department_id=(await uow.users.require(users["agent"])).department_id,
    )
    # The history first, so that the list, newest first, opens with today's tickets.
    for n, (name, days, kind, title, speed, resolution, attitude, overall, comment) in enumerate(
        CLOSED
    ):
        opened = now - timedelta(days=days, hours=n % 5)
        fields: dict[str, Any] = {
            "customer_id": customers[name],
            "type": kind,
            "channel": "online_chat",
            "title": title,
            "urgent": n % 3 == 0,
            "important": n % 2 == 0,
            "assignee_id": users["agent"],
        }
        if kind == "complaint":
            fields.update({**COMPLAINT, "root_cause": "工程师路线安排不合理"})
        ticket = await ticket_service.create(uow, _At(opened), admin, fields)
        survey = {
            "response_speed": speed,
            "resolution": resolution,
            "attitude": attitude,
            "overall": overall,
            "comment": comment,
        }
        await _move(
            uow,
            agent,
            ticket,
            opened,
            [
                (S.IN_PROGRESS, 1, {}),
                (S.RESOLVED, 8 + n, {}),
                (S.CLOSED, 30 + n, {"satisfaction": survey}),
            ],
        )
    oldest_first = sorted(TICKETS, key=lambda t: -t[1])
    for name, hours, kind, urgent, important, title, moves in oldest_first:
        opened = now - timedelta(hours=hours)
        fields = {
            "customer_id": customers[name],
            "type": kind,
            "channel": "phone",
            "title": title,
            "urgent": urgent,
            "important": important,
            "description": title,
        }
        if kind == "complaint":
            fields.update(COMPLAINT)
        if moves:  # worked by the after-sales agent, whatever the route
            fields["assignee_id"] = users["agent"]
        ticket = await ticket_service.create(uow, _At(opened), admin, fields)
        await _move(uow, agent, ticket, opened, moves)
    for n, (name, owner, days, engaged, industry) in enumerate(AGED, start=1):
        manager = Actor(user_id=users[owner], role=Role.ACCOUNT_MANAGER)
        customer = await customer_service.create(
            uow,
            _At(now),
            manager,
            {
                "kind": "organization",
                "name": name,
                "credit_code": credit_code(100 + n),
                "industry": industry,
                "stage": "intent" if days < 100 else "customer",
                "region": name[:2],
            },
        )
        await customer_service.add_contact(
            uow,
            _At(now),
            manager,
            customer.id,
            {
                "name": f"{name[2]}经理",
                "title": "总经理",
                "mobile": f"1391234{n:04d}",
                "email": f"contact{n}@example.cn",
                "wechat": None,
            },
        )
        await uow.session.flush()
        past, engaged_at = now - timedelta(days=days), now - timedelta(days=engaged)
        await uow.session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(
                created_at=past,
                last_contact_at=past,
                owner_engaged_at=engaged_at,
                owned_since=engaged_at,
            )
        )
        customers[name] = customer.id


async def _move(
    uow: SqlUnitOfWork,
    actor: Actor,
    ticket: Any,
    opened: datetime,
    moves: list[tuple[TicketStatus, float, dict]],
) -> None:
    """Work a ticket as its assignee (the agent) would, at past times: the first response is
    theirs."""
    for status, hours, extra in moves:
        clock: Clock = _At(opened + timedelta(hours=hours))
        await ticket_service.transition(uow, clock, actor, ticket.id, to=status, **extra)


async def run_jobs_once(database: Database, now: datetime) -> None:
    """The jobs a night and the last minutes would have run, as of now."""
    from jobs.registry import JOBS

    for name in (
        "sla-scan",
        "pool-recycle",
        "dormancy",
        "verification",
        "customer-value",
        "follow-up-due",
        "stale-opportunities",
    ):
        await JOBS[name].run(database, _At(now))
