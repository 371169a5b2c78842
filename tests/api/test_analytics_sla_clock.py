"""The stored SLA durations behind the service figures, written by the ticket service as a
ticket is worked through the API: working minutes on the business calendar, across China's
National Day holiday (1–7 October 2024), with a reopen in between."""

from tests.api.ticket_support import cst, move, open_ticket
from tests.conftest import create_customer, make_user

OCTOBER = {"from": "2024-09-01", "to": "2024-10-31", "bucket": "month"}


async def test_durations_across_national_day(client, database, users, clock):
    owner = await make_user(client, database, "account_manager")
    agent = await make_user(client, database, "agent")
    customer = await create_customer(client, owner)
    clock.at = cst(2024, 9, 30, 17)  # Monday before the holiday
    ticket = await open_ticket(
        client,
        users["admin"],
        customer["id"],
        urgent=True,
        assignee_id=agent.id,
        opened_at=cst(2024, 9, 30, 17).isoformat(),
    )
    assert ticket["priority"] == "P3"  # 120 min first response, 1620 min resolution
    clock.at = cst(2024, 10, 8, 10)  # first working morning after the holiday
    await move(client, agent, ticket["id"], "in_progress")
    clock.at = cst(2024, 10, 9, 11)
    await move(client, agent, ticket["id"], "resolved")

    async def figure(path: str) -> dict:
        r = await client.get(f"/analytics/{path}", params=OCTOBER, headers=owner.headers)
        assert r.status_code == 200, r.text
        return {s["name"]: [p["value"] for p in s["points"]] for s in r.json()["series"]}

    # first response: 30 Sep 17:00–18:00 (60) + 8 Oct 09:00–10:00 (60) = 120 min = 2 h,
    # exactly the target: on time. Resolution: 60 + 540 (8 Oct) + 120 (9 Oct) = 720 = 12 h.
    durations = await figure("service/durations")
    assert durations["first_response_median_hours"] == [None, 2.0]
    assert durations["resolution_median_hours"] == [None, 12.0]
    sla = await figure("service/sla")
    assert sla["first_response_on_time_rate"] == [None, 1.0]
    assert sla["resolution_on_time_rate"] == [None, 1.0]

    # Reopened the next morning: the time it sat resolved (9 Oct 11:00 → 10 Oct 10:00, 480
    # working minutes) does not count. Resolved again at 11:00 on the 10th:
    # 60 + 540 + 540 + 120 = 1260 working minutes since opening, less 480 = 780 = 13 h.
    clock.at = cst(2024, 10, 10, 10)
    await move(client, agent, ticket["id"], "reopened")
    await move(client, agent, ticket["id"], "in_progress")
    clock.at = cst(2024, 10, 10, 11)
    await move(client, agent, ticket["id"], "resolved")
    durations = await figure("service/durations")
    assert durations["resolution_median_hours"] == [None, 13.0]
    reopen = await figure("service/reopen")
    assert reopen["reopened"] == [0, 1] and reopen["reopen_rate"] == [None, 1.0]
