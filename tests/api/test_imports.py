"""Customer imports: real files made here (GBK CSV, numeric phones and serial dates, in-file
and database duplicates, extra columns, formulas, a zip that is no workbook, an empty file),
every mode, all-or-nothing, access per role, the error report and revert."""

import asyncio
import io
import json
import uuid
from datetime import UTC, date, datetime

import pytest
import python_calamine
import xlsxwriter
from sqlalchemy import func, select

from domain.search.rules import FIELDS, grams
from persistence.models import AuditEvent, Contact, Customer, DataImport, SearchDoc
from tests.api.import_support import HEADERS, company, csv_bytes, fake_xlsx, mobile, upload, xlsx
from tests.api.search_support import search
from tests.conftest import create_customer, credit_code, id_number
from tests.support import assert_problem


async def count(database, model) -> int:
    async with database.session(write=False) as session:
        return await session.scalar(select(func.count()).select_from(model))


async def by_credit_code(database, code: str) -> Customer | None:
    async with database.session(write=False) as session:
        return await session.scalar(select(Customer).where(Customer.credit_code == code))


async def contacts_of(database, customer_id: int) -> list[Contact]:
    async with database.session(write=False) as session:
        return list(
            (
                await session.scalars(
                    select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
                )
            ).all()
        )


class TestTemplate:
    @pytest.mark.parametrize("lang,header", [("zh", "客户名称"), ("en", "Name")])
    async def test_template_has_headers_example_notes_and_dropdowns(
        self, client, users, lang, header
    ):
        r = await client.get(
            "/imports/templates/customers.xlsx",
            params={"lang": lang},
            headers=users["admin"].headers,
        )
        assert r.status_code == 200, r.text
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content))
        assert len(book.sheet_names) == 3
        data = book.get_sheet_by_index(0).to_python()
        assert header in data[0] and len(data) == 2  # headers + the example row
        notes = book.get_sheet_by_index(1).to_python()
        assert len(notes) > 20
        with __import__("zipfile").ZipFile(io.BytesIO(r.content)) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert sheet.count("<dataValidation ") >= 7  # kind, industry, size, stage, grade…

    async def test_template_is_for_writers(self, client, users):
        r = await client.get("/imports/templates/customers.xlsx", headers=users["agent"].headers)
        assert_problem(r, 403)


