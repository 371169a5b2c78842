"""Tags (capability 3): `类别-值` names, colours, rename and merge keep every customer's tags,
unused tags for clean-up, and every change audited."""

from tests.conftest import create_customer
from tests.support import assert_problem, audit, mark_audit_position, uid  # noqa: F401

OTHER_ROLES = ("supervisor", "am", "agent", "readonly")


async def make_tag(
    client,
    admin,
    name: str | None = None,
    **fields,
) -> dict:
    response = await client.post(
        "/tags", json={"name": name or f"测试-{uid()}", **fields}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def tag_names_of(client, admin, customer_id: int) -> list[str]:
    response = await client.get(f"/customers/{customer_id}", headers=admin.headers)
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()["tags"]]


class TestCreateIsForAdminsOnly:
    async def test_admin_creates_a_tag(self, client, users):
        name = f"区域-华东{uid()}"
        tag = await make_tag(client, users["admin"], name, color="#12AB9f")
        assert tag["name"] == name and tag["customer_count"] == 0 and tag["version"] >= 1
        fetched = await client.get(f"/tags/{tag['id']}", headers=users["readonly"].headers)
        assert fetched.status_code == 200
        assert fetched.json()["name"] == name
        assert fetched.headers["ETag"] == f'"{tag["version"]}"'

    async def test_other_roles_are_forbidden_and_nothing_is_created(self, client, users):
        names = []
        for role in OTHER_ROLES:
            names.append(f"区域-华北{uid()}")
            response = await client.post(
                "/tags", json={"name": names[-1]}, headers=users[role].headers
            )
            assert_problem(response, 403, "forbidden")
        listed = await client.get("/tags", headers=users["admin"].headers)
        assert not set(names) & {t["name"] for t in listed.json()}

    async def test_without_a_token_is_401(self, client):
        response = await client.post("/tags", json={"name": f"区域-{uid()}"})
        assert_problem(response, 401, "unauthorized")

    async def test_creation_is_audited(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, f"来源-展会{uid()}", color="#AABBCC")
        [event] = await audit(client, admin, entity_type="tag", entity_id=tag["id"])
        assert event["action"] == "create" and event["actor_id"] == admin.id
        assert event["changes"] == {"name": [None, tag["name"]], "color": [None, "#aabbcc"]}


class TestNameNormalisation:
    async def test_surrounding_and_repeated_whitespace_collapses(self, client, users):
        suffix = uid()
        tag = await make_tag(client, users["admin"], f"  状态-意向 \t  强烈{suffix}  ")
        assert tag["name"] == f"状态-意向 强烈{suffix}"

    async def test_blank_or_dangling_dash_is_422(self, client, users):
        for name in ("   ", "-华东", "区域-", "\u3000", " - "):
            response = await client.post(
                "/tags", json={"name": name}, headers=users["admin"].headers
            )
            body = assert_problem(response, 422, "validation")
            assert [e["field"] for e in body["errors"]] == ["name"], name

    async def test_over_50_characters_is_422(self, client, users):
        response = await client.post(
            "/tags", json={"name": "区" * 51}, headers=users["admin"].headers
        )
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["field"] == "name"

    async def test_nul_is_422(self, client, users):
        response = await client.post(
            "/tags", json={"name": "区域-\x00华东" + uid()}, headers=users["admin"].headers
        )
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["field"] == "name"

    async def test_other_control_and_invisible_characters_are_removed(self, client, users):
        for junk in ("\x07", "\x1b", "\u200b", "\u202e", "\ufeff"):
            suffix = uid()
            response = await client.post(
                "/tags", json={"name": f"区域-{junk}华东{suffix}"}, headers=users["admin"].headers
            )
            assert response.status_code == 201, response.text
            assert response.json()["name"] == f"区域-华东{suffix}"


class TestCategory:
    async def test_category_is_the_part_before_the_first_dash(self, client, users):
        tag = await make_tag(client, users["admin"], f"区域-华东-{uid()}")
        assert tag["category"] == "区域"

    async def test_no_dash_means_no_category(self, client, users):
        tag = await make_tag(client, users["admin"], f"重点客户{uid()}")
        assert tag["category"] is None

    async def test_rename_recomputes_the_category(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, f"区域-华南{uid()}")
        response = await client.patch(
            f"/tags/{tag['id']}", json={"name": f"行业-零售{uid()}"}, headers=admin.headers
        )
        assert response.status_code == 200
        assert response.json()["category"] == "行业"


