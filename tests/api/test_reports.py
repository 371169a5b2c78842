"""Reports on demand (POST /reports → 202, GET /reports/{id}), their files checked as a reader
sees them: the PDF's text through pdftotext, the workbook through openpyxl and its chart
parts; idempotent per period and recipient; an account manager's report holds only their
customers. Data: the hand-built set of tests/api/analytics_support.py."""

import io
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from tests.api.analytics_support import build
from tests.api.ticket_support import new_department
from tests.conftest import make_user
from tests.support import assert_problem

WEEK = {"period": "weekly", "start": "2025-01-29"}  # the ISO week 27 Jan – 2 Feb 2025


@pytest.fixture(scope="module")
async def data(client, database, users):
    department = await new_department(client, users["admin"])
    am1 = await make_user(client, database, "account_manager")
    am2 = await make_user(client, database, "account_manager")
    a1 = await make_user(client, database, "agent", department_id=department["id"])
    a2 = await make_user(client, database, "agent", department_id=department["id"])
    return await build(database, department_id=department["id"], am1=am1, am2=am2, a1=a1, a2=a2)


def pdf_text(content: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for this test"
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")


async def weekly_report(client, user) -> dict:
    r = await client.post("/reports", json=WEEK, headers=user.headers)
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/v1/reports/{r.json()['id']}"
    r = await client.get(f"/reports/{r.json()['id']}", headers=user.headers)
    assert r.status_code == 200
    return r.json()


class TestOnDemand:
    async def test_weekly_report_files(self, client, data):
        report = await weekly_report(client, data.am1)
        assert (report["period"], report["first_day"], report["last_day"], report["status"]) == (
            "weekly",
            "2025-01-27",
            "2025-02-02",
            "done",
        )
        pdf = await client.get(report["files"]["pdf"], headers=data.am1.headers)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content)
        assert "周报 2025-01-27 至 2025-02-02" in text
        for heading in ("客户", "销售", "服务", "新增客户", "商机漏斗", "SLA 达成率", "满意度"):
            assert heading in text, heading
        assert "新增客户：创建时间落在该时段" in text  # the definition travels with the figure

        xlsx = await client.get(report["files"]["xlsx"], headers=data.am1.headers)
        assert xlsx.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert book.sheetnames == ["概览", "客户", "销售", "服务"]
        rows = list(book["客户"].iter_rows(values_only=True))
        assert rows[0][0] == "新增客户" and rows[2][:2] == ("时段", "新增")
        # by day: c2 on 31 Jan (23:30 local), c3 on 1 Feb
        new = {r[0]: r[1] for r in rows[3:10]}
        assert new["2025-01-31"] == 1 and new["2025-02-01"] == 1 and new["2025-01-27"] == 0
        with zipfile.ZipFile(io.BytesIO(xlsx.content)) as package:
            charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
            assert len(charts) >= 8
            assert any(b"<c:barChart>" in package.read(n) for n in charts)
            assert any(b"<c:lineChart>" in package.read(n) for n in charts)

    async def test_idempotent_per_period_and_recipient(self, client, data):
        first = await weekly_report(client, data.am1)
        again = await client.post(
            "/reports", json={"period": "weekly", "start": "2025-02-02"}, headers=data.am1.headers
        )
        assert again.json()["id"] == first["id"]
        other = await weekly_report(client, data.am2)
        assert other["id"] != first["id"]

    async def test_account_manager_report_counts_only_their_customers(self, client, data):
        report = await client.post(
            "/reports", json={"period": "monthly", "start": "2025-01-15"}, headers=data.am2.headers
        )
        r = await client.get(f"/reports/{report.json()['id']}/files/xlsx", headers=data.am2.headers)
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        rows = list(book["客户"].iter_rows(values_only=True))
        # am2 has one customer (c5, created 10 Jan): January's weeks hold 1 new customer in all
        assert sum(r[1] for r in rows[3:9] if isinstance(r[1], (int, float))) == 1
        service = list(book["服务"].iter_rows(values_only=True))
        # ticket volume, by week: am2's only ticket t6 opened 15, resolved 16, closed 17 Jan
        assert service[2][:4] == ("时段", "新建·订单支持", "已解决·订单支持", "已关闭·订单支持")
        assert [r[:4] for r in service[3:8]] == [
            ("2025-01-01", 0, 0, 0),
            ("2025-01-06", 0, 0, 0),
            ("2025-01-13", 1, 1, 1),
            ("2025-01-20", 0, 0, 0),
            ("2025-01-27", 0, 0, 0),
        ]

    async def test_someone_elses_report_is_404(self, client, users, data):
        report = await weekly_report(client, data.am1)
        assert_problem(await client.get(f"/reports/{report['id']}", headers=data.am2.headers), 404)
        assert_problem(
            await client.get(f"/reports/{report['id']}/files/pdf", headers=users["admin"].headers),
            404,
        )

    async def test_bad_period_is_422(self, client, data):
        r = await client.post("/reports", json={"period": "yearly"}, headers=data.am1.headers)
        assert_problem(r, 422)


class TestSubscriptions:
    async def test_role_defaults_then_own_choice(self, client, users):
        user = users["supervisor"]
        r = await client.get("/reports/subscriptions", headers=user.headers)
        assert r.json() == {"daily": True, "weekly": True, "monthly": True}
        r = await client.patch(
            "/reports/subscriptions", json={"daily": False}, headers=user.headers
        )
        assert r.json() == {"daily": False, "weekly": True, "monthly": True}
        r = await client.patch("/reports/subscriptions", json={"daily": True}, headers=user.headers)
        assert r.json()["daily"] is True

    async def test_admins_choose_the_defaults_per_role(self, client, users):
        r = await client.patch(
            "/reports/defaults/readonly",
            json={"monthly": True},
            headers=users["supervisor"].headers,
        )
        assert_problem(r, 403)
        r = await client.patch(
            "/reports/defaults/readonly", json={"monthly": True}, headers=users["admin"].headers
        )
        assert r.status_code == 200 and r.json() == {
            "daily": False,
            "weekly": False,
            "monthly": True,
        }
        r = await client.get("/reports/subscriptions", headers=users["readonly"].headers)
        assert r.json() == {"daily": False, "weekly": False, "monthly": True}
        r = await client.get("/reports/defaults", headers=users["readonly"].headers)
        assert r.json()["readonly"]["monthly"] is True and r.json()["agent"]["weekly"] is False
        await client.patch(
            "/reports/defaults/readonly", json={"monthly": False}, headers=users["admin"].headers
        )