class TestDryRun:
    async def test_dry_run_counts_and_writes_nothing(self, client, users, database):
        before = await count(database, Customer)
        rows = [company(), company(), company(mobile="12345")]
        r = await upload(client, users["admin"], xlsx(rows))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "checked"
        assert body["counts"]["create"] == 2 and body["counts"]["errors"] == 1
        assert body["errors"][0]["row"] == 4 and body["errors"][0]["column"] == "手机"
        assert body["report_url"]
        assert await count(database, Customer) == before

    async def test_excel_damage_is_repaired(self, client, users, database):
        """Phones stored as numbers, serial dates, full-width digits and spaces, a formula."""
        headers = ["客户类型", "客户姓名", "身份证号", "出生日期", "手机", "联系人", "地区"]
        person = id_number("19900307")
        full_width = "１３９" + mobile()[3:]
        name = f"王{uuid.uuid4().hex[:6]}"  # names must not repeat other tests' customers
        as_number = float("138" + mobile()[3:])  # as Excel keeps a phone typed in a number cell
        rows = [
            ["个人", f"  {name}\u3000", person, 32939, as_number, "王小明", "=A1#上海"],
            [
                "个人",
                f"李{uuid.uuid4().hex[:6]}",
                id_number("19850101"),
                "1985年1月1日",
                full_width,
                "李四",
                None,
            ],
        ]
        r = await upload(client, users["admin"], xlsx(rows, headers), mode="insert_only")
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "committed", r.json()
        async with database.session(write=False) as session:
            wang = await session.scalar(select(Customer).where(Customer.id_number == person))
        assert wang.name == name and wang.birthday == date(1990, 3, 7)
        assert wang.region == "上海"  # the formula's cached value
        assert [c.mobile for c in await contacts_of(database, wang.id)] == [f"+86{int(as_number)}"]

    async def test_scientific_phone_and_ambiguous_date_are_reported(self, client, users):
        headers = ["客户类型", "客户姓名", "身份证号", "出生日期", "手机", "联系人"]
        rows = [["个人", "甲", id_number("19900307"), "5/3/1990", "1.38E+10", "甲"]]
        body = (await upload(client, users["admin"], xlsx(rows, headers))).json()
        messages = {e["column"]: e["message"] for e in body["errors"]}
        assert "scientific" in messages["手机"]
        assert "2024-03-05" in messages["出生日期"]

    async def test_gbk_csv(self, client, users, database):
        row = company(name="北京测试GBK有限公司" + mobile()[-4:])
        data = csv_bytes([row], encoding="gbk")
        r = await upload(client, users["admin"], data, name="客户.csv", mode="insert_only")
        assert r.status_code == 201 and r.json()["status"] == "committed", r.text
        assert (await by_credit_code(database, row[1])).name == row[0]

    async def test_utf8_bom_csv(self, client, users, database):
        row = company()
        r = await upload(
            client,
            users["admin"],
            b"\xef\xbb\xbf" + csv_bytes([row]),
            name="c.csv",
            mode="insert_only",
        )
        assert r.json()["status"] == "committed", r.text

    async def test_extra_columns_are_reported_and_the_mapping_shown(self, client, users):
        headers = [*HEADERS, "备注", "内部编号"]
        r = await upload(client, users["admin"], xlsx([company() + ["x", "y"]], headers))
        body = r.json()
        assert body["mapping"]["unmapped"] == ["备注", "内部编号"]
        assert body["mapping"]["columns"]["客户名称"] == "name"
        assert body["mapping"]["columns"]["手机2"] == "contact2.mobile"

    async def test_synonyms_and_a_changed_mapping(self, client, users):
        headers = ["公司名称", "信用代码", "联系电话", "姓名", "备注"]
        row = ["同义词测试公司", credit_code(), mobile(), "张三", "意向"]
        r = await upload(
            client,
            users["admin"],
            xlsx([row], headers),
            mapping=json.dumps({"备注": "stage", "联系电话": None}),
        )
        body = r.json()
        assert body["mapping"]["columns"] == {
            "公司名称": "name",
            "信用代码": "credit_code",
            "姓名": "contact1.name",
            "备注": "stage",
        }
        assert body["mapping"]["unmapped"] == ["联系电话"]
        assert body["counts"]["create"] == 1, body

    async def test_sheet_is_chosen_by_its_headers_whatever_the_order(self, client, users):
        data = xlsx([company()], extra_sheets={"说明": [["说明"], ["请填写客户"]]}, before=True)
        body = (await upload(client, users["admin"], data)).json()
        assert body["mapping"]["sheet"] == "客户" and body["counts"]["create"] == 1

    async def test_empty_rows_are_skipped(self, client, users):
        rows = [company(), [None] * len(HEADERS), company()]
        body = (await upload(client, users["admin"], xlsx(rows))).json()
        assert body["counts"]["total"] == 2 and body["counts"]["create"] == 2

    async def test_merged_cells_and_a_table_not_at_a1(self, client, users, database):
        # The table starts at B3; 客户阶段 is merged over three rows and given once, as
        # people do in Excel. The third row's mobile is bad: its error names row 6.
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet("客户")
        rows = [company(), company(), company(mobile="12345")]
        for c, header in enumerate(HEADERS):
            sheet.write_string(2, c + 1, header)
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if value is not None and c != 2:
                    sheet.write_string(r, c + 1, str(value))
        sheet.merge_range(3, 3, 5, 3, "成交")
        book.close()
        body = (await upload(client, users["admin"], out.getvalue())).json()
        assert body["counts"] == {**body["counts"], "total": 3, "create": 2, "errors": 1}
        assert [(e["row"], e["column"]) for e in body["errors"]] == [(6, "手机")]
        body = (
            await upload(
                client, users["admin"], out.getvalue(), mode="insert_only", import_valid_rows="true"
            )
        ).json()
        assert body["status"] == "committed" and body["counts"]["create"] == 2
        for row in rows[:2]:
            assert (await by_credit_code(database, row[1])).stage == "customer"


