"""Ticket attachments: upload (size cap while streaming, type by content, sanitised names),
list, download, who may do which, and that a refused upload leaves nothing behind: no file
(temp files included) in the attachments folder and no row."""

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import update

from domain import attachment, attachment_service
from persistence.models import Ticket
from tests import attachment_samples as samples
from tests.conftest import create_customer, make_user
from tests.support import assert_problem

MAX = attachment.MAX_BYTES
CHUNK = 64 * 1024
BOUNDARY = "test-boundary-7d3f0a"
ACCEPTED = {
    "png": (samples.png, "image/png"),
    "jpeg": (samples.jpeg, "image/jpeg"),
    "pdf": (samples.pdf, "application/pdf"),
    "docx": (samples.docx, attachment.DOCX),
    "xlsx": (samples.xlsx, attachment.XLSX),
}


@pytest.fixture
def store_dir(app) -> Path:
    return Path(app.state.settings.attachments_dir)


def listing(root: Path) -> set[str]:
    """Every file and folder under the attachments folder, hidden temp files included."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


@pytest.fixture
async def ticket(client, users) -> dict:
    """A ticket of a customer owned by `am`, assigned to `agent`."""
    customer = await create_customer(client, users["am"])
    response = await client.post(
        "/tickets",
        headers=users["admin"].headers,
        json={
            "customer_id": customer["id"],
            "type": "technical_consult",
            "channel": "phone",
            "title": "附件测试",
            "assignee_id": users["agent"].id,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def upload(
    client,
    user,
    ticket_id: int,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
):
    return await client.post(
        f"/tickets/{ticket_id}/attachments",
        headers=user.headers,
        files={"file": (name, data, content_type)},
    )


async def listed(client, users, ticket_id: int) -> list[dict]:
    response = await client.get(f"/tickets/{ticket_id}/attachments", headers=users["admin"].headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestUpload:
    @pytest.mark.parametrize("kind", sorted(ACCEPTED))
    async def test_accepted_types_are_stored_and_listed(
        self, client, users, ticket, store_dir, kind
    ):
        make, content_type = ACCEPTED[kind]
        data = make()
        before = listing(store_dir)
        response = await upload(client, users["agent"], ticket["id"], f"文件.{kind}", data)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["content_type"] == content_type  # from the bytes, not what was sent
        assert body["filename"] == f"文件.{kind}"
        assert body["size"] == len(data)
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["uploaded_by"] == users["agent"].id
        assert body["ticket_id"] == ticket["id"]
        assert response.headers["location"].endswith(
            f"/tickets/{ticket['id']}/attachments/{body['id']}"
        )
        new = listing(store_dir) - before
        assert len(new) == 1 and re.fullmatch(r"[0-9a-f]{64}", new.pop())
        assert [a["id"] for a in await listed(client, users, ticket["id"])] == [body["id"]]

    async def test_the_sent_name_and_content_type_do_not_decide(self, client, users, ticket):
        response = await upload(
            client, users["agent"], ticket["id"], "invoice.pdf", samples.png(), "application/pdf"
        )
        assert response.status_code == 201, response.text
        assert response.json()["content_type"] == "image/png"
        assert response.json()["filename"] == "invoice.pdf"

    async def test_upload_goes_on_the_timeline(self, client, users, ticket):
        response = await upload(client, users["am"], ticket["id"], "scan.pdf", samples.pdf())
        assert response.status_code == 201, response.text
        timeline = await client.get(
            f"/tickets/{ticket['id']}/timeline", headers=users["admin"].headers
        )
        events = [e for e in timeline.json() if e["kind"] == "attachment"]
        assert len(events) == 1
        assert events[0]["actor_id"] == users["am"].id
        assert events[0]["data"]["attachment_id"] == response.json()["id"]
        assert events[0]["data"]["filename"] == "scan.pdf"

    async def test_list_is_oldest_first_with_all_fields(self, client, users, ticket):
        ids = []
        for name, data in (("a.png", samples.png()), ("b.xlsx", samples.xlsx())):
            response = await upload(client, users["supervisor"], ticket["id"], name, data)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        items = await listed(client, users, ticket["id"])
        assert [a["id"] for a in items] == ids
        assert set(items[0]) == {
            "id",
            "ticket_id",
            "filename",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
        }

    async def test_a_file_of_exactly_the_limit_is_accepted(self, client, users, ticket):
        data = samples.png() + bytes(MAX - len(samples.png()))
        response = await upload(client, users["agent"], ticket["id"], "big.png", data)
        assert response.status_code == 201, response.text
        assert response.json()["size"] == MAX

    async def test_path_traversal_name_is_sanitised(self, client, users, ticket, store_dir):
        before = listing(store_dir)
        response = await upload(
            client, users["agent"], ticket["id"], "../../etc/passwd.png", samples.png(), "image/png"
        )
        assert response.status_code == 201, response.text
        name = response.json()["filename"]
        assert name == "passwd.png"
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        new = listing(store_dir) - before
        assert len(new) == 1 and "/" not in next(iter(new)) and "passwd" not in next(iter(new))
        for outside in (
            store_dir.parent / "etc",
            store_dir.parent.parent / "etc",
            Path("/etc/passwd.png"),
        ):
            assert not outside.exists(), outside

    async def test_backslash_control_and_hidden_names_are_sanitised(self, client, users, ticket):
        # Raw, since httpx would percent-encode the control character for us.
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="..\\..\\.se\tcret\x01\u202e.png"\r\n\r\n'
        )
        body = head.encode() + samples.png() + f"\r\n--{BOUNDARY}--\r\n".encode()
        response = await client.post(
            f"/tickets/{ticket['id']}/attachments",
            content=body,
            headers={
                **users["agent"].headers,
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == "secret.png"


class TestDownload:
    async def test_bytes_and_headers(self, client, users, ticket):
        data = samples.docx()
        name = "季度报告 (终版).docx"
        created = (await upload(client, users["agent"], ticket["id"], name, data)).json()
        response = await client.get(
            f"/tickets/{ticket['id']}/attachments/{created['id']}",
            headers=users["readonly"].headers,
        )
        assert response.status_code == 200, response.text
        assert response.content == data
        assert response.headers["content-type"] == attachment.DOCX
        assert response.headers["x-content-type-options"] == "nosniff"
        disposition = response.headers["content-disposition"]
        assert disposition.isascii()
        match = re.fullmatch(
            r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', disposition
        )
        assert match, disposition
        assert match.group(1) == "attachment.docx"
        assert unquote(match.group(2), encoding="utf-8", errors="strict") == name

    async def test_ascii_name(self, client, users, ticket):
        created = (
            await upload(client, users["agent"], ticket["id"], "photo.jpg", samples.jpeg())
        ).json()
        response = await client.get(
            f"/tickets/{ticket['id']}/attachments/{created['id']}", headers=users["agent"].headers
        )
        assert response.headers["content-type"] == "image/jpeg"
        assert (
            response.headers["content-disposition"]
            == "attachment; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg"
        )

    async def test_attachment_of_another_ticket_is_404(self, client, users, ticket):
        created = (
            await upload(client, users["agent"], ticket["id"], "a.png", samples.png())
        ).json()
        customer = await create_customer(client, users["admin"])
        other = (
            await client.post(
                "/tickets",
                headers=users["admin"].headers,
                json={
                    "customer_id": customer["id"],
                    "type": "training",
                    "channel": "email",
                    "title": "另一个",
                },
            )
        ).json()
        response = await client.get(
            f"/tickets/{other['id']}/attachments/{created['id']}", headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")

    async def test_unknown_attachment_is_404(self, client, users, ticket):
        response = await client.get(
            f"/tickets/{ticket['id']}/attachments/{2**40}", headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")


class TestRefusedUploadsLeaveNothing:
    @pytest.mark.parametrize(
        ("name", "data", "content_type"),
        [
            ("program.png", samples.ELF, "image/png"),
            ("setup.png", samples.WINDOWS_EXE, "image/png"),
            ("run.png", samples.SHELL_SCRIPT, "image/png"),
            ("page.pdf", samples.HTML, "application/pdf"),
            ("empty.png", b"", "image/png"),
            ("archive.docx", samples.zip_of({"evil.exe": samples.WINDOWS_EXE}), attachment.DOCX),
            ("bomb.docx", samples.zip_bomb(), attachment.DOCX),
            (
                "slides.docx",
                samples.zip_of(
                    {"[Content_Types].xml": samples.CONTENT_TYPES, "ppt/slide1.xml": b"<p/>"}
                ),
                attachment.DOCX,
            ),
        ],
        ids=["elf", "exe", "shell", "html", "empty", "plain-zip", "zip-bomb", "pptx"],
    )
    async def test_unsupported_content_is_415(
        self, client, users, ticket, store_dir, name, data, content_type
    ):
        before = listing(store_dir)
        response = await upload(client, users["agent"], ticket["id"], name, data, content_type)
        assert_problem(response, 415, "unsupported-type")
        assert listing(store_dir) == before
        assert await listed(client, users, ticket["id"]) == []

    async def test_one_byte_over_the_limit_is_413(self, client, users, ticket, store_dir):
        before = listing(store_dir)
        data = samples.png() + bytes(MAX + 1 - len(samples.png()))
        response = await upload(client, users["agent"], ticket["id"], "big.png", data)
        assert_problem(response, 413, "too-large")
        assert listing(store_dir) == before
        assert await listed(client, users, ticket["id"]) == []

    async def test_the_limit_holds_while_streaming(self, client, users, ticket, store_dir):
        """A chunked body (no Content-Length) is cut off once the limit is passed, long
        before the client has sent everything."""
        sent = 0

        async def body():
            nonlocal sent
            yield (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="huge.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            yield samples.png()
            while sent < 2 * MAX:
                sent += CHUNK
                yield bytes(CHUNK)
            yield f"\r\n--{BOUNDARY}--\r\n".encode()

        before = listing(store_dir)
        response = await client.post(
            f"/tickets/{ticket['id']}/attachments",
            content=body(),
            headers={
                **users["agent"].headers,
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
        assert_problem(response, 413, "too-large")
        assert MAX <= sent <= MAX + 2 * CHUNK
        assert listing(store_dir) == before
        assert await listed(client, users, ticket["id"]) == []

    async def test_a_declared_oversize_body_is_refused_unread(
        self, client, users, ticket, store_dir
    ):
        read = 0

        async def body():
            nonlocal read
            read += 1
            yield b"x"

        before = listing(store_dir)
        response = await client.post(
            f"/tickets/{ticket['id']}/attachments",
            content=body(),
            headers={
                **users["agent"].headers,
                "Content-Length": str(MAX + 1024 * 1024),
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
        assert_problem(response, 413, "too-large")
        assert read == 0
        assert listing(store_dir) == before

    @pytest.mark.parametrize("case", ["no-file-field", "not-multipart", "cut-off"])
    async def test_malformed_requests_are_422(self, client, users, ticket, store_dir, case):
        before = listing(store_dir)
        url, headers = f"/tickets/{ticket['id']}/attachments", users["agent"].headers
        if case == "no-file-field":
            response = await client.post(
                url, headers=headers, files={"document": ("a.png", samples.png())}
            )
        elif case == "not-multipart":
            response = await client.post(url, headers=headers, json={"file": "a.png"})
        else:
            body = (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="a.png"\r\n\r\n'
            ).encode() + samples.png()
            response = await client.post(
                url,
                content=body,
                headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
        assert_problem(response, 422, "validation")
        assert listing(store_dir) == before
        assert await listed(client, users, ticket["id"]) == []

    async def test_a_failed_transaction_removes_the_stored_file(
        self, client, users, ticket, store_dir, monkeypatch
    ):
        real_add = attachment_service.add

        async def add_then_fail(*args, **kwargs):
            await real_add(*args, **kwargs)  # the row is flushed, the file renamed into place
            raise RuntimeError("database went away")

        monkeypatch.setattr(attachment_service, "add", add_then_fail)
        before = listing(store_dir)
        response = await upload(client, users["agent"], ticket["id"], "a.png", samples.png())
        assert_problem(response, 500, "internal-error")
        assert listing(store_dir) == before
        monkeypatch.undo()
        assert await listed(client, users, ticket["id"]) == []
        timeline = await client.get(
            f"/tickets/{ticket['id']}/timeline", headers=users["admin"].headers
        )
        assert [e for e in timeline.json() if e["kind"] == "attachment"] == []


class TestAccess:
    async def test_outsider_gets_404_everywhere(self, client, users, ticket, store_dir):
        created = (
            await upload(client, users["agent"], ticket["id"], "a.png", samples.png())
        ).json()
        outsider = users["am2"]  # neither owns the customer nor works the ticket
        base = f"/tickets/{ticket['id']}/attachments"
        assert_problem(await client.get(base, headers=outsider.headers), 404, "not-found")
        assert_problem(
            await client.get(f"{base}/{created['id']}", headers=outsider.headers), 404, "not-found"
        )
        before = listing(store_dir)
        assert_problem(
            await upload(client, outsider, ticket["id"], "b.png", samples.png()), 404, "not-found"
        )
        assert listing(store_dir) == before
        assert len(await listed(client, users, ticket["id"])) == 1

    async def test_readonly_reads_but_cannot_upload(self, client, users, ticket, store_dir):
        created = (
            await upload(client, users["agent"], ticket["id"], "a.png", samples.png())
        ).json()
        readonly = users["readonly"]
        base = f"/tickets/{ticket['id']}/attachments"
        assert (await client.get(base, headers=readonly.headers)).status_code == 200
        assert (
            await client.get(f"{base}/{created['id']}", headers=readonly.headers)
        ).status_code == 200
        before = listing(store_dir)
        assert_problem(
            await upload(client, readonly, ticket["id"], "b.png", samples.png()), 403, "forbidden"
        )
        assert listing(store_dir) == before
        assert len(await listed(client, users, ticket["id"])) == 1

    async def test_a_reader_who_may_not_comment_cannot_upload(
        self, client, database, users, ticket, store_dir
    ):
        """An agent of the ticket's department sees it but is not working on it."""
        response = await client.post(
            "/departments",
            headers=users["admin"].headers,
            json={"key": f"att_{ticket['id']}", "name": f"附件部{ticket['id']}"},
        )
        assert response.status_code == 201, response.text
        department_id = response.json()["id"]
        async with database.session(write=True) as session:
            await session.execute(
                update(Ticket).where(Ticket.id == ticket["id"]).values(department_id=department_id)
            )
        colleague = await make_user(client, database, "agent", department_id=department_id)
        base = f"/tickets/{ticket['id']}/attachments"
        assert (await client.get(base, headers=colleague.headers)).status_code == 200
        before = listing(store_dir)
        assert_problem(
            await upload(client, colleague, ticket["id"], "a.png", samples.png()), 403, "forbidden"
        )
        assert listing(store_dir) == before
        assert await listed(client, users, ticket["id"]) == []

    @pytest.mark.parametrize("role", ["admin", "supervisor", "am", "agent"])
    async def test_who_may_upload(self, client, users, ticket, role):
        response = await upload(client, users[role], ticket["id"], "a.pdf", samples.pdf())
        assert response.status_code == 201, response.text

    async def test_unknown_ticket_is_404(self, client, users):
        response = await upload(client, users["admin"], 2**40, "a.png", samples.png())
        assert_problem(response, 404, "not-found")
