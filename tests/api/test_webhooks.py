"""Webhook subscriptions: admins only, the secret shown once, SSRF refused, the outbox filled
by the audited writes, the delivery log, redelivery and the test ping."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

from persistence.models import WebhookDelivery, WebhookSubscription
from tests.conftest import create_customer

URL = "http://127.0.0.1:9/hooks/crm"


@pytest.fixture
async def hooks(app, database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Receivers on 127.0.0.1 allowed (CRM_WEBHOOKS_ALLOW_PRIVATE); every subscription gone
    afterwards, so that other tests' writes fill no outbox."""
    monkeypatch.setattr(app.state.settings, "webhooks_allow_private", True)
    yield
    async with database.session(write=True) as s:
        await s.execute(delete(WebhookDelivery))
        await s.execute(delete(WebhookSubscription))


async def subscribe(client, admin, **fields) -> dict:
    body = {"url": URL, "event_types": ["customer.created"], **fields}
    r = await client.post("/webhooks", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    return r.json()


class TestManaging:
    async def test_the_secret_is_shown_once(self, client, users, hooks):
        created = await subscribe(client, users["admin"])
        secret, hook = created["secret"], created["webhook"]
        assert secret.startswith("whsec_") and hook["status"] == "ok" and hook["active"]
        listed = await client.get("/webhooks", headers=users["admin"].headers)
        assert listed.status_code == 200 and hook["id"] in [h["id"] for h in listed.json()]
        one = await client.get(f"/webhooks/{hook['id']}", headers=users["admin"].headers)
        assert secret not in listed.text + one.text

    async def test_a_given_secret_is_kept(self, client, users, hooks):
        created = await subscribe(client, users["admin"], secret="my-own-secret-0123456789")
        assert created["secret"] == "my-own-secret-0123456789"

    async def test_patch_and_delete(self, client, users, hooks):
        hook = (await subscribe(client, users["admin"]))["webhook"]
        path, headers = f"/webhooks/{hook['id']}", users["admin"].headers
        r = await client.patch(
            path, json={"event_types": ["order.created", "ticket.sla_breached"]}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["event_types"] == ["order.created", "ticket.sla_breached"]
        assert (await client.delete(path, headers=headers)).status_code == 204
        assert (await client.get(path, headers=headers)).status_code == 404

    async def test_an_unknown_event_type_is_422(self, client, users, hooks):
        r = await client.post(
            "/webhooks",
            json={"url": URL, "event_types": ["customer.exploded"]},
            headers=users["admin"].headers,
        )
        assert r.status_code == 422

    @pytest.mark.parametrize("role", ["am", "supervisor", "agent", "readonly"])
    async def test_non_admins_are_refused(self, client, users, hooks, role):
        r = await client.post(
            "/webhooks",
            json={"url": URL, "event_types": ["customer.created"]},
            headers=users[role].headers,
        )
        assert r.status_code == 403
        assert (await client.get("/webhooks", headers=users[role].headers)).status_code == 403


class TestSsrf:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1/hook",
            "http://localhost:8080/hook",
            "http://10.1.2.3/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://0.0.0.0/hook",
        ],
    )
    async def test_a_private_address_is_refused_without_the_setting(self, client, users, url):
        r = await client.post(
            "/webhooks",
            json={"url": url, "event_types": ["customer.created"]},
            headers=users["admin"].headers,
        )
        assert r.status_code == 422, r.text
        assert "url" in r.text

    async def test_nor_on_update(self, client, users, hooks, app, monkeypatch):
        hook = (await subscribe(client, users["admin"]))["webhook"]
        monkeypatch.setattr(app.state.settings, "webhooks_allow_private", False)
        r = await client.patch(
            f"/webhooks/{hook['id']}",
            json={"url": "http://10.0.0.5/x"},
            headers=users["admin"].headers,
        )
        assert r.status_code == 422

    async def test_not_http_is_refused(self, client, users, hooks):
        r = await client.post(
            "/webhooks",
            json={"url": "file:///etc/passwd", "event_types": ["customer.created"]},
            headers=users["admin"].headers,
        )
        assert r.status_code == 422


class TestDeliveryLog:
    async def test_a_write_fills_the_log_and_it_can_be_redelivered(self, client, users, hooks):
        admin = users["admin"]
        hook = (
            await subscribe(client, admin, event_types=["customer.created", "customer.updated"])
        )["webhook"]
        customer = await create_customer(client, admin)
        r = await client.patch(
            f"/customers/{customer['id']}",
            json={"industry": "I64"},
            headers={**admin.headers, "If-Match": str(customer["version"])},
        )
        assert r.status_code == 200, r.text
        log = await client.get(f"/webhooks/{hook['id']}/deliveries", headers=admin.headers)
        assert log.status_code == 200, log.text
        items = log.json()["items"]
        assert [d["event_type"] for d in items] == ["customer.updated", "customer.created"]
        assert all(d["state"] == "pending" and d["attempts"] == 0 for d in items)
        again = await client.post(
            f"/webhooks/deliveries/{items[1]['id']}/redeliver", headers=admin.headers
        )
        assert again.status_code == 200, again.text
        assert again.json()["event_id"] == items[1]["event_id"]

    async def test_an_inactive_subscription_gets_nothing(self, client, users, hooks):
        hook = (await subscribe(client, users["admin"], active=False))["webhook"]
        await create_customer(client, users["admin"])
        log = await client.get(f"/webhooks/{hook['id']}/deliveries", headers=users["admin"].headers)
        assert log.json()["items"] == []

    async def test_ping(self, client, users, hooks):
        hook = (await subscribe(client, users["admin"]))["webhook"]
        r = await client.post(f"/webhooks/{hook['id']}/test", headers=users["admin"].headers)
        assert r.status_code == 202, r.text
        assert r.json()["event_type"] == "ping" and r.json()["state"] == "pending"

    async def test_unknown_delivery_is_404(self, client, users):
        r = await client.post(
            "/webhooks/deliveries/999999/redeliver", headers=users["admin"].headers
        )
        assert r.status_code == 404