class TestBadFiles:
    @pytest.mark.parametrize(
        "name,data,status",
        [
            ("empty.xlsx", b"", 422),
            ("fake.xlsx", fake_xlsx(), 415),
            ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, 415),
            ("binary.csv", b"\x00\x01\x02\xff\xfe" * 20, 415),
            ("header-only.csv", "客户名称,手机\n".encode(), 422),
            ("no-name.csv", "备注,其他\nx,y\n".encode(), 422),
        ],
    )
    async def test_bad_file_is_4xx_and_leaves_nothing(
        self, client, users, database, name, data, status
    ):
        runs, customers = await count(database, DataImport), await count(database, Customer)
        r = await upload(client, users["admin"], data, name=name, mode="insert_only")
        assert_problem(r, status)
        assert await count(database, DataImport) == runs
        assert await count(database, Customer) == customers

    async def test_missing_kind_and_bad_mode(self, client, users):
        r = await client.post(
            "/imports",
            headers=users["admin"].headers,
            data={"mode": "everything"},
            files={"file": ("a.xlsx", xlsx([company()]))},
        )
        body = assert_problem(r, 422)
        assert {e["field"] for e in body["errors"]} == {"kind", "mode"}

    async def test_too_large_is_413(self, client, users, monkeypatch):
        from api.routers import imports

        monkeypatch.setattr(imports, "MAX_BYTES", 1000)
        r = await upload(client, users["admin"], b"x" * 5000, name="big.csv")
        assert_problem(r, 413)

    async def test_a_workbook_that_unpacks_too_big_is_refused_unread(
        self, client, users, monkeypatch
    ):
        from persistence.imports import files

        data = xlsx([company() for _ in range(50)])
        monkeypatch.setattr(files, "MAX_UNPACKED", 10_000)  # the sheet alone unpacks to more
        assert_problem(await upload(client, users["admin"], data), 422, "validation", field="file")
        monkeypatch.setattr(files, "MAX_UNPACKED", 1 << 30)
        assert (await upload(client, users["admin"], data)).json()["counts"]["create"] == 50

    async def test_a_reader_that_dies_is_a_clear_4xx_and_the_next_upload_is_read(
        self, client, users
    ):
        """Files are read in a child process: a workbook that crashes it or swallows its
        memory costs that upload, not the server."""
        from persistence.imports import child

        data = xlsx([company()])
        assert (await upload(client, users["admin"], data)).status_code == 201
        for process in list(child._child._processes.values()):  # as the kernel would
            process.kill()
            process.join()
        assert_problem(await upload(client, users["admin"], data), 415)
        assert (await upload(client, users["admin"], data)).json()["counts"]["create"] == 1


