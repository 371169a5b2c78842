"""The `customer-value` job (RFM) and `GET /customers/{id}/value`: a hand-checked example.

Ten customers with orders, as of 2024-12-31 (Shanghai). score = 1 + floor(5·(mid − ½)/10),
where mid is the middle of the ranks a group of equal values spans (RANK() ascending): for
distinct values ranks 1-2 → 1, 3-4 → 2, 5-6 → 3, 7-8 → 4, 9-10 → 5.

    cust  last order (days ago)  orders  amount      R  F  M  total  grade/level
    A       5                    8       88,000.00   5  5  5  15     S high
    B      60                    6       20,000.00   4  5  4  13     S high
    C       2                    1      150,000.00   5  1  5  11     A medium
    D     200                    4        8,000.00   3  4  3  10     A medium (locked: S)
    E     700                    5       20,000.00   1  4  4   9     B medium
    F      45                    2          800.00   4  2  1   7     B medium
    G     300                    3        1,200.50   2  3  1   6     C low
    H     150                    3        3,000.00   3  3  2   8     B medium
    I     400                    2        9,500.00   2  2  3   7     B medium
    J     400                    1        4,999.99   2  1  2   5     C low

R, older first: E (rank 1) → 1; I and J tie on ranks 2-3, mid 2.5 → 1 + floor(5·2/10) = 2;
G (4) → 2; D (5), H (6) → 3; B (7), F (8) → 4; A (9), C (10) → 5.
F, fewer first: C, J (ranks 1-2, mid 1.5 → 1 + floor(5·1/10) = 1); F, I (3-4 → 2);
G, H (5-6 → 3); D (7), E (8) → 4; B (9), A (10) → 5.
M, less first: F (1), G (2) → 1; H (3), J (4) → 2; D (5), I (6) → 3; B and E tie (7-8,
mid 7.5 → 1 + floor(5·7/10) = 4); A (9), C (10) → 5.
Not counted: J's cancelled order of 1,000,000.00 the day before (it would make J R5 F2 M5),
and K, archived, with a large recent order (an 11th customer would shift every rank). L has
no orders: no scores, level or grade. D's grade was fixed by an admin (S) and stays.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update

from persistence.models import CustomerOrder
from tests.jobs.conftest import local
from tests.jobs.lifecycle.conftest import World

RUN_AT = local("2024-12-31 02:45")
AS_OF = date(2024, 12, 31)
# name: (days since the last order, amounts of the orders, oldest first)
ORDERS = {
    "A": (5, ["10000.00"] * 7 + ["18000.00"]),
    "B": (60, ["3000.00"] * 5 + ["5000.00"]),
    "C": (2, ["150000.00"]),
    "D": (200, ["2000.00"] * 4),
    "E": (700, ["4000.00"] * 5),
    "F": (45, ["300.00", "500.00"]),
    "G": (300, ["400.00", "400.00", "400.50"]),
    "H": (150, ["1000.00"] * 3),
    "I": (400, ["4500.00", "5000.00"]),
    "J": (400, ["4999.99"]),
}
EXPECTED = {  # R, F, M, level, grade
    "A": (5, 5, 5, "high", "S"),
    "B": (4, 5, 4, "high", "S"),
    "C": (5, 1, 5, "medium", "A"),
    "D": (3, 4, 3, "medium", "S"),
    "E": (1, 4, 4, "medium", "B"),
    "F": (4, 2, 1, "medium", "B"),
    "G": (2, 3, 1, "low", "C"),
    "H": (3, 3, 2, "medium", "B"),
    "I": (2, 2, 3, "medium", "B"),
    "J": (2, 1, 2, "low", "C"),
}
THRESHOLDS = {
    "recency_days": [
        {"score": 1, "min": 700, "max": 700, "customers": 1},
        {"score": 2, "min": 300, "max": 400, "customers": 3},
        {"score": 3, "min": 150, "max": 200, "customers": 2},
        {"score": 4, "min": 45, "max": 60, "customers": 2},
        {"score": 5, "min": 2, "max": 5, "customers": 2},
    ],
    "frequency": [
        {"score": s, "min": low, "max": high, "customers": 2}
        for s, low, high in ((1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 5), (5, 6, 8))
    ],
    "monetary": [
        {"score": s, "min": low, "max": high, "customers": 2}
        for s, low, high in (
            (1, "800.00", "1200.50"),
            (2, "3000.00", "4999.99"),
            (3, "8000.00", "9500.00"),
            (4, "20000.00", "20000.00"),
            (5, "88000.00", "150000.00"),
        )
    ],
}


async def example(world: World) -> dict[str, int]:
    ids = {}
    for name, (ago, amounts) in ORDERS.items():
        ids[name] = await world.customer(
            owner=None if name == "B" else "am", name=f"价值客户{name}"
        )
        last = AS_OF - timedelta(days=ago)
        for k, amount in enumerate(amounts):
            await world.order(ids[name], last - timedelta(days=10 * (len(amounts) - 1 - k)), amount)
    await world.order(ids["J"], AS_OF - timedelta(days=1), "1000000.00", status="cancelled")
    ids["K"] = await world.customer(archived=True)
    await world.order(ids["K"], AS_OF - timedelta(days=1), "999999.00")
    ids["L"] = await world.customer()
    r = await world.client.patch(
        f"/customers/{ids['D']}", json={"grade": "S"}, headers=world.users["admin"].headers
    )
    assert r.status_code == 200 and r.json()["grade_locked"] is True, r.text
    return ids


async def values(world: World, customer_id: int) -> tuple:
    c = await world.get(customer_id)
    return c.rfm_recency, c.rfm_frequency, c.rfm_monetary, c.value_level, c.grade


class TestHandCheckedExample:
    async def test_ten_customers_get_the_expected_scores_and_grades(self, world):
        ids = await example(world)
        result = await world.run("customer-value", RUN_AT)
        assert result["as_of"] == "2024-12-31" and result["scored"] == 10
        # the ten; L has no orders (nothing to write) and K is archived
        assert (result["scored_changed"], result["unscored_changed"]) == (10, 0)
        assert result["thresholds"] == THRESHOLDS
        for name, expected in EXPECTED.items():
            assert await values(world, ids[name]) == expected, name
        assert await values(world, ids["L"]) == (None, None, None, None, None)
        assert (await world.get(ids["L"])).value_computed_at is None
        assert await values(world, ids["K"]) == (None, None, None, None, None)
        d = await world.get(ids["D"])
        assert d.grade_locked is True and d.value_computed_at == RUN_AT

    async def test_a_second_run_changes_nothing(self, world):
        await example(world)
        await world.run_at("customer-value", RUN_AT)
        before = await world.snapshot()
        for at in (RUN_AT, RUN_AT + timedelta(days=1)):  # every recency one day older
            result = await world.run_at("customer-value", at)
            assert (result["scored"], result["scored_changed"], result["unscored_changed"]) == (
                10,
                0,
                0,
            )
        assert await world.snapshot() == before

    async def test_changes_of_level_and_grade_are_on_the_history(self, world):
        ids = await example(world)
        await world.run("customer-value", RUN_AT)
        [a] = await world.history(ids["A"], "value")
        assert a["actor_id"] is None
        assert a["changes"] == {"value_level": [None, "high"], "grade": [None, "S"]}
        [d] = await world.history(ids["D"], "value")
        assert d["changes"] == {"value_level": [None, "medium"]}  # its grade is locked
        assert await world.history(ids["L"], "value") == []

    async def test_unlocking_hands_the_grade_back_to_rfm(self, world):
        ids = await example(world)
        await world.run("customer-value", RUN_AT)
        world.clock.at = local("2025-01-01 10:00")
        r = await world.client.patch(
            f"/customers/{ids['D']}",
            json={"grade_locked": False},
            headers=world.users["admin"].headers,
        )
        assert r.status_code == 200 and r.json()["grade"] == "S", r.text
        result = await world.run("customer-value", local("2025-01-02 02:45"))
        assert result["scored_changed"] == 1
        assert await values(world, ids["D"]) == (3, 4, 3, "medium", "A")
        assert (await world.history(ids["D"], "value"))[-1]["changes"] == {"grade": ["S", "A"]}

    async def test_a_customer_whose_orders_are_all_cancelled_loses_its_scores(self, world):
        ids = await example(world)
        await world.run("customer-value", RUN_AT)
        async with world.database.session(write=True) as s:
            await s.execute(
                update(CustomerOrder)
                .where(CustomerOrder.customer_id == ids["C"])
                .values(status="cancelled")
            )
        result = await world.run("customer-value", local("2025-01-01 02:45"))
        assert (result["scored"], result["unscored_changed"]) == (9, 1)
        assert await values(world, ids["C"]) == (None, None, None, None, None)
        assert (await world.get(ids["C"])).value_computed_at == local("2025-01-01 02:45")
        assert (await world.history(ids["C"], "value"))[-1]["changes"] == {
            "value_level": ["medium", None],
            "grade": ["A", None],
        }
        # D keeps its locked grade even without orders
        async with world.database.session(write=True) as s:
            await s.execute(
                update(CustomerOrder)
                .where(CustomerOrder.customer_id == ids["D"])
                .values(status="cancelled")
            )
        await world.run("customer-value", local("2025-01-02 02:45"))
        assert await values(world, ids["D"]) == (None, None, None, None, "S")


class TestExplanation:
    async def test_explains_scores_rule_and_thresholds(self, world):
        ids = await example(world)
        await world.run("customer-value", RUN_AT)
        r = await world.client.get(
            f"/customers/{ids['D']}/value", headers=world.users["am"].headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (
            body["recency_days"],
            body["last_order_on"],
            body["frequency"],
            body["monetary"],
        ) == (200, "2024-06-14", 4, "8000.00")
        assert body["scores"] == {"recency": 3, "frequency": 4, "monetary": 3, "total": 10}
        assert (body["value_level"], body["grade"], body["grade_locked"]) == ("medium", "S", True)
        assert body["rule"] == "R+F+M = 10 ≥ 10 → A (medium); grade fixed by an admin: S"
        assert body["rules"][0] == {"min_total": 13, "grade": "S", "value_level": "high"}
        assert body["run"]["as_of"] == "2024-12-31" and body["run"]["scored"] == 10
        assert body["run"]["thresholds"] == THRESHOLDS
        assert Decimal(body["run"]["thresholds"]["monetary"][0]["min"]) == Decimal("800.00")

    async def test_before_the_first_run_and_without_orders(self, world):
        c = await world.customer()
        r = await world.client.get(f"/customers/{c}/value", headers=world.users["am"].headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["run"] is None
        assert body["rule"] == "no orders: no scores, value level or computed grade"
        assert (body["frequency"], body["monetary"], body["recency_days"]) == (0, "0.00", None)
        await world.run("customer-value", RUN_AT)
        body = (
            await world.client.get(f"/customers/{c}/value", headers=world.users["am"].headers)
        ).json()
        assert body["scores"]["total"] is None and body["value_level"] is None
        assert body["rule"] == "no orders: no scores, value level or computed grade"
        assert body["run"]["scored"] == 0 and body["run"]["thresholds"] == {
            "recency_days": [],
            "frequency": [],
            "monetary": [],
        }

    async def test_who_may_read_it(self, world):
        c = await world.customer(owner="am")
        for user, status in (
            ("admin", 200),
            ("am", 200),
            ("supervisor", 200),
            ("readonly", 200),
            ("am2", 404),
            ("agent", 403),
        ):
            r = await world.client.get(f"/customers/{c}/value", headers=world.users[user].headers)
            assert r.status_code == status, (user, r.text)
            if status != 200:
                assert r.headers["content-type"] == "application/problem+json"
        r = await world.client.get(
            "/customers/999999999/value", headers=world.users["admin"].headers
        )
        assert r.status_code == 404

    async def test_agents_do_not_see_the_value_level(self, world):
        c = await world.customer(owner="am")
        await world.order(c, "2024-12-01", "100.00")
        await world.run("customer-value", RUN_AT)
        agent = await world.client.get(f"/customers/{c}", headers=world.users["agent"].headers)
        assert agent.json()["value_level"] is None
        assert "value_level" in agent.json()["masked_fields"]
        owner = await world.client.get(f"/customers/{c}", headers=world.users["am"].headers)
        # a lone customer is the middle of its group: R3 F3 M3 = 9 → B, medium
        assert owner.json()["value_level"] == "medium" and owner.json()["masked_fields"] == []
        history = await world.client.get(
            f"/customers/{c}/history", headers=world.users["agent"].headers
        )
        [value] = [e for e in history.json()["items"] if e["action"] == "value"]
        assert value["changes"] == {"grade": [None, "B"]}  # the level is hidden
