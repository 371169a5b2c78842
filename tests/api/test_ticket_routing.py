"""Routing and assignment: a ticket type goes to a department (an admin's rule, set through
`PUT /routing-rules/{type}`, else the default route), and within it to the member with the
fewest open tickets, the longest idle on a tie, the lowest id after that; inactive and
readonly users are never picked. Every assignment is on the timeline; supervisors and admins
reassign, and the new assignee is told.

Each test makes its own department and members, so loads and idle times are known."""

from datetime import timedelta

import httpx
import pytest

from tests.api.ticket_support import (
    MONDAY_9,
    clear_route,
    get_ticket,
    inbox,
    move,
    new_department,
    open_ticket,
    route,
    timeline,
)
from tests.conftest import TestUser as User
from tests.conftest import create_customer, make_user
from tests.support import assert_problem

ROUTED_TYPE = "training"  # each test routes it to its own department right before use
DEFAULT_TYPE = "technical_consult"  # never given a rule here: DEFAULT_ROUTES sends it to `tech`


@pytest.fixture(scope="module")
async def customer_id(client, users) -> int:
    return (await create_customer(client, users["am"]))["id"]


async def members(client, database, users, *roles: str) -> tuple[dict, list[User]]:
    """A fresh department and its members, created in this order (ids ascending)."""
    department = await new_department(client, users["admin"])
    people = [
        await make_user(client, database, role, department_id=department["id"]) for role in roles
    ]
    assert [p.id for p in people] == sorted(p.id for p in people)
    return department, people


async def give(
    client: httpx.AsyncClient,
    users: dict[str, User],
    customer_id: int,
    user: User,
    *,
    cancel: bool = False,
) -> dict:
    """A ticket explicitly assigned to `user` now (optionally cancelled again at once)."""
    ticket = await open_ticket(client, users["admin"], customer_id, assignee_id=user.id)
    if cancel:
        await move(client, user, ticket["id"], "cancelled")
    return ticket


async def routed_ticket(
    client,
    users,
    customer_id: int,
    department: dict,
    creator: str = "am",
) -> dict:
    await route(client, users["admin"], ROUTED_TYPE, department["id"])
    ticket = await open_ticket(client, users[creator], customer_id, type=ROUTED_TYPE)
    assert ticket["department_id"] == department["id"]
    return ticket


async def routing_rules(client: httpx.AsyncClient, admin: User) -> dict[str, dict]:
    response = await client.get("/routing-rules", headers=admin.headers)
    assert response.status_code == 200, response.text
    return {rule["ticket_type"]: rule for rule in response.json()}


def assignments(events: list[dict]) -> list[dict]:
    return [e["data"] for e in events if e["kind"] == "assignment"]


class TestRouting:
    async def test_a_rule_sends_the_type_to_its_department(
        self, client, database, users, customer_id
    ):
        department, (only,) = await members(client, database, users, "agent")
        ticket = await routed_ticket(client, users, customer_id, department)
        assert (ticket["status"], ticket["assignee_id"]) == ("assigned", only.id)
        stored = await get_ticket(client, users["supervisor"], ticket["id"])
        assert (stored["department_id"], stored["assignee_id"]) == (department["id"], only.id)
        rules = await routing_rules(client, users["admin"])
        assert (rules[ROUTED_TYPE]["department_id"], rules[ROUTED_TYPE]["is_default"]) == (
            department["id"],
            False,
        )

    async def test_without_a_rule_the_default_route_applies(self, client, users, customer_id):
        await clear_route(client, users["admin"], DEFAULT_TYPE)
        listed = await client.get("/departments", headers=users["admin"].headers)
        assert listed.status_code == 200
        tech = next((d for d in listed.json() if d["key"] == "tech"), None) or await new_department(
            client, users["admin"], key="tech"
        )
        rules = await routing_rules(client, users["admin"])
        assert (rules[DEFAULT_TYPE]["department_id"], rules[DEFAULT_TYPE]["is_default"]) == (
            tech["id"],
            True,
        )
        ticket = await open_ticket(client, users["am"], customer_id, type=DEFAULT_TYPE)
        assert ticket["department_id"] == tech["id"]
        stored = await get_ticket(client, users["supervisor"], ticket["id"])
        assert stored["department_id"] == tech["id"]

    async def test_a_department_nobody_can_work_leaves_the_ticket_new(
        self, client, database, users, customer_id
    ):
        department, _ = await members(client, database, users, "readonly", "supervisor")
        ticket = await routed_ticket(client, users, customer_id, department)
        assert (ticket["status"], ticket["assignee_id"]) == ("new", None)
        assert assignments(await timeline(client, users["admin"], ticket["id"])) == []