class TestModes:
    @pytest.fixture
    def batches_of_two(self, monkeypatch):
        """Rows checked and written two at a time: a small file goes through several batches."""
        from domain.imports import service

        monkeypatch.setattr(service, "CHECK_BATCH", 2)

    async def test_all_or_nothing_then_valid_rows(self, client, users, database):
        good, bad = company(), company(credit_code="91440000000000000X")
        r = await upload(client, users["admin"], xlsx([good, bad]), mode="insert_only")
        body = r.json()
        assert body["status"] == "rejected" and body["counts"]["errors"] == 1
        assert await by_credit_code(database, good[1]) is None
        r = await upload(
            client, users["admin"], xlsx([good, bad]), mode="insert_only", import_valid_rows=True
        )
        assert r.json()["status"] == "committed"
        assert await by_credit_code(database, good[1]) is not None

    async def test_duplicates_in_file_and_database(self, client, users, database):
        existing = await create_customer(client, users["admin"])
        taken_mobile = mobile()
        await client.post(
            f"/customers/{existing['id']}/contacts",
            headers=users["admin"].headers,
            json={"name": "老联系人", "mobile": taken_mobile},
        )
        first = company()
        rows = [
            first,
            company(credit_code=first[1]),
            company(credit_code=existing["credit_code"]),
            company(mobile=taken_mobile),
            company(name=existing["name"]),
        ]
        body = (
            await upload(client, users["admin"], xlsx(rows), mode="dry_run", simulate="insert_only")
        ).json()
        dups = {(d["row"], d["field"]): d for d in body["duplicates"]}
        assert dups[(3, "credit_code")]["of_row"] == 2
        assert dups[(4, "credit_code")]["of_code"] == existing["code"]
        assert dups[(5, "mobile")]["of_code"] == existing["code"]
        assert dups[(6, "name")]["of_code"] == existing["code"]
        assert body["counts"]["errors"] == 4 and body["counts"]["duplicates"] == 4

        body = (await upload(client, users["admin"], xlsx(rows), mode="skip_duplicates")).json()
        assert body["status"] == "committed", body
        assert body["counts"]["create"] == 1 and body["counts"]["skipped"] == 4

    async def test_upsert_updates_only_the_columns_given(self, client, users, database):
        existing = await create_customer(client, users["admin"], region="杭州", stage="potential")
        headers = ["统一社会信用代码", "客户阶段", "联系人", "手机"]
        new_mobile = mobile()
        row = [existing["credit_code"], "成交", "新联系人", new_mobile]
        r = await upload(client, users["admin"], xlsx([row], headers), mode="upsert")
        body = r.json()
        assert body["status"] == "committed" and body["counts"]["update"] == 1, body["errors"]
        customer = await by_credit_code(database, existing["credit_code"])
        assert customer.stage == "customer" and customer.region == "杭州"
        assert customer.version == existing["version"] + 1
        assert [c.mobile for c in await contacts_of(database, customer.id)] == ["+86" + new_mobile]
        history = (
            await client.get(f"/customers/{existing['id']}/history", headers=users["admin"].headers)
        ).json()["items"]
        assert history[0]["action"] == "import_update"
        assert history[0]["changes"]["import"][1]["file"] == "客户.xlsx"
        # the same file again changes nothing
        body = (await upload(client, users["admin"], xlsx([row], headers), mode="upsert")).json()
        assert body["counts"]["unchanged"] == 1 and body["counts"]["update"] == 0

    async def test_created_customers_are_audited_as_imported(self, client, users, database):
        row = company()
        body = (await upload(client, users["admin"], xlsx([row]), mode="insert_only")).json()
        customer = await by_credit_code(database, row[1])
        assert customer.code.startswith("C") and customer.owner_id == users["admin"].id
        history = (
            await client.get(f"/customers/{customer.id}/history", headers=users["admin"].headers)
        ).json()["items"]
        assert history[0]["action"] == "import"
        assert history[0]["changes"]["import"][1] == {"import_id": body["id"], "file": "客户.xlsx"}
        events = (
            await client.get(
                "/audit-events", params={"entity_type": "import"}, headers=users["admin"].headers
            )
        ).json()["items"]
        assert any(
            e["entity_id"] == body["id"] and e["changes"]["create"] == [None, 1] for e in events
        )

    async def test_a_file_checked_and_written_in_batches(
        self, client, users, database, batches_of_two
    ):
        """A batch is written while the next is checked: every customer comes with its own
        contacts, a code of its own, and a search document."""
        rows = [company(contact=f"联系人{uuid.uuid4().hex[:8]}") for _ in range(5)]
        body = (await upload(client, users["admin"], xlsx(rows), mode="insert_only")).json()
        assert body["status"] == "committed" and body["counts"]["create"] == 5, body
        codes = set()
        for row in rows:
            customer = await by_credit_code(database, row[1])
            assert customer.name == row[0]
            codes.add(customer.code)
            contacts = await contacts_of(database, customer.id)
            assert [(c.name, c.mobile) for c in contacts] == [(row[3], "+86" + row[4])]
            hits = (await search(client, users["admin"], row[3]))["customers"]["items"]
            assert [h["title"] for h in hits] == [row[0]]
        assert len(codes) == 5

    async def test_bulk_writes_keep_every_character(self, database):
        """Bulk writes (PostgreSQL: COPY) keep every character: backslashes, tabs, line
        breaks and quotes come back as written, in text and in JSON, and an empty text stays
        empty, not NULL."""
        from persistence.imports.repo import SqlImportRepo

        tricky = 'C:\\路\t"引号"\n第二行\r\\N {1,2}'
        async with database.session(write=True) as session:
            await SqlImportRepo(session).insert_audit(
                [
                    {
                        "actor_id": None,
                        "entity_type": "copy-test",
                        "entity_id": 1,
                        "customer_id": None,
                        "action": "",
                        "changes": {"note": [tricky, "x\\t"]},
                        "at": datetime.now(UTC),
                    }
                ]
            )
        async with database.session(write=False) as session:
            event = await session.scalar(
                select(AuditEvent).where(AuditEvent.entity_type == "copy-test")
            )
        assert event is not None
        assert (event.action, event.customer_id) == ("", None)
        assert event.changes == {"note": [tricky, "x\\t"]}

    async def test_a_later_batch_s_error_leaves_nothing_written(
        self, client, users, database, batches_of_two
    ):
        """All or nothing holds across batches: the first batches' customers were written
        when the last batch's error was found, and they are gone with it."""
        rows = [company() for _ in range(5)]
        rows[4][1] = rows[0][1]  # row 6 repeats row 2's credit code
        body = (await upload(client, users["admin"], xlsx(rows), mode="insert_only")).json()
        assert body["status"] == "rejected", body
        assert body["counts"]["errors"] == 1 and body["counts"]["create"] == 4, body["counts"]
        assert body["errors"][0]["row"] == 6 and "row 2" in body["errors"][0]["message"]
        for row in rows[:4]:
            assert await by_credit_code(database, row[1]) is None

    async def test_a_repeat_in_a_later_batch_is_a_repeat_of_the_file_not_of_the_database(
        self, client, users, database, batches_of_two
    ):
        """The lookups of a later batch do not see the customers the import itself wrote
        for an earlier one: the repeat is reported against its row, skipped, and the valid
        rows of every batch are written."""
        rows = [company() for _ in range(5)]
        rows[4][1] = rows[0][1]
        body = (await upload(client, users["admin"], xlsx(rows), mode="skip_duplicates")).json()
        assert body["status"] == "committed", body
        assert body["counts"]["create"] == 4 and body["counts"]["skipped"] == 1, body["counts"]
        assert body["duplicates"] == [
            {"row": 6, "field": "credit_code", "value": rows[0][1], "of_row": 2, "of_code": None}
        ]
        for row in rows[:4]:
            assert (await by_credit_code(database, row[1])).name == row[0]
        assert (await by_credit_code(database, rows[0][1])).name == rows[0][0]

    async def test_imported_customers_are_found_by_search_at_once(self, client, users):
        """Their search documents are written with them (built from the rows, not read back),
        and a contact an upsert adds to an existing customer is indexed too."""
        created, phone = company(), mobile()
        await upload(client, users["admin"], xlsx([created]), mode="insert_only")
        existing = company()
        await upload(client, users["admin"], xlsx([existing]), mode="insert_only")
        updated = list(existing)
        updated[HEADERS.index("联系人2")], updated[HEADERS.index("手机2")] = "李娜", phone
        await upload(client, users["admin"], xlsx([updated]), mode="upsert")
        for query, name in (
            (created[0], created[0]),
            (created[4], created[0]),
            (phone, existing[0]),
            ("李娜", existing[0]),
        ):
            hits = (await search(client, users["admin"], query))["customers"]["items"]
            assert name in [hit["title"] for hit in hits], query

    async def test_found_while_their_grams_wait_and_after_they_are_filled(
        self, client, users, database, monkeypatch
    ):
        """PostgreSQL leaves an import's grams to the search-grams filler (after the commit):
        meanwhile the customers are found by their text, and the filler gives them the grams
        a customer's own write would. An edit before the filler keeps its own document."""
        from jobs import search_grams

        started: list[object] = []
        monkeypatch.setattr(search_grams, "start", started.append)
        rows = [company(contact=f"联系人{uuid.uuid4().hex[:8]}") for _ in range(3)]
        body = (await upload(client, users["admin"], xlsx(rows), mode="insert_only")).json()
        assert body["status"] == "committed", body
        ids = [(await by_credit_code(database, row[1])).id for row in rows]
        postgres = database.write_engine.dialect.name == "postgresql"
        assert await _without_grams(database, ids) == (3 if postgres else 0)
        assert started == [database]
        renamed = f"改名{uuid.uuid4().hex[:8]}"
        r = await client.patch(
            f"/customers/{ids[2]}", json={"name": renamed}, headers=users["admin"].headers
        )
        assert r.status_code == 200, r.text
        assert await _without_grams(database, ids) == (2 if postgres else 0)

        async def titles(query: str) -> list[str]:
            hits = (await search(client, users["admin"], query))["customers"]["items"]
            return [hit["title"] for hit in hits]

        expected = [(rows[0][0], rows[0][0]), (rows[1][3], rows[1][0]), (renamed, renamed)]
        for query, name in expected:
            assert name in await titles(query), query
        assert await search_grams.fill_all(database) == (2 if postgres else 0)
        assert await _without_grams(database, ids) == 0
        for query, name in expected:
            assert name in await titles(query), query
        assert rows[2][0] not in await titles(rows[2][0])
        async with database.session(write=False) as session:
            docs = (
                await session.execute(select(SearchDoc).where(SearchDoc.customer_id.in_(ids[:2])))
            ).scalars()
            if postgres:  # the grams a customer's own write would have given them
                for doc in docs:
                    fields = {f: getattr(doc, f) for f in FIELDS}
                    assert list(doc.grams) == grams(fields)

    async def test_the_filler_starts_after_a_commit(self, client, users, database):
        from jobs import search_grams

        row = company()
        body = (await upload(client, users["admin"], xlsx([row]), mode="insert_only")).json()
        assert body["status"] == "committed", body
        await search_grams.finished(database)
        assert await _without_grams(database, [(await by_credit_code(database, row[1])).id]) == 0


