"""The ticket status machine through the API: every allowed move, every refused one (409 with
the allowed targets), who may move a ticket, closing with the survey, the reopen window,
cancelling, and the SLA clock pausing while the ticket waits for the customer."""

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from tests.api.ticket_support import (
    MONDAY_9,
    SATISFIED,
    cst,
    error_fields,
    get_ticket,
    instant,
    list_ids,
    move,
    new_department,
    open_ticket,
    route,
    timeline,
)
from tests.conftest import TestUser as User
from tests.conftest import create_customer, make_user
from tests.support import assert_problem

STATUSES = [
    "new",
    "assigned",
    "in_progress",
    "waiting_customer",
    "resolved",
    "closed",
    "reopened",
    "cancelled",
]
# The design's machine, written out here rather than read from domain.ticket.ALLOWED.
PERMITTED = {
    "new": {"assigned", "cancelled"},
    "assigned": {"in_progress", "cancelled"},
    "in_progress": {"waiting_customer", "resolved", "cancelled"},
    "waiting_customer": {"in_progress", "resolved", "cancelled"},
    "resolved": {"closed", "reopened"},
    "closed": {"reopened"},
    "reopened": {"in_progress", "cancelled"},
    "cancelled": set(),
}
# How the assignee brings a freshly assigned ticket into each status.
PATHS = {
    "assigned": [],
    "in_progress": ["in_progress"],
    "waiting_customer": ["in_progress", "waiting_customer"],
    "resolved": ["in_progress", "resolved"],
    "closed": ["in_progress", "resolved", "closed"],
    "reopened": ["in_progress", "resolved", "reopened"],
    "cancelled": ["cancelled"],
}
NEW_TYPE = "customization"  # routed to a department without members: tickets stay `new`


@dataclass
class Cast:
    admin: User
    supervisor: User
    readonly: User
    owner: User  # the account manager owning the customer
    other_manager: User
    assignee: User
    collaborator: User
    department_collaborator: User
    outsider: User
    customer_id: int
    empty_department_id: int
    collab_department_id: int


@pytest.fixture(scope="module")
async def cast(client, database, users) -> Cast:
    admin = users["admin"]
    work = await new_department(client, admin)
    elsewhere = await new_department(client, admin)
    collab = await new_department(client, admin)
    empty = await new_department(client, admin)
    owner = await make_user(client, database, "account_manager")
    customer = await create_customer(client, owner)
    return Cast(
        admin=admin,
        supervisor=users["supervisor"],
        readonly=users["readonly"],
        owner=owner,
        other_manager=users["am2"],
        assignee=await make_user(client, database, "agent", department_id=work["id"]),
        collaborator=await make_user(client, database, "agent", department_id=elsewhere["id"]),
        department_collaborator=await make_user(
            client, database, "agent", department_id=collab["id"]
        ),
        outsider=await make_user(client, database, "agent", department_id=elsewhere["id"]),
        customer_id=customer["id"],
        empty_department_id=empty["id"],
        collab_department_id=collab["id"],
    )


async def assigned_ticket(client, cast: Cast, **fields) -> dict:
    ticket = await open_ticket(
        client,
        cast.admin,
        cast.customer_id,
        assignee_id=cast.assignee.id,
        collaborator_user_ids=[cast.collaborator.id],
        collaborator_department_ids=[cast.collab_department_id],
        **fields,
    )
    assert ticket["status"] == "assigned"
    assert ticket["assignee_id"] == cast.assignee.id
    return ticket


async def new_ticket(client, cast: Cast) -> dict:
    await route(client, cast.admin, NEW_TYPE, cast.empty_department_id)
    ticket = await open_ticket(client, cast.admin, cast.customer_id, type=NEW_TYPE)
    assert (ticket["status"], ticket["assignee_id"]) == ("new", None)
    assert ticket["department_id"] == cast.empty_department_id
    return ticket


