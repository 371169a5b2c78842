"""Every filter and sort of the customer list, each combined with the others by AND; the
account manager fixture owns only what each test makes, so results are exact."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine.interfaces import CacheStats

from domain.search.normalize import name_sort_key
from persistence.models import Customer, CustomerOrder, CustomerTag
from tests.api.search_support import fresh_manager, token
from tests.conftest import create_customer, make_user
from tests.support import assert_problem, uid


@pytest.fixture
async def am(client, database):
    return await fresh_manager(client, database)


async def ids(client, user, **params) -> list[int]:
    response = await client.get("/customers", params={"limit": 200, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


async def set_columns(database, customer_id: int, **values) -> None:
    async with database.session(write=True) as session:
        await session.execute(update(Customer).where(Customer.id == customer_id).values(**values))


async def tag(client, admin, name: str) -> int:
    response = await client.post("/tags", json={"name": name}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


class TestFilters:
    async def test_enumerations_and_region(self, client, am):
        a = await create_customer(
            client, am, source="exhibition", urgency="high", region="浙江省杭州市"
        )
        b = await create_customer(
            client, am, source="referral", urgency="low", region="浙江省宁波市"
        )
        c = await create_customer(client, am, region="江苏省南京市")
        assert await ids(client, am, source="exhibition") == [a["id"]]
        assert set(await ids(client, am, source=["exhibition", "referral"])) == {a["id"], b["id"]}
        assert await ids(client, am, urgency="low") == [b["id"]]
        assert set(await ids(client, am, region="浙江省")) == {a["id"], b["id"]}
        assert await ids(client, am, region="浙江省杭州") == [a["id"]]
        assert set(await ids(client, am, region=["浙江省杭州", "江苏省"])) == {a["id"], c["id"]}
        assert await ids(client, am, region="浙江省", urgency="high") == [a["id"]]

    async def test_value_level_and_amounts_and_orders(self, client, am, database, users):
        a, b, c = [await create_customer(client, am) for _ in range(3)]
        await set_columns(
            database, a["id"], value_level="high", cumulative_amount=Decimal("5000.50")
        )
        await set_columns(database, b["id"], value_level="low", cumulative_amount=Decimal("100"))
        async with database.session(write=True) as session:
            await session.execute(
                insert(CustomerOrder),
                [
                    {
                        "customer_id": a["id"],
                        "order_no": f"O{uid()}",
                        "product": "x",
                        "amount": Decimal("1"),
                        "ordered_on": date(2025, 1, 1),
                        "status": status,
                        "version": 1,
                    }
                    for status in ("confirmed", "completed", "cancelled")
                ],
            )
        assert await ids(client, am, value_level="high") == [a["id"]]
        assert await ids(client, am, amount_min="5000.50") == [a["id"]]
        assert set(await ids(client, am, amount_max="100")) == {b["id"], c["id"]}
        assert await ids(client, am, amount_min="50", amount_max="200") == [b["id"]]
        assert await ids(client, am, order_count_min=2) == [a["id"]]  # cancelled ones not
        assert await ids(client, am, order_count_min=3) == []
        assert set(await ids(client, am, order_count_max=0)) == {b["id"], c["id"]}
        for hidden in ({"amount_min": 1}, {"value_level": "high"}, {"sort": "-cumulative_amount"}):
            response = await client.get("/customers", params=hidden, headers=users["agent"].headers)
            assert_problem(response, 403)  # a filter or sort would tell hidden amounts apart
        response = await client.get(
            "/customers", params={"sort": "-cumulative_amount"}, headers=users["readonly"].headers
        )
        assert response.status_code == 200, response.text

    async def test_owner_none_and_department(self, client, users, database):
        t = token()
        dept = await client.post(
            "/departments",
            json={"key": f"d{uid()}", "name": f"部门{uid()}"},
            headers=users["admin"].headers,
        )
        assert dept.status_code == 201, dept.text
        member = await make_user(
            client, database, "account_manager", department_id=dept.json()["id"]
        )
        owned = await create_customer(client, member, name=t + "甲")
        pooled = await create_customer(client, users["admin"], name=t + "乙")
        await set_columns(database, pooled["id"], owner_id=None)
        admin = users["admin"]
        assert await ids(client, admin, q=t, unowned="true") == [pooled["id"]]
        assert await ids(client, admin, q=t, owner_department_id=dept.json()["id"]) == [owned["id"]]

    async def test_tags_all_any_none_and_category(self, client, am, users):
        cat = f"类{uid()}"
        t1, t2, t3 = [await tag(client, users["admin"], f"{cat}-{n}") for n in ("一", "二", "三")]
        other = await tag(client, users["admin"], f"别{uid()}-x")
        a = await create_customer(client, am, tag_ids=[t1, t2])
        b = await create_customer(client, am, tag_ids=[t2])
        c = await create_customer(client, am, tag_ids=[other])
        d = await create_customer(client, am)
        assert await ids(client, am, tags_all=[t1, t2]) == [a["id"]]
        assert await ids(client, am, tag_id=[t1, t2]) == [a["id"]]
        assert set(await ids(client, am, tags_any=[t1, t2])) == {a["id"], b["id"]}
        assert set(await ids(client, am, tags_none=[t2])) == {c["id"], d["id"]}
        assert set(await ids(client, am, tags_none=[t1, t3], tags_any=[t2])) == {b["id"]}
        assert set(await ids(client, am, tag_category=cat)) == {a["id"], b["id"]}

    async def test_the_tag_copy_follows_every_tag_writer(self, client, am, users, database):
        """customer.tag_ids (which the tag filters read on PostgreSQL) is kept by triggers:
        a PATCH of the tags, a tag merge (insert-select and a cascading delete), an import's
        bulk insert; the filters and the customer_tag rows always agree."""
        admin = users["admin"]
        t1, t2, t3 = [await tag(client, admin, f"复制{uid()}") for _ in range(3)]
        a = await create_customer(client, am, tag_ids=[t1])
        b = await create_customer(client, am, tag_ids=[t1, t2])

        async def copies() -> dict[int, list[int]]:
            async with database.session(write=False) as session:
                rows = (
                    await session.execute(
                        select(Customer.id, Customer.tag_ids).where(
                            Customer.id.in_([a["id"], b["id"]])
                        )
                    )
                ).all()
                truth = (
                    await session.execute(
                        select(CustomerTag.customer_id, CustomerTag.tag_id)
                        .where(CustomerTag.customer_id.in_([a["id"], b["id"]]))
                        .order_by(CustomerTag.tag_id)
                    )
                ).all()
            expected: dict[int, list[int]] = {a["id"]: [], b["id"]: []}
            for customer_id, tag_id in truth:
                expected[customer_id].append(tag_id)
            assert {i: list(t) for i, t in rows} == expected
            return expected

        assert await copies() == {a["id"]: [t1], b["id"]: [t1, t2]}
        response = await client.patch(
            f"/customers/{a['id']}", json={"tag_ids": [t3, t2]}, headers=am.headers
        )
        assert response.status_code == 200, response.text
        assert await copies() == {a["id"]: sorted([t2, t3]), b["id"]: [t1, t2]}
        assert await ids(client, am, tags_all=[t2, t3]) == [a["id"]]
        response = await client.post(
            f"/tags/{t2}/merge", json={"into_tag_id": t1}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
        assert await copies() == {a["id"]: sorted([t1, t3]), b["id"]: [t1]}
        assert set(await ids(client, am, tags_all=[t1])) == {a["id"], b["id"]}
        assert await ids(client, am, tags_none=[t3], tags_any=[t1]) == [b["id"]]
        async with database.session(write=True) as session:  # a bulk write, as imports do
            await session.execute(insert(CustomerTag), [{"customer_id": b["id"], "tag_id": t3}])
        assert await copies() == {a["id"]: sorted([t1, t3]), b["id"]: sorted([t1, t3])}
        assert set(await ids(client, am, tags_all=[t3, t1])) == {a["id"], b["id"]}

    async def test_contact_dates_and_not_contacted_including_never(self, client, am, database):
        now = datetime.now(UTC)
        recent, old, never = [await create_customer(client, am) for _ in range(3)]
        await set_columns(
            database,
            recent["id"],
            last_contact_at=now - timedelta(days=2),
            first_contact_at=datetime(2024, 3, 1, 4, tzinfo=UTC),
        )
        await set_columns(
            database,
            old["id"],
            last_contact_at=now - timedelta(days=120),
            first_contact_at=datetime(2023, 3, 1, 4, tzinfo=UTC),
        )
        assert set(await ids(client, am, not_contacted_days=90)) == {old["id"], never["id"]}
        assert set(await ids(client, am, not_contacted_days=1)) == {
            recent["id"],
            old["id"],
            never["id"],
        }
        assert await ids(client, am, first_contact_from="2024-01-01") == [recent["id"]]
        assert await ids(client, am, first_contact_to="2023-12-31") == [old["id"]]

    async def test_custom_fields(self, client, am, users):
        from tests.api.test_custom_fields import define

        admin = users["admin"]
        text = await define(client, admin, "text")
        number = await define(client, admin, "number")
        day = await define(client, admin, "date")
        a = await create_customer(
            client,
            am,
            custom_fields={text["key"]: "电子", number["key"]: 12, day["key"]: "2024-05-01"},
        )
        b = await create_customer(
            client, am, custom_fields={text["key"]: "机械", number["key"]: 3.5}
        )
        await create_customer(client, am)
        assert await ids(client, am, custom=f"{text['key']}:电子") == [a["id"]]
        assert set(await ids(client, am, custom=f"{text['key']}:电子|机械")) == {a["id"], b["id"]}
        assert await ids(client, am, custom=f"{number['key']}:5..") == [a["id"]]
        assert await ids(client, am, custom=f"{number['key']}:..5") == [b["id"]]
        assert await ids(
            client, am, custom=[f"{number['key']}:1..20", f"{day['key']}:2024-01-01..2024-12-31"]
        ) == [a["id"]]
        response = await client.get(
            "/customers", params={"custom": "no_such_field:1"}, headers=am.headers
        )
        assert_problem(response, 422, field="custom[0]")
        response = await client.get(
            "/customers", params={"custom": f"{number['key']}:abc"}, headers=am.headers
        )
        assert_problem(response, 422, field="custom[0]")
        secret = await define(client, admin, "number", sensitive=True)
        response = await client.get(
            "/customers", params={"custom": f"{secret['key']}:1..9"}, headers=users["agent"].headers
        )
        assert_problem(response, 403)
        response = await client.get(
            "/customers", params={"custom": f"{text['key']}:电子"}, headers=users["agent"].headers
        )
        assert response.status_code == 200, response.text

    async def test_q_combines_with_filters(self, client, am):
        t = token()
        a = await create_customer(client, am, name=t + "甲", stage="intent")
        await create_customer(client, am, name=t + "乙", stage="potential")
        assert await ids(client, am, q=t, stage="intent") == [a["id"]]
        assert len(await ids(client, am, q=t)) == 2


class TestSorts:
    @pytest.mark.parametrize(
        "sort",
        [
            "last_contact_at",
            "-last_contact_at",
            "cumulative_amount",
            "-cumulative_amount",
            "grade",
            "-grade",
            "name",
            "-code",
        ],
    )
    async def test_keyset_pages_cover_everything_in_order(self, client, am, database, sort):
        made = [await create_customer(client, am) for _ in range(5)]
        grades = ["S", None, "B", "A", "C"]
        for i, c in enumerate(made):
            await set_columns(
                database,
                c["id"],
                grade=grades[i],
                cumulative_amount=Decimal(i % 3),
                last_contact_at=None if i == 1 else datetime(2025, 1, 1 + i % 2, tzinfo=UTC),
            )
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "sort": sort, **({"cursor": cursor} if cursor else {})}
            response = await client.get("/customers", params=params, headers=am.headers)
            assert response.status_code == 200, response.text
            seen += response.json()["items"]
            cursor = response.json()["next_cursor"]
            if not cursor:
                break
        assert sorted(c["id"] for c in seen) == sorted(c["id"] for c in made)
        key = {
            "last_contact_at": lambda c: c["last_contact_at"] or "",
            "cumulative_amount": lambda c: Decimal(c["cumulative_amount"]),
            "grade": lambda c: {"S": 4, "A": 3, "B": 2, "C": 1}.get(c["grade"], 0),
            "name": lambda c: c["name"],
            "code": lambda c: c["code"],
        }[sort.lstrip("-")]
        values = [key(c) for c in seen]
        assert values == sorted(values, reverse=sort.startswith("-"))

    @pytest.mark.parametrize(
        "sort",
        [
            "created_at",
            "name",
            "code",
            "updated_at",
            "-last_contact_at",
            "cumulative_amount",
            "-grade",
        ],
    )
    async def test_every_sort_is_compiled_once(self, client, am, database, sort):
        """A list statement SQLAlchemy cannot key is compiled again for every request (the sort
        by last contact once cost more to compile than to run): the second request of a sort,
        with a cursor, runs only statements from the compiled cache."""
        for _ in range(3):
            await create_customer(client, am)
        hits: list[object] = []

        def note(_conn, _cursor, statement, _params, context, _executemany) -> None:
            if statement.lstrip().startswith("SELECT"):  # not the driver's BEGIN
                hits.append(context.cache_hit)

        params = {"limit": 1, "sort": sort}
        first = await client.get("/customers", params=params, headers=am.headers)
        params["cursor"] = first.json()["next_cursor"]
        await client.get("/customers", params=params, headers=am.headers)
        engine = database.read_engine.sync_engine
        event.listen(engine, "before_cursor_execute", note)
        try:
            response = await client.get("/customers", params=params, headers=am.headers)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert response.status_code == 200, response.text
        assert hits and all(hit is CacheStats.CACHE_HIT for hit in hits), hits

    @pytest.mark.parametrize("descending", [False, True])
    async def test_names_sort_in_pinyin_order_across_pages(self, client, am, database, descending):
        """张 sorts among the z's, not by its code point; 西安 before 先; a renamed customer
        moves to its new place (the key is kept with the name)."""
        t = uid()[-6:]
        names = ["章子", "阿里", "先锋", "张三", "西安电子", "北京", "Zeta"]
        made = {n: await create_customer(client, am, name=f"{n}{t}") for n in names}
        response = await client.patch(
            f"/customers/{made['北京']['id']}", json={"name": f"重庆{t}"}, headers=am.headers
        )
        assert response.status_code in (200, 202), response.text
        if response.status_code == 202:  # an account manager's rename waits for an admin
            await set_columns(
                database, made["北京"]["id"], name=f"重庆{t}", name_sort=name_sort_key(f"重庆{t}")
            )
        seen, cursor = [], None
        while True:
            params = {
                "limit": 3,
                "sort": "-name" if descending else "name",
                **({"cursor": cursor} if cursor else {}),
            }
            response = await client.get("/customers", params=params, headers=am.headers)
            assert response.status_code == 200, response.text
            seen += [c["name"].removesuffix(t) for c in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if not cursor:
                break
        expected = ["阿里", "重庆", "西安电子", "先锋", "Zeta", "张三", "章子"]
        assert seen == (expected[::-1] if descending else expected)
