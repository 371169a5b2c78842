"""Tickets through the API: creating (validation, who may set what), priority, code, SLA due
times, first response, comments and mentions, collaborators, exceptions, who sees which
tickets in the list, list filters and pagination, and If-Match."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.api.ticket_support import (
    MONDAY_9,
    cst,
    error_fields,
    get_ticket,
    inbox,
    instant,
    list_ids,
    move,
    new_department,
    open_ticket,
    route,
    ticket_body,
    timeline,
)
from tests.conftest import TestUser as User
from tests.conftest import create_customer, make_user
from tests.support import assert_problem

ROUTED_TYPE = "after_sales_repair"  # routed to this file's departments right before use


@dataclass
class Cast:
    admin: User
    supervisor: User
    readonly: User
    owner: User  # account manager owning `customer_id`
    other_owner: User  # account manager owning `other_customer_id`
    agent: User  # works tickets here; department `department_id`
    colleague: User  # same department as `agent`
    collaborator: User  # an agent elsewhere, added as a collaborator
    outsider: User  # an agent elsewhere, never involved
    department_id: int
    elsewhere_id: int
    customer_id: int
    other_customer_id: int
    contact_id: int
    other_contact_id: int


async def add_contact(client, owner: User, customer_id: int) -> int:
    response = await client.post(
        f"/customers/{customer_id}/contacts",
        json={"name": "李雷", "mobile": "13800138000"},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
async def cast(client, database, users) -> Cast:
    admin = users["admin"]
    department = await new_department(client, admin)
    elsewhere = await new_department(client, admin)
    owner = await make_user(client, database, "account_manager")
    other_owner = await make_user(client, database, "account_manager")
    customer = await create_customer(client, owner)
    other_customer = await create_customer(client, other_owner)
    return Cast(
        admin=admin,
        supervisor=users["supervisor"],
        readonly=users["readonly"],
        owner=owner,
        other_owner=other_owner,
        agent=await make_user(client, database, "agent", department_id=department["id"]),
        colleague=await make_user(client, database, "agent", department_id=department["id"]),
        collaborator=await make_user(client, database, "agent", department_id=elsewhere["id"]),
        outsider=await make_user(client, database, "agent", department_id=elsewhere["id"]),
        department_id=department["id"],
        elsewhere_id=elsewhere["id"],
        customer_id=customer["id"],
        other_customer_id=other_customer["id"],
        contact_id=await add_contact(client, owner, customer["id"]),
        other_contact_id=await add_contact(client, other_owner, other_customer["id"]),
    )


async def create(client, user: User, customer_id: int, **fields):
    return await client.post(
        "/tickets", json=ticket_body(customer_id, **fields), headers=user.headers
    )


async def worked_ticket(client, cast: Cast, **fields) -> dict:
    """A ticket the admin opened for the customer and gave to `cast.agent`."""
    return await open_ticket(
        client, cast.admin, cast.customer_id, assignee_id=cast.agent.id, **fields
    )


async def comment(
    client: httpx.AsyncClient, user: User, ticket_id: int, body: str, visibility: str
) -> httpx.Response:
    return await client.post(
        f"/tickets/{ticket_id}/comments",
        json={"body": body, "visibility": visibility},
        headers=user.headers,
    )


async def count_for(client, user: User, **params) -> int:
    return len(await list_ids(client, user, **params))


# ---- creating --------------------------------------------------------------------------------


class TestCreateValidation:
    async def test_an_unknown_customer_is_404(self, client, cast):
        assert_problem(await create(client, cast.admin, 2**62), 404, "not-found")

    async def test_an_account_manager_opens_tickets_only_for_own_customers(self, client, cast):
        before = await count_for(client, cast.admin, customer_id=cast.other_customer_id)
        assert_problem(await create(client, cast.owner, cast.other_customer_id), 404, "not-found")
        assert await count_for(client, cast.admin, customer_id=cast.other_customer_id) == before
        created = await create(client, cast.owner, cast.customer_id)
        assert created.status_code == 201, created.text
        assert created.json()["customer_id"] == cast.customer_id

    async def test_the_contact_must_belong_to_the_customer(self, client, cast):
        body = assert_problem(
            await create(client, cast.owner, cast.customer_id, contact_id=cast.other_contact_id),
            422,
            "validation",
        )
        assert error_fields(body) == {"contact_id"}
        ticket = await open_ticket(client, cast.owner, cast.customer_id, contact_id=cast.contact_id)
        assert (await get_ticket(client, cast.owner, ticket["id"]))["contact_id"] == cast.contact_id

    async def test_complaint_fields_only_on_complaints(self, client, cast):
        complaint = {
            "root_cause": "配送延误",
            "responsible_party": "logistics",
            "remedy": "补发并致歉",
            "revisit_at": "2024-10-20T10:00:00+08:00",
        }
        body = assert_problem(
            await create(
                client, cast.owner, cast.customer_id, type="after_sales_repair", **complaint
            ),
            422,
            "validation",
        )
        assert error_fields(body) == set(complaint)
        body = assert_problem(
            await create(client, cast.owner, cast.customer_id, type="training", remedy="补发"),
            422,
            "validation",
        )
        assert error_fields(body) == {"remedy"}
        ticket = await open_ticket(
            client, cast.owner, cast.customer_id, type="complaint", **complaint
        )
        stored = await get_ticket(client, cast.owner, ticket["id"])
        assert {k: stored[k] for k in ("root_cause", "responsible_party", "remedy")} == {
            k: complaint[k] for k in ("root_cause", "responsible_party", "remedy")
        }
        assert instant(stored["revisit_at"]) == cst(2024, 10, 20, 10, 0)

    @pytest.mark.parametrize("who", ["agent", "owner"])
    async def test_only_supervisors_and_admins_set_priority_or_assignee(self, client, cast, who):
        user = getattr(cast, who)
        body = assert_problem(
            await create(client, user, cast.customer_id, priority="P1"), 403, "fields-forbidden"
        )
        assert error_fields(body) == {"priority"}
        body = assert_problem(
            await create(client, user, cast.customer_id, assignee_id=cast.agent.id),
            403,
            "fields-forbidden",
        )
        assert error_fields(body) == {"assignee_id"}

    async def test_readonly_opens_nothing(self, client, cast):
        assert_problem(await create(client, cast.readonly, cast.customer_id), 403, "forbidden")

    async def test_a_supervisors_priority_sticks_when_urgency_changes(self, client, cast):
        ticket = await open_ticket(client, cast.supervisor, cast.customer_id, priority="P1")
        assert (ticket["priority"], ticket["sla"]["calendar"]) == ("P1", "24x7")
        for change in (
            {"urgent": True},
            {"urgent": False, "important": True},
            {"important": False},
        ):
            response = await client.patch(
                f"/tickets/{ticket['id']}", json=change, headers=cast.supervisor.headers
            )
            assert response.status_code == 200, response.text
        stored = await get_ticket(client, cast.supervisor, ticket["id"])
        assert (stored["urgent"], stored["important"], stored["priority"]) == (False, False, "P1")

    async def test_without_a_set_priority_urgency_changes_rederive_it(self, client, cast):
        ticket = await worked_ticket(client, cast)
        assert (ticket["priority"], ticket["sla"]["calendar"]) == ("P4", "business")
        response = await client.patch(
            f"/tickets/{ticket['id']}",
            json={"urgent": True, "important": True},
            headers=cast.agent.headers,
        )
        assert response.status_code == 200, response.text
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert (stored["priority"], stored["sla"]["calendar"]) == ("P1", "24x7")
        changes = [
            e["data"]
            for e in await timeline(client, cast.agent, ticket["id"])
            if e["kind"] == "priority"
        ]
        assert changes == [{"from": "P4", "to": "P1"}]
        body = assert_problem(
            await client.patch(
                f"/tickets/{ticket['id']}", json={"priority": "P4"}, headers=cast.agent.headers
            ),
            403,
            "fields-forbidden",
        )
        assert error_fields(body) == {"priority"}
        assert (await get_ticket(client, cast.agent, ticket["id"]))["priority"] == "P1"

    async def test_only_admins_carry_over_an_opening_time(self, client, cast, clock):
        clock.at = MONDAY_9
        past = "2024-10-10T15:00:00+08:00"
        body = assert_problem(
            await create(client, cast.supervisor, cast.customer_id, opened_at=past),
            403,
            "fields-forbidden",
        )
        assert error_fields(body) == {"opened_at"}
        future = (MONDAY_9 + timedelta(minutes=1)).isoformat()
        body = assert_problem(
            await create(client, cast.admin, cast.customer_id, opened_at=future), 422, "validation"
        )
        assert error_fields(body) == {"opened_at"}
        ticket = await open_ticket(client, cast.admin, cast.customer_id, opened_at=past)
        assert instant((await get_ticket(client, cast.admin, ticket["id"]))["opened_at"]) == cst(
            2024, 10, 10, 15
        )


class TestPriorityFromUrgencyAndImportance:
    @pytest.mark.parametrize(
        ("urgent", "important", "priority", "calendar"),
        [
            (True, True, "P1", "24x7"),
            (False, True, "P2", "business"),
            (True, False, "P3", "business"),
            (False, False, "P4", "business"),
        ],
    )
    async def test_matrix(self, client, cast, urgent, important, priority, calendar):
        ticket = await open_ticket(
            client, cast.agent, cast.customer_id, urgent=urgent, important=important
        )
        assert ticket["priority"] == priority
        stored = await get_ticket(client, cast.supervisor, ticket["id"])
        assert (stored["priority"], stored["sla"]["calendar"]) == (priority, calendar)


class TestCode:
    async def test_t_plus_local_date_plus_four_digits(self, client, cast, clock):
        clock.at = cst(2024, 10, 14, 0, 30)  # still 13 October in UTC
        first = await open_ticket(client, cast.agent, cast.customer_id)
        clock.at = cst(2024, 10, 14, 23, 59)
        second = await open_ticket(client, cast.agent, cast.customer_id)
        for ticket in (first, second):
            assert re.fullmatch(r"T20241014\d{4}", ticket["code"]), ticket["code"]
        assert int(second["code"][-4:]) == int(first["code"][-4:]) + 1
        assert (await get_ticket(client, cast.supervisor, first["id"]))["code"] == first["code"]


# ---- SLA ---------------------------------------------------------------------------------------

CLOCK_KEYS = {"due_at", "state", "elapsed_minutes", "remaining_minutes"}


class TestSlaDueTimes:
    async def test_the_sla_block_has_three_clocks(self, client, cast):
        ticket = await worked_ticket(client, cast)
        sla = (await get_ticket(client, cast.agent, ticket["id"]))["sla"]
        assert set(sla) == {"calendar", "first_response", "resolution", "update"}
        for name in ("first_response", "resolution", "update"):
            assert set(sla[name]) == CLOCK_KEYS
            assert sla[name]["state"] == "ok"
            instant(sla[name]["due_at"])

    async def test_p3_over_national_day(self, client, cast, clock):
        # Mon 30 Sep 17:30: 30 working minutes that day, 1–7 Oct off, 90 minutes on 8 Oct.
        clock.at = cst(2024, 9, 30, 17, 45)
        ticket = await open_ticket(
            client,
            cast.admin,
            cast.customer_id,
            urgent=True,
            opened_at="2024-09-30T17:30:00+08:00",
            assignee_id=cast.agent.id,
        )
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert (stored["priority"], stored["sla"]["calendar"]) == ("P3", "business")
        first = stored["sla"]["first_response"]
        assert instant(first["due_at"]) == datetime(2024, 10, 8, 2, 30, tzinfo=UTC)
        assert instant(first["due_at"]) == cst(2024, 10, 8, 10, 30)
        assert (first["state"], first["elapsed_minutes"], first["remaining_minutes"]) == (
            "ok",
            15,
            105,
        )

    async def test_p1_runs_around_the_clock_through_holidays(self, client, cast, clock):
        clock.at = cst(2024, 10, 2, 0, 0)
        ticket = await open_ticket(
            client,
            cast.admin,
            cast.customer_id,
            urgent=True,
            important=True,
            opened_at="2024-10-01T23:50:00+08:00",
            assignee_id=cast.agent.id,
        )
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert (stored["priority"], stored["sla"]["calendar"]) == ("P1", "24x7")
        first = stored["sla"]["first_response"]
        assert instant(first["due_at"]) == cst(2024, 10, 2, 0, 20)
        assert (first["state"], first["elapsed_minutes"]) == ("ok", 10)


class TestFirstResponse:
    async def test_the_assignees_first_public_reply_is_the_first_response(
        self, client, cast, clock
    ):
        clock.at = MONDAY_9
        ticket = await worked_ticket(client, cast, urgent=True)
        clock.at = MONDAY_9 + timedelta(minutes=20)
        assert (
            await comment(client, cast.agent, ticket["id"], "内部：先查日志", "internal")
        ).status_code == 201
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert stored["first_response_at"] is None
        assert stored["sla"]["first_response"]["state"] == "ok"

        clock.at = MONDAY_9 + timedelta(minutes=30)
        assert (
            await comment(client, cast.agent, ticket["id"], "您好，已收到，正在处理", "public")
        ).status_code == 201
        clock.at = MONDAY_9 + timedelta(minutes=50)
        assert (
            await comment(client, cast.agent, ticket["id"], "进展：已定位", "public")
        ).status_code == 201
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert instant(stored["first_response_at"]) == MONDAY_9 + timedelta(minutes=30)
        assert stored["sla"]["first_response"]["state"] == "met"
        assert stored["sla"]["first_response"]["elapsed_minutes"] == 30


# ---- comments, mentions, collaborators, exceptions ---------------------------------------------


class TestComments:
    async def test_who_may_reply_to_the_customer(self, client, cast):
        ticket = await worked_ticket(client, cast, collaborator_user_ids=[cast.collaborator.id])
        tid = ticket["id"]
        refused = [
            (cast.collaborator, "public", 403),
            (cast.owner, "public", 403),
            (cast.readonly, "internal", 403),
            (cast.outsider, "internal", 404),
        ]
        for user, visibility, status in refused:
            response = await comment(client, user, tid, "不该出现", visibility)
            assert_problem(response, status, "forbidden" if status == 403 else "not-found")
        allowed = [
            (cast.agent, "public"),
            (cast.supervisor, "public"),
            (cast.admin, "public"),
            (cast.collaborator, "internal"),
            (cast.owner, "internal"),
        ]
        for user, visibility in allowed:
            response = await comment(client, user, tid, f"{user.username} {visibility}", visibility)
            assert response.status_code == 201, response.text
            assert (response.json()["kind"], response.json()["visibility"]) == (
                "comment",
                visibility,
            )
        comments = [
            (e["actor_id"], e["visibility"], e["body"])
            for e in await timeline(client, cast.agent, tid)
            if e["kind"] == "comment"
        ]
        assert comments == [(u.id, v, f"{u.username} {v}") for u, v in allowed]

    async def test_a_comment_needs_a_body_and_a_known_visibility(self, client, cast):
        ticket = await worked_ticket(client, cast)
        for body, visibility in (("", "internal"), ("正文", "everyone")):
            assert_problem(
                await comment(client, cast.agent, ticket["id"], body, visibility), 422, "validation"
            )
        assert [
            e for e in await timeline(client, cast.agent, ticket["id"]) if e["kind"] == "comment"
        ] == []


class TestMentions:
    async def test_a_mention_notifies_users_who_can_read_the_ticket(self, client, database, cast):
        watcher = await make_user(client, database, "supervisor")
        ticket = await worked_ticket(client, cast, collaborator_user_ids=[cast.collaborator.id])
        response = await comment(
            client,
            cast.agent,
            ticket["id"],
            f"@{watcher.username} @{cast.collaborator.username} "
            f"@{cast.outsider.username} @{cast.agent.username} "
            "@nobody-by-that-name 请看",
            "internal",
        )
        assert response.status_code == 201, response.text
        for user, expected in (
            (watcher, 1),
            (cast.collaborator, 1),
            (cast.outsider, 0),
            (cast.agent, 0),
        ):
            mentions = [
                n
                for n in await inbox(client, user)
                if n["kind"] == "mention" and n["entity_id"] == ticket["id"]
            ]
            assert len(mentions) == expected, user.username
            for n in mentions:
                assert n["entity_type"] == "ticket"
                assert watcher.username in n["body"]


class TestCollaborators:
    async def test_user_and_department_collaborators_read_and_comment(self, client, database, cast):
        third = await new_department(client, cast.admin)
        member = await make_user(client, database, "agent", department_id=third["id"])
        ticket = await worked_ticket(client, cast)
        for user in (cast.collaborator, member):
            assert_problem(
                await client.get(f"/tickets/{ticket['id']}", headers=user.headers), 404, "not-found"
            )
        response = await client.patch(
            f"/tickets/{ticket['id']}",
            json={
                "collaborator_user_ids": [cast.collaborator.id],
                "collaborator_department_ids": [third["id"]],
            },
            headers=cast.agent.headers,
        )
        assert response.status_code == 200, response.text
        stored = await get_ticket(client, cast.admin, ticket["id"])
        assert (stored["collaborator_user_ids"], stored["collaborator_department_ids"]) == (
            [cast.collaborator.id],
            [third["id"]],
        )
        for user in (cast.collaborator, member):
            assert (await get_ticket(client, user, ticket["id"]))["id"] == ticket["id"]
            assert ticket["id"] in await list_ids(client, user)
            note = await comment(client, user, ticket["id"], "协同意见", "internal")
            assert note.status_code == 201, note.text
        told = [
            n["kind"]
            for n in await inbox(client, cast.collaborator)
            if n["entity_id"] == ticket["id"]
        ]
        assert told == ["ticket_collaborator"]
        events = [
            e["data"]
            for e in await timeline(client, cast.admin, ticket["id"])
            if e["kind"] == "collaborators"
        ]
        assert events == [{"user_ids": [cast.collaborator.id], "department_ids": [third["id"]]}]

    async def test_unknown_collaborators_are_refused(self, client, cast):
        for field in ("collaborator_user_ids", "collaborator_department_ids"):
            body = assert_problem(
                await create(client, cast.agent, cast.customer_id, **{field: [2**62]}),
                422,
                "validation",
            )
            assert error_fields(body) == {field}


class TestExceptions:
    async def test_exceptions_and_their_resolution_are_on_the_timeline_in_order(
        self, client, cast, clock
    ):
        clock.at = MONDAY_9
        ticket = await worked_ticket(client, cast)
        tid = ticket["id"]
        clock.at = MONDAY_9 + timedelta(hours=1)
        first = await client.post(
            f"/tickets/{tid}/exceptions",
            json={"kind": "external_blocker", "description": "等待供应商备件"},
            headers=cast.agent.headers,
        )
        assert first.status_code == 201, first.text
        assert first.json()["data"] == {
            "exception_kind": "external_blocker",
            "handling": None,
            "resolved": False,
        }
        clock.at = MONDAY_9 + timedelta(hours=2)
        second = await client.post(
            f"/tickets/{tid}/exceptions",
            json={
                "kind": "changed_requirement",
                "description": "客户追加需求",
                "handling": "已重新评估工期",
            },
            headers=cast.agent.headers,
        )
        assert second.status_code == 201, second.text
        assert second.json()["data"]["resolved"] is True
        clock.at = MONDAY_9 + timedelta(hours=3)
        resolved = await client.post(
            f"/tickets/{tid}/exceptions/{first.json()['id']}/resolve",
            json={"handling": "备件已到"},
            headers=cast.agent.headers,
        )
        assert resolved.status_code == 200, resolved.text

        events = await timeline(client, cast.admin, tid)
        assert [e["kind"] for e in events] == ["created", "assignment", "exception", "exception"]
        assert [e["id"] for e in events[2:]] == [first.json()["id"], second.json()["id"]]
        assert [instant(e["at"]) for e in events[2:]] == [
            MONDAY_9 + timedelta(hours=1),
            MONDAY_9 + timedelta(hours=2),
        ]
        assert (events[2]["body"], events[3]["body"]) == ("等待供应商备件", "客户追加需求")
        data = events[2]["data"]
        assert (
            data["exception_kind"],
            data["handling"],
            data["resolved"],
            data["resolved_by"],
        ) == ("external_blocker", "备件已到", True, cast.agent.id)
        assert datetime.fromisoformat(data["resolved_at"]) == MONDAY_9 + timedelta(hours=3)
        assert events[3]["data"]["handling"] == "已重新评估工期"

    async def test_only_workers_record_exceptions(self, client, cast):
        ticket = await worked_ticket(client, cast, collaborator_user_ids=[cast.collaborator.id])
        body = {"kind": "resource_conflict", "description": "人手不足"}
        url = f"/tickets/{ticket['id']}/exceptions"
        assert_problem(
            await client.post(url, json=body, headers=cast.collaborator.headers), 403, "forbidden"
        )
        assert_problem(
            await client.post(url, json=body, headers=cast.outsider.headers), 404, "not-found"
        )
        assert_problem(
            await client.post(url, json={**body, "kind": "bad_luck"}, headers=cast.agent.headers),
            422,
            "validation",
        )
        note = await comment(client, cast.agent, ticket["id"], "普通备注", "internal")
        assert_problem(
            await client.post(
                f"{url}/{note.json()['id']}/resolve",
                json={"handling": "x"},
                headers=cast.agent.headers,
            ),
            404,
            "not-found",
        )
        assert [
            e for e in await timeline(client, cast.admin, ticket["id"]) if e["kind"] == "exception"
        ] == []


# ---- the list: who sees what, filters, pagination ---------------------------------------------


class TestListVisibility:
    async def test_each_role_sees_its_own_tickets(self, client, database, cast):
        d1 = await new_department(client, cast.admin)
        d2 = await new_department(client, cast.admin)
        a1 = await make_user(client, database, "agent", department_id=d1["id"])
        a1b = await make_user(client, database, "agent", department_id=d1["id"])
        a2 = await make_user(client, database, "agent", department_id=d2["id"])
        m1 = await make_user(client, database, "account_manager")
        m2 = await make_user(client, database, "account_manager")
        c1 = (await create_customer(client, m1))["id"]
        c2 = (await create_customer(client, m2))["id"]

        async def make(department: dict, customer: int, assignee: User, **fields: object) -> int:
            await route(client, cast.admin, ROUTED_TYPE, department["id"])
            ticket = await open_ticket(
                client, cast.admin, customer, type=ROUTED_TYPE, assignee_id=assignee.id, **fields
            )
            assert ticket["department_id"] == department["id"]
            return ticket["id"]

        in_department = await make(d1, c1, a1b)
        assigned = await make(d2, c2, a1)
        collaborating = await make(d2, c2, a2, collaborator_user_ids=[a1.id])
        department_collaborating = await make(d2, c1, a2, collaborator_department_ids=[d1["id"]])
        hidden = await make(d2, c2, a2)
        everything = {in_department, assigned, collaborating, department_collaborating, hidden}

        assert set(await list_ids(client, a1)) == {
            in_department,
            assigned,
            collaborating,
            department_collaborating,
        }
        assert set(await list_ids(client, a2)) == {
            collaborating,
            department_collaborating,
            hidden,
            assigned,
        }
        assert_problem(await client.get(f"/tickets/{hidden}", headers=a1.headers), 404, "not-found")
        assert set(await list_ids(client, m1)) == {in_department, department_collaborating}
        assert set(await list_ids(client, m2)) == {assigned, collaborating, hidden}
        for user in (cast.supervisor, cast.readonly, cast.admin):
            seen = set(await list_ids(client, user, customer_id=c1)) | set(
                await list_ids(client, user, customer_id=c2)
            )
            assert seen == everything


NOON = cst(2024, 10, 14, 12, 0)


@dataclass
class Board:
    customer_id: int
    x: User
    y: User
    ids: dict[str, int]


@pytest.fixture(scope="class")
async def board(client, database, cast, session_clock) -> Board:
    """Five tickets of one customer, looked at on Monday at noon:
    a: P3 return, x, assigned at 09:00 — first response due 11:00, breached
    b: P4 presales, y, in progress since 09:00 — ok
    c: P2 return, x, waiting for the customer — paused
    d: P4 return, y, cancelled
    e: P3 presales, y, assigned at 10:20 — due 12:20, warning from 11:56"""
    customer_id = (await create_customer(client, cast.owner))["id"]
    x = await make_user(client, database, "agent")
    y = await make_user(client, database, "agent")
    clock = session_clock

    async def make(user: User, type_: str, **fields) -> int:
        ticket = await open_ticket(
            client, cast.admin, customer_id, assignee_id=user.id, type=type_, **fields
        )
        return ticket["id"]

    try:
        clock.at = MONDAY_9
        ids = {
            "a": await make(x, "return_exchange", urgent=True),
            "b": await make(y, "presales_consult"),
            "c": await make(x, "return_exchange", important=True),
            "d": await make(y, "return_exchange"),
        }
        await move(client, y, ids["b"], "in_progress")
        await move(client, x, ids["c"], "in_progress")
        await move(client, x, ids["c"], "waiting_customer")
        await move(client, y, ids["d"], "cancelled")
        clock.at = cst(2024, 10, 14, 10, 20)
        ids["e"] = await make(y, "presales_consult", urgent=True)
    finally:
        clock.at = None
    return Board(customer_id, x, y, ids)


class TestListFilters:
    async def _ids(self, client, cast, board: Board, **params) -> set[str]:
        names = {v: k for k, v in board.ids.items()}
        found = await list_ids(client, cast.supervisor, customer_id=board.customer_id, **params)
        assert len(found) == len(set(found))
        return {names[i] for i in found}

    async def test_filters(self, client, cast, board, clock):
        clock.at = NOON
        cases = [
            ({}, "abcde"),
            ({"status": "assigned"}, "ae"),
            ({"status": ["in_progress", "waiting_customer"]}, "bc"),
            ({"status": "cancelled"}, "d"),
            ({"priority": "P3"}, "ae"),
            ({"priority": ["P2", "P4"]}, "bcd"),
            ({"type": "presales_consult"}, "be"),
            ({"assignee_id": board.x.id}, "ac"),
            ({"assignee_id": board.y.id}, "bde"),
            ({"sla_state": "breached"}, "a"),
            ({"sla_state": "warning"}, "e"),
            ({"sla_state": "paused"}, "c"),
            ({"sla_state": "ok"}, "b"),
            ({"status": "assigned", "priority": "P3", "assignee_id": board.y.id}, "e"),
        ]
        for params, expected in cases:
            assert await self._ids(client, cast, board, **params) == set(expected), params
        assert (
            await list_ids(
                client, cast.supervisor, assignee_id=board.x.id, customer_id=cast.other_customer_id
            )
            == []
        )

    async def test_the_total_counts_every_match_on_every_page(self, client, cast, board, clock):
        clock.at = NOON
        params = {
            "customer_id": board.customer_id,
            "priority": ["P2", "P4"],
            "limit": 2,
            "with_total": "true",
        }
        first = await client.get("/tickets", params=params, headers=cast.supervisor.headers)
        assert first.status_code == 200, first.text
        assert first.json()["total"] == 3 and len(first.json()["items"]) == 2
        assert first.json()["total_accuracy"] == "exact"
        second = await client.get(
            "/tickets",
            params={**params, "cursor": first.json()["next_cursor"]},
            headers=cast.supervisor.headers,
        )
        assert second.json()["total"] == 3 and len(second.json()["items"]) == 1
        plain = await client.get(
            "/tickets", params={"customer_id": board.customer_id}, headers=cast.supervisor.headers
        )
        assert plain.json()["total"] is None and plain.json()["total_accuracy"] is None
        exact = await client.get(
            "/tickets",
            params={"customer_id": board.customer_id, "exact_total": "true"},
            headers=cast.supervisor.headers,
        )
        assert exact.json()["total"] == len(board.ids)

    async def test_the_clocks_in_the_list_agree_with_the_filter(self, client, cast, board, clock):
        clock.at = NOON
        response = await client.get(
            "/tickets", params={"customer_id": board.customer_id}, headers=cast.supervisor.headers
        )
        states = {
            t["id"]: (t["sla"]["first_response"]["state"], t["sla"]["resolution"]["state"])
            for t in response.json()["items"]
        }
        ids = board.ids
        assert states[ids["a"]] == ("breached", "ok")
        assert states[ids["b"]] == ("met", "ok")
        assert states[ids["c"]] == ("met", "paused")
        assert states[ids["e"]] == ("warning", "ok")

    async def test_keyset_pagination_newest_first(self, client, cast, board):
        pages, cursor = [], None
        while True:
            params = {
                "customer_id": board.customer_id,
                "limit": 2,
                **({"cursor": cursor} if cursor else {}),
            }
            response = await client.get("/tickets", params=params, headers=cast.supervisor.headers)
            assert response.status_code == 200, response.text
            pages.append([t["id"] for t in response.json()["items"]])
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
        ids = board.ids
        assert pages == [[ids["e"], ids["d"]], [ids["c"], ids["b"]], [ids["a"]]]
        assert_problem(
            await client.get(
                "/tickets", params={"cursor": "not-a-cursor"}, headers=cast.supervisor.headers
            ),
            400,
            "invalid-cursor",
        )
        assert_problem(
            await client.get("/tickets", params={"limit": 201}, headers=cast.supervisor.headers),
            422,
            "validation",
        )


# ---- If-Match ----------------------------------------------------------------------------------


class TestIfMatch:
    async def test_a_stale_patch_is_412_and_changes_nothing(self, client, cast):
        ticket = await worked_ticket(client, cast)
        read = await client.get(f"/tickets/{ticket['id']}", headers=cast.agent.headers)
        etag = read.headers["ETag"]
        assert etag == f'"{read.json()["version"]}"'
        response = await client.patch(
            f"/tickets/{ticket['id']}",
            json={"title": "新标题"},
            headers={**cast.agent.headers, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] != etag
        stale = await client.patch(
            f"/tickets/{ticket['id']}",
            json={"title": "过期的改动"},
            headers={**cast.agent.headers, "If-Match": etag},
        )
        assert_problem(stale, 412, "version-mismatch")
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert stored["title"] == "新标题"
        assert f'"{stored["version"]}"' == response.headers["ETag"]

    async def test_a_stale_transition_is_412_and_changes_nothing(self, client, cast):
        ticket = await worked_ticket(client, cast)
        stale = f'"{ticket["version"]}"'
        await client.patch(
            f"/tickets/{ticket['id']}", json={"description": "补充说明"}, headers=cast.agent.headers
        )
        response = await client.post(
            f"/tickets/{ticket['id']}/transitions",
            json={"to": "in_progress"},
            headers={**cast.agent.headers, "If-Match": stale},
        )
        assert_problem(response, 412, "version-mismatch")
        stored = await get_ticket(client, cast.agent, ticket["id"])
        assert stored["status"] == "assigned"
        fresh = await client.post(
            f"/tickets/{ticket['id']}/transitions",
            json={"to": "in_progress"},
            headers={**cast.agent.headers, "If-Match": f'"{stored["version"]}"'},
        )
        assert fresh.status_code == 200, fresh.text
        assert fresh.json()["status"] == "in_progress"


class TestCreatorKeepsSight:
    async def test_an_agent_still_reads_a_ticket_they_opened_for_another_department(
        self, client, users, database
    ):
        from tests.conftest import create_customer, make_user

        elsewhere = await client.post(
            "/departments",
            json={"key": f"away_{uuid.uuid4().hex[:8]}", "name": f"外部门{uuid.uuid4().hex[:6]}"},
            headers=users["admin"].headers,
        )
        assert elsewhere.status_code == 201
        opener = await make_user(client, database, "agent")
        worker = await make_user(client, database, "agent", department_id=elsewhere.json()["id"])
        customer = await create_customer(client, users["am"])
        created = await client.post(
            "/tickets",
            json={
                "customer_id": customer["id"],
                "type": "training",
                "channel": "phone",
                "title": "培训需求",
            },
            headers=opener.headers,
        )
        assert created.status_code == 201, created.text
        ticket_id = created.json()["id"]
        reassigned = await client.post(
            f"/tickets/{ticket_id}/assign",
            json={"assignee_id": worker.id},
            headers=users["supervisor"].headers,
        )
        assert reassigned.status_code == 200
        assert (
            await client.get(f"/tickets/{ticket_id}", headers=opener.headers)
        ).status_code == 200
        listed = await client.get(
            "/tickets", params={"customer_id": customer["id"]}, headers=opener.headers
        )
        assert [t["id"] for t in listed.json()["items"]] == [ticket_id]
        stranger = await make_user(client, database, "agent")
        assert (
            await client.get(f"/tickets/{ticket_id}", headers=stranger.headers)
        ).status_code == 404