class TestLeastLoaded:
    async def test_the_member_with_fewest_open_tickets_gets_it(
        self, client, database, users, customer_id, clock
    ):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        clock.at = MONDAY_9
        await give(client, users, customer_id, a)
        await give(client, users, customer_id, a)
        # b was given one more recently (so a is the longer idle), but b's is cancelled.
        clock.at = MONDAY_9 + timedelta(hours=1)
        await give(client, users, customer_id, b, cancel=True)
        clock.at = MONDAY_9 + timedelta(hours=2)
        ticket = await routed_ticket(client, users, customer_id, department)
        assert (ticket["status"], ticket["assignee_id"]) == ("assigned", b.id)
        assert assignments(await timeline(client, users["admin"], ticket["id"])) == [
            {"from": None, "to": b.id, "auto": True}
        ]
        told = [n for n in await inbox(client, b) if n["entity_id"] == ticket["id"]]
        assert [(n["kind"], n["entity_type"]) for n in told] == [("ticket_assigned", "ticket")]
        assert not [n for n in await inbox(client, a) if n["entity_id"] == ticket["id"]]

    async def test_a_tie_goes_to_the_member_idle_longest(
        self, client, database, users, customer_id, clock
    ):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        clock.at = MONDAY_9
        await give(client, users, customer_id, b)
        clock.at = MONDAY_9 + timedelta(minutes=30)
        await give(client, users, customer_id, a)
        clock.at = MONDAY_9 + timedelta(hours=1)
        ticket = await routed_ticket(client, users, customer_id, department)
        assert ticket["assignee_id"] == b.id  # one open each; b waited longer
        # Now b has two open and a one: a is next.
        second = await routed_ticket(client, users, customer_id, department)
        assert second["assignee_id"] == a.id

    async def test_never_assigned_counts_as_idle_longest(
        self, client, database, users, customer_id, clock
    ):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        clock.at = MONDAY_9
        await give(client, users, customer_id, a, cancel=True)
        clock.at = MONDAY_9 + timedelta(hours=1)
        ticket = await routed_ticket(client, users, customer_id, department)
        assert ticket["assignee_id"] == b.id

    async def test_a_full_tie_goes_to_the_lowest_id(self, client, database, users, customer_id):
        department, (a, b) = await members(client, database, users, "agent", "account_manager")
        ticket = await routed_ticket(client, users, customer_id, department)
        assert ticket["assignee_id"] == a.id
        second = await routed_ticket(client, users, customer_id, department)
        assert second["assignee_id"] == b.id  # account managers in the department count too

    async def test_inactive_members_are_skipped(self, client, database, users, customer_id):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        response = await client.patch(
            f"/users/{a.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False
        for _ in range(2):
            ticket = await routed_ticket(client, users, customer_id, department)
            assert ticket["assignee_id"] == b.id

    async def test_readonly_users_are_not_candidates(self, client, database, users, customer_id):
        department, (readonly, agent) = await members(client, database, users, "readonly", "agent")
        for _ in range(2):
            ticket = await routed_ticket(client, users, customer_id, department)
            assert ticket["assignee_id"] == agent.id
        assert readonly.id < agent.id


class TestReassign:
    async def test_agents_and_account_managers_may_not_reassign(
        self, client, database, users, customer_id
    ):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        ticket = await routed_ticket(client, users, customer_id, department)
        assert ticket["assignee_id"] == a.id
        for who in (a, users["am"]):
            response = await client.post(
                f"/tickets/{ticket['id']}/assign", json={"assignee_id": b.id}, headers=who.headers
            )
            assert_problem(response, 403, "forbidden")
        stored = await get_ticket(client, users["admin"], ticket["id"])
        assert stored["assignee_id"] == a.id
        assert len(assignments(await timeline(client, users["admin"], ticket["id"]))) == 1

    async def test_a_supervisor_assigns_a_new_ticket(self, client, database, users, customer_id):
        empty, _ = await members(client, database, users)
        _, (agent,) = await members(client, database, users, "agent")
        ticket = await routed_ticket(client, users, customer_id, empty)
        assert ticket["status"] == "new"
        response = await client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": agent.id, "note": "请跟进"},
            headers=users["supervisor"].headers,
        )
        assert response.status_code == 200, response.text
        stored = await get_ticket(client, agent, ticket["id"])
        assert (stored["status"], stored["assignee_id"]) == ("assigned", agent.id)
        events = [
            e for e in await timeline(client, agent, ticket["id"]) if e["kind"] == "assignment"
        ]
        assert [(e["data"], e["body"], e["actor_id"]) for e in events] == [
            ({"from": None, "to": agent.id, "auto": False}, "请跟进", users["supervisor"].id)
        ]
        told = [n for n in await inbox(client, agent) if n["entity_id"] == ticket["id"]]
        assert [n["kind"] for n in told] == ["ticket_assigned"]

    async def test_an_admin_reassigns_work_in_progress(self, client, database, users, customer_id):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        ticket = await routed_ticket(client, users, customer_id, department)
        await move(client, a, ticket["id"], "in_progress")
        response = await client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": b.id},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        stored = await get_ticket(client, b, ticket["id"])
        assert (stored["status"], stored["assignee_id"]) == ("in_progress", b.id)
        assert assignments(await timeline(client, b, ticket["id"])) == [
            {"from": None, "to": a.id, "auto": True},
            {"from": a.id, "to": b.id, "auto": False},
        ]
        assert [n["kind"] for n in await inbox(client, b) if n["entity_id"] == ticket["id"]] == [
            "ticket_assigned"
        ]
        # a still sees it (same department) but no longer works it.
        assert_problem(
            await client.post(
                f"/tickets/{ticket['id']}/transitions", json={"to": "resolved"}, headers=a.headers
            ),
            403,
            "forbidden",
        )
        await move(client, b, ticket["id"], "resolved")

    async def test_only_active_working_users_can_be_assignees(
        self, client, database, users, customer_id
    ):
        department, (a, inactive) = await members(client, database, users, "agent", "agent")
        await client.patch(
            f"/users/{inactive.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        ticket = await routed_ticket(client, users, customer_id, department)
        for target in (users["readonly"].id, inactive.id, 2**62):
            response = await client.post(
                f"/tickets/{ticket['id']}/assign",
                json={"assignee_id": target},
                headers=users["supervisor"].headers,
            )
            body = assert_problem(response, 422, "validation")
            assert {e["field"] for e in body["errors"]} == {"assignee_id"}
        assert (await get_ticket(client, a, ticket["id"]))["assignee_id"] == a.id

    async def test_a_finished_ticket_is_not_reassigned(self, client, database, users, customer_id):
        department, (a, b) = await members(client, database, users, "agent", "agent")
        ticket = await routed_ticket(client, users, customer_id, department)
        await move(client, a, ticket["id"], "cancelled")
        response = await client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": b.id},
            headers=users["supervisor"].headers,
        )
        assert_problem(response, 409, "conflict")
        assert (await get_ticket(client, a, ticket["id"]))["assignee_id"] == a.id