async def ticket_in(client, cast: Cast, status: str) -> tuple[dict, User]:
    """A ticket in `status`, and who works it (the assignee; a supervisor for `new`)."""
    if status == "new":
        return await new_ticket(client, cast), cast.supervisor
    ticket = await assigned_ticket(client, cast)
    for step in PATHS[status]:
        ticket = await move(
            client,
            cast.assignee,
            ticket["id"],
            step,
            **({"satisfaction": SATISFIED} if step == "closed" else {}),
        )
    return ticket, cast.assignee


async def transition(
    client: httpx.AsyncClient, user: User, ticket_id: int, to: str, **extra: object
) -> httpx.Response:
    return await client.post(
        f"/tickets/{ticket_id}/transitions", json={"to": to, **extra}, headers=user.headers
    )


class TestEveryAllowedMove:
    async def test_the_assignee_walks_the_machine_and_each_move_is_stored(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        walk = [
            "in_progress",
            "waiting_customer",
            "in_progress",
            "waiting_customer",
            "resolved",
            "reopened",
            "in_progress",
            "resolved",
            "closed",
            "reopened",
            "cancelled",
        ]
        previous = "assigned"
        for step in walk:
            extra = {"satisfaction": SATISFIED} if step == "closed" else {}
            moved = await move(
                client, cast.assignee, ticket["id"], step, note=f"{previous} → {step}", **extra
            )
            assert set(moved["allowed_transitions"]) == PERMITTED[step]
            previous = step
        stored = await get_ticket(client, cast.admin, ticket["id"])
        assert (stored["status"], stored["version"]) == ("cancelled", moved["version"])
        moves = [
            (e["data"]["from"], e["data"]["to"], e["body"])
            for e in await timeline(client, cast.assignee, ticket["id"])
            if e["kind"] == "transition"
        ]
        expected_from = ["assigned", *walk[:-1]]
        assert moves == [(a, b, f"{a} → {b}") for a, b in zip(expected_from, walk, strict=True)]

    async def test_a_new_ticket_is_assigned_through_assign_not_a_transition(self, client, cast):
        ticket = await new_ticket(client, cast)
        refused = await transition(client, cast.supervisor, ticket["id"], "assigned")
        assert_problem(refused, 409, "conflict")
        assert (await get_ticket(client, cast.supervisor, ticket["id"]))["status"] == "new"
        response = await client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": cast.assignee.id},
            headers=cast.supervisor.headers,
        )
        assert response.status_code == 200, response.text
        stored = await get_ticket(client, cast.assignee, ticket["id"])
        assert (stored["status"], stored["assignee_id"]) == ("assigned", cast.assignee.id)
        await move(client, cast.assignee, ticket["id"], "in_progress")


class TestIllegalMoves:
    @pytest.mark.parametrize("status", STATUSES)
    async def test_every_unlisted_target_is_a_409_listing_the_allowed_ones(
        self, client, cast, status
    ):
        ticket, worker = await ticket_in(client, cast, status)
        before = await get_ticket(client, worker, ticket["id"])
        assert before["status"] == status
        assert sorted(before["allowed_transitions"]) == sorted(PERMITTED[status])
        forbidden = [s for s in STATUSES if s not in PERMITTED[status]]
        assert status in forbidden  # staying put is not a move
        for target in forbidden:
            extra = {"satisfaction": SATISFIED} if target == "closed" else {}
            body = assert_problem(
                await transition(client, worker, ticket["id"], target, **extra),
                409,
                "illegal-transition",
            )
            assert sorted(body["allowed"]) == sorted(PERMITTED[status]), target
            assert (body["current"], body["requested"]) == (status, target)
        after = await get_ticket(client, worker, ticket["id"])
        assert after["status"] == status
        assert after["version"] == before["version"]


