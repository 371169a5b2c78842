"""Saved views: built-ins, save / rename / share / delete, validation against the list, and a
view whose tag was deleted still opening with that condition dropped."""

from tests.api.search_support import fresh_manager, token
from tests.api.test_customer_filters import tag
from tests.conftest import create_customer, make_user
from tests.support import assert_problem, uid


async def save(client, user, **body):
    return await client.post(
        "/saved-views",
        json={"name": f"视图{uid()}", "resource": "customers", **body},
        headers=user.headers,
    )


class TestBuiltIns:
    async def test_every_user_has_them(self, client, users):
        response = await client.get("/saved-views", headers=users["agent"].headers)
        assert response.status_code == 200, response.text
        names = [v["name"] for v in response.json() if v["builtin"]]
        assert names == [
            "我的客户",
            "30 天未联系",
            "重点客户 (S/A)",
            "本周待跟进",
            "我的待处理工单",
            "即将超时工单",
        ]
        response = await client.get(
            "/saved-views",
            params={"resource": "tickets"},
            headers={**users["agent"].headers, "Accept-Language": "en"},
        )
        assert [v["name"] for v in response.json()] == [
            "My open tickets",
            "Tickets about to breach",
        ]

    async def test_my_customers_opens_as_a_working_query(self, client, database):
        am = await fresh_manager(client, database)
        mine = await create_customer(client, am)
        opened = await client.get("/saved-views/my-customers", headers=am.headers)
        assert opened.status_code == 200, opened.text
        listed = await client.get("/customers", params=opened.json()["filters"], headers=am.headers)
        assert [c["id"] for c in listed.json()["items"]] == [mine["id"]]
        for key in ("not-contacted-30", "key-customers", "follow-up-this-week"):
            filters = (await client.get(f"/saved-views/{key}", headers=am.headers)).json()
            response = await client.get("/customers", params=filters["filters"], headers=am.headers)
            assert response.status_code == 200, (key, response.text)
        for key in ("my-open-tickets", "tickets-near-breach"):
            filters = (await client.get(f"/saved-views/{key}", headers=am.headers)).json()
            response = await client.get("/tickets", params=filters["filters"], headers=am.headers)
            assert response.status_code == 200, (key, response.text)


class TestSavedViews:
    async def test_save_rename_and_delete(self, client, users):
        am = users["am"]
        response = await save(
            client,
            am,
            filters={"stage": ["intent"], "q": "杭州"},
            sort="-last_contact_at",
            columns=["name", "stage"],
        )
        assert response.status_code == 201, response.text
        view = response.json()
        assert (view["mine"], view["visibility"], view["filters"]) == (
            True,
            "private",
            {"stage": ["intent"], "q": "杭州"},
        )
        renamed = await client.patch(
            f"/saved-views/{view['id']}", json={"name": "改名"}, headers=am.headers
        )
        assert renamed.status_code == 200 and renamed.json()["name"] == "改名"
        stale = await client.patch(
            f"/saved-views/{view['id']}",
            json={"name": "又改名"},
            headers={**am.headers, "If-Match": f'"{view["version"]}"'},
        )
        assert stale.status_code == 412, stale.text
        assert stale.json()["current_version"] == renamed.json()["version"]
        others = await client.get("/saved-views", headers=users["am2"].headers)
        assert view["id"] not in [v["id"] for v in others.json()]
        assert (
            await client.get(f"/saved-views/{view['id']}", headers=users["am2"].headers)
        ).status_code == 404
        assert (
            await client.delete(f"/saved-views/{view['id']}", headers=users["am2"].headers)
        ).status_code == 404
        assert (
            await client.delete(f"/saved-views/{view['id']}", headers=am.headers)
        ).status_code == 204
        assert (
            await client.get(f"/saved-views/{view['id']}", headers=am.headers)
        ).status_code == 404

    async def test_filters_are_validated_against_the_list(self, client, users):
        am = users["am"]
        body = assert_problem(await save(client, am, filters={"colour": "red"}), 422)
        assert body["errors"][0]["field"] == "filters.colour"
        assert_problem(await save(client, am, filters={"stage": "nonsense"}), 422)
        assert_problem(await save(client, am, sort="shoe_size"), 422, field="sort")
        response = await save(
            client, am, resource="tickets", filters={"status": ["new"], "q": "打印机"}
        )
        assert response.status_code == 201, response.text
        name = f"同名{uid()}"
        assert (await save(client, am, name=name)).status_code == 201
        assert_problem(await save(client, am, name=name), 409)

    async def test_sharing(self, client, users, database):
        dept = await client.post(
            "/departments",
            json={"key": f"d{uid()}", "name": f"部{uid()}"},
            headers=users["admin"].headers,
        )
        dept_id = dept.json()["id"]
        a = await make_user(client, database, "account_manager", department_id=dept_id)
        b = await make_user(client, database, "agent", department_id=dept_id)
        outsider = await make_user(client, database, "agent")
        shared = (await save(client, a, visibility="department")).json()
        assert shared["id"] in [
            v["id"] for v in (await client.get("/saved-views", headers=b.headers)).json()
        ]
        assert shared["id"] not in [
            v["id"] for v in (await client.get("/saved-views", headers=outsider.headers)).json()
        ]
        assert_problem(
            await client.patch(
                f"/saved-views/{shared['id']}", json={"name": "x"}, headers=b.headers
            ),
            403,
        )
        assert_problem(await save(client, a, visibility="everyone"), 403)
        everyone = await save(client, users["supervisor"], visibility="everyone")
        assert everyone.status_code == 201, everyone.text
        assert everyone.json()["id"] in [
            v["id"] for v in (await client.get("/saved-views", headers=outsider.headers)).json()
        ]

    async def test_a_deleted_tag_is_dropped_and_said(self, client, users):
        admin = users["admin"]
        keep = await tag(client, admin, f"保留{token()}-一")
        gone = await tag(client, admin, f"删除{token()}-二")
        view = (
            await save(
                client, admin, filters={"tags_all": [str(keep), str(gone)], "stage": ["intent"]}
            )
        ).json()
        assert (await client.delete(f"/tags/{gone}", headers=admin.headers)).status_code == 204
        opened = await client.get(f"/saved-views/{view['id']}", headers=admin.headers)
        assert opened.status_code == 200, opened.text
        assert opened.json()["filters"] == {"tags_all": [str(keep)], "stage": ["intent"]}
        assert opened.json()["dropped"] == [
            {"name": "tags_all", "value": str(gone), "reason": "tag-deleted"}
        ]
        listed = await client.get(
            "/customers", params=opened.json()["filters"], headers=admin.headers
        )
        assert listed.status_code == 200
