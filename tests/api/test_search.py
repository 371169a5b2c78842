"""GET /search and q= on the customer list: what matches, how it ranks, who finds what, and
that the index follows every write (both back-ends)."""

import pytest

from tests.api.search_support import customer_ids, customer_with, fresh_manager, search, token
from tests.conftest import create_customer, credit_code, id_number, individual


@pytest.fixture
async def am(client, database):
    return await fresh_manager(client, database)


class TestMatching:
    async def test_chinese_name_by_any_substring(self, client, am):
        c = await create_customer(client, am, name="杭州明达电子有限公司")
        for q in ("杭", "明达", "杭州明达电子", "有限公司", "达电"):
            assert await customer_ids(client, am, q) == [c["id"]], q
        assert await customer_ids(client, am, "明电") == []

    async def test_pinyin_full_and_initials(self, client, am):
        c = await create_customer(client, am, name="杭州明达电子")
        for q in ("hangzhou", "HangZhou", "mingda", "hzmd", "hzmddz", "dz"):
            assert await customer_ids(client, am, q) == [c["id"]], q
        hit = (await search(client, am, "hzmd"))["customers"]["items"][0]
        assert (hit["field"], hit["value"], hit["highlight"]) == ("name", "杭州明达电子", [0, 4])
        hit = (await search(client, am, "mingda"))["customers"]["items"][0]
        assert hit["highlight"] == [2, 4]

    async def test_latin_case_insensitive_and_full_width(self, client, am):
        c = await create_customer(client, am, name="ACME Robotics 中国")
        for q in ("acme", "ROBOTICS", "ａｃｍｅ", "me rob"):
            assert await customer_ids(client, am, q) == [c["id"]], q

    async def test_contact_name_phone_email_wechat(self, client, am):
        c = await customer_with(
            client,
            am,
            contacts=[
                {
                    "name": "陈晓明",
                    "mobile": "13812345678",
                    "email": "Chen.XM@Example.com",
                    "wechat": "chenxm_88",
                },
                {"name": "李四", "phone": "010-88886666"},
            ],
        )
        for q in (
            "晓明",
            "陈",
            "1381",
            "138 1234 5678",
            "+86 138-1234",
            "5678",
            "00861381234",
            "chen.xm@example",
            "example.com",
            "CHENXM_88",
            "88886666",
            "010-8888",
            "(010) 88886666",
        ):
            assert await customer_ids(client, am, q) == [c["id"]], q
        # a fragment under 4 digits is no phone search (it may still be part of the random
        # credit code or the code, which are searched from three characters); digits must be
        # consecutive
        short = (await search(client, am, "138"))["customers"]["items"]
        assert [hit["field"] for hit in short if hit["field"] != "code"] == []
        assert await customer_ids(client, am, "1382345") == []
        groups = await search(client, am, "1381234")
        assert groups["customers"]["items"][0]["field"] == "phone"
        contact = groups["contacts"]["items"][0]
        assert (contact["title"], contact["field"], contact["value"], contact["highlight"]) == (
            "陈晓明",
            "phone",
            "13812345678",
            [0, 7],
        )

    async def test_code_credit_code_id_number_address(self, client, am):
        uscc = credit_code()
        org = await create_customer(
            client, am, credit_code=uscc, address="浙江省杭州市西湖区文三路"
        )
        number = id_number("19851122")
        person = await create_customer(
            client, am, **individual(id_number=number, name="张" + token(2))
        )
        assert await customer_ids(client, am, org["code"]) == [org["id"]]
        assert await customer_ids(client, am, org["code"].lower()) == [org["id"]]
        assert await customer_ids(client, am, uscc) == [org["id"]]
        assert await customer_ids(client, am, uscc[4:12]) == [org["id"]]
        assert await customer_ids(client, am, "西湖区文三") == [org["id"]]
        assert await customer_ids(client, am, number) == [person["id"]]
        assert await customer_ids(client, am, number[6:14]) == [person["id"]]

    async def test_short_latin_and_empty_queries_match_nothing(self, client, am):
        await create_customer(client, am, name="abc科技")
        assert await customer_ids(client, am, "a") == []
        assert await customer_ids(client, am, "   ") == []
        assert await customer_ids(client, am, "ab") != []  # two letters: names and pinyin

    async def test_like_wildcards_are_literal(self, client, am):
        c = await create_customer(client, am, name="百分之百%_公司")
        assert await customer_ids(client, am, "%_公") == [c["id"]]
        assert await customer_ids(client, am, "之_") == []


