"""A hand-built data set for the analytics tests, written straight into the database with
hand-chosen instants (Asia/Shanghai) and stored SLA durations, so that every expected number
in the tests can be worked out on paper. Isolated from the rest of the shared session
database by its own department and its own account managers."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from persistence.db import Database
from persistence.models import AuditEvent, Customer, CustomerOrder, FollowUp, Opportunity, Ticket

CST = timezone(timedelta(hours=8))


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


@dataclass
class DataSet:
    department_id: int
    am1: Any  # TestUser: owns c1..c4
    am2: Any  # owns c5
    a1: Any  # agents of the department
    a2: Any
    customers: dict[str, int]
    tickets: dict[str, int]


def _code() -> str:
    return "C" + uuid.uuid4().hex[:12].upper()


async def build(
    database: Database,
    *,
    department_id: int,
    am1,
    am2,
    a1,
    a2,
) -> DataSet:
    customers: dict[str, int] = {}
    tickets: dict[str, int] = {}
    async with database.session(write=True) as s:

        def customer(name: str, owner: int, created: datetime, **kw: Any) -> Customer:
            c = Customer(
                code=_code(),
                kind="organization",
                name=f"{name}-{uuid.uuid4().hex[:6]}",
                owner_id=owner,
                created_at=created,
                updated_at=created,
                custom_fields={},
                **{"stage": "intent", "activity_status": "active", **kw},
            )
            s.add(c)
            return c

        c1 = customer(
            "c1",
            am1.id,
            cst(2025, 1, 5, 10),
            stage="intent",
            industry="I65",
            grade="A",
            region="上海",
        )
        c2 = customer(
            "c2",
            am1.id,
            cst(2025, 1, 31, 23, 30),
            stage="customer",
            industry="C13",
            grade="S",
            activity_status="dormant",
            region="北京",
            first_contact_at=cst(2025, 1, 15, 20),
        )
        c3 = customer(
            "c3",
            am1.id,
            cst(2025, 2, 1, 0, 10),
            stage="potential",
            industry="I65",
            activity_status="churn_risk",
        )
        c4 = customer(
            "c4", am1.id, cst(2025, 3, 10, 10), stage="customer", grade="A", archived=True
        )
        c5 = customer("c5", am2.id, cst(2025, 1, 10, 10), stage="intent", industry="I65", grade="A")
        await s.flush()
        customers.update(c1=c1.id, c2=c2.id, c3=c3.id, c4=c4.id, c5=c5.id)

        for cid, on, amount, status in (
            (c1.id, date(2025, 1, 3), "100.00", "confirmed"),
            (c1.id, date(2025, 1, 20), "50.00", "completed"),
            (c1.id, date(2025, 2, 5), "10.00", "cancelled"),
            (c2.id, date(2025, 1, 31), "200.00", "completed"),
            (c3.id, date(2025, 3, 1), "30.00", "cancelled"),
        ):
            s.add(
                CustomerOrder(
                    customer_id=cid,
                    order_no=f"O{uuid.uuid4().hex[:12]}",
                    product="产品",
                    amount=Decimal(amount),
                    ordered_on=on,
                    status=status,
                )
            )

        for cid, owner, at, method in (
            (c1.id, am1.id, cst(2025, 1, 6, 10), "phone"),
            (c1.id, am1.id, cst(2025, 1, 7, 15), "visit"),
            (c2.id, am1.id, cst(2025, 2, 2, 11), "phone"),
            (c3.id, am1.id, cst(2025, 3, 31, 23, 59), "wechat"),
            (c5.id, am2.id, cst(2025, 1, 8, 9), "phone"),
        ):
            s.add(
                FollowUp(
                    customer_id=cid,
                    owner_id=owner,
                    at=at,
                    method=method,
                    summary="沟通",
                    effective=True,
                )
            )

        def opportunity(cid: int, stage: str, created: datetime, **kw: Any) -> Opportunity:
            o = Opportunity(
                customer_id=cid,
                owner_id=am1.id,
                title="商机",
                stage=stage,
                created_at=created,
                updated_at=created,
                **kw,
            )
            s.add(o)
            return o

        opportunity(c1.id, "intent", cst(2025, 1, 8))
        opportunity(c1.id, "quote", cst(2025, 1, 9))
        won = opportunity(c2.id, "won", cst(2025, 1, 20), closed_at=cst(2025, 2, 10, 12))
        opportunity(
            c2.id,
            "lost",
            cst(2025, 2, 1, 9),
            budget_max=Decimal("1000.00"),
            closed_at=cst(2025, 2, 20),
            lost_reason="价格",
        )
        opportunity(c3.id, "contract", cst(2025, 3, 2))
        opportunity(c5.id, "won", cst(2025, 1, 12), closed_at=cst(2025, 2, 11))  # am2's
        await s.flush()
        s.add(
            CustomerOrder(
                customer_id=c2.id,
                order_no=f"O{uuid.uuid4().hex[:12]}",
                product="产品",
                amount=Decimal("300.00"),
                ordered_on=date(2025, 2, 1),
                status="confirmed",
                opportunity_id=won.id,
            )
        )

        for action, cid, at, changes, actor in (
            ("claim", c1.id, cst(2025, 1, 20, 10), {"owner_id": [None, am1.id]}, am1.id),
            ("release", c2.id, cst(2025, 2, 15, 2), {"owner_id": [am1.id, None]}, None),
            ("release", c5.id, cst(2025, 2, 16, 2), {"owner_id": [am2.id, None]}, None),
        ):
            s.add(
                AuditEvent(
                    at=at,
                    actor_id=actor,
                    entity_type="customer",
                    entity_id=cid,
                    customer_id=cid,
                    action=action,
                    changes=changes,
                )
            )

        targets = {"P2": (1440, 2700), "P3": (120, 1620), "P4": (2880, 5400)}

        def ticket(
            key: str,
            cid: int,
            type_: str,
            channel: str,
            priority: str,
            status: str,
            opened: datetime,
            assignee: int,
            **kw: Any,
        ) -> None:
            first, resolution = targets[priority]
            t = Ticket(
                code=f"T{uuid.uuid4().hex[:12]}",
                customer_id=cid,
                type=type_,
                channel=channel,
                title=key,
                description="",
                urgent=False,
                important=False,
                priority=priority,
                priority_overridden=False,
                status=status,
                department_id=department_id,
                assignee_id=assignee,
                opened_at=opened,
                sla_calendar="business",
                first_response_minutes=first,
                resolution_minutes=resolution,
                update_minutes=1440,
                **kw,
            )
            s.add(t)
            tickets[key] = t

        ticket(
            "t1",
            c1.id,
            "complaint",
            "phone",
            "P3",
            "closed",
            cst(2025, 1, 31, 23, 30),
            a1.id,
            first_response_at=cst(2025, 2, 3, 9, 30),
            first_response_elapsed_minutes=30,
            resolved_at=cst(2025, 2, 4, 10),
            resolution_elapsed_minutes=600,
            closed_at=cst(2025, 2, 5, 10),
            satisfaction_response_speed=3,
            satisfaction_resolution=2,
            satisfaction_attitude=4,
            satisfaction_overall=2,
            responsible_party="service_error",
            root_cause="响应慢",
        )
        ticket(
            "t2",
            c1.id,
            "order_support",
            "email",
            "P4",
            "closed",
            cst(2025, 1, 10, 10),
            a1.id,
            first_response_at=cst(2025, 1, 10, 11),
            first_response_elapsed_minutes=60,
            resolved_at=cst(2025, 1, 20, 10),
            resolution_elapsed_minutes=3000,
            closed_at=cst(2025, 1, 21, 10),
            satisfaction_response_speed=5,
            satisfaction_resolution=5,
            satisfaction_attitude=5,
            satisfaction_overall=5,
            reopen_count=1,
        )
        ticket(
            "t3",
            c2.id,
            "order_support",
            "phone",
            "P3",
            "resolved",
            cst(2025, 2, 1, 0, 10),
            a2.id,
            first_response_at=cst(2025, 2, 5, 10),
            first_response_elapsed_minutes=180,
            resolved_at=cst(2025, 3, 5, 10),
            resolution_elapsed_minutes=2000,
        )
        ticket(
            "t4",
            c2.id,
            "complaint",
            "web_form",
            "P2",
            "in_progress",
            cst(2025, 2, 10, 9),
            a2.id,
            first_response_at=cst(2025, 2, 10, 9, 20),
            first_response_elapsed_minutes=20,
        )
        ticket(
            "t5",
            c1.id,
            "after_sales_repair",
            "phone",
            "P3",
            "cancelled",
            cst(2025, 3, 3, 9),
            a1.id,
            closed_at=cst(2025, 3, 4, 9),
        )
        ticket(
            "t6",
            c5.id,
            "order_support",
            "phone",
            "P3",
            "closed",
            cst(2025, 1, 15, 10),
            a1.id,
            first_response_at=cst(2025, 1, 15, 10, 30),
            first_response_elapsed_minutes=30,
            resolved_at=cst(2025, 1, 16, 10),
            resolution_elapsed_minutes=540,
            closed_at=cst(2025, 1, 17, 10),
            satisfaction_response_speed=1,
            satisfaction_resolution=1,
            satisfaction_attitude=1,
            satisfaction_overall=1,
        )
        ticket(
            "t7",
            c1.id,
            "training",
            "online_chat",
            "P4",
            "closed",
            cst(2025, 3, 20, 10),
            a2.id,
            first_response_at=cst(2025, 3, 20, 10, 10),
            first_response_elapsed_minutes=10,
            resolved_at=cst(2025, 3, 21, 10),
            resolution_elapsed_minutes=500,
            closed_at=cst(2025, 3, 25, 10),
            satisfaction_response_speed=4,
            satisfaction_resolution=4,
            satisfaction_attitude=3,
            satisfaction_overall=3,
        )
        await s.flush()
        ids = {k: t.id for k, t in tickets.items()}
    return DataSet(department_id, am1, am2, a1, a2, customers, ids)
