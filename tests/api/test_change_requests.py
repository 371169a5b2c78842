"""Change requests (信息变更审核): a non-admin's PATCH of name, credit code, ID number or owner
becomes pending requests (202); validation at request time, mixed PATCHes, the one-pending
rule (and its race), approve (through the ordinary update, re-validated), reject, who sees
which requests, notifications and the audit trail of each step."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from persistence.change_request_repo import SqlChangeRequestRepo
from persistence.models import Notification
from tests.api.pool_support import history, stored, unique
from tests.conftest import create_customer, credit_code, id_number, make_user
from tests.support import assert_problem


async def patch(
    client,
    user,
    customer_id: int,
    body: dict,
    **headers,
):
    return await client.patch(
        f"/customers/{customer_id}", json=body, headers={**user.headers, **headers}
    )


async def requested(client, user, customer_id: int, body: dict) -> list[dict]:
    response = await patch(client, user, customer_id, body)
    assert response.status_code == 202, response.text
    return response.json()["items"]


async def decide(
    client,
    user,
    request_id: int,
    verdict: str,
    **body,
):
    return await client.post(
        f"/change-requests/{request_id}/{verdict}", json=body or None, headers=user.headers
    )


async def notifications(client, user, request_id: int) -> list[dict]:
    response = await client.get("/notifications", params={"limit": 200}, headers=user.headers)
    return [
        n
        for n in response.json()["items"]
        if n["entity_type"] == "change_request" and n["entity_id"] == request_id
    ]


async def pending_notes(database, user) -> int:
    """How many new-request notifications the user has had."""
    async with database.session(write=False) as session:
        return len(
            (
                await session.scalars(
                    select(Notification.id).where(
                        Notification.user_id == user.id,
                        Notification.kind == "change_request_pending",
                    )
                )
            ).all()
        )


async def pending_of(client, admin, customer_id: int) -> list[dict]:
    response = await client.get(
        "/change-requests",
        headers=admin.headers,
        params={"customer_id": customer_id, "status": "pending"},
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
async def seller(client, database):
    """An account manager of their own, so that notifications are theirs alone."""
    return await make_user(client, database, "account_manager")


@pytest.fixture
async def mine(client, seller) -> dict:
    return await create_customer(client, seller, name=unique("变更客户"))


class TestRequesting:
    async def test_a_key_field_edit_answers_202_and_changes_nothing(
        self, client, users, database, seller, mine
    ):
        new_name = unique("新名称")
        response = await patch(
            client, seller, mine["id"], {"name": f"  {new_name} ", "change_comment": "工商变更"}
        )
        assert response.status_code == 202, response.text
        body = response.json()
        assert "approval" in body["detail"]
        [item] = body["items"]
        assert {
            k: item[k]
            for k in (
                "customer_id",
                "customer_code",
                "field",
                "old_value",
                "new_value",
                "status",
                "requested_by",
                "comment",
                "decided_by",
                "decided_at",
            )
        } == {
            "customer_id": mine["id"],
            "customer_code": mine["code"],
            "field": "name",
            "old_value": mine["name"],
            "new_value": new_name,
            "status": "pending",
            "requested_by": seller.id,
            "comment": "工商变更",
            "decided_by": None,
            "decided_at": None,
        }
        row = await stored(database, mine["id"])
        assert (row.name, row.version) == (mine["name"], mine["version"])
        last = (await history(client, users["admin"], mine["id"]))[-1]
        assert (last["entity_type"], last["entity_id"], last["action"], last["actor_id"]) == (
            "change_request",
            item["id"],
            "request",
            seller.id,
        )
        assert last["changes"] == {"name": [mine["name"], new_name]}

    async def test_one_request_per_key_field_normalised_like_an_edit(self, client, seller, mine):
        code = credit_code()
        items = await requested(
            client,
            seller,
            mine["id"],
            {"credit_code": f"{code[:9].lower()} {code[9:]}", "name": unique("更名")},
        )
        assert [i["field"] for i in items] == ["name", "credit_code"]
        assert items[1]["old_value"] == mine["credit_code"] and items[1]["new_value"] == code

    async def test_an_owner_transfer_is_a_request(self, client, users, database, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"owner_id": users["am2"].id})
        assert (item["field"], item["old_value"], item["new_value"]) == (
            "owner_id",
            seller.id,
            users["am2"].id,
        )
        assert (await stored(database, mine["id"])).owner_id == seller.id

    async def test_an_individuals_id_number(self, client, seller):
        person = await create_customer(client, seller, kind="individual")
        new = id_number("19900307")
        [item] = await requested(client, seller, person["id"], {"id_number": new})
        assert (item["old_value"], item["new_value"]) == (person["id_number"], new)
        assert item["masked_fields"] == []  # the owner sees it whole

    @pytest.mark.parametrize(
        ("body", "status", "code", "field"),
        [
            ({"credit_code": "91440300MA5000000X"}, 422, "validation", "credit_code"),
            ({"id_number": "110101199003070015"}, 422, "validation", "id_number"),  # organization
            ({"name": "   "}, 422, "validation", "name"),
            ({"owner_id": 987654321}, 422, "validation", "owner_id"),
            ({"owner_id": None}, 422, "validation", "owner_id"),
            ({"name": "x" * 201}, 422, "validation", "name"),
        ],
    )
    async def test_the_new_value_is_validated_now(
        self, client, users, seller, mine, body, status, code, field
    ):
        assert_problem(await patch(client, seller, mine["id"], body), status, code, field)
        assert await pending_of(client, users["admin"], mine["id"]) == []

    @pytest.mark.parametrize("role", ["agent", "supervisor", "readonly"])
    async def test_the_new_owner_must_be_able_to_own(self, client, users, seller, mine, role):
        response = await patch(client, seller, mine["id"], {"owner_id": users[role].id})
        assert_problem(response, 422, "validation", "owner_id")

    async def test_a_credit_code_another_customer_has_is_409(self, client, users, seller, mine):
        other = await create_customer(client, users["am2"])
        response = await patch(client, seller, mine["id"], {"credit_code": other["credit_code"]})
        assert_problem(response, 409, "duplicate", "credit_code")
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_mixed_with_ordinary_fields_is_422_and_nothing_applies(
        self, client, users, database, seller, mine
    ):
        response = await patch(
            client, seller, mine["id"], {"name": unique("混合"), "region": "华南", "grade": "A"}
        )
        body = assert_problem(response, 422, "validation")
        assert sorted(e["field"] for e in body["errors"]) == ["grade", "region"]
        assert "on their own" in body["errors"][0]["message"]
        row = await stored(database, mine["id"])
        assert (row.name, row.region, row.version) == (mine["name"], None, mine["version"])
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_an_unchanged_key_field_goes_along_with_ordinary_ones(
        self, client, users, seller, mine
    ):
        response = await patch(
            client,
            seller,
            mine["id"],
            {"name": mine["name"], "credit_code": mine["credit_code"].lower(), "region": "华南"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["region"] == "华南"
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_a_key_field_equal_to_the_current_value_changes_nothing(
        self, client, users, seller, mine
    ):
        response = await patch(client, seller, mine["id"], {"owner_id": seller.id})
        assert response.status_code == 200 and response.json()["version"] == mine["version"]
        assert await pending_of(client, users["admin"], mine["id"]) == []

    @pytest.mark.parametrize("who", ["seller", "admin"])
    async def test_a_comment_without_a_request_is_422(self, client, users, seller, mine, who):
        user = seller if who == "seller" else users["admin"]
        response = await patch(
            client, user, mine["id"], {"region": "华南", "change_comment": "顺便说一下"}
        )
        assert_problem(response, 422, "validation", "change_comment")
        response = await patch(
            client,
            users["admin"],
            mine["id"],
            {"name": unique("管理员改名"), "change_comment": "不需要审批"},
        )
        assert_problem(response, 422, "validation", "change_comment")
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_admins_change_key_fields_directly(self, client, users, seller, mine):
        new_name = unique("直接改")
        response = await patch(client, users["admin"], mine["id"], {"name": new_name})
        assert response.status_code == 200 and response.json()["name"] == new_name
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_a_stale_if_match_is_412(self, client, users, seller, mine):
        response = await patch(
            client,
            seller,
            mine["id"],
            {"name": unique("过期")},
            **{"If-Match": f'"{mine["version"] + 5}"'},
        )
        assert_problem(response, 412, "version-mismatch")
        assert await pending_of(client, users["admin"], mine["id"]) == []

    async def test_someone_elses_customer_is_404(self, client, users, mine):
        response = await patch(client, users["am2"], mine["id"], {"name": unique("别人的")})
        assert_problem(response, 404, "not-found")


class TestOnePendingPerField:
    async def test_a_second_request_on_the_field_is_409(self, client, users, seller, mine):
        [first] = await requested(client, seller, mine["id"], {"name": unique("一")})
        response = await patch(client, seller, mine["id"], {"name": unique("二")})
        body = assert_problem(response, 409, "change-request-pending", "name")
        assert "already waiting" in body["detail"]
        # Another field is fine; the refused one is not recorded.
        await requested(client, seller, mine["id"], {"credit_code": credit_code()})
        assert sorted(r["field"] for r in await pending_of(client, users["admin"], mine["id"])) == [
            "credit_code",
            "name",
        ]
        assert [
            e["action"]
            for e in await history(client, users["admin"], mine["id"])
            if e["entity_type"] == "change_request"
        ] == ["request", "request"]
        assert first["status"] == "pending"

    async def test_all_or_nothing_when_one_of_two_fields_is_pending(
        self, client, users, seller, mine
    ):
        await requested(client, seller, mine["id"], {"credit_code": credit_code()})
        response = await patch(
            client, seller, mine["id"], {"name": unique("三"), "credit_code": credit_code()}
        )
        assert_problem(response, 409, "change-request-pending", "credit_code")
        assert [r["field"] for r in await pending_of(client, users["admin"], mine["id"])] == [
            "credit_code"
        ]

    async def test_the_unique_index_settles_a_race(self, client, users, seller, mine, monkeypatch):
        """Two requests both passing the pre-check: the partial unique index refuses the
        second, with the same problem, and its transaction leaves nothing behind."""
        await requested(client, seller, mine["id"], {"name": unique("先到")})
        before = len(await history(client, users["admin"], mine["id"]))

        async def nothing_pending(self, customer_id: int, field: str) -> bool:
            return False

        monkeypatch.setattr(SqlChangeRequestRepo, "pending_exists", nothing_pending)
        response = await patch(client, seller, mine["id"], {"name": unique("后到")})
        monkeypatch.undo()
        assert_problem(response, 409, "change-request-pending", "name")
        assert len(await pending_of(client, users["admin"], mine["id"])) == 1
        assert len(await history(client, users["admin"], mine["id"])) == before

    async def test_concurrent_requests_leave_one_pending(self, client, users, seller, mine):
        responses = await asyncio.gather(
            *(patch(client, seller, mine["id"], {"name": unique("并发")}) for _ in range(3))
        )
        assert sorted(r.status_code for r in responses) == [202, 409, 409]
        for response in responses:
            if response.status_code == 409:
                assert_problem(response, 409, "change-request-pending")
        assert len(await pending_of(client, users["admin"], mine["id"])) == 1

    async def test_after_a_decision_the_field_may_be_requested_again(
        self, client, users, seller, mine
    ):
        [item] = await requested(client, seller, mine["id"], {"name": unique("再")})
        assert (
            await decide(client, users["admin"], item["id"], "reject", reason="名称不规范")
        ).status_code == 200
        await requested(client, seller, mine["id"], {"name": unique("再来")})


class TestTheAdminsAreTold:
    async def test_every_active_admin_hears_of_an_edit_once(
        self, client, users, database, seller, mine
    ):
        other = await make_user(client, database, "admin")
        leaver = await make_user(client, database, "admin")
        response = await client.patch(
            f"/users/{leaver.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        first, second = await requested(
            client, seller, mine["id"], {"name": unique("待审"), "credit_code": credit_code()}
        )
        for admin in (users["admin"], other):
            [note] = await notifications(client, admin, first["id"])
            assert (note["kind"], note["title"], note["read_at"]) == (
                "change_request_pending",
                f"变更申请待审批: {mine['name']} 的名称、统一社会信用代码",
                None,
            )
            assert await notifications(client, admin, second["id"]) == []
        assert await notifications(client, seller, first["id"]) == []
        async with database.session(write=False) as session:
            assert (
                await session.scalars(
                    select(Notification.id).where(Notification.user_id == leaver.id)
                )
            ).all() == []

    async def test_the_comment_is_the_body_and_a_refused_edit_tells_nobody(
        self, client, users, database, seller, mine
    ):
        response = await patch(
            client,
            seller,
            mine["id"],
            {"owner_id": users["am2"].id, "change_comment": "客户要求换人"},
        )
        assert response.status_code == 202, response.text
        [item] = response.json()["items"]
        [note] = await notifications(client, users["admin"], item["id"])
        assert note["body"] == "客户要求换人"
        before = await pending_notes(database, users["admin"])
        assert_problem(
            await patch(client, seller, mine["id"], {"owner_id": users["am"].id}),
            409,
            "change-request-pending",
        )
        assert_problem(
            await patch(client, seller, mine["id"], {"name": unique("混合"), "region": "华南"}),
            422,
            "validation",
        )
        assert await pending_notes(database, users["admin"]) == before


class TestApprove:
    async def test_applies_through_the_update_and_is_audited(
        self, client, users, database, seller, mine
    ):
        new_name = unique("核准")
        [item] = await requested(client, seller, mine["id"], {"name": new_name})
        response = await decide(client, users["admin"], item["id"], "approve")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "approved" and body["decided_by"] == users["admin"].id
        assert body["decided_at"] is not None and body["decision_reason"] is None
        assert body["version"] == item["version"] + 1
        row = await stored(database, mine["id"])
        assert row.name == new_name and row.version == mine["version"] + 1
        update, approval = (await history(client, users["admin"], mine["id"]))[-2:]
        assert (update["entity_type"], update["action"], update["actor_id"]) == (
            "customer",
            "update",
            users["admin"].id,
        )
        assert update["changes"] == {"name": [mine["name"], new_name]}
        assert (approval["entity_type"], approval["entity_id"], approval["action"]) == (
            "change_request",
            item["id"],
            "approve",
        )
        assert approval["changes"] == {"status": ["pending", "approved"]}
        [note] = await notifications(client, seller, item["id"])
        assert note["kind"] == "change_request_approved" and new_name in note["title"]

    async def test_an_approved_transfer_hands_the_customer_over(
        self, client, users, database, clock, seller, mine
    ):
        [item] = await requested(client, seller, mine["id"], {"owner_id": users["am2"].id})
        clock.at = datetime(2031, 9, 1, tzinfo=UTC)
        assert (await decide(client, users["admin"], item["id"], "approve")).status_code == 200
        row = await stored(database, mine["id"])
        assert (row.owner_id, row.owner_engaged_at, row.owned_since) == (
            users["am2"].id,
            clock.at,
            clock.at,
        )
        assert (
            await client.get(f"/customers/{mine['id']}", headers=seller.headers)
        ).status_code == 404
        assert (
            await client.get(f"/customers/{mine['id']}", headers=users["am2"].headers)
        ).status_code == 200
        # The requester still reads their request, masked now that it is not their customer.
        response = await client.get(f"/change-requests/{item['id']}", headers=seller.headers)
        assert response.status_code == 200 and response.json()["status"] == "approved"

    async def test_409_when_the_field_changed_since(self, client, users, database, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"name": unique("旧请求")})
        meanwhile = unique("管理员先改")
        assert (
            await patch(client, users["admin"], mine["id"], {"name": meanwhile})
        ).status_code == 200
        response = await decide(client, users["admin"], item["id"], "approve")
        body = assert_problem(response, 409, "change-request-stale")
        assert body["field"] == "name"
        assert (await stored(database, mine["id"])).name == meanwhile
        assert [r["id"] for r in await pending_of(client, users["admin"], mine["id"])] == [
            item["id"]
        ]
        assert await notifications(client, seller, item["id"]) == []

    async def test_revalidated_a_credit_code_taken_meanwhile_is_409(
        self, client, users, database, seller, mine
    ):
        code = credit_code()
        [item] = await requested(client, seller, mine["id"], {"credit_code": code})
        await create_customer(client, users["admin"], credit_code=code)
        response = await decide(client, users["admin"], item["id"], "approve")
        assert_problem(response, 409, "duplicate", "credit_code")
        assert (await stored(database, mine["id"])).credit_code == mine["credit_code"]
        assert (
            await client.get(f"/change-requests/{item['id']}", headers=users["admin"].headers)
        ).json()["status"] == "pending"

    async def test_revalidated_an_owner_who_left_is_422(
        self, client, users, database, seller, mine
    ):
        leaver = await make_user(client, database, "account_manager")
        [item] = await requested(client, seller, mine["id"], {"owner_id": leaver.id})
        response = await client.patch(
            f"/users/{leaver.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        response = await decide(client, users["admin"], item["id"], "approve")
        assert_problem(response, 422, "validation", "owner_id")
        assert (await stored(database, mine["id"])).owner_id == seller.id

    @pytest.mark.parametrize("role", ["am", "supervisor", "agent", "readonly"])
    async def test_only_admins_decide(self, client, users, seller, mine, role):
        [item] = await requested(client, seller, mine["id"], {"name": unique("无权")})
        assert_problem(await decide(client, users[role], item["id"], "approve"), 403, "forbidden")
        assert_problem(
            await decide(client, users[role], item["id"], "reject", reason="不行"), 403, "forbidden"
        )
        assert_problem(await decide(client, seller, item["id"], "approve"), 403, "forbidden")
        assert len(await pending_of(client, users["admin"], mine["id"])) == 1

    async def test_unknown_request_is_404(self, client, users):
        assert_problem(await decide(client, users["admin"], 2**62, "approve"), 404, "not-found")


class TestReject:
    async def test_with_a_reason_the_requester_hears(self, client, users, database, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"name": unique("驳回")})
        response = await decide(
            client, users["admin"], item["id"], "reject", reason="  与营业执照不符 "
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["decision_reason"], body["decided_by"]) == (
            "rejected",
            "与营业执照不符",
            users["admin"].id,
        )
        row = await stored(database, mine["id"])
        assert (row.name, row.version) == (mine["name"], mine["version"])
        last = (await history(client, users["admin"], mine["id"]))[-1]
        assert (last["action"], last["entity_id"], last["actor_id"]) == (
            "reject",
            item["id"],
            users["admin"].id,
        )
        assert last["changes"] == {
            "status": ["pending", "rejected"],
            "decision_reason": [None, "与营业执照不符"],
        }
        [note] = await notifications(client, seller, item["id"])
        assert note["kind"] == "change_request_rejected" and note["body"] == "与营业执照不符"

    @pytest.mark.parametrize(
        "body", [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "x", "extra": 1}]
    )
    async def test_a_reason_is_required(self, client, users, seller, mine, body):
        [item] = await requested(client, seller, mine["id"], {"name": unique("无理由")})
        response = await client.post(
            f"/change-requests/{item['id']}/reject", json=body, headers=users["admin"].headers
        )
        assert_problem(response, 422, "validation")
        assert len(await pending_of(client, users["admin"], mine["id"])) == 1

    async def test_a_decided_request_is_409(self, client, users, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"name": unique("已决")})
        assert (
            await decide(client, users["admin"], item["id"], "reject", reason="重复")
        ).status_code == 200
        body = assert_problem(
            await decide(client, users["admin"], item["id"], "approve"),
            409,
            "change-request-decided",
        )
        assert body["current_status"] == "rejected"
        assert_problem(
            await decide(client, users["admin"], item["id"], "reject", reason="再"),
            409,
            "change-request-decided",
        )
        assert len(await notifications(client, seller, item["id"])) == 1


class TestWithdraw:
    async def test_the_requester_takes_it_back_and_may_ask_again(
        self, client, users, database, seller, mine
    ):
        [item] = await requested(client, seller, mine["id"], {"name": unique("撤回")})
        response = await decide(client, seller, item["id"], "withdraw")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["decided_by"], body["decision_reason"]) == (
            "withdrawn",
            seller.id,
            None,
        )
        assert body["decided_at"] is not None
        row = await stored(database, mine["id"])
        assert (row.name, row.version) == (mine["name"], mine["version"])
        last = (await history(client, users["admin"], mine["id"]))[-1]
        assert (
            last["entity_type"],
            last["entity_id"],
            last["action"],
            last["actor_id"],
            last["changes"],
        ) == (
            "change_request",
            item["id"],
            "withdraw",
            seller.id,
            {"status": ["pending", "withdrawn"]},
        )
        assert await pending_of(client, users["admin"], mine["id"]) == []
        [again] = await requested(client, seller, mine["id"], {"name": unique("再申请")})
        assert again["status"] == "pending"

    async def test_a_withdrawn_request_cannot_be_decided_or_withdrawn_again(
        self, client, users, seller, mine
    ):
        [item] = await requested(client, seller, mine["id"], {"name": unique("撤")})
        assert (await decide(client, seller, item["id"], "withdraw")).status_code == 200
        for who, verdict, body in (
            (seller, "withdraw", {}),
            (users["admin"], "approve", {}),
            (users["admin"], "reject", {"reason": "晚了"}),
        ):
            problem = assert_problem(
                await decide(client, who, item["id"], verdict, **body),
                409,
                "change-request-decided",
            )
            assert problem["current_status"] == "withdrawn"
        assert await notifications(client, seller, item["id"]) == []

    async def test_a_decided_request_cannot_be_withdrawn(self, client, users, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"name": unique("已批")})
        assert (await decide(client, users["admin"], item["id"], "approve")).status_code == 200
        assert_problem(
            await decide(client, seller, item["id"], "withdraw"), 409, "change-request-decided"
        )

    async def test_only_the_requester_withdraws(self, client, users, seller, mine):
        [item] = await requested(client, seller, mine["id"], {"name": unique("别人的")})
        for role in ("am", "am2", "supervisor", "agent", "readonly"):
            assert_problem(
                await decide(client, users[role], item["id"], "withdraw"), 404, "not-found"
            )
        assert_problem(
            await decide(client, users["admin"], item["id"], "withdraw"), 403, "forbidden"
        )
        assert_problem(await decide(client, seller, 2**62, "withdraw"), 404, "not-found")
        assert [p["id"] for p in await pending_of(client, users["admin"], mine["id"])] == [
            item["id"]
        ]


class TestReading:
    async def test_admins_list_all_others_their_own(self, client, users, database, seller, mine):
        other_seller = await make_user(client, database, "account_manager")
        theirs = await create_customer(client, other_seller)
        [a] = await requested(client, seller, mine["id"], {"name": unique("甲")})
        [b] = await requested(client, other_seller, theirs["id"], {"name": unique("乙")})

        async def listed(user, **params) -> list[int]:
            response = await client.get(
                "/change-requests", params={"limit": 200, **params}, headers=user.headers
            )
            assert response.status_code == 200, response.text
            return [i["id"] for i in response.json()["items"]]

        assert await listed(seller) == [a["id"]]
        assert await listed(other_seller) == [b["id"]]
        assert await listed(seller, customer_id=theirs["id"]) == []
        assert await listed(users["supervisor"]) == []
        admin_ids = await listed(users["admin"], status="pending")
        assert admin_ids.index(b["id"]) < admin_ids.index(a["id"])  # newest first
        assert await listed(users["admin"], customer_id=mine["id"]) == [a["id"]]
        await decide(client, users["admin"], a["id"], "reject", reason="否")
        assert a["id"] not in await listed(users["admin"], status="pending")
        assert await listed(users["admin"], status="rejected", customer_id=mine["id"]) == [a["id"]]
        for user, expected in (
            (seller, 200),
            (other_seller, 404),
            (users["supervisor"], 404),
            (users["admin"], 200),
        ):
            response = await client.get(f"/change-requests/{a['id']}", headers=user.headers)
            assert response.status_code == expected

    async def test_keyset_pages(self, client, users, database):
        requester = await make_user(client, database, "account_manager")
        made = []
        for _ in range(3):
            customer = await create_customer(client, requester)
            made += [
                i["id"]
                for i in await requested(client, requester, customer["id"], {"name": unique("页")})
            ]
        seen, cursor = [], None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            response = await client.get(
                "/change-requests", params=params, headers=requester.headers
            )
            seen += [i["id"] for i in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(made, reverse=True)
        response = await client.get(
            "/change-requests", params={"cursor": "bad"}, headers=requester.headers
        )
        assert_problem(response, 400, "invalid-cursor")

    async def test_id_numbers_masked_once_the_requester_lost_the_customer(
        self, client, users, seller
    ):
        person = await create_customer(client, seller, kind="individual")
        new = id_number("19900307")
        [item] = await requested(client, seller, person["id"], {"id_number": new})
        assert (
            await patch(client, users["admin"], person["id"], {"owner_id": users["am2"].id})
        ).status_code == 200
        response = await client.get(f"/change-requests/{item['id']}", headers=seller.headers)
        body = response.json()
        assert body["masked_fields"] == ["old_value", "new_value"]
        assert body["new_value"] == new[:6] + "********" + new[-4:]
        assert new not in response.text and person["id_number"] not in response.text
        admin_view = await client.get(
            f"/change-requests/{item['id']}", headers=users["admin"].headers
        )
        assert admin_view.json()["new_value"] == new

    async def test_the_request_event_is_masked_on_the_history(self, client, users, seller):
        person = await create_customer(client, seller, kind="individual")
        new = id_number("19900307")
        await requested(client, seller, person["id"], {"id_number": new})
        for role in ("supervisor", "agent"):
            response = await client.get(
                f"/customers/{person['id']}/history", headers=users[role].headers
            )
            assert response.status_code == 200
            assert new not in response.text and person["id_number"] not in response.text