class TestColour:
    async def test_colour_is_stored_lower_case(self, client, users):
        tag = await make_tag(client, users["admin"], color="#ABCDEF")
        assert tag["color"] == "#abcdef"

    async def test_colour_is_optional(self, client, users):
        assert (await make_tag(client, users["admin"]))["color"] is None

    async def test_bad_colour_is_422(self, client, users):
        admin, names = users["admin"], []
        for color in ("red", "#12345", "#1234567", "#GGGGGG", "123456", "", "#123456\n"):
            names.append(f"颜色-{uid()}")
            response = await client.post(
                "/tags", json={"name": names[-1], "color": color}, headers=admin.headers
            )
            body = assert_problem(response, 422, "validation")
            assert [e["field"] for e in body["errors"]] == ["color"], color
        tag = await make_tag(client, admin)
        response = await client.patch(
            f"/tags/{tag['id']}", json={"color": "blue"}, headers=admin.headers
        )
        assert_problem(response, 422, "validation")
        listed = await client.get("/tags", headers=admin.headers)
        assert not set(names) & {t["name"] for t in listed.json()}
        assert [t["color"] for t in listed.json() if t["id"] == tag["id"]] == [None]

    async def test_colour_can_be_cleared(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, color="#000000")
        response = await client.patch(
            f"/tags/{tag['id']}", json={"color": None}, headers=admin.headers
        )
        assert response.status_code == 200 and response.json()["color"] is None


