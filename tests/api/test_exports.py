"""Exports of the lists: same filters, masked as the list, formula injection, audited, and
the round trip (an exported file imported with upsert changes nothing)."""

import csv
import io
import uuid
import zipfile

import pytest
import python_calamine

from tests.api.import_support import upload
from tests.conftest import create_customer, id_number
from tests.support import assert_problem


def rows_of(content: bytes) -> list[list]:
    return (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        .get_sheet_by_index(0)
        .to_python()
    )


async def export(client, user, path="/customers/export", **params):
    return await client.get(path, params=params, headers=user.headers)


@pytest.fixture
def prefix() -> str:
    return f"导出{uuid.uuid4().hex[:6]}"


class TestCustomerExport:
    async def test_same_filters_and_the_columns_people_see(self, client, users, prefix):
        await create_customer(client, users["admin"], name=f"{prefix}甲公司", stage="intent")
        await create_customer(client, users["admin"], name=f"{prefix}乙公司", stage="lost")
        r = await export(client, users["admin"], name=prefix, stage="intent")
        assert r.status_code == 200, r.text
        table = rows_of(r.content)
        assert table[0][:3] == ["客户编号", "客户名称", "客户类型"]
        assert [row[1] for row in table[1:]] == [f"{prefix}甲公司"]
        assert table[1][2] == "企业" and "意向" in table[1]
        r = await export(client, users["admin"], name=prefix, lang="en", format="csv")
        text = r.content.decode("utf-8-sig")
        assert text.startswith("Code,Name,Kind") and text.count(prefix) == 2

    async def test_many_pages_come_whole_and_in_the_lists_order(
        self, client, users, prefix, monkeypatch
    ):
        """Pages are read while the previous one is written: none lost, none reordered."""
        from api.routers import exports as router

        monkeypatch.setattr(router, "PAGE", 2)
        names = [f"{prefix}分页{n}" for n in range(7)]
        for name in names:
            await create_customer(client, users["admin"], name=name)
        r = await export(client, users["admin"], name=prefix, sort="name")
        assert r.status_code == 200, r.text
        assert [row[1] for row in rows_of(r.content)[1:]] == sorted(names)
        assert r.headers["x-export-rows"] == "7"

    async def test_masked_as_the_list_and_only_your_own(self, client, users, prefix):
        person = id_number()
        await create_customer(
            client, users["am"], kind="individual", name=f"{prefix}王", id_number=person
        )
        await create_customer(client, users["am2"], name=f"{prefix}别人的公司")
        supervisor = rows_of((await export(client, users["supervisor"], name=prefix)).content)
        ids = [row[4] for row in supervisor[1:] if row[4]]
        assert ids and person not in ids and ids[0].startswith(person[:6] + "*")
        mine = rows_of((await export(client, users["am"], name=prefix)).content)
        assert [row[1] for row in mine[1:]] == [f"{prefix}王"] and mine[1][4] == person

    async def test_tags_custom_fields_and_what_an_agent_may_not_see(self, client, users, prefix):
        admin = users["admin"]
        tag_ids = [
            (
                await client.post("/tags", json={"name": f"{prefix}{n}"}, headers=admin.headers)
            ).json()["id"]
            for n in "乙甲"
        ]
        keys = {}
        for label, sensitive in (("公开字段", False), ("敏感字段", True)):
            keys[label] = f"cf_{uuid.uuid4().hex[:8]}"
            r = await client.post(
                "/custom-fields",
                headers=admin.headers,
                json={
                    "key": keys[label],
                    "label_zh": f"{prefix}{label}",
                    "label_en": label,
                    "type": "text",
                    "sensitive": sensitive,
                },
            )
            assert r.status_code == 201, r.text
        person = id_number()
        await create_customer(
            client,
            admin,
            kind="individual",
            name=f"{prefix}李",
            id_number=person,
            tag_ids=tag_ids,
            custom_fields={keys["公开字段"]: "华东", keys["敏感字段"]: "底价"},
        )

        def columns(table: list[list]) -> dict:
            return dict(zip(table[0], table[1], strict=True))

        seen = columns(rows_of((await export(client, admin, name=prefix)).content))
        assert seen["标签"] == f"{prefix}乙、{prefix}甲"  # by name, as the list orders them
        assert seen["身份证号"] == person and seen["累计金额（元）"] == 0
        assert seen[f"{prefix}公开字段"] == "华东" and seen[f"{prefix}敏感字段"] == "底价"
        agent = columns(rows_of((await export(client, users["agent"], name=prefix)).content))
        assert agent["客户名称"] == f"{prefix}李" and agent["标签"] == seen["标签"]
        assert agent["身份证号"] == "" and agent["累计金额（元）"] == ""
        assert agent[f"{prefix}公开字段"] == "华东" and agent[f"{prefix}敏感字段"] == ""

    async def test_formula_injection(self, client, users, prefix):
        evil = f'=HYPERLINK("http://evil.example","{prefix}")'
        await create_customer(client, users["admin"], name=evil, region="+1-2", address="@SUM(1)")
        r = await export(client, users["admin"], name=prefix)
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            assert "<f>" not in sheet and "<hyperlink" not in sheet  # text, never a formula
        assert rows_of(r.content)[1][1] == evil
        r = await export(client, users["admin"], name=prefix, format="csv")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[1][1] == "'" + evil and "'+1-2" in rows[1] and "'@SUM(1)" in rows[1]

    async def test_every_export_is_audited(self, client, users, prefix):
        await create_customer(client, users["admin"], name=f"{prefix}审计")
        await export(client, users["admin"], name=prefix, stage="intent")
        events = (
            await client.get(
                "/audit-events", params={"entity_type": "export"}, headers=users["admin"].headers
            )
        ).json()["items"]
        assert events[0]["actor_id"] == users["admin"].id
        assert events[0]["changes"]["filters"][1] == {"name": prefix, "stage": ["intent"]}
        assert events[0]["changes"]["rows"] == [None, 1]

    async def test_archived_is_for_admins(self, client, users):
        assert_problem(await export(client, users["am"], archived="all"), 403)

    async def test_round_trip_upsert_changes_nothing(self, client, users, prefix):
        await create_customer(
            client,
            users["admin"],
            name=f"{prefix}往返一",
            region="上海",
            source="exhibition",
            urgency="high",
            grade="A",
        )
        await create_customer(
            client,
            users["admin"],
            kind="individual",
            name=f"{prefix}往返二",
            id_number=id_number("19880808"),
        )
        r = await export(client, users["admin"], name=prefix)
        body = (
            await upload(client, users["admin"], r.content, name="export.xlsx", mode="upsert")
        ).json()
        assert body["status"] == "committed", body["errors"]
        assert body["counts"]["unchanged"] == 2 and body["counts"]["update"] == 0
        assert body["counts"]["create"] == 0 and body["counts"]["errors"] == 0
        r = await export(client, users["admin"], name=prefix, format="csv")
        body = (
            await upload(client, users["admin"], r.content, name="export.csv", mode="upsert")
        ).json()
        assert body["counts"]["unchanged"] == 2, body


