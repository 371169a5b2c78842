"""Analytics figures over a hand-built data set (tests/api/analytics_support.py). Every
expected number below was worked out by hand from that data set; see the comments.

Period: 2025-01-01 .. 2025-03-31 by month in Asia/Shanghai, so buckets are Jan, Feb, Mar.
The month-end edges: customer c2 and ticket t1 at 23:30 on 31 January count in January,
customer c3 and ticket t3 at 00:10 on 1 February in February."""

import pytest

from tests.api.analytics_support import build
from tests.api.ticket_support import new_department
from tests.conftest import make_user
from tests.support import assert_problem

Q1 = {"from": "2025-01-01", "to": "2025-03-31", "bucket": "month"}
MONTHS = ["2025-01-01", "2025-02-01", "2025-03-01"]


@pytest.fixture(scope="module")
async def data(client, database, users):
    department = await new_department(client, users["admin"])
    am1 = await make_user(client, database, "account_manager")
    am2 = await make_user(client, database, "account_manager")
    a1 = await make_user(client, database, "agent", department_id=department["id"])
    a2 = await make_user(client, database, "agent", department_id=department["id"])
    return await build(database, department_id=department["id"], am1=am1, am2=am2, a1=a1, a2=a2)


async def fig(client, user, path: str, **params) -> dict:
    response = await client.get(f"/analytics/{path}", params={**Q1, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def values(body: dict, name: str, group: str | None = None) -> list:
    [series] = [s for s in body["series"] if s["name"] == name and s["group"] == group]
    return [p["value"] for p in series["points"]]


def by_x(body: dict, name: str, group: str | None = None) -> dict:
    [series] = [s for s in body["series"] if s["name"] == name and s["group"] == group]
    return {p["x"]: p["value"] for p in series["points"]}


async def list_count(client, user, drill: dict) -> int:
    """How many items the drill-down list has, following its cursor."""
    total, cursor = 0, None
    while True:
        params = {**drill["query"], "limit": 200, **({"cursor": cursor} if cursor else {})}
        response = await client.get(drill["path"], params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        total += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return total


async def assert_drills_agree(client, user, body: dict) -> int:
    """Every count with a drill-down link: the list has exactly that many items."""
    checked = 0
    for series in body["series"]:
        for point in series["points"]:
            if point["drill"] is not None:
                assert await list_count(client, user, point["drill"]) == point["count"], (
                    series["name"],
                    series["group"],
                    point,
                )
                checked += 1
    return checked


class TestAnswerShape:
    async def test_definition_period_and_buckets(self, client, users, data):
        body = await fig(client, users["supervisor"], "customers/new", owner_id=data.am1.id)
        assert body["figure"] == "customers.new" and body["unit"] == "count"
        assert "新增客户" in body["definition"]["zh"]
        assert body["definition"]["en"].startswith("New customers")
        assert body["period"] == {
            "from": "2025-01-01",
            "to": "2025-03-31",
            "bucket": "month",
            "timezone": "Asia/Shanghai",
            "buckets": MONTHS,
        }

    async def test_weeks_start_monday_and_edges_are_cut(self, client, users, data):
        # 2025-01-29 is a Wednesday: its week began Monday 27th; the range cuts it to 29th.
        body = await fig(
            client,
            users["supervisor"],
            "customers/new",
            owner_id=data.am1.id,
            **{"from": "2025-01-29", "to": "2025-02-03", "bucket": "week"},
        )
        assert body["period"]["buckets"] == ["2025-01-29", "2025-02-03"]
        # c2 (31 Jan 23:30) in the first week, c3 (1 Feb 00:10, a Saturday) too.
        assert values(body, "new") == [2, 0]

    async def test_days_split_at_local_midnight(self, client, users, data):
        body = await fig(
            client,
            users["supervisor"],
            "customers/new",
            owner_id=data.am1.id,
            **{"from": "2025-01-31", "to": "2025-02-01", "bucket": "day"},
        )
        assert values(body, "new") == [1, 1]  # c2 on the 31st, c3 on the 1st

    async def test_bad_ranges_are_422(self, client, users):
        sup = users["supervisor"]
        r = await client.get(
            "/analytics/customers/new",
            headers=sup.headers,
            params={"from": "2025-03-01", "to": "2025-01-01"},
        )
        assert_problem(r, 422, field="to")
        r = await client.get(
            "/analytics/customers/new",
            headers=sup.headers,
            params={"from": "2020-01-01", "to": "2025-01-01", "bucket": "day"},
        )
        assert_problem(r, 422, field="bucket")
        r = await client.get(
            "/analytics/customers/new", headers=sup.headers, params={"to": "2025-01-01"}
        )
        assert_problem(r, 422)
        r = await client.get(
            "/analytics/customers/distribution",
            headers=sup.headers,
            params={**Q1, "dimension": "colour"},
        )
        assert_problem(r, 422, field="dimension")

    async def test_figures_are_listed_with_paths(self, client, users):
        r = await client.get("/analytics/figures", headers=users["agent"].headers)
        figures = {f["figure"]: f for f in r.json()}
        assert figures["service.top_problems"]["path"] == "/analytics/service/top-problems"
        assert len(figures) == 17


class TestCustomerFigures:
    async def test_new_customers_month_end_in_shanghai(self, client, users, data):
        body = await fig(client, users["supervisor"], "customers/new", owner_id=data.am1.id)
        # Jan: c1, c2 (31 Jan 23:30 local = 15:30 UTC); Feb: c3; Mar: c4 is archived.
        assert values(body, "new") == [2, 1, 0]
        body = await fig(client, data.am2, "customers/new")
        assert values(body, "new") == [1, 0, 0]  # c5

    async def test_activity(self, client, data):
        body = await fig(client, data.am1, "customers/activity")
        assert by_x(body, "customers") == {"active": 1, "dormant": 1, "churn_risk": 1}

    async def test_distribution(self, client, data):
        body = await fig(client, data.am1, "customers/distribution", dimension="industry")
        assert [(p["x"], p["value"]) for p in body["series"][0]["points"]] == [("I", 2), ("C", 1)]
        body = await fig(client, data.am1, "customers/distribution", dimension="grade")
        assert [(p["x"], p["value"]) for p in body["series"][0]["points"]] == [
            ("A", 1),
            ("S", 1),
            ("none", 1),
        ]
        body = await fig(client, data.am1, "customers/distribution", dimension="region")
        assert by_x(body, "region") == {"上海": 1, "北京": 1, "none": 1}

    async def test_repurchase(self, client, data):
        body = await fig(client, data.am1, "customers/repurchase")
        # Jan: c1 ordered twice, c2 once; Feb: c2 once (c1's order was cancelled); Mar: only
        # a cancelled order.
        assert values(body, "customers_with_orders") == [2, 1, 0]
        assert values(body, "repeat_customers") == [1, 0, 0]
        assert values(body, "repurchase_rate") == [0.5, 0.0, None]


class TestSalesFigures:
    async def test_follow_ups_per_owner_and_method(self, client, data):
        body = await fig(client, data.am1, "sales/follow-ups")
        me = str(data.am1.id)
        assert by_x(body, "follow_ups") == {me: 4}  # c5's belongs to am2's customer
        assert by_x(body, "follow_ups", "phone") == {me: 2}
        assert by_x(body, "follow_ups", "visit") == {me: 1}
        assert by_x(body, "follow_ups", "wechat") == {me: 1}  # 31 Mar 23:59 local

    async def test_funnel(self, client, data):
        body = await fig(client, data.am1, "sales/funnel")
        assert by_x(body, "opportunities") == {
            "intent": 1,
            "quote": 1,
            "contract": 1,
            "won": 1,
            "lost": 1,
        }
        # reached: intent 4 + the lost one = 5, quote 3, contract 2, won 1
        assert by_x(body, "reached") == {"intent": 5, "quote": 3, "contract": 2, "won": 1}
        assert by_x(body, "conversion") == {"intent": 0.6, "quote": 0.6667, "contract": 0.5}
        assert by_x(body, "amount") == {"won": 300.0, "lost": 1000.0}

    async def test_cycle(self, client, data):
        body = await fig(client, data.am1, "sales/cycle")
        # c2 first contacted 15 Jan (20:00 local), its opportunity won 10 Feb: 26 days.
        assert values(body, "median_days") == [None, 26, None]

    async def test_pool_moves(self, client, data):
        body = await fig(client, data.am1, "sales/pool")
        assert values(body, "claim") == [1, 0, 0]
        assert values(body, "release") == [0, 1, 0]  # c5's release was am2's


class TestServiceFigures:
    """As a supervisor filtering on the data set's department (t1..t7)."""

    async def test_volume_by_type(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/volume", department_id=data.department_id
        )
        assert values(body, "opened", "complaint") == [1, 1, 0]  # t1 on 31 Jan 23:30, t4
        assert values(body, "opened", "order_support") == [2, 1, 0]  # t2, t6 | t3 1 Feb 00:10
        assert values(body, "opened", "after_sales_repair") == [0, 0, 1]
        assert values(body, "opened", "training") == [0, 0, 1]
        assert values(body, "resolved", "order_support") == [2, 0, 1]
        assert values(body, "resolved", "complaint") == [0, 1, 0]
        assert values(body, "resolved", "training") == [0, 0, 1]
        assert values(body, "closed", "order_support") == [2, 0, 0]
        assert values(body, "closed", "complaint") == [0, 1, 0]
        assert values(body, "closed", "training") == [0, 0, 1]  # t5 was cancelled
        assert {s["group"] for s in body["series"] if s["name"] == "closed"} == {
            "order_support",
            "complaint",
            "training",
        }

    async def test_volume_by_channel_and_priority(self, client, users, data):
        body = await fig(
            client,
            users["supervisor"],
            "service/volume",
            department_id=data.department_id,
            dimension="channel",
        )
        assert values(body, "opened", "phone") == [2, 1, 1]
        assert values(body, "opened", "email") == [1, 0, 0]
        assert values(body, "opened", "web_form") == [0, 1, 0]
        body = await fig(
            client,
            users["supervisor"],
            "service/volume",
            department_id=data.department_id,
            dimension="priority",
        )
        assert values(body, "opened", "P3") == [2, 1, 1]

    async def test_backlog(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/backlog", department_id=data.department_id
        )
        # end Jan: t1; end Feb: t3 (resolved 5 Mar), t4; end Mar: t4
        assert values(body, "backlog") == [1, 2, 1]

    async def test_on_time_rates(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/sla", department_id=data.department_id
        )
        assert values(body, "first_response_fulfilled") == [2, 3, 1]
        assert values(body, "first_response_on_time") == [2, 2, 1]  # t3: 180 > 120
        assert values(body, "first_response_on_time_rate") == [1.0, 0.6667, 1.0]
        assert values(body, "resolution_fulfilled") == [2, 1, 2]
        assert values(body, "resolution_on_time_rate") == [1.0, 1.0, 0.5]  # t3: 2000 > 1620

    async def test_durations_median_and_p90(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/durations", department_id=data.department_id
        )
        # first response minutes: Jan [30, 60], Feb [20, 30, 180], Mar [10]
        assert values(body, "first_response_median_hours") == [0.5, 0.5, 0.17]
        assert values(body, "first_response_p90_hours") == [1.0, 3.0, 0.17]
        # resolution minutes: Jan [540, 3000], Feb [600], Mar [500, 2000]
        assert values(body, "resolution_median_hours") == [9.0, 10.0, 8.33]
        assert values(body, "resolution_p90_hours") == [50.0, 10.0, 33.33]

    async def test_reopen_rate(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/reopen", department_id=data.department_id
        )
        assert values(body, "resolved") == [2, 1, 2]
        assert values(body, "reopened") == [1, 0, 0]  # t2
        assert values(body, "reopen_rate") == [0.5, 0.0, 0.0]

    async def test_agents(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/agents", department_id=data.department_id
        )
        a1, a2 = str(data.a1.id), str(data.a2.id)
        assert by_x(body, "open") == {a1: 0, a2: 1}  # t4
        assert by_x(body, "opened") == {a1: 4, a2: 3}
        assert by_x(body, "resolved") == {a1: 3, a2: 2}
        assert by_x(body, "first_response_on_time_rate") == {a1: 1.0, a2: 0.6667}
        assert by_x(body, "resolution_on_time_rate") == {a1: 1.0, a2: 0.5}

    async def test_satisfaction(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/satisfaction", department_id=data.department_id
        )
        # Jan: t2 (5,5,5,5) and t6 (1,1,1,1); Feb: t1 (3,2,4,2); Mar: t7 (4,4,3,3)
        assert values(body, "response_speed") == [3.0, 3.0, 4.0]
        assert values(body, "resolution") == [3.0, 2.0, 4.0]
        assert values(body, "attitude") == [3.0, 4.0, 3.0]
        assert values(body, "overall") == [3.0, 2.0, 3.0]

    async def test_top_problems(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/top-problems", department_id=data.department_id
        )
        assert [(p["x"], p["value"], p["count"]) for p in body["series"][0]["points"]] == [
            ("complaint", 2.0, 1),
            ("order_support", 3.0, 2),
            ("training", 3.0, 1),
        ]

    async def test_complaints(self, client, users, data):
        body = await fig(
            client, users["supervisor"], "service/complaints", department_id=data.department_id
        )
        assert by_x(body, "complaints") == {"all": 2}
        assert by_x(body, "by_responsible_party") == {"none": 1, "service_error": 1}
        assert by_x(body, "by_root_cause") == {"none": 1, "响应慢": 1}


class TestRoles:
    async def test_account_manager_counts_only_their_customers(self, client, data):
        body = await fig(client, data.am1, "service/satisfaction")
        assert body["filters"]["owner_id"] == data.am1.id
        assert values(body, "overall") == [5.0, 2.0, 3.0]  # t6 is am2's customer's
        body = await fig(client, data.am2, "service/volume")
        assert values(body, "opened", "order_support") == [1, 0, 0]  # t6 only
        body = await fig(client, data.am2, "customers/activity")
        assert by_x(body, "customers") == {"active": 1, "dormant": 0, "churn_risk": 0}

    async def test_account_manager_may_not_ask_for_another_owner(self, client, data):
        r = await client.get(
            "/analytics/customers/new",
            headers=data.am1.headers,
            params={**Q1, "owner_id": data.am2.id},
        )
        assert_problem(r, 403, "forbidden")

    async def test_agent_sees_their_department_service_figures_only(self, client, data):
        body = await fig(client, data.a1, "service/backlog")
        assert body["filters"]["department_id"] == data.department_id
        assert values(body, "backlog") == [1, 2, 1]
        r = await client.get("/analytics/customers/new", headers=data.a1.headers, params=Q1)
        assert_problem(r, 403)
        r = await client.get(
            "/analytics/service/backlog",
            headers=data.a1.headers,
            params={**Q1, "department_id": data.department_id + 10**6},
        )
        assert_problem(r, 403)

    async def test_readonly_reads_like_a_supervisor(self, client, users, data):
        body = await fig(
            client, users["readonly"], "service/backlog", department_id=data.department_id
        )
        assert values(body, "backlog") == [1, 2, 1]


class TestDrillDown:
    async def test_account_manager_lists_agree(self, client, data):
        checked = 0
        for path, extra in (
            ("customers/new", {}),
            ("customers/activity", {}),
            ("customers/distribution", {"dimension": "industry"}),
            ("customers/distribution", {"dimension": "grade"}),
            ("customers/distribution", {"dimension": "stage"}),
            ("sales/follow-ups", {}),
            ("service/volume", {}),
            ("service/volume", {"dimension": "channel"}),
            ("service/agents", {}),
            ("service/complaints", {}),
        ):
            checked += await assert_drills_agree(
                client, data.am1, await fig(client, data.am1, path, **extra)
            )
        assert checked >= 25

    async def test_supervisor_and_agent_lists_agree(self, client, users, data):
        checked = 0
        for user in (users["supervisor"], data.a2):
            for path, extra in (
                ("service/volume", {}),
                ("service/volume", {"dimension": "priority"}),
                ("service/agents", {}),
                ("service/complaints", {}),
            ):
                body = await fig(client, user, path, department_id=data.department_id, **extra)
                checked += await assert_drills_agree(client, user, body)
        assert checked >= 30

    async def test_drill_carries_the_list_filters(self, client, data):
        body = await fig(client, data.am1, "customers/new")
        assert body["series"][0]["points"][0]["drill"] == {
            "path": "/customers",
            "query": {
                "created_from": "2025-01-01",
                "created_to": "2025-01-31",
                "owner_id": str(data.am1.id),
            },
        }