class TestRanking:
    async def test_tiers(self, client, am, database):
        t = token(2)
        pinyin_only = await create_customer(client, am, name="测试拼音")  # found by 'csp'
        contact = await customer_with(
            client,
            am,
            name="无关" + token(),
            contacts=[{"name": "王" + t, "mobile": "13900001111"}],
        )
        substring = await create_customer(client, am, name="北京" + t + "公司")
        prefix = await create_customer(client, am, name=t + "集团")
        exact = await create_customer(client, am, name="别的" + token())
        assert await customer_ids(client, am, t) == [prefix["id"], substring["id"], contact["id"]]
        in_address = await create_customer(
            client, am, name="别的" + token(), address="见 " + exact["code"]
        )  # newer
        assert await customer_ids(client, am, exact["code"]) == [exact["id"], in_address["id"]]
        assert await customer_ids(client, am, "csp") == [pinyin_only["id"]]

    async def test_exact_before_name_and_contact_before_pinyin(self, client, am):
        number = "13712340000"
        exact = await customer_with(
            client, am, name="甲" + token(), contacts=[{"name": "甲", "mobile": number}]
        )
        part = await customer_with(
            client, am, name="乙" + token(), contacts=[{"name": "乙", "mobile": "13712340001"}]
        )
        # both contain the fragment: newest first; the whole number puts its owner first
        assert await customer_ids(client, am, number[:8]) == [part["id"], exact["id"]]
        assert await customer_ids(client, am, number[:10]) == [part["id"], exact["id"]]
        assert (await customer_ids(client, am, number))[0] == exact["id"]
        # contact name beats pinyin: 'hz' is 何总's initials and 杭州's
        by_contact = await customer_with(
            client, am, name="丙" + token(), contacts=[{"name": "hz工作室"}]
        )
        by_pinyin = await create_customer(client, am, name="杭州" + token())
        ids = await customer_ids(client, am, "hz")
        assert ids.index(by_contact["id"]) < ids.index(by_pinyin["id"])

    async def test_ties_by_last_contact_newest_first(self, client, am, database):
        from datetime import UTC, datetime

        from sqlalchemy import update

        from persistence.models import Customer

        t = token(2)
        old, new, never = [
            await create_customer(client, am, name=t + suffix) for suffix in ("一", "二", "三")
        ]
        async with database.session(write=True) as session:
            for c, at in (
                (old, datetime(2024, 1, 1, tzinfo=UTC)),
                (new, datetime(2025, 1, 1, tzinfo=UTC)),
            ):
                await session.execute(
                    update(Customer).where(Customer.id == c["id"]).values(last_contact_at=at)
                )
        assert await customer_ids(client, am, t) == [new["id"], old["id"], never["id"]]

    async def test_limit_and_more(self, client, am):
        t = token(2)
        made = [await create_customer(client, am, name=t + str(i)) for i in range(5)]
        groups = await search(client, am, t, limit=3, types="customers")
        assert len(groups["customers"]["items"]) == 3 and groups["customers"]["more"]
        assert list(groups) == ["customers"]
        groups = await search(client, am, t, limit=5, types="customers")
        assert {h["id"] for h in groups["customers"]["items"]} == {c["id"] for c in made}
        assert not groups["customers"]["more"]


