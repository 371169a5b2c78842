"""A ticket routed to a department nobody there can work: its supervisor gets it, else it
waits (new) in the supervisors' queue and every active supervisor is told. Nobody is told of
their own doing."""

from tests.api.test_ticket_routing import ROUTED_TYPE, customer_id, members  # noqa: F401
from tests.api.ticket_support import inbox, open_ticket, route
from tests.conftest import make_user


class TestFallback:
    async def test_the_departments_supervisor_takes_it(self, client, database, users, customer_id):
        department, (boss,) = await members(client, database, users, "supervisor")
        r = await client.patch(
            f"/departments/{department['id']}",
            json={"supervisor_id": boss.id},
            headers={**users["admin"].headers, "If-Match": f'"{department["version"]}"'},
        )
        assert r.status_code == 200, r.text
        await route(client, users["admin"], ROUTED_TYPE, department["id"])
        ticket = await open_ticket(client, users["am"], customer_id, type=ROUTED_TYPE)
        assert (ticket["status"], ticket["assignee_id"]) == ("assigned", boss.id)
        assert [
            n["entity_id"] for n in await inbox(client, boss) if n["kind"] == "ticket_assigned"
        ] == [ticket["id"]]

    async def test_without_one_every_supervisor_is_told_and_it_waits(
        self, client, database, users, customer_id
    ):
        department, _ = await members(client, database, users, "readonly")
        other = await make_user(client, database, "supervisor")
        await route(client, users["admin"], ROUTED_TYPE, department["id"])
        ticket = await open_ticket(client, users["am"], customer_id, type=ROUTED_TYPE)
        assert (ticket["status"], ticket["assignee_id"]) == ("new", None)
        for supervisor in (users["supervisor"], other):
            told = [n for n in await inbox(client, supervisor) if n["kind"] == "ticket_unrouted"]
            assert ticket["id"] in [n["entity_id"] for n in told]
            # stored as a kind with parameters: the reader's language renders it
            mine = next(n for n in told if n["entity_id"] == ticket["id"])
            assert mine["params"] == {"code": ticket["code"], "title": ticket["title"]}


class TestOwnActions:
    async def test_an_agent_taking_a_ticket_is_not_notified(
        self, client, database, users, customer_id
    ):
        department, (agent,) = await members(client, database, users, "agent")
        await route(client, users["admin"], ROUTED_TYPE, department["id"])
        ticket = await open_ticket(client, agent, customer_id, type=ROUTED_TYPE)
        assert ticket["assignee_id"] == agent.id
        assert [n for n in await inbox(client, agent) if n["entity_id"] == ticket["id"]] == []
        admin = users["admin"]
        other = await open_ticket(client, admin, customer_id, type="complaint")
        r = await client.post(
            f"/tickets/{other['id']}/assign",
            json={"assignee_id": admin.id},
            headers={**admin.headers, "If-Match": f'"{other["version"]}"'},
        )
        assert r.status_code == 200, r.text
        assert [
            n
            for n in await inbox(client, admin)
            if n["entity_id"] == other["id"] and n["kind"] == "ticket_assigned"
        ] == []


class TestAssignees:
    async def test_the_picker_lists_who_works_tickets_with_their_load(
        self, client, database, users, customer_id
    ):
        department, (agent, manager) = await members(
            client, database, users, "agent", "account_manager"
        )
        await open_ticket(client, users["admin"], customer_id, assignee_id=agent.id)
        r = await client.get("/tickets/assignees", headers=users["supervisor"].headers)
        assert r.status_code == 200, r.text
        rows = {row["user_id"]: row for row in r.json()}
        assert rows[agent.id] == {
            "user_id": agent.id,
            "display_name": agent.username,
            "department_id": department["id"],
            "role": "agent",
            "open_tickets": 1,
        }
        assert manager.id not in rows and users["readonly"].id not in rows
        assert users["supervisor"].id in rows and users["admin"].id in rows
        r = await client.get("/tickets/assignees", headers=users["agent"].headers)
        assert r.status_code == 403
