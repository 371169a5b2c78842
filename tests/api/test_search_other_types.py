"""q= on tickets, follow-ups and opportunities, their groups in GET /search, and the ticket
list's added filters (channel, customer tag, closed range)."""

import pytest

from tests.api.sales_support import follow_up, opportunity
from tests.api.search_support import fresh_manager, search, token
from tests.api.ticket_support import list_ids, open_ticket
from tests.conftest import create_customer


@pytest.fixture
async def am(client, database):
    return await fresh_manager(client, database)


class TestTickets:
    async def test_q_on_code_title_description_and_customer_name(self, client, am, users):
        t = token()
        customer = await create_customer(client, am, name=t + "有限公司")
        other = await create_customer(client, am)
        a = await open_ticket(client, am, customer["id"], title="打印机卡纸")
        b = await open_ticket(
            client, am, other["id"], title="退货", description="客户说 Widget-X 坏了"
        )
        admin = users["admin"]
        assert await list_ids(client, admin, q=t) == [a["id"]]
        assert await list_ids(client, admin, q="widget-x") == [b["id"]]
        assert await list_ids(client, admin, q=b["code"]) == [b["id"]]
        assert await list_ids(client, am, q="打印机卡纸") == [a["id"]]
        groups = await search(client, admin, t, types="tickets")
        hit = groups["tickets"]["items"][0]
        assert (hit["id"], hit["field"], hit["subtitle"]) == (a["id"], "customer_name", a["code"])
        groups = await search(client, admin, "widget-x", types="tickets")
        hit = groups["tickets"]["items"][0]
        assert hit["field"] == "description"
        assert hit["value"][hit["highlight"][0] : hit["highlight"][1]].lower() == "widget-x"

    async def test_channel_and_customer_tag(self, client, am, users):
        from tests.api.test_customer_filters import tag

        admin = users["admin"]
        tag_id = await tag(client, admin, f"标签{token()}-一")
        tagged = await create_customer(client, am, tag_ids=[tag_id])
        plain = await create_customer(client, am)
        a = await open_ticket(client, am, tagged["id"], channel="email")
        b = await open_ticket(client, am, plain["id"], channel="phone")
        mine = set(await list_ids(client, am))
        assert {a["id"], b["id"]} <= mine
        assert set(await list_ids(client, am, channel="email")) & {a["id"], b["id"]} == {a["id"]}
        assert await list_ids(client, am, customer_tag_id=tag_id) == [a["id"]]
        assert await list_ids(client, am, closed_from="2000-01-01", customer_tag_id=tag_id) == []


class TestFollowUpsAndOpportunities:
    async def test_q_and_search_groups(self, client, am, users, database):
        t = token()
        customer = await create_customer(client, am)
        f = await follow_up(client, am, customer["id"], summary=f"介绍{t}方案", feedback="价格偏高")
        o = await opportunity(client, am, customer["id"], title=f"{t} 升级项目")
        response = await client.get("/follow-ups", params={"q": t}, headers=am.headers)
        assert [x["id"] for x in response.json()["items"]] == [f["id"]]
        response = await client.get("/follow-ups", params={"q": "价格偏高"}, headers=am.headers)
        assert f["id"] in [x["id"] for x in response.json()["items"]]
        response = await client.get("/opportunities", params={"q": t}, headers=am.headers)
        assert [x["id"] for x in response.json()["items"]] == [o["id"]]
        groups = await search(client, am, t)
        assert [h["id"] for h in groups["follow_ups"]["items"]] == [f["id"]]
        assert groups["follow_ups"]["items"][0]["field"] == "summary"
        assert [h["id"] for h in groups["opportunities"]["items"]] == [o["id"]]
        # agents see no money: no opportunities group content
        groups = await search(client, users["agent"], t)
        assert groups["opportunities"]["items"] == []
        # another account manager finds none of it
        other = await fresh_manager(client, database)
        groups = await search(client, other, t)
        assert all(g["items"] == [] for g in groups.values())
