"""Job `webhooks`: signed POSTs to a receiver on a real socket, retries with back-off on the
test clock, at-least-once across a crash, the outbox in the change's transaction, SSRF at
delivery time, and 24 hours of failures."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select

from domain import audit
from domain.integration import webhook as rules
from domain.roles import SYSTEM
from jobs import webhooks as job
from persistence.models import Notification, WebhookDelivery, WebhookSubscription
from persistence.uow import SqlUnitOfWork
from tests.conftest import organization
from tests.jobs.conftest import Desk, local
from tests.webhook_receiver import Receiver

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SECRET = "whsec_test-secret-0123456789"


@pytest.fixture
async def receiver(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Receiver]:
    monkeypatch.setenv("CRM_WEBHOOKS_ALLOW_PRIVATE", "1")  # the receiver is on 127.0.0.1
    await _clear(desk)
    r = await Receiver().start()
    yield r
    await r.stop()
    await _clear(desk)


async def _clear(desk: Desk) -> None:
    async with desk.database.session(write=True) as s:
        await s.execute(delete(WebhookDelivery))
        await s.execute(delete(WebhookSubscription))


async def subscribe(desk: Desk, url: str, *types: str) -> int:
    async with desk.database.session(write=True) as s:
        row = WebhookSubscription(
            url=url,
            event_types=list(types or ["customer.created"]),
            secret=SECRET,
            active=True,
            status="ok",
            created_at=T0,
            updated_at=T0,
        )
        s.add(row)
        await s.flush()
        return row.id


async def deliveries(desk: Desk) -> list[WebhookDelivery]:
    async with desk.database.session(write=False) as s:
        return list((await s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))).all())


async def new_customer(desk: Desk, at: datetime) -> dict[str, Any]:
    r = await desk.call(at, "admin", "POST", "/customers", organization())
    assert r.status_code == 201, r.text
    return r.json()


class TestDelivery:
    async def test_a_signed_event_reaches_the_receiver(self, desk: Desk, receiver: Receiver):
        await subscribe(desk, receiver.url)
        customer = await new_customer(desk, T0)
        outcome = await desk.run("webhooks", T0)
        assert outcome["result"] == {"delivered": 1}
        [got] = receiver.requests
        assert got.verifies(SECRET) and not got.verifies(SECRET + "x")
        assert got.headers["x-crm-signature"].startswith(f"t={int(T0.timestamp())},v1=")
        body = got.json
        assert got.headers["x-crm-event-id"] == body["id"]
        assert body["type"] == "customer.created"
        assert body["data"]["type"] == "customer" and body["data"]["id"] == customer["id"]
        assert body["data"]["changes"]["name"] == [None, customer["name"]]
        [row] = await deliveries(desk)
        assert (row.state, row.attempts, row.last_status_code) == ("delivered", 1, 200)

    async def test_a_receiver_answering_500_twice_gets_it_on_the_third_try(
        self, desk: Desk, receiver: Receiver
    ):
        receiver.statuses = [500, 500]
        await subscribe(desk, receiver.url)
        await new_customer(desk, T0)
        assert (await desk.run("webhooks", T0))["result"] == {"retrying": 1}
        [row] = await deliveries(desk)
        assert row.next_attempt_at == T0 + timedelta(minutes=1) and row.last_status_code == 500
        assert (await desk.run("webhooks", T0 + timedelta(minutes=1)))["result"] == {"retrying": 1}
        [row] = await deliveries(desk)
        assert row.next_attempt_at == T0 + timedelta(minutes=3)  # 1, then 2 minutes
        assert (await desk.run("webhooks", T0 + timedelta(minutes=2)))["result"] == {}
        assert (await desk.run("webhooks", T0 + timedelta(minutes=3)))["result"] == {"delivered": 1}
        assert len(receiver.requests) == 3
        assert len({r.headers["x-crm-event-id"] for r in receiver.requests}) == 1
        [row] = await deliveries(desk)
        assert (row.state, row.attempts) == ("delivered", 3)

    async def test_a_crash_after_sending_loses_nothing(
        self, desk: Desk, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ):
        await subscribe(desk, receiver.url)
        await new_customer(desk, T0)

        async def crash(*args: Any) -> None:
            raise RuntimeError("the process died before marking")

        with monkeypatch.context() as m:
            m.setattr(job, "mark", crash)
            with pytest.raises(RuntimeError):
                await desk.run("webhooks", T0)
        assert len(receiver.requests) == 1
        [row] = await deliveries(desk)
        assert row.state == "pending"
        assert (await desk.run("webhooks", T0 + job.LEASE))["result"] == {"delivered": 1}
        first, again = receiver.requests
        assert first.headers["x-crm-event-id"] == again.headers["x-crm-event-id"]
        assert first.json == again.json

    async def test_24_hours_of_failures_fail_it_and_tell_the_admins(
        self, desk: Desk, receiver: Receiver
    ):
        receiver.default = 503
        subscription_id = await subscribe(desk, receiver.url)
        await new_customer(desk, T0)
        at = T0
        for _ in range(30):
            await desk.run("webhooks", at)
            [row] = await deliveries(desk)
            if row.state != "pending":
                break
            at = row.next_attempt_at
        assert row.state == "failed" and row.last_status_code == 503
        assert at <= T0 + timedelta(hours=24)
        assert row.attempts == len(receiver.requests) == 11  # 1 + 2 + … + 512 min < 24 h
        async with desk.database.session(write=False) as s:
            subscription = await s.get(WebhookSubscription, subscription_id)
            assert subscription is not None and subscription.status == "failing"
            told = (
                await s.scalars(
                    select(Notification.user_id).where(Notification.kind == "webhook_failing")
                )
            ).all()
        assert sorted(told) == sorted(desk.users[k].id for k in ("admin", "admin2"))

        # the receiver is fixed: an admin redelivers, the same event arrives, the hook is ok
        receiver.default = 204
        later = at + timedelta(hours=1)
        r = await desk.call(later, "admin", "POST", f"/webhooks/deliveries/{row.id}/redeliver")
        assert r.status_code == 200 and r.json()["state"] == "pending", r.text
        assert (await desk.run("webhooks", later))["result"] == {"delivered": 1}
        assert receiver.requests[-1].headers["x-crm-event-id"] == row.event_id
        r = await desk.call(later, "admin", "GET", f"/webhooks/{subscription_id}")
        assert r.json()["status"] == "ok"


class TestOutbox:
    async def test_the_delivery_is_written_in_the_changing_transaction(
        self, desk: Desk, receiver: Receiver
    ):
        await subscribe(desk, receiver.url, "customer.updated")

        async def update(fail: bool) -> None:
            async with desk.database.session(write=True) as s:
                audit.record(
                    SqlUnitOfWork(s),
                    SYSTEM,
                    "customer",
                    desk.customer_id,
                    "update",
                    {"industry": ["I65", "I64"]},
                    at=T0,
                    customer_id=desk.customer_id,
                )
                await s.flush()
                count = select(func.count()).select_from(WebhookDelivery)
                assert await s.scalar(count) == 1  # beside the audit entry, not yet committed
                if fail:
                    raise RuntimeError("the change fails after its audit entry")

        with pytest.raises(RuntimeError):
            await update(fail=True)
        assert await deliveries(desk) == []
        await update(fail=False)
        [row] = await deliveries(desk)
        assert (
            row.event_type == "customer.updated" and row.payload["data"]["id"] == desk.customer_id
        )

    async def test_no_subscription_no_delivery(self, desk: Desk, receiver: Receiver):
        await subscribe(desk, receiver.url, "order.created")
        await new_customer(desk, T0)
        assert await deliveries(desk) == []


class TestSsrf:
    async def test_a_private_address_is_refused_at_delivery_time(
        self, desk: Desk, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ):
        await subscribe(desk, receiver.url)
        await new_customer(desk, T0)
        monkeypatch.delenv("CRM_WEBHOOKS_ALLOW_PRIVATE")
        assert (await desk.run("webhooks", T0))["result"] == {"retrying": 1}
        assert receiver.requests == []
        [row] = await deliveries(desk)
        assert "private" in (row.last_error or "") and row.last_status_code is None

    async def test_a_dns_answer_that_changes_after_the_check_does_not_reach_our_network(
        self, desk: Desk, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ):
        """DNS rebinding: the host resolves to a public address when checked and to 127.0.0.1
        when asked again. The delivery connects only to what its own resolution checked."""
        url = f"http://hooks.example.com:{urlsplit(receiver.url).port}/hooks/crm"
        await subscribe(desk, url)
        await new_customer(desk, T0)
        monkeypatch.delenv("CRM_WEBHOOKS_ALLOW_PRIVATE")
        asked: list[str] = []

        async def rebinding(host: str, port: int) -> list[str]:
            asked.append(host)
            return ["93.184.216.34"] if len(asked) == 1 else ["127.0.0.1"]

        monkeypatch.setattr(rules, "resolve", rebinding)
        assert (await desk.run("webhooks", T0))["result"] == {"retrying": 1}
        assert receiver.requests == [] and len(asked) == 2
        [row] = await deliveries(desk)
        assert "private" in (row.last_error or "") and row.last_status_code is None

    async def test_the_connection_goes_to_the_resolved_address_with_the_hosts_name(
        self, desk: Desk, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ):
        port = urlsplit(receiver.url).port
        await subscribe(desk, f"http://hooks.example.com:{port}/hooks/crm")
        await new_customer(desk, T0)

        async def local(host: str, port: int) -> list[str]:
            return ["127.0.0.1"]  # allowed here: CRM_WEBHOOKS_ALLOW_PRIVATE is on

        monkeypatch.setattr(rules, "resolve", local)
        assert (await desk.run("webhooks", T0))["result"] == {"delivered": 1}
        [got] = receiver.requests
        assert got.headers["host"] == f"hooks.example.com:{port}" and got.verifies(SECRET)


class TestTicketEvents:
    async def test_a_breach_and_a_status_change_are_events(self, desk: Desk, receiver: Receiver):
        await subscribe(desk, receiver.url, "ticket.sla_breached", "ticket.status_changed")
        opened = local("2024-10-14 09:00")  # a Monday: P1's first response is due at 09:30
        t = await desk.ticket(opened, priority="P1")
        await desk.run("sla-scan", local("2024-10-14 09:29"))
        assert await deliveries(desk) == []  # a warning is no event
        await desk.run("sla-scan", local("2024-10-14 09:30"))
        [breach] = await deliveries(desk)
        assert breach.event_type == "ticket.sla_breached"
        assert breach.payload["data"] == {
            "type": "ticket",
            "id": t["id"],
            "changes": {"target": "first_response"},
        }
        r = await desk.call(
            local("2024-10-14 09:31"), "admin", "POST", f"/tickets/{t['id']}/transitions",
            {"to": "in_progress"},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        _, moved = await deliveries(desk)
        assert moved.event_type == "ticket.status_changed"
        assert moved.payload["data"]["changes"]["status"][1] == "in_progress"
        await desk.run("webhooks", local("2024-10-14 09:32"))
        # a run sends its due deliveries side by side: they arrive in any order
        assert sorted(r.json["type"] for r in receiver.requests) == [
            "ticket.sla_breached",
            "ticket.status_changed",
        ]
