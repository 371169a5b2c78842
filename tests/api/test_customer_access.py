"""Who may do what to a customer: the role × endpoint matrix, ownership and archiving.

Object-level rules answer 404 (a record you may not see does not exist for you); role-level
rules (the role may never do this) answer 403. A refused request changes nothing."""

import uuid

import pytest
from sqlalchemy import select

from persistence.models import Contact, Customer
from tests.conftest import create_customer, organization
from tests.support import assert_problem

ROLES = ("admin", "supervisor", "am-owner", "am-other", "agent", "readonly")
USER_OF_ROLE = {"am-owner": "am", "am-other": "am2"}

# Expected status per role, in ROLES order. The customer is owned by users["am"].
MATRIX: dict[str, tuple[int, ...]] = {
    "list": (200, 200, 200, 200, 200, 200),
    "get": (200, 200, 200, 404, 200, 200),
    "create": (201, 403, 201, 201, 403, 403),
    "patch": (200, 403, 200, 404, 403, 403),
    "delete": (204, 403, 403, 403, 403, 403),
    "archive": (200, 403, 200, 404, 403, 403),
    "unarchive": (200, 403, 404, 404, 403, 403),  # of an archived customer
    "history": (200, 200, 200, 404, 200, 200),
    "contacts-list": (200, 200, 200, 404, 200, 200),
    "contact-create": (201, 403, 201, 404, 403, 403),
    "contact-get": (200, 200, 200, 404, 200, 200),
    "contact-patch": (200, 403, 200, 404, 403, 403),
    "contact-delete": (204, 403, 204, 404, 403, 403),
    "assign-tags": (200, 403, 200, 404, 403, 403),
    "unassign-tag": (200, 403, 200, 404, 403, 403),
}
CASES = [
    (endpoint, role, statuses[i])
    for endpoint, statuses in MATRIX.items()
    for i, role in enumerate(ROLES)
]
PROBLEM_CODES = {403: "forbidden", 404: "not-found"}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
async def tags(client, users) -> tuple[dict, dict]:
    made = []
    for _ in range(2):
        response = await client.post(
            "/tags", json={"name": unique("权限-")}, headers=users["admin"].headers
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made[0], made[1]


async def admin_view(client, users, customer_id: int) -> dict:
    """What an admin sees of the customer: the stored state, for before/after comparisons."""
    admin = users["admin"].headers
    customer = await client.get(f"/customers/{customer_id}", headers=admin)
    if customer.status_code == 404:
        return {"customer": None, "contacts": None}
    assert customer.status_code == 200, customer.text
    contacts = await client.get(f"/customers/{customer_id}/contacts", headers=admin)
    return {"customer": customer.json(), "contacts": contacts.json()}


async def stored_state(database, customer_id: int) -> tuple | None:
    """Version and archived flag of the customer and (id, version) of its contacts, straight
    from the database: any write, tags included, bumps one of them."""
    async with database.session(write=False) as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            return None
        contacts = (
            await session.execute(
                select(Contact.id, Contact.version)
                .where(Contact.customer_id == customer_id)
                .order_by(Contact.id)
            )
        ).all()
        return customer.version, customer.archived, [tuple(c) for c in contacts]


READS = frozenset({"list", "get", "history", "contacts-list", "contact-get"})


async def make_scene(client, users, tag: dict, *, archived: bool = False) -> dict:
    """A customer owned by users["am"] with one contact and one tag."""
    name = unique("矩阵客户")
    customer = await create_customer(client, users["am"], name=name, tag_ids=[tag["id"]])
    response = await client.post(
        f"/customers/{customer['id']}/contacts",
        json={"name": "张三", "mobile": "13812345678"},
        headers=users["am"].headers,
    )
    assert response.status_code == 201, response.text
    if archived:
        response = await client.post(
            f"/customers/{customer['id']}/archive",
            json={"reason": "停止合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
    view = await admin_view(client, users, customer["id"])
    return {"id": customer["id"], "name": name, "contact_id": view["contacts"][0]["id"], **view}


@pytest.fixture(scope="module")
async def shared_scenes(client, users, database, tags) -> dict[bool, dict]:
    """Customers for the cases that must change nothing (reads and refusals), by archived."""
    scenes = {
        flag: await make_scene(client, users, tags[0], archived=flag) for flag in (False, True)
    }
    for scene in scenes.values():
        scene["state"] = await stored_state(database, scene["id"])
    return scenes


class TestRoleEndpointMatrix:
    @pytest.mark.parametrize(
        ("endpoint", "role", "expected"), CASES, ids=[f"{e}-{r}" for e, r, _ in CASES]
    )
    async def test_status_and_effect(
        self, client, users, database, tags, shared_scenes, endpoint, role, expected
    ):
        owner = users["am"]
        tag_kept, tag_new = tags
        archived = endpoint == "unarchive"
        changes = expected < 300 and endpoint not in READS | {"create"}
        if changes:  # a write that succeeds gets a customer of its own
            scene = await make_scene(client, users, tag_kept, archived=archived)
        else:
            scene = shared_scenes[archived]
        cid, contact_id = scene["id"], scene["contact_id"]
        before = {"customer": scene["customer"], "contacts": scene["contacts"]}

        actor = users[USER_OF_ROLE.get(role, role)]
        base, contact = f"/customers/{cid}", f"/customers/{cid}/contacts/{contact_id}"
        new_name = unique("新建客户")
        requests = {
            "list": (
                "GET",
                "/customers",
                {"params": {"owner_id": owner.id, "name": scene["name"]}},
            ),
            "get": ("GET", base, {}),
            "create": ("POST", "/customers", {"json": organization(name=new_name)}),
            "patch": ("PATCH", base, {"json": {"region": "华东"}}),
            "delete": ("DELETE", base, {}),
            "archive": ("POST", f"{base}/archive", {"json": {"reason": "停止合作"}}),
            "unarchive": ("POST", f"{base}/unarchive", {"json": {"reason": "恢复合作"}}),
            "history": ("GET", f"{base}/history", {}),
            "contacts-list": ("GET", f"{base}/contacts", {}),
            "contact-create": (
                "POST",
                f"{base}/contacts",
                {"json": {"name": "李四", "email": "li@example.com"}},
            ),
            "contact-get": ("GET", contact, {}),
            "contact-patch": ("PATCH", contact, {"json": {"title": "采购经理"}}),
            "contact-delete": ("DELETE", contact, {}),
            "assign-tags": ("POST", f"{base}/tags", {"json": {"tag_ids": [tag_new["id"]]}}),
            "unassign-tag": ("DELETE", f"{base}/tags/{tag_kept['id']}", {}),
        }
        method, url, kwargs = requests[endpoint]
        response = await client.request(method, url, headers=actor.headers, **kwargs)

        assert response.status_code == expected, response.text
        if expected >= 400:
            assert_problem(response, expected, PROBLEM_CODES[expected])
            if endpoint not in READS:
                assert await stored_state(database, cid) == scene["state"], (
                    "a refused request changed the customer"
                )
            if endpoint == "create":
                found = await client.get(
                    "/customers", params={"name": new_name}, headers=users["admin"].headers
                )
                assert found.json()["items"] == []
            return

        if endpoint == "list":  # another manager's customer is simply not there
            assert [c["id"] for c in response.json()["items"]] == (
                [] if role == "am-other" else [cid]
            )
        elif endpoint == "get":
            assert response.json()["id"] == cid
            assert response.headers["etag"] == f'"{before["customer"]["version"]}"'
        elif endpoint == "create":
            assert response.json()["owner_id"] == actor.id
            assert response.json()["name"] == new_name
        elif endpoint == "history":
            assert {e["action"] for e in response.json()["items"]} >= {"create"}
            assert all(e["customer_id"] == cid for e in response.json()["items"])
        elif endpoint in ("contacts-list", "contact-get"):
            body = response.json()
            assert (body[0] if isinstance(body, list) else body)["id"] == contact_id
        if not changes:
            return

        # Each write changes exactly what it says.
        after = await admin_view(client, users, cid)
        old, new = before["customer"], after["customer"]
        if endpoint == "patch":
            assert new["region"] == "华东" and new["version"] == old["version"] + 1
        elif endpoint == "delete":
            assert new is None
        elif endpoint == "archive":
            assert new["archived"] is True
        elif endpoint == "unarchive":
            assert new["archived"] is False
        elif endpoint == "contact-create":
            assert len(after["contacts"]) == len(before["contacts"]) + 1
        elif endpoint == "contact-patch":
            assert after["contacts"][0]["title"] == "采购经理"
        elif endpoint == "contact-delete":
            assert after["contacts"] == []
        elif endpoint == "assign-tags":
            assert {t["id"] for t in new["tags"]} == {tag_kept["id"], tag_new["id"]}
        elif endpoint == "unassign-tag":
            assert new["tags"] == []


class TestAccountManagerSeesOnlyOwnCustomers:
    async def test_other_managers_customer_never_listed_even_when_filtered_by_owner(
        self, client, users
    ):
        name = unique("别人的客户")
        theirs = await create_customer(client, users["am"], name=name)
        response = await client.get(
            "/customers",
            headers=users["am2"].headers,
            params={"owner_id": users["am"].id, "with_total": "true"},
        )
        assert response.status_code == 200
        assert response.json()["items"] == [] and response.json()["total"] == 0
        response = await client.get(
            "/customers", headers=users["am2"].headers, params={"name": name, "limit": 200}
        )
        assert response.json()["items"] == []
        # …while every other role finds it by the same filter.
        for key in ("admin", "supervisor", "agent", "readonly", "am"):
            response = await client.get(
                "/customers",
                headers=users[key].headers,
                params={"owner_id": users["am"].id, "name": name},
            )
            assert [c["id"] for c in response.json()["items"]] == [theirs["id"]], key

    async def test_own_list_holds_only_own_customers(self, client, users):
        await create_customer(client, users["am2"])
        response = await client.get(
            "/customers", headers=users["am2"].headers, params={"limit": 200}
        )
        items = response.json()["items"]
        assert items and {c["owner_id"] for c in items} == {users["am2"].id}

    async def test_other_managers_contact_and_tag_are_404_even_with_right_ids(
        self, client, users, tags
    ):
        customer = await create_customer(client, users["am"], tag_ids=[tags[0]["id"]])
        contact = (
            await client.post(
                f"/customers/{customer['id']}/contacts",
                json={"name": "王五"},
                headers=users["am"].headers,
            )
        ).json()
        url = f"/customers/{customer['id']}/contacts/{contact['id']}"
        for method, path in (
            ("GET", url),
            ("PATCH", url),
            ("DELETE", url),
            ("DELETE", f"/customers/{customer['id']}/tags/{tags[0]['id']}"),
            ("GET", f"/customers/{customer['id']}/history"),
        ):
            kwargs = {"json": {"title": "x"}} if method == "PATCH" else {}
            response = await client.request(method, path, headers=users["am2"].headers, **kwargs)
            assert_problem(response, 404, "not-found")
        # The same 404 as for a customer that does not exist at all: nothing is revealed.
        missing = await client.get("/customers/987654321", headers=users["am2"].headers)
        assert_problem(missing, 404, "not-found")
        assert missing.json()["detail"].replace("987654321", "X") == (
            await client.get(f"/customers/{customer['id']}", headers=users["am2"].headers)
        ).json()["detail"].replace(str(customer["id"]), "X")


class TestArchivedCustomersAreAdminsOnly:
    @pytest.fixture
    async def archived(self, client, users) -> dict:
        name = unique("归档客户")
        customer = await create_customer(client, users["am"], name=name)
        response = await client.post(
            f"/customers/{customer['id']}/archive",
            json={"reason": "合作结束"},
            headers=users["am"].headers,
        )
        assert response.status_code == 200 and response.json()["archived"] is True
        return customer

    @pytest.mark.parametrize("role", ["supervisor", "am", "agent", "readonly"])
    async def test_vanishes_for_everyone_but_admin(self, client, users, archived, role):
        headers, cid = users[role].headers, archived["id"]
        for path in (
            f"/customers/{cid}",
            f"/customers/{cid}/history",
            f"/customers/{cid}/contacts",
        ):
            assert_problem(await client.get(path, headers=headers), 404, "not-found")
        listed = await client.get("/customers", params={"name": archived["name"]}, headers=headers)
        assert listed.status_code == 200 and listed.json()["items"] == []
        for value in ("true", "all"):
            response = await client.get("/customers", params={"archived": value}, headers=headers)
            assert_problem(response, 403, "forbidden")

    async def test_owner_can_no_longer_change_it(self, client, users, archived):
        response = await client.patch(
            f"/customers/{archived['id']}", json={"region": "华南"}, headers=users["am"].headers
        )
        assert_problem(response, 404, "not-found")
        response = await client.post(
            f"/customers/{archived['id']}/contacts",
            json={"name": "赵六"},
            headers=users["am"].headers,
        )
        assert_problem(response, 404, "not-found")

    async def test_admin_reads_it_and_lists_it_only_when_asking(self, client, users, archived):
        admin, name = users["admin"].headers, archived["name"]
        response = await client.get(f"/customers/{archived['id']}", headers=admin)
        assert response.status_code == 200 and response.json()["archived"] is True

        async def listed(**params) -> list[int]:
            response = await client.get(
                "/customers", params={"name": name, **params}, headers=admin
            )
            assert response.status_code == 200, response.text
            return [c["id"] for c in response.json()["items"]]

        assert await listed() == []
        assert await listed(archived="false") == []
        assert await listed(archived="true") == [archived["id"]]
        assert await listed(archived="all") == [archived["id"]]

    async def test_unarchive_brings_it_back(self, client, users, archived):
        response = await client.post(
            f"/customers/{archived['id']}/unarchive",
            json={"reason": "重新合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200 and response.json()["archived"] is False
        response = await client.get(f"/customers/{archived['id']}", headers=users["am"].headers)
        assert response.status_code == 200 and response.json()["archived"] is False

    async def test_archive_needs_a_reason(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.post(
            f"/customers/{customer['id']}/archive", json={}, headers=users["am"].headers
        )
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["field"] == "reason"
        response = await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        assert response.json()["archived"] is False


class TestUnauthenticated:
    async def test_no_token_is_401_problem(self, client):
        response = await client.get("/customers")
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
