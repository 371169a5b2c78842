"""E-mail copies of notifications (capability 14), delivered to a real SMTP server (aiosmtpd)
listening on loopback. The module has a database of its own per back-end, so every count is
exact; each test leaves nothing pending behind it."""

import email
import email.policy
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from api.security import Passwords
from config import Settings
from domain import user_service
from domain.roles import SYSTEM, Actor, Role
from jobs.email_outbox import parse_smtp_url, run_email_outbox
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import Notification
from persistence.uow import SqlUnitOfWork
from tests.conftest import MovableClock, fresh_database

NOW = datetime(2024, 10, 8, 2, 30, tzinfo=UTC)


# ---- a real SMTP server ------------------------------------------------------------------------


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps what it accepted, refuses `refused` recipients for good."""

    refused: set[str] = field(default_factory=set)
    messages: list[tuple[str, list[str], email.message.EmailMessage]] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server,
        session,
        envelope,
        address,
        rcpt_options,
    ):
        self.rcpt_attempts.append(address)
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for _, rcpts, m in self.messages if rcpts == [address]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()  # returns once the server answers
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_settings(port: int, query: str = "from=crm@example.com", userinfo: str = "") -> Settings:
    return Settings(smtp_url=f"smtp://{userinfo}127.0.0.1:{port}?{query}")


# ---- a database of this module's own -----------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def outbox_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("outbox")) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="module")
async def database(outbox_url: str) -> AsyncIterator[Database]:
    db = Database(outbox_url)
    try:
        yield db
    finally:
        await db.dispose()


async def new_user(
    database: Database,
    username: str,
    display_name: str = "张三",
    *,
    active: bool = True,
    language: str = "zh-CN",
) -> int:
    async with database.session(write=True) as session:
        user = await user_service.create_user(
            SqlUnitOfWork(session),
            MovableClock(),
            Passwords,
            SYSTEM,
            {
                "username": username,
                "password": "correct-horse-1",
                "role": "agent",
                "display_name": display_name,
                "is_active": active,
                "language": language,
            },
        )
        return user.id


async def notify(
    database: Database,
    user_id: int,
    title: str,
    body: str | None = None,
    ticket_id: int | None = 42,
    *,
    kind: str = "ticket_assigned",
    params: dict | None = None,
) -> int:
    async with database.session(write=True) as session:
        SqlUnitOfWork(session).notifications.add(
            user_id,
            kind,
            title,
            body=body,
            params=params,
            at=NOW - timedelta(minutes=5),
            entity_type="ticket" if ticket_id else None,
            entity_id=ticket_id,
        )
        await session.flush()
        return await session.scalar(
            select(Notification.id)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(1)
        )


async def emailed_at(database: Database, notification_id: int) -> datetime | None:
    async with database.session(write=False) as session:
        return (await session.get(Notification, notification_id)).emailed_at


def address() -> str:
    return f"zhang.{uuid.uuid4().hex[:8]}@example.com"


# ---- behaviour -----------------------------------------------------------------------------------


class TestDelivery:
    async def test_a_notification_arrives_once_in_chinese(self, database, inbox):
        handler, port = inbox
        to = address()
        user_id = await new_user(database, to, "张三")
        sent_id = await notify(
            database,
            user_id,
            "新工单 T202410080001: 打印机卡纸",
            body="客户反馈：打印机卡纸，无法打印发票。",
        )
        skipped_user = await new_user(database, f"lisi-{uuid.uuid4().hex[:6]}", "李四")
        skipped_id = await notify(database, skipped_user, "新工单 T202410080002: 退货")

        result = await run_email_outbox(database, smtp_settings(port), NOW)

        assert result == {
            "enabled": True,
            "sent": 1,
            "skipped": 1,
            "rejected": 0,
            "failed": 0,
            "error": None,
        }
        [message] = handler.to(to)
        mail_from, rcpts, _ = handler.messages[0]
        assert (mail_from, rcpts) == ("crm@example.com", [to])
        assert message["Subject"] == "新工单 T202410080001: 打印机卡纸"
        assert message["To"].addresses[0].display_name == "张三"
        assert message["To"].addresses[0].addr_spec == to
        assert message["From"] == "crm@example.com"
        assert message["Message-ID"] == f"<notification-{sent_id}@example.com>"
        assert message["Auto-Submitted"] == "auto-generated"
        part = message.get_body(("plain",))
        assert part.get_content_charset() == "utf-8"
        text = part.get_content()
        assert "客户反馈：打印机卡纸，无法打印发票。" in text
        assert "/tickets/42" in text
        assert await emailed_at(database, sent_id) == NOW
        assert await emailed_at(database, skipped_id) == NOW  # no address: never sent

        again = await run_email_outbox(database, smtp_settings(port), NOW + timedelta(minutes=1))
        assert again == {
            "enabled": True,
            "sent": 0,
            "skipped": 0,
            "rejected": 0,
            "failed": 0,
            "error": None,
        }
        assert len(handler.messages) == 1
        assert await emailed_at(database, sent_id) == NOW

    async def test_each_recipient_reads_it_in_their_language(self, database, inbox):
        """The subject comes from the notification's kind and parameters in the recipient's
        language (the stored title is Chinese); a notification kept without parameters keeps
        its title."""
        handler, port = inbox
        english, chinese = address(), address()
        english_id = await new_user(database, english, "Alice", language="en")
        chinese_id = await new_user(database, chinese, "王芳")
        sla = {"code": "T202410080003", "target": "resolution"}
        await notify(
            database,
            english_id,
            "工单 T202410080003 已超过解决时限",
            None,
            7,
            kind="sla_breach",
            params=sla,
        )
        await notify(database, chinese_id, "旧标题", None, 7, kind="sla_breach", params=sla)
        change = {"name": "杭州明达", "fields": ["credit_code", "owner_id"]}
        await notify(
            database,
            english_id,
            "变更申请待审批",
            None,
            None,
            kind="change_request_pending",
            params=change,
        )
        await notify(
            database,
            english_id,
            "客户 杭州明达 已退回公海",
            None,
            None,
            kind="pool_release",
            params={"name": "杭州明达", "target": "no_order", "days": 90},
        )
        await notify(
            database, english_id, "客户 杭州明达 已退回公海", None, None, kind="pool_release"
        )

        assert (await run_email_outbox(database, smtp_settings(port), NOW))["sent"] == 5
        to_english = handler.to(english)
        assert [m["Subject"] for m in to_english] == [
            "Ticket T202410080003: resolution is overdue",
            "Change request to approve: Credit code, Owner of 杭州明达",
            "Customer 杭州明达 went back to the public pool: no order for over 90 days",
            "客户 杭州明达 已退回公海",
        ]
        assert "Open: /tickets/7" in to_english[0].get_content()
        assert "please do not reply" in to_english[0].get_content()
        [to_chinese] = handler.to(chinese)
        assert to_chinese["Subject"] == "工单 T202410080003 已超过解决时限"
        assert "查看：/tickets/7" in to_chinese.get_content()

    async def test_a_muted_topic_is_not_e_mailed_and_the_rest_is(self, database, inbox):
        handler, port = inbox
        to = address()
        user_id = await new_user(database, to)
        async with database.session(write=True) as session:
            await user_service.update_user(
                SqlUnitOfWork(session),
                MovableClock(),
                Passwords,
                Actor(user_id=user_id, role=Role.AGENT),
                user_id,
                {"email_muted": ["sla", "tickets", "sla"]},
                if_match=None,
            )
        muted = await notify(database, user_id, "工单 T9 首次响应已超时", kind="sla_breach")
        also_muted = await notify(database, user_id, "新工单 T9: 退货")
        sent = await notify(database, user_id, "客户 杭州明达 已退回公海", kind="pool_release")
        failed = await notify(database, user_id, "备份失败 / Backup failed", kind="backup_failed")
        result = await run_email_outbox(database, smtp_settings(port), NOW)
        assert (result["sent"], result["skipped"]) == (2, 2)
        assert [m["Subject"] for m in handler.to(to)] == [
            "客户 杭州明达 已退回公海",
            "备份失败 / Backup failed",
        ]
        for notification_id in (muted, also_muted, sent, failed):  # none is pending any more
            assert await emailed_at(database, notification_id) == NOW

    async def test_a_title_with_line_breaks_stays_one_subject_line(self, database, inbox):
        handler, port = inbox
        to = address()
        user_id = await new_user(database, to)
        await notify(
            database,
            user_id,
            "工单 T1: 第一行\r\nBcc: victim@example.com",
            body=None,
            ticket_id=None,
        )
        result = await run_email_outbox(database, smtp_settings(port), NOW)
        assert result["sent"] == 1
        [message] = handler.to(to)
        assert message["Subject"] == "工单 T1: 第一行 Bcc: victim@example.com"
        assert message["Bcc"] is None
        assert handler.rcpt_attempts == [to]
        # No body: the title is the text; no entity: no link.
        text = message.get_content()
        assert text.startswith("工单 T1: 第一行") and "/tickets/" not in text

    async def test_a_deactivated_user_gets_no_mail(self, database, inbox):
        handler, port = inbox
        user_id = await new_user(database, address(), active=False)
        notification_id = await notify(database, user_id, "工单已关闭")
        result = await run_email_outbox(database, smtp_settings(port), NOW)
        assert (result["sent"], result["skipped"]) == (0, 1)
        assert handler.messages == [] and await emailed_at(database, notification_id) == NOW

    async def test_many_notifications_go_in_one_run(self, database, inbox):
        handler, port = inbox
        to = address()
        user_id = await new_user(database, to)
        async with database.session(write=True) as session:  # one commit for all
            for n in range(105):  # more than one batch
                SqlUnitOfWork(session).notifications.add(user_id, "mention", f"提醒 {n}", at=NOW)
        async with database.session(write=False) as session:
            ids = list(
                (
                    await session.scalars(
                        select(Notification.id)
                        .where(Notification.user_id == user_id)
                        .order_by(Notification.id)
                    )
                ).all()
            )
        result = await run_email_outbox(database, smtp_settings(port), NOW)
        assert result["sent"] == 105
        assert sorted(m["Subject"] for m in handler.to(to)) == sorted(
            f"提醒 {n}" for n in range(105)
        )
        assert len(ids) == 105
        assert {await emailed_at(database, i) for i in (ids[0], ids[50], ids[-1])} == {NOW}

    async def test_a_report_arrives_with_its_two_files_and_only_for_its_recipient(
        self, database, inbox
    ):
        handler, port = inbox
        to, other = address(), address()
        user_id, other_id = await new_user(database, to), await new_user(database, other)
        pdf, xlsx = b"%PDF-1.4 weekly", b"PK\x03\x04 weekly"
        async with database.session(write=True) as session:
            uow = SqlUnitOfWork(session)
            found, _ = await uow.reports.get_or_add(
                "weekly", date(2024, 9, 30), date(2024, 10, 6), user_id, NOW
            )
            await uow.reports.store(
                found.id, xlsx=xlsx, pdf=pdf, status="done", error=None, now=NOW
            )
            for recipient in (user_id, other_id):  # the second names a report not theirs
                uow.notifications.add(
                    recipient,
                    "report_ready",
                    "周报已生成",
                    entity_type="report",
                    entity_id=found.id,
                    at=NOW - timedelta(minutes=1),
                )

        result = await run_email_outbox(database, smtp_settings(port), NOW)

        assert result["sent"] == 2
        [message] = handler.to(to)
        files = {
            part.get_filename(): (part.get_content_type(), part.get_content())
            for part in message.iter_attachments()
        }
        assert files == {
            "周报_2024-09-30_2024-10-06.pdf": ("application/pdf", pdf),
            "周报_2024-09-30_2024-10-06.xlsx": (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                xlsx,
            ),
        }
        text = message.get_body(("plain",)).get_content()
        assert "周报已生成" in text and "/reports" in text
        [not_theirs] = handler.to(other)
        assert list(not_theirs.iter_attachments()) == []


class TestFailures:
    async def test_an_unreachable_server_leaves_them_pending(self, database, inbox):
        handler, port = inbox
        to = address()
        user_id = await new_user(database, to)
        notification_id = await notify(database, user_id, "SLA 预警: T202410080003")
        nobody_listens = free_port()

        result = await run_email_outbox(database, smtp_settings(nobody_listens), NOW)

        assert result["sent"] == 0 and result["failed"] == 1
        assert f"127.0.0.1:{nobody_listens}" in result["error"]
        assert await emailed_at(database, notification_id) is None
        # The next run, with the server back, delivers it.
        later = NOW + timedelta(minutes=1)
        result = await run_email_outbox(database, smtp_settings(port), later)
        assert (result["sent"], result["failed"], result["error"]) == (1, 0, None)
        assert [m["Subject"] for m in handler.to(to)] == ["SLA 预警: T202410080003"]
        assert await emailed_at(database, notification_id) == later

    async def test_a_refused_address_is_not_retried_forever(self, database, inbox):
        handler, port = inbox
        gone, fine = address(), address()
        handler.refused.add(gone)
        gone_id = await notify(database, await new_user(database, gone), "工单提醒 A")
        fine_id = await notify(database, await new_user(database, fine), "工单提醒 B")
        result = await run_email_outbox(database, smtp_settings(port), NOW)
        assert (result["sent"], result["rejected"], result["failed"]) == (1, 1, 0)
        assert handler.to(gone) == [] and len(handler.to(fine)) == 1
        assert await emailed_at(database, gone_id) == NOW
        assert await emailed_at(database, fine_id) == NOW
        await run_email_outbox(database, smtp_settings(port), NOW)
        assert handler.rcpt_attempts.count(gone) == 1

    async def test_without_smtp_nothing_is_marked(self, database):
        user_id = await new_user(database, address())
        notification_id = await notify(database, user_id, "未配置邮件")
        result = await run_email_outbox(database, Settings(smtp_url=None), NOW)
        assert result["enabled"] is False and result["sent"] == 0
        assert await emailed_at(database, notification_id) is None
        # Tidy up for the tests after this one: deliver it to a server that is there.
        handler, port = Inbox(), free_port()
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test"
        )
        controller.start()
        try:
            assert (await run_email_outbox(database, smtp_settings(port), NOW))["sent"] == 1
        finally:
            controller.stop()


class TestLogin:
    @pytest.fixture
    def auth_inbox(self) -> Iterator[tuple[Inbox, int]]:
        handler, port = Inbox(), free_port()

        def authenticator(server, session, envelope, mechanism, auth_data):
            login, password = (
                v.decode() if isinstance(v, bytes) else v
                for v in (auth_data.login, auth_data.password)
            )
            handler.logins.append((login, password))
            return AuthResult(
                success=(login, password) == ("crm@example.com", "p@ss:w/rd"), handled=False
            )

        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            server_hostname="smtp.test",
            authenticator=authenticator,
            auth_require_tls=False,
        )
        controller.start()
        try:
            yield handler, port
        finally:
            controller.stop()

    async def test_percent_encoded_credentials_sign_in(self, database, auth_inbox):
        handler, port = auth_inbox
        to = address()
        await notify(database, await new_user(database, to), "登录后发送")
        settings = smtp_settings(port, query="", userinfo="crm%40example.com:p%40ss%3Aw%2Frd@")
        result = await run_email_outbox(database, settings, NOW)
        assert (result["sent"], result["error"]) == (1, None)
        assert handler.logins == [("crm@example.com", "p@ss:w/rd")]
        assert handler.messages[0][0] == "crm@example.com"  # `from` defaults to the login

    async def test_a_wrong_password_leaves_them_pending(self, database, auth_inbox):
        handler, port = auth_inbox
        notification_id = await notify(database, await new_user(database, address()), "密码错误")
        settings = smtp_settings(port, userinfo="crm%40example.com:wrong@")
        result = await run_email_outbox(database, settings, NOW)
        assert result["sent"] == 0 and result["failed"] == 1
        assert "login refused" in result["error"] and "wrong" not in result["error"]
        assert await emailed_at(database, notification_id) is None
        good = smtp_settings(port, userinfo="crm%40example.com:p%40ss%3Aw%2Frd@")
        assert (await run_email_outbox(database, good, NOW))["sent"] == 1


class TestSmtpUrl:
    def test_everything_in_one_url(self):
        c = parse_smtp_url(
            "smtp://u%40x.cn:p%2Fw@mail.example.com:2525?from=crm@example.com&starttls=1&timeout=3"
        )
        assert (
            c.host,
            c.port,
            c.username,
            c.password,
            c.sender,
            c.starttls,
            c.implicit_tls,
            c.timeout,
        ) == ("mail.example.com", 2525, "u@x.cn", "p/w", "crm@example.com", True, False, 3.0)

    @pytest.mark.parametrize(
        "url, port",
        [
            ("smtp://mail.example.com?from=a@b.cn", 25),
            ("smtp://mail.example.com?from=a@b.cn&starttls=true", 587),
            ("smtps://mail.example.com?from=a@b.cn", 465),
        ],
    )
    def test_default_ports(self, url, port):
        assert parse_smtp_url(url).port == port

    @pytest.mark.parametrize(
        "url",
        [
            "http://mail.example.com?from=a@b.cn",
            "smtp://?from=a@b.cn",
            "smtp://user:secret-pw@mail.example.com",
            "smtp://user:secret-pw@mail.example.com:99999?from=a@b.cn",
            "smtp://user:secret-pw@mail.example.com?from=a@b.cn&timeout=soon",
        ],
    )
    def test_bad_urls_say_why_without_the_password(self, url):
        with pytest.raises(ValueError) as error:
            parse_smtp_url(url)
        assert "CRM_SMTP_URL" in str(error.value) and "secret-pw" not in str(error.value)