class TestOtherLists:
    async def test_tickets_and_follow_ups_and_opportunities(self, client, users):
        customer = await create_customer(client, users["am"])
        r = await client.post(
            "/tickets",
            headers=users["admin"].headers,
            json={
                "customer_id": customer["id"],
                "type": "complaint",
                "channel": "phone",
                "title": "导出工单",
            },
        )
        assert r.status_code == 201, r.text
        table = rows_of(
            (
                await export(client, users["admin"], "/tickets/export", customer_id=customer["id"])
            ).content
        )
        assert table[0][:2] == ["工单编号", "标题"] and table[1][1] == "导出工单"
        assert table[1][2] == customer["name"] and table[1][3] == "投诉"
        for path in ("/follow-ups/export", "/opportunities/export"):
            r = await export(client, users["am"], path)
            assert r.status_code == 200, (path, r.text)

    async def test_list_rules_apply(self, client, users):
        other = await create_customer(client, users["am2"])
        assert_problem(
            await export(client, users["am"], f"/customers/{other['id']}/contacts/export"), 404
        )
        assert_problem(await export(client, users["am"], "/audit-events/export"), 403)
        assert_problem(await export(client, users["agent"], "/opportunities/export"), 403)
        assert_problem(await export(client, users["admin"], "/tickets/export", format="pdf"), 422)

    async def test_contacts_and_orders(self, client, users):
        customer = await create_customer(client, users["am"])
        await client.post(
            f"/customers/{customer['id']}/contacts",
            headers=users["am"].headers,
            json={"name": "赵六", "mobile": "13812345678"},
        )
        table = rows_of(
            (
                await export(
                    client, users["supervisor"], f"/customers/{customer['id']}/contacts/export"
                )
            ).content
        )
        assert table[1][0] == "赵六" and table[1][2] == "+86138****5678"
        r = await export(client, users["am"], f"/customers/{customer['id']}/orders/export")
        assert r.status_code == 200 and rows_of(r.content)[0][0] == "订单号"


class TestBackgroundExport:
    async def test_large_export_runs_in_the_background_with_a_link_in_the_inbox(
        self, client, users, app, prefix, monkeypatch
    ):
        import asyncio

        from api.routers import exports as router

        monkeypatch.setattr(router, "BACKGROUND_ROWS", 1)
        for n in range(2):
            await create_customer(client, users["am"], name=f"{prefix}后台{n}")
        r = await export(client, users["am"], name=prefix)
        assert r.status_code == 202 and r.json() == {"status": "running", "rows": 2}
        await asyncio.gather(*app.state._export_tasks)
        inbox = (await client.get("/notifications", headers=users["am"].headers)).json()["items"]
        ready = next(n for n in inbox if n["kind"] == "export_ready")
        link = ready["body"].removeprefix("/api/v1")
        r = await client.get(link, headers=users["am"].headers)
        assert r.status_code == 200
        assert sorted(row[1] for row in rows_of(r.content)[1:]) == [
            f"{prefix}后台0",
            f"{prefix}后台1",
        ]
        assert_problem(await client.get(link, headers=users["am2"].headers), 404)