class TestRoles:
    async def test_account_manager_finds_only_their_own(self, client, database, users):
        t = token()
        am1, am2 = [await fresh_manager(client, database) for _ in range(2)]
        mine = await create_customer(client, am1, name=t + "甲")
        await create_customer(client, am2, name=t + "乙")
        assert await customer_ids(client, am1, t) == [mine["id"]]
        assert len(await customer_ids(client, users["admin"], t)) == 2

    async def test_id_numbers_match_only_for_who_sees_them(self, client, database, users, am):
        number = id_number("19770405")
        person = await create_customer(
            client, am, **individual(id_number=number, name="刘" + token())
        )
        for role in ("admin",):
            assert await customer_ids(client, users[role], number) == [person["id"]]
        assert await customer_ids(client, am, number) == [person["id"]]
        for role in ("agent", "supervisor", "readonly"):
            assert await customer_ids(client, users[role], number) == [], role
            assert await customer_ids(client, users[role], number[:10]) == [], role

    async def test_masked_phones_do_not_match(self, client, database, users, am):
        mobile = "1592468" + str(uuid_digits(4))
        c = await customer_with(
            client, am, name="周" + token(), contacts=[{"name": "周先生", "mobile": mobile}]
        )
        for role in ("admin", "agent"):
            assert await customer_ids(client, users[role], mobile[3:]) == [c["id"]], role
        for role in ("supervisor", "readonly"):
            assert await customer_ids(client, users[role], mobile[3:]) == [], role
            assert await customer_ids(client, users[role], mobile) == [], role
            groups = await search(client, users[role], "周先生")
            assert c["id"] in [h["id"] for h in groups["customers"]["items"]]
            assert all(h["field"] != "phone" for h in groups["contacts"]["items"])

    async def test_archived_customers_are_not_searched(self, client, users, am):
        t = token()
        c = await create_customer(client, am, name=t)
        response = await client.post(
            f"/customers/{c['id']}/archive",
            json={"reason": "结束合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert await customer_ids(client, users["admin"], t) == []

    async def test_needs_sign_in_and_validates(self, client, users):
        assert (await client.get("/search", params={"q": "x"})).status_code == 401
        response = await client.get(
            "/search", params={"q": "x", "types": "users"}, headers=users["admin"].headers
        )
        assert response.status_code == 422
        response = await client.get(
            "/search", params={"q": "x" * 101}, headers=users["admin"].headers
        )
        assert response.status_code == 422


def uuid_digits(n: int) -> str:
    import uuid

    return str(uuid.uuid4().int)[:n]


class TestIndexFollowsWrites:
    async def test_rename_add_change_and_delete_contacts(self, client, am, users):
        c = await create_customer(client, am, name="旧名" + token())
        new_name = "新名" + token()
        r = await client.patch(
            f"/customers/{c['id']}", json={"address": "深圳市南山区科技园"}, headers=am.headers
        )
        assert r.status_code == 200, r.text
        assert await customer_ids(client, am, "南山区科技") == [c["id"]]
        r = await client.patch(
            f"/customers/{c['id']}", json={"name": new_name}, headers=users["admin"].headers
        )
        assert r.status_code == 200, r.text
        assert await customer_ids(client, am, new_name) == [c["id"]]
        assert await customer_ids(client, am, "旧名") == []
        r = await client.post(
            f"/customers/{c['id']}/contacts",
            json={"name": "赵" + token(), "mobile": "18677776666"},
            headers=am.headers,
        )
        contact = r.json()
        assert await customer_ids(client, am, "77776666") == [c["id"]]
        r = await client.patch(
            f"/customers/{c['id']}/contacts/{contact['id']}",
            json={"mobile": "18655554444"},
            headers=am.headers,
        )
        assert r.status_code == 200, r.text
        assert await customer_ids(client, am, "77776666") == []
        assert await customer_ids(client, am, "55554444") == [c["id"]]
        r = await client.delete(
            f"/customers/{c['id']}/contacts/{contact['id']}", headers=am.headers
        )
        assert r.status_code == 204, r.text
        assert await customer_ids(client, am, "55554444") == []

    async def test_deleted_customer_leaves_the_index(self, client, am, users, database):
        from sqlalchemy import func, select

        from persistence.models import SearchDoc

        t = token()
        c = await create_customer(client, am, name=t)
        assert await customer_ids(client, users["admin"], t) == [c["id"]]
        r = await client.delete(f"/customers/{c['id']}", headers=users["admin"].headers)
        assert r.status_code == 204, r.text
        async with database.session(write=False) as session:
            assert (
                await session.scalar(
                    select(func.count())
                    .select_from(SearchDoc)
                    .where(SearchDoc.customer_id == c["id"])
                )
                == 0
            )