async def _without_grams(database, ids: list[int]) -> int:
    if database.write_engine.dialect.name != "postgresql":
        return 0  # SQLite keeps the grams as search_gram rows, written with the customer
    async with database.session(write=False) as session:
        return await session.scalar(
            select(func.count())
            .select_from(SearchDoc)
            .where(SearchDoc.customer_id.in_(ids), SearchDoc.grams.is_(None))
        )


class TestAccess:
    async def test_account_manager_imports_their_own_customers(self, client, users, database):
        row = company()
        r = await upload(client, users["am"], xlsx([row]), mode="insert_only")
        assert r.json()["status"] == "committed", r.text
        assert (await by_credit_code(database, row[1])).owner_id == users["am"].id

    async def test_account_manager_cannot_touch_others_or_set_grade(self, client, users):
        other = await create_customer(client, users["am2"])
        headers = ["统一社会信用代码", "客户名称", "客户等级"]
        rows = [[other["credit_code"], other["name"], None], [credit_code(), "新公司甲", "S"]]
        body = (await upload(client, users["am"], xlsx(rows, headers), mode="upsert")).json()
        messages = [e["message"] for e in body["errors"]]
        assert "matches a customer you may not change" in messages
        assert "only an admin sets the grade" in messages
        assert other["code"] not in json.dumps(body)

    @pytest.mark.parametrize("role", ["supervisor", "agent", "readonly"])
    async def test_others_may_not_import(self, client, users, role):
        assert_problem(await upload(client, users[role], xlsx([company()])), 403)

    async def test_imports_are_private_to_their_importer(self, client, users):
        body = (await upload(client, users["am"], xlsx([company()]))).json()
        r = await client.get(f"/imports/{body['id']}", headers=users["am2"].headers)
        assert_problem(r, 404)
        r = await client.get(f"/imports/{body['id']}", headers=users["admin"].headers)
        assert r.status_code == 200