class TestWhoMoves:
    async def test_the_assignee_moves_it(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        await move(client, cast.assignee, ticket["id"], "in_progress")
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "in_progress"

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    async def test_supervisors_and_admins_move_it(self, client, cast, role):
        ticket = await assigned_ticket(client, cast)
        actor = getattr(cast, role)
        assert sorted((await get_ticket(client, actor, ticket["id"]))["allowed_transitions"]) == [
            "cancelled",
            "in_progress",
        ]
        await move(client, actor, ticket["id"], "in_progress")
        await move(client, actor, ticket["id"], "resolved")
        assert (await get_ticket(client, cast.assignee, ticket["id"]))["status"] == "resolved"

    async def test_an_agent_of_another_department_cannot_even_see_it(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        assert_problem(
            await client.get(f"/tickets/{ticket['id']}", headers=cast.outsider.headers),
            404,
            "not-found",
        )
        assert_problem(
            await transition(client, cast.outsider, ticket["id"], "in_progress"), 404, "not-found"
        )
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"

    @pytest.mark.parametrize("who", ["collaborator", "department_collaborator"])
    async def test_collaborators_comment_but_do_not_move_it(self, client, cast, who):
        ticket = await assigned_ticket(client, cast)
        user = getattr(cast, who)
        seen = await get_ticket(client, user, ticket["id"])
        assert seen["allowed_transitions"] == []
        note = await client.post(
            f"/tickets/{ticket['id']}/comments",
            json={"body": "我来协助", "visibility": "internal"},
            headers=user.headers,
        )
        assert note.status_code == 201, note.text
        assert_problem(
            await transition(client, user, ticket["id"], "in_progress"), 403, "forbidden"
        )
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"

    async def test_readonly_reads_but_has_no_write_scope(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        assert (await get_ticket(client, cast.readonly, ticket["id"]))["allowed_transitions"] == []
        assert_problem(
            await transition(client, cast.readonly, ticket["id"], "in_progress"), 403, "forbidden"
        )
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"

    async def test_the_owning_account_manager_reads_and_comments_but_does_not_move_it(
        self, client, cast
    ):
        ticket = await assigned_ticket(client, cast)
        assert (await get_ticket(client, cast.owner, ticket["id"]))["allowed_transitions"] == []
        note = await client.post(
            f"/tickets/{ticket['id']}/comments",
            json={"body": "客户来电催促", "visibility": "internal"},
            headers=cast.owner.headers,
        )
        assert note.status_code == 201, note.text
        assert_problem(
            await transition(client, cast.owner, ticket["id"], "cancelled"), 403, "forbidden"
        )
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"

    async def test_another_account_manager_cannot_see_it(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        assert_problem(
            await client.get(f"/tickets/{ticket['id']}", headers=cast.other_manager.headers),
            404,
            "not-found",
        )
        assert_problem(
            await transition(client, cast.other_manager, ticket["id"], "cancelled"),
            404,
            "not-found",
        )
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"


class TestClosing:
    async def test_closing_needs_the_survey(self, client, cast):
        ticket, worker = await ticket_in(client, cast, "resolved")
        body = assert_problem(
            await transition(client, worker, ticket["id"], "closed"), 422, "validation"
        )
        assert "satisfaction" in error_fields(body)
        assert (await get_ticket(client, worker, ticket["id"]))["status"] == "resolved"

    @pytest.mark.parametrize("score", [0, 6])
    async def test_scores_run_from_one_to_five(self, client, cast, score):
        ticket, worker = await ticket_in(client, cast, "resolved")
        for dimension in ("response_speed", "resolution", "attitude", "overall"):
            survey = {**SATISFIED, dimension: score}
            body = assert_problem(
                await transition(client, worker, ticket["id"], "closed", satisfaction=survey),
                422,
                "validation",
            )
            assert error_fields(body) == {f"satisfaction.{dimension}"}
        stored = await get_ticket(client, worker, ticket["id"])
        assert (stored["status"], stored["satisfaction"]) == ("resolved", None)

    async def test_without_the_customers_acceptance_it_stays_resolved(self, client, cast):
        ticket, worker = await ticket_in(client, cast, "resolved")
        assert_problem(
            await transition(
                client,
                worker,
                ticket["id"],
                "closed",
                satisfaction=SATISFIED,
                customer_accepted=False,
            ),
            409,
            "conflict",
        )
        stored = await get_ticket(client, worker, ticket["id"])
        assert (stored["status"], stored["satisfaction"], stored["closed_at"]) == (
            "resolved",
            None,
            None,
        )

    async def test_closing_stores_the_acceptance_and_the_survey(self, client, cast, clock):
        clock.at = MONDAY_9
        ticket, worker = await ticket_in(client, cast, "resolved")
        clock.at = MONDAY_9 + timedelta(hours=3)
        await move(client, worker, ticket["id"], "closed", satisfaction=SATISFIED, note="客户确认")
        stored = await get_ticket(client, cast.admin, ticket["id"])
        assert stored["status"] == "closed"
        assert stored["customer_accepted"] is True
        assert stored["satisfaction"] == SATISFIED
        assert instant(stored["closed_at"]) == clock.at
        last = (await timeline(client, cast.admin, ticket["id"]))[-1]
        assert (last["kind"], last["data"]["to"], last["body"]) == (
            "transition",
            "closed",
            "客户确认",
        )
        assert last["data"]["satisfaction"] == SATISFIED

    async def test_a_survey_belongs_to_closing_only(self, client, cast):
        ticket = await assigned_ticket(client, cast)
        body = assert_problem(
            await transition(
                client, cast.assignee, ticket["id"], "in_progress", satisfaction=SATISFIED
            ),
            422,
            "validation",
        )
        assert "satisfaction" in error_fields(body)
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "assigned"


class TestReopenWindow:
    async def _resolved_at(self, client, cast, clock, *, close: bool) -> dict:
        clock.at = MONDAY_9
        ticket = await assigned_ticket(client, cast)
        await move(client, cast.assignee, ticket["id"], "in_progress")
        await move(client, cast.assignee, ticket["id"], "resolved")
        if close:
            await move(client, cast.assignee, ticket["id"], "closed", satisfaction=SATISFIED)
        return ticket

    async def test_a_resolved_ticket_reopens_29_days_later(self, client, cast, clock):
        ticket = await self._resolved_at(client, cast, clock, close=False)
        clock.at = MONDAY_9 + timedelta(days=29)
        moved = await move(client, cast.assignee, ticket["id"], "reopened", note="问题复现")
        assert moved["resolved_at"] is None
        assert (await get_ticket(client, cast.admin, ticket["id"]))["status"] == "reopened"

    async def test_a_closed_ticket_reopens_29_days_later(self, client, cast, clock):
        ticket = await self._resolved_at(client, cast, clock, close=True)
        clock.at = MONDAY_9 + timedelta(days=29)
        await move(client, cast.assignee, ticket["id"], "reopened")
        await move(client, cast.assignee, ticket["id"], "in_progress")

    async def test_a_resolved_ticket_does_not_reopen_31_days_later(self, client, cast, clock):
        ticket = await self._resolved_at(client, cast, clock, close=False)
        clock.at = MONDAY_9 + timedelta(days=31)
        body = assert_problem(
            await transition(client, cast.assignee, ticket["id"], "reopened"),
            409,
            "illegal-transition",
        )
        assert body["allowed"] == ["closed"]
        stored = await get_ticket(client, cast.assignee, ticket["id"])
        assert stored["status"] == "resolved"
        assert stored["allowed_transitions"] == ["closed"]

    async def test_a_closed_ticket_does_not_reopen_31_days_later(self, client, cast, clock):
        ticket = await self._resolved_at(client, cast, clock, close=True)
        clock.at = MONDAY_9 + timedelta(days=31)
        body = assert_problem(
            await transition(client, cast.assignee, ticket["id"], "reopened"),
            409,
            "illegal-transition",
        )
        assert body["allowed"] == []
        stored = await get_ticket(client, cast.assignee, ticket["id"])
        assert (stored["status"], stored["allowed_transitions"]) == ("closed", [])


class TestCancelling:
    @pytest.mark.parametrize(
        "status", ["new", "assigned", "in_progress", "waiting_customer", "reopened"]
    )
    async def test_every_open_state_can_be_cancelled(self, client, cast, status):
        ticket, worker = await ticket_in(client, cast, status)
        await move(client, worker, ticket["id"], "cancelled", note="客户撤回")
        stored = await get_ticket(client, cast.admin, ticket["id"])
        assert stored["status"] == "cancelled"
        assert stored["closed_at"] is not None
        assert stored["allowed_transitions"] == []
        assert stored["sla"]["resolution"]["state"] != "paused"

    @pytest.mark.parametrize("status", ["resolved", "closed"])
    async def test_finished_tickets_cannot_be_cancelled(self, client, cast, status):
        ticket, worker = await ticket_in(client, cast, status)
        assert_problem(
            await transition(client, worker, ticket["id"], "cancelled"), 409, "illegal-transition"
        )
        assert (await get_ticket(client, worker, ticket["id"]))["status"] == status


class TestWaitingForTheCustomerPausesTheClock:
    async def test_paused_working_time_moves_the_resolution_due_time(self, client, cast, clock):
        clock.at = MONDAY_9
        ticket = await assigned_ticket(client, cast, urgent=True, opened_at=MONDAY_9.isoformat())
        # P3 resolves within 3 × 9 working hours: Mon 09:00 → Wed 18:00.
        assert (ticket["priority"], ticket["sla"]["calendar"]) == ("P3", "business")
        assert instant(ticket["sla"]["resolution"]["due_at"]) == cst(2024, 10, 16, 18, 0)
        tid = ticket["id"]

        clock.at = cst(2024, 10, 14, 10, 0)
        await move(client, cast.assignee, tid, "in_progress")
        waiting = await move(client, cast.assignee, tid, "waiting_customer", note="等客户截图")
        assert waiting["sla"]["resolution"]["state"] == "paused"

        clock.at = cst(2024, 10, 14, 11, 0)
        paused = await get_ticket(client, cast.assignee, tid)
        assert paused["sla"]["resolution"]["state"] == "paused"
        assert paused["sla"]["update"]["state"] == "paused"
        assert paused["sla"]["first_response"]["state"] == "met"
        assert paused["sla"]["resolution"]["elapsed_minutes"] == 60
        assert tid in await list_ids(
            client, cast.admin, customer_id=cast.customer_id, sla_state="paused"
        )

        clock.at = cst(2024, 10, 14, 14, 0)  # four working hours later the customer answers
        resumed = await move(client, cast.assignee, tid, "in_progress")
        assert instant(resumed["sla"]["resolution"]["due_at"]) == cst(2024, 10, 17, 13, 0)
        stored = await get_ticket(client, cast.assignee, tid)
        assert stored["sla"]["resolution"]["state"] == "ok"
        assert stored["sla"]["resolution"]["elapsed_minutes"] == 60
        assert instant(stored["sla"]["resolution"]["due_at"]) == cst(2024, 10, 17, 13, 0)
        assert tid not in await list_ids(
            client, cast.admin, customer_id=cast.customer_id, sla_state="paused"
        )

        # Overnight: Mon 17:00 → Tue 10:00 is 60 + 60 working minutes, not 17 hours.
        clock.at = cst(2024, 10, 14, 17, 0)
        await move(client, cast.assignee, tid, "waiting_customer")
        clock.at = cst(2024, 10, 15, 10, 0)
        await move(client, cast.assignee, tid, "in_progress")
        stored = await get_ticket(client, cast.assignee, tid)
        assert instant(stored["sla"]["resolution"]["due_at"]) == cst(2024, 10, 17, 15, 0)
        assert stored["sla"]["resolution"]["elapsed_minutes"] == 60 + 180
