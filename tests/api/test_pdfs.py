"""PDF documents: rendered to PNG with pdftoppm and read back with pdftotext, so the Chinese
text is really there, masked per role."""

import shutil
import subprocess
from pathlib import Path

from tests.api.ticket_support import open_ticket
from tests.conftest import create_customer, id_number
from tests.support import assert_problem


def text_of(data: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm, pdftotext) is needed for this test"
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    assert list(tmp_path.glob("page*.png")), "the PDF did not render"
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


class TestCustomerFile:
    async def test_customer_file_has_its_sections_and_masks_per_role(self, client, users, tmp_path):
        person = id_number("19900307")
        customer = await create_customer(
            client,
            users["am"],
            kind="individual",
            name="档案测试王五",
            id_number=person,
            region="上海",
        )
        await client.post(
            f"/customers/{customer['id']}/contacts",
            headers=users["am"].headers,
            json={"name": "王五", "mobile": "13812345678"},
        )
        r = await client.get(f"/customers/{customer['id']}/pdf", headers=users["am"].headers)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        text = text_of(r.content, tmp_path)
        for expected in (
            "客户档案",
            "档案测试王五",
            customer["code"],
            "基本信息",
            "联系人",
            "最近跟进",
            "订单",
            "服务工单",
            person,
            "+8613812345678",
        ):
            assert expected in text, expected
        r = await client.get(
            f"/customers/{customer['id']}/pdf", headers=users["supervisor"].headers
        )
        text = text_of(r.content, tmp_path)
        assert person not in text and person[:6] + "********" in text
        assert "13812345678" not in text

    async def test_you_may_not_see_it_404(self, client, users):
        other = await create_customer(client, users["am2"])
        assert_problem(
            await client.get(f"/customers/{other['id']}/pdf", headers=users["am"].headers), 404
        )


class TestServiceRecord:
    async def test_ticket_service_record(self, client, users, tmp_path):
        customer = await create_customer(client, users["am"], name="服务单测试公司")
        r = await client.post(
            "/tickets",
            headers=users["admin"].headers,
            json={
                "customer_id": customer["id"],
                "type": "after_sales_repair",
                "channel": "phone",
                "title": "打印机卡纸",
                "description": "客户反映打印机频繁卡纸",
            },
        )
        ticket = r.json()
        r = await client.get(f"/tickets/{ticket['id']}/pdf", headers=users["admin"].headers)
        assert r.status_code == 200, r.text
        text = text_of(r.content, tmp_path)
        for expected in (
            "服务单",
            ticket["code"],
            "打印机卡纸",
            "服务单测试公司",
            "售后维修",
            "服务时效",
            "首次响应",
            "验收与满意度",
            "客户签字",
        ):
            assert expected in text, expected

    async def test_text_longer_than_a_page_runs_onto_the_next_pages(self, client, users, tmp_path):
        """A description or note of hundreds of lines is one table cell taller than a page:
        it is split across pages, not a 500 (schemathesis found this), and no line is lost."""
        customer = await create_customer(client, users["am"], name="长文本测试公司")
        lines = "\n".join(f"描述第{n}行" for n in range(1, 401))
        ticket = await open_ticket(client, users["admin"], customer["id"], description=lines)
        note = "\n".join(f"备注第{n}行" for n in range(1, 401))
        r = await client.post(
            f"/tickets/{ticket['id']}/comments",
            headers=users["admin"].headers,
            json={"body": note, "visibility": "public"},
        )
        assert r.status_code == 201, r.text
        r = await client.get(f"/tickets/{ticket['id']}/pdf", headers=users["admin"].headers)
        assert r.status_code == 200, r.text
        text = text_of(r.content, tmp_path)
        for expected in ("描述第1行", "描述第400行", "备注第1行", "备注第400行"):
            assert expected in text, expected