class TestDuplicateName:
    async def test_same_name_is_409(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        response = await client.post("/tags", json={"name": tag["name"]}, headers=admin.headers)
        body = assert_problem(response, 409, "duplicate")
        assert body["errors"][0]["field"] == "name"

    async def test_differing_only_in_case_or_spacing_is_409(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, f"Region-East{uid()}")
        for variant in (tag["name"].lower(), tag["name"].upper(), f"  {tag['name']} "):
            response = await client.post("/tags", json={"name": variant}, headers=admin.headers)
            assert_problem(response, 409, "duplicate")

    async def test_renaming_onto_another_tag_is_409(self, client, users):
        admin = users["admin"]
        first, second = await make_tag(client, admin), await make_tag(client, admin)
        response = await client.patch(
            f"/tags/{second['id']}", json={"name": first["name"].upper()}, headers=admin.headers
        )
        assert_problem(response, 409, "duplicate")
        unchanged = await client.get(f"/tags/{second['id']}", headers=admin.headers)
        assert unchanged.json()["name"] == second["name"]

    async def test_renaming_a_tag_to_its_own_name_in_other_case_is_allowed(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, f"vip-{uid()}")
        response = await client.patch(
            f"/tags/{tag['id']}", json={"name": tag["name"].upper()}, headers=admin.headers
        )
        assert response.status_code == 200
        assert response.json()["name"] == tag["name"].upper()


class TestRename:
    async def test_every_customer_keeps_the_tag_under_its_new_name(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, f"区域-华东{uid()}")
        first = await create_customer(client, admin, tag_ids=[tag["id"]])
        second = await create_customer(client, users["am"], tag_ids=[tag["id"]])
        new_name = f"区域-长三角{uid()}"
        response = await client.patch(
            f"/tags/{tag['id']}", json={"name": new_name}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["name"] == new_name
        assert response.json()["customer_count"] == 2
        assert response.json()["version"] == tag["version"] + 1
        for customer in (first, second):
            assert await tag_names_of(client, admin, customer["id"]) == [new_name]
        listed = await client.get(
            "/customers", params={"tag_id": tag["id"], "limit": 200}, headers=admin.headers
        )
        assert {c["id"] for c in listed.json()["items"]} == {first["id"], second["id"]}

    async def test_rename_is_audited_with_before_and_after(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        new_name = f"更名-{uid()}"
        await client.patch(f"/tags/{tag['id']}", json={"name": new_name}, headers=admin.headers)
        events = await audit(client, admin, entity_type="tag", entity_id=tag["id"], action="update")
        assert [e["changes"] for e in events] == [{"name": [tag["name"], new_name]}]
        assert events[0]["actor_id"] == admin.id

    async def test_a_patch_that_changes_nothing_is_not_audited(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        response = await client.patch(
            f"/tags/{tag['id']}", json={"name": tag["name"]}, headers=admin.headers
        )
        assert response.status_code == 200 and response.json()["version"] == tag["version"]
        assert (
            await audit(client, admin, entity_type="tag", entity_id=tag["id"], action="update")
            == []
        )

    async def test_null_name_is_422(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        response = await client.patch(
            f"/tags/{tag['id']}", json={"name": None}, headers=admin.headers
        )
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["field"] == "name"

    async def test_only_admins_rename(self, client, users):
        tag = await make_tag(client, users["admin"])
        for role in OTHER_ROLES:
            response = await client.patch(
                f"/tags/{tag['id']}", json={"name": f"x-{uid()}"}, headers=users[role].headers
            )
            assert_problem(response, 403, "forbidden")
        unchanged = await client.get(f"/tags/{tag['id']}", headers=users["admin"].headers)
        assert unchanged.json()["name"] == tag["name"]

    async def test_unknown_tag_is_404(self, client, users):
        response = await client.patch(
            "/tags/999999999", json={"name": f"x-{uid()}"}, headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")


class TestIfMatch:
    async def test_stale_version_is_412_and_changes_nothing(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        etag = (await client.get(f"/tags/{tag['id']}", headers=admin.headers)).headers["ETag"]
        renamed = await client.patch(
            f"/tags/{tag['id']}",
            json={"name": f"a-{uid()}"},
            headers={**admin.headers, "If-Match": etag},
        )
        assert renamed.status_code == 200
        stale = await client.patch(
            f"/tags/{tag['id']}",
            json={"name": f"b-{uid()}"},
            headers={**admin.headers, "If-Match": etag},
        )
        body = assert_problem(stale, 412, "version-mismatch")
        assert body["current_version"] == renamed.json()["version"]
        current = await client.get(f"/tags/{tag['id']}", headers=admin.headers)
        assert current.json()["name"] == renamed.json()["name"]

    async def test_current_version_passes(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        version = tag["version"]
        for if_match, color in (('"{}"', "#010203"), ('W/"{}"', "#040506"), (' "{}" ', "#070809")):
            response = await client.patch(
                f"/tags/{tag['id']}",
                json={"color": color},
                headers={**admin.headers, "If-Match": if_match.format(version)},
            )
            assert response.status_code == 200, response.text
            assert response.json()["version"] == version + 1
            version += 1

    async def test_stale_version_on_delete_is_412(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        response = await client.delete(
            f"/tags/{tag['id']}", headers={**admin.headers, "If-Match": '"999"'}
        )
        assert_problem(response, 412, "version-mismatch")
        assert (await client.get(f"/tags/{tag['id']}", headers=admin.headers)).status_code == 200


class TestMerge:
    async def test_every_customer_ends_with_the_target_exactly_once(self, client, users):
        admin = users["admin"]
        source = await make_tag(client, admin, f"状态-意向强烈{uid()}")
        target = await make_tag(client, admin, f"状态-高意向{uid()}")
        bystander = await make_tag(client, admin)
        only_source = await create_customer(client, admin, tag_ids=[source["id"], bystander["id"]])
        only_target = await create_customer(client, admin, tag_ids=[target["id"]])
        both = await create_customer(client, admin, tag_ids=[source["id"], target["id"]])
        neither = await create_customer(client, admin, tag_ids=[bystander["id"]])

        response = await client.post(
            f"/tags/{source['id']}/merge", json={"into_tag_id": target["id"]}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["id"] == target["id"]
        assert response.json()["name"] == target["name"]
        assert response.json()["customer_count"] == 3

        assert sorted(await tag_names_of(client, admin, only_source["id"])) == sorted(
            [target["name"], bystander["name"]]
        )
        assert await tag_names_of(client, admin, only_target["id"]) == [target["name"]]
        assert await tag_names_of(client, admin, both["id"]) == [target["name"]]
        assert await tag_names_of(client, admin, neither["id"]) == [bystander["name"]]
        listed = await client.get(
            "/customers", params={"tag_id": target["id"], "limit": 200}, headers=admin.headers
        )
        assert sorted(c["id"] for c in listed.json()["items"]) == sorted(
            [only_source["id"], only_target["id"], both["id"]]
        )

    async def test_the_source_is_gone(self, client, users):
        admin = users["admin"]
        source, target = await make_tag(client, admin), await make_tag(client, admin)
        await create_customer(client, admin, tag_ids=[source["id"]])
        response = await client.post(
            f"/tags/{source['id']}/merge", json={"into_tag_id": target["id"]}, headers=admin.headers
        )
        assert response.status_code == 200
        assert_problem(
            await client.get(f"/tags/{source['id']}", headers=admin.headers), 404, "not-found"
        )
        listed = await client.get("/tags", headers=admin.headers)
        assert source["id"] not in [t["id"] for t in listed.json()]

    async def test_merged_customers_history_shows_a_tag_merge_event(self, client, users):
        admin = users["admin"]
        source, target = await make_tag(client, admin), await make_tag(client, admin)
        merged = await create_customer(client, admin, tag_ids=[source["id"]])
        both = await create_customer(client, admin, tag_ids=[source["id"], target["id"]])
        untouched = await create_customer(client, admin, tag_ids=[target["id"]])
        await client.post(
            f"/tags/{source['id']}/merge", json={"into_tag_id": target["id"]}, headers=admin.headers
        )
        for customer in (merged, both):
            history = await client.get(
                f"/customers/{customer['id']}/history", headers=admin.headers
            )
            assert history.status_code == 200
            events = [e for e in history.json()["items"] if e["action"] == "tag-merge"]
            assert len(events) == 1
            assert events[0]["actor_id"] == admin.id
            assert events[0]["changes"] == {"tags": [[source["name"]], [target["name"]]]}
        history = await client.get(f"/customers/{untouched['id']}/history", headers=admin.headers)
        assert "tag-merge" not in [e["action"] for e in history.json()["items"]]
        [event] = await audit(
            client, admin, entity_type="tag", entity_id=source["id"], action="merge"
        )
        assert event["changes"]["merged_into"] == [None, target["name"]]
        assert event["changes"]["customers"] == [None, 2]

    async def test_merging_an_unused_tag_just_removes_it(self, client, users):
        admin = users["admin"]
        source, target = await make_tag(client, admin), await make_tag(client, admin)
        response = await client.post(
            f"/tags/{source['id']}/merge", json={"into_tag_id": target["id"]}, headers=admin.headers
        )
        assert response.status_code == 200 and response.json()["customer_count"] == 0
        assert (await client.get(f"/tags/{source['id']}", headers=admin.headers)).status_code == 404

    async def test_into_itself_is_422_and_keeps_the_tag(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        customer = await create_customer(client, admin, tag_ids=[tag["id"]])
        response = await client.post(
            f"/tags/{tag['id']}/merge", json={"into_tag_id": tag["id"]}, headers=admin.headers
        )
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["field"] == "into_tag_id"
        assert await tag_names_of(client, admin, customer["id"]) == [tag["name"]]

    async def test_into_an_unknown_tag_is_404_and_keeps_the_source(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        customer = await create_customer(client, admin, tag_ids=[tag["id"]])
        response = await client.post(
            f"/tags/{tag['id']}/merge", json={"into_tag_id": 999999999}, headers=admin.headers
        )
        assert_problem(response, 404, "not-found")
        assert await tag_names_of(client, admin, customer["id"]) == [tag["name"]]

    async def test_an_unknown_source_is_404(self, client, users):
        admin = users["admin"]
        target = await make_tag(client, admin)
        response = await client.post(
            "/tags/999999999/merge", json={"into_tag_id": target["id"]}, headers=admin.headers
        )
        assert_problem(response, 404, "not-found")

    async def test_only_admins_merge(self, client, users):
        admin = users["admin"]
        source, target = await make_tag(client, admin), await make_tag(client, admin)
        for role in OTHER_ROLES:
            response = await client.post(
                f"/tags/{source['id']}/merge",
                json={"into_tag_id": target["id"]},
                headers=users[role].headers,
            )
            assert_problem(response, 403, "forbidden")
        assert (await client.get(f"/tags/{source['id']}", headers=admin.headers)).status_code == 200


class TestUnusedTags:
    async def test_unused_lists_only_tags_on_no_customer(self, client, users):
        admin = users["admin"]
        unused, used = await make_tag(client, admin), await make_tag(client, admin)
        await create_customer(client, admin, tag_ids=[used["id"]])
        response = await client.get(
            "/tags", params={"unused": "true"}, headers=users["supervisor"].headers
        )
        assert response.status_code == 200
        listed = {t["id"]: t for t in response.json()}
        assert unused["id"] in listed and used["id"] not in listed
        assert all(t["customer_count"] == 0 for t in listed.values())

    async def test_a_tag_becomes_unused_when_its_last_customer_drops_it(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        customer = await create_customer(client, admin, tag_ids=[tag["id"]])
        removed = await client.delete(
            f"/customers/{customer['id']}/tags/{tag['id']}", headers=admin.headers
        )
        assert removed.status_code == 200
        response = await client.get("/tags", params={"unused": True}, headers=admin.headers)
        assert tag["id"] in [t["id"] for t in response.json()]

    async def test_customer_count_is_right(self, client, users):
        admin = users["admin"]
        zero, one, three = [await make_tag(client, admin) for _ in range(3)]
        await create_customer(client, admin, tag_ids=[one["id"], three["id"]])
        await create_customer(client, admin, tag_ids=[three["id"]])
        await create_customer(client, users["am"], tag_ids=[three["id"]])
        response = await client.get("/tags", headers=users["agent"].headers)
        counts = {t["id"]: t["customer_count"] for t in response.json()}
        assert (counts[zero["id"]], counts[one["id"]], counts[three["id"]]) == (0, 1, 3)
        single = await client.get(f"/tags/{three['id']}", headers=admin.headers)
        assert single.json()["customer_count"] == 3

    async def test_the_list_is_sorted_by_name(self, client, users):
        admin, prefix = users["admin"], f"排序-{uid()}-"
        for suffix in ("c", "a", "b"):
            await make_tag(client, admin, prefix + suffix)
        response = await client.get("/tags", headers=admin.headers)
        mine = [t["name"] for t in response.json() if t["name"].startswith(prefix)]
        assert mine == [prefix + "a", prefix + "b", prefix + "c"]


class TestDelete:
    async def test_a_tag_in_use_is_409_and_stays(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        customer = await create_customer(client, admin, tag_ids=[tag["id"]])
        response = await client.delete(f"/tags/{tag['id']}", headers=admin.headers)
        assert_problem(response, 409, "conflict")
        assert (await client.get(f"/tags/{tag['id']}", headers=admin.headers)).status_code == 200
        assert await tag_names_of(client, admin, customer["id"]) == [tag["name"]]
        assert (
            await audit(client, admin, entity_type="tag", entity_id=tag["id"], action="delete")
            == []
        )

    async def test_an_unused_tag_is_deleted_and_audited(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin, color="#00ff00")
        response = await client.delete(
            f"/tags/{tag['id']}", headers={**admin.headers, "If-Match": f'"{tag["version"]}"'}
        )
        assert response.status_code == 204 and response.content == b""
        assert_problem(
            await client.get(f"/tags/{tag['id']}", headers=admin.headers), 404, "not-found"
        )
        [event] = await audit(
            client, admin, entity_type="tag", entity_id=tag["id"], action="delete"
        )
        assert event["actor_id"] == admin.id
        assert event["changes"] == {"name": [tag["name"], None], "color": ["#00ff00", None]}

    async def test_deleting_twice_is_404(self, client, users):
        admin = users["admin"]
        tag = await make_tag(client, admin)
        assert (await client.delete(f"/tags/{tag['id']}", headers=admin.headers)).status_code == 204
        assert_problem(
            await client.delete(f"/tags/{tag['id']}", headers=admin.headers), 404, "not-found"
        )

    async def test_only_admins_delete(self, client, users):
        tag = await make_tag(client, users["admin"])
        for role in OTHER_ROLES:
            assert_problem(
                await client.delete(f"/tags/{tag['id']}", headers=users[role].headers),
                403,
                "forbidden",
            )
        assert (
            await client.get(f"/tags/{tag['id']}", headers=users["admin"].headers)
        ).status_code == 200