class TestReportAndRevert:
    async def test_error_report_has_every_row_and_an_error_column(self, client, users):
        rows = [company(), company(mobile="123")]
        body = (await upload(client, users["admin"], xlsx(rows))).json()
        r = await client.get(
            body["report_url"].removeprefix("/api/v1"), headers=users["admin"].headers
        )
        assert r.status_code == 200
        sheet = (
            python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert sheet[0][0] == "错误" and sheet[0][1:] == HEADERS
        assert sheet[1][0] == "" and "手机" in sheet[2][0]
        # fixed and uploaded again, the error column is ignored
        fixed = xlsx([[None, *rows[0][:]], [None, *company()]], ["错误", *HEADERS])
        body = (await upload(client, users["admin"], fixed)).json()
        assert body["mapping"]["unmapped"] == [] and body["counts"]["errors"] == 0, body

    async def test_revert_deletes_created_restores_updated_and_keeps_changed(
        self, client, users, database
    ):
        existing = await create_customer(client, users["admin"], region="苏州")
        touched_row, kept_row = company(), company()
        headers = [*HEADERS, "地区"]
        rows = [
            touched_row + ["北京"],
            kept_row + ["北京"],
            [existing["name"], existing["credit_code"], None, None, None, None, None, None, "南京"],
        ]
        body = (await upload(client, users["admin"], xlsx(rows, headers), mode="upsert")).json()
        assert body["status"] == "committed", body
        touched = await by_credit_code(database, touched_row[1])
        r = await client.patch(
            f"/customers/{touched.id}", json={"region": "广州"}, headers=users["admin"].headers
        )
        assert r.status_code == 200, r.text
        r = await client.post(f"/imports/{body['id']}/revert", headers=users["admin"].headers)
        assert r.status_code == 200, r.text
        result = r.json()["revert_result"]
        assert result == {"deleted": 1, "restored": 1, "not_reverted": [touched.code]}
        assert await by_credit_code(database, kept_row[1]) is None
        assert (await by_credit_code(database, existing["credit_code"])).region == "苏州"
        assert (await by_credit_code(database, touched_row[1])).region == "广州"
        r = await client.post(f"/imports/{body['id']}/revert", headers=users["admin"].headers)
        assert_problem(r, 409, "not-revertible")

    async def test_a_reverted_customers_id_is_never_given_again(self, client, users, database):
        """The id (and with it the audit history) of a customer a revert deleted does not go
        to the next imported one, on SQLite as on PostgreSQL."""
        first = company()
        body = (await upload(client, users["admin"], xlsx([first]), mode="insert_only")).json()
        gone = (await by_credit_code(database, first[1])).id
        r = await client.post(f"/imports/{body['id']}/revert", headers=users["admin"].headers)
        assert r.json()["revert_result"]["deleted"] == 1, r.text
        second = company()
        await upload(client, users["admin"], xlsx([second]), mode="insert_only")
        new = await by_credit_code(database, second[1])
        assert new.id > gone
        history = (
            await client.get(f"/customers/{new.id}/history", headers=users["admin"].headers)
        ).json()["items"]
        assert [e["action"] for e in history] == ["import"]


class TestBackground:
    @pytest.fixture
    def background(self, monkeypatch, app):
        """Every file runs in the background, held at a gate the test opens."""
        from api.routers import imports
        from jobs import imports as runner

        monkeypatch.setattr(imports, "BACKGROUND_ROWS", 0)
        gate = asyncio.Event()
        original = runner.offload

        async def gated(function, *args):
            await gate.wait()
            return await original(function, *args)

        monkeypatch.setattr(runner, "offload", gated)

        async def finish() -> None:
            gate.set()
            await asyncio.gather(*app.state._import_tasks)

        return finish

    async def test_progress_then_result(self, client, users, database, background):
        rows = [company(), company()]
        r = await upload(client, users["admin"], xlsx(rows), mode="insert_only")
        assert r.status_code == 202, r.text
        running = r.json()
        assert running["status"] == "running" and running["total_rows"] == 2
        assert running["done_rows"] == 0
        # a second import by the same user meanwhile is a 409
        assert_problem(
            await upload(client, users["admin"], xlsx([company()])), 409, "import-running"
        )
        await background()
        done = (
            await client.get(f"/imports/{running['id']}", headers=users["admin"].headers)
        ).json()
        assert done["status"] == "committed" and done["done_rows"] == 2
        assert await by_credit_code(database, rows[0][1]) is not None

    async def test_cancel_writes_nothing(self, client, users, database, background):
        row = company()
        r = await upload(client, users["am"], xlsx([row]), mode="insert_only")
        r = await client.post(f"/imports/{r.json()['id']}/cancel", headers=users["am"].headers)
        assert r.status_code == 200
        await background()
        r = await client.get(f"/imports/{r.json()['id']}", headers=users["am"].headers)
        assert r.json()["status"] == "cancelled"
        assert await by_credit_code(database, row[1]) is None


class TestFollowUpsAndOrders:
    async def test_follow_ups_of_existing_customers(self, client, users):
        mine = await create_customer(client, users["am"])
        theirs = await create_customer(client, users["am2"])
        headers = ["客户编号", "跟进时间", "跟进方式", "跟进内容", "客户反馈"]
        rows = [
            [mine["code"], 45356, "电话", "介绍新产品", "有兴趣"],
            [theirs["code"], "2024-03-06", "拜访", "上门", None],
            ["C209901999999", "2024-03-06", "微信", "不存在的客户", None],
        ]
        data = xlsx(rows, headers)
        body = (
            await upload(client, users["am"], data, kind="follow_ups", mode="insert_only")
        ).json()
        assert body["status"] == "rejected" and body["counts"]["errors"] == 2, body
        listed = (
            await client.get(
                "/follow-ups", params={"customer_id": mine["id"]}, headers=users["am"].headers
            )
        ).json()["items"]
        assert listed == []
        body = (
            await upload(
                client,
                users["am"],
                data,
                kind="follow_ups",
                mode="insert_only",
                import_valid_rows=True,
            )
        ).json()
        assert body["status"] == "committed" and body["counts"]["create"] == 1, body
        listed = (
            await client.get(
                "/follow-ups", params={"customer_id": mine["id"]}, headers=users["am"].headers
            )
        ).json()["items"]
        assert [(f["summary"], f["method"], f["feedback"]) for f in listed] == [
            ("介绍新产品", "phone", "有兴趣")
        ]
        assert listed[0]["at"].startswith("2024-03-04T16:00:00")  # 2024-03-05 in Shanghai
        r = await client.post(f"/imports/{body['id']}/revert", headers=users["am"].headers)
        assert_problem(r, 409, "not-revertible")

    async def test_orders_by_credit_code_with_the_api_rules(self, client, users):
        customer = await create_customer(client, users["admin"])
        headers = ["统一社会信用代码", "订单号", "产品", "金额", "下单日期", "订单状态"]
        order_no = f"IMP{mobile()}"
        rows = [
            [customer["credit_code"], order_no, "年度服务", "1,234.50", "2024年3月5日", "已完成"],
            [customer["credit_code"], None, "坏金额", "-5", "2024-03-05", None],
        ]
        body = (await upload(client, users["admin"], xlsx(rows, headers), kind="orders")).json()
        assert body["status"] == "checked" and body["counts"]["create"] == 1
        assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "金额"
        r = await client.get(f"/customers/{customer['id']}/orders", headers=users["admin"].headers)
        assert r.json()["items"] == []  # a dry run writes nothing
        body = (
            await upload(
                client, users["admin"], xlsx(rows[:1], headers), kind="orders", mode="insert_only"
            )
        ).json()
        assert body["status"] == "committed", body
        r = await client.get(f"/customers/{customer['id']}", headers=users["admin"].headers)
        assert r.json()["cumulative_amount"] == "1234.50"

    async def test_orders_template(self, client, users):
        r = await client.get("/imports/templates/orders.xlsx", headers=users["admin"].headers)
        data = (
            python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert data[0][:2] == ["客户编号", "统一社会信用代码"] and "订单号" in data[0]


class TestInterrupted:
    async def test_an_import_left_running_by_a_stopped_server_does_not_block(
        self, client, users, database
    ):
        from datetime import UTC, datetime, timedelta

        async with database.session(write=True) as session:
            stale = DataImport(
                user_id=users["am2"].id,
                kind="customers",
                mode="insert_only",
                import_valid_rows=False,
                filename="old.xlsx",
                status="running",
                total_rows=10,
                done_rows=5,
                counts={},
                mapping={},
                errors=[],
                duplicates=[],
                undo={},
                cancel_requested=False,
                created_at=datetime.now(UTC) - timedelta(hours=3),
            )
            session.add(stale)
            await session.flush()
            stale_id = stale.id
        r = await upload(client, users["am2"], xlsx([company()]))
        assert r.status_code == 201, r.text
        r = await client.get(f"/imports/{stale_id}", headers=users["am2"].headers)
        assert r.json()["status"] == "failed"


class TestByCodeAlone:
    async def test_a_row_naming_its_customer_by_code_updates_it(self, client, users, database):
        existing = await create_customer(client, users["admin"], region="杭州")
        rows = [[existing["code"], "宁波"], [existing["code"][:-1] + "X", "温州"]]
        body = (
            await upload(
                client,
                users["admin"],
                xlsx(rows, ["客户编号", "地区"]),
                mode="upsert",
                import_valid_rows=True,
            )
        ).json()
        assert body["counts"]["update"] == 1 and body["counts"]["errors"] == 1, body
        assert (await by_credit_code(database, existing["credit_code"])).region == "宁波"
