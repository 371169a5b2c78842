"""Job `email-outbox`: e-mail copies of in-app notifications over SMTP (CRM_SMTP_URL).

Every notification is e-mailed at most once it is marked: `emailed_at` is set right after the
SMTP server accepted the message, and also for notifications whose user has no address (the
username is not an e-mail address, or the account is deactivated) or muted their topic on the
profile page, which are skipped. A server
that cannot be reached, or that refuses for a temporary reason, leaves them pending for the next
run. A crash between the server's acceptance and the marking sends those messages again
(at-least-once, at most MARK_EVERY of them); their stable Message-ID lets mail clients drop the
copies.

smtplib blocks, so every SMTP exchange runs in a worker thread.
"""

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from config import Settings
from domain.analytics import report
from domain.analytics.report import ReportKind
from domain.notification_email import (
    Attachment,
    Email,
    address_of,
    compose,
    text_of,
    wanted,
)
from persistence.analytics.report_repo import SqlReportRepo
from persistence.db import Database
from persistence.notification_repo import PendingEmail, SqlNotificationRepo

log = logging.getLogger("crm.jobs.email")
BATCH = 100
# Sent messages are marked in small groups: one commit per message would cap delivery at the
# database's commit rate, while a crash re-sends at most this many.
MARK_EVERY = 20
TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    sender: str  # the From header, e.g. "crm@example.com" or "CRM <crm@example.com>"
    starttls: bool
    implicit_tls: bool  # smtps://
    timeout: float  # seconds per network operation

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender)[1]


def parse_smtp_url(url: str) -> SmtpConfig:
    """`smtp://user:pass@host:port?from=crm@example.com&starttls=1`, or `smtps://` for TLS
    from the first byte. User and password are percent-encoded. Errors never echo the URL: it
    holds a password."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("CRM_SMTP_URL must look like smtp://user:pass@host:port?from=address")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    username = unquote(parts.username) if parts.username else None
    sender = query.get("from") or (username if username and "@" in username else None)
    if not sender or "@" not in parseaddr(sender)[1]:
        raise ValueError("CRM_SMTP_URL needs ?from=<sender address>")
    implicit_tls = parts.scheme == "smtps"
    starttls = query.get("starttls", "").lower() in TRUE
    try:
        port = parts.port or (465 if implicit_tls else 587 if starttls else 25)
        timeout = float(query.get("timeout", 10))
    except ValueError:
        raise ValueError("CRM_SMTP_URL has a bad port or timeout") from None
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        username=username,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        starttls=starttls,
        implicit_tls=implicit_tls,
        timeout=timeout,
    )


def build_message(
    config: SmtpConfig, email: Email, notification_id: int, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = Address(display_name=email.to_name, addr_spec=email.to_address)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    # Stable per notification: a copy sent again after a crash is recognisably the same.
    domain = config.envelope_sender.rpartition("@")[2]
    message["Message-ID"] = f"<notification-{notification_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(email.text, charset="utf-8")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


class Outcome(Enum):
    SENT = "sent"
    REJECTED = "rejected"  # the server refused the recipient for good: never retried
    FAILED = "failed"  # this message failed for now: retried next run


class ServerUnavailable(Exception):
    """The SMTP server cannot be reached or dropped us: stop, and retry everything next run."""


class Mailer:
    """One SMTP connection, opened on the first message. Used from worker threads, one call
    at a time."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        smtp = (
            smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            if c.implicit_tls
            else smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        )
        try:
            if c.starttls:
                smtp.starttls(context=context)
            if c.username:
                try:
                    smtp.login(c.username, c.password or "")
                except UnicodeEncodeError:  # smtplib sends credentials as ASCII only
                    raise smtplib.SMTPException(
                        "the SMTP user and password must be ASCII"
                    ) from None
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, to_address: str) -> Outcome:
        c = self.config
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except smtplib.SMTPAuthenticationError as exc:
                raise ServerUnavailable(f"SMTP login refused ({exc.smtp_code})") from None
            except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, no TLS…
                raise ServerUnavailable(
                    f"SMTP server {c.host}:{c.port} unusable: {type(exc).__name__}: {exc}"
                ) from None
        try:
            self.smtp.send_message(message, from_addr=c.envelope_sender, to_addrs=[to_address])
            return Outcome.SENT
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            log.warning("recipient %s refused: %s", to_address, exc.recipients)
            return Outcome.REJECTED if codes and min(codes) >= 500 else Outcome.FAILED
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address, no SMTPUTF8
            log.warning("cannot send to %s: %s", to_address, exc)
            return Outcome.REJECTED
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                self.close()
                raise ServerUnavailable(f"SMTP server unavailable ({exc.smtp_code})") from None
            log.warning(
                "SMTP refused a message to %s: %s %s", to_address, exc.smtp_code, exc.smtp_error
            )
            return Outcome.FAILED
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, timed out
            self.close()
            raise ServerUnavailable(
                f"SMTP server {c.host}:{c.port} lost: {type(exc).__name__}: {exc}"
            ) from None

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _deliver(mailer: Mailer, email: Email, notification_id: int, now: datetime) -> Outcome:
    return mailer.send(build_message(mailer.config, email, notification_id, now), email.to_address)


async def _mark(database: Database, notification_ids: list[int], now: datetime) -> None:
    if notification_ids:
        async with database.session(write=True) as session:
            await SqlNotificationRepo(session).mark_emailed(notification_ids, now)


def _email_of(
    item: PendingEmail, files: dict[tuple[int, int], tuple[Attachment, ...]]
) -> Email | None:
    address = address_of(item.username, active=item.user_active)
    if address is None or not wanted(item.kind, item.email_muted):
        return None
    attached = (
        files.get((item.entity_id, item.user_id), ())
        if item.entity_type == "report" and item.entity_id is not None
        else ()
    )
    return compose(
        address=address,
        name=item.display_name,
        subject=text_of(item.kind, item.params, item.title, item.language),
        body=item.body,
        entity_type=item.entity_type,
        entity_id=item.entity_id,
        language=item.language,
        attachments=attached,
    )


async def _report_files(
    database: Database, batch: list[PendingEmail]
) -> dict[tuple[int, int], tuple[Attachment, ...]]:
    """The files of the finished reports these notifications announce, by (report, user):
    only a report's own recipient gets them (a report follows its recipient's role rules)."""
    wanted = {
        (item.entity_id, item.user_id)
        for item in batch
        if item.entity_type == "report" and item.entity_id is not None
    }
    files: dict[tuple[int, int], tuple[Attachment, ...]] = {}
    if not wanted:
        return files
    async with database.session(write=False) as session:
        repo = SqlReportRepo(session)
        for report_id, user_id in wanted:
            found = await repo.get(report_id)
            if found is None or found.recipient_id != user_id or found.status != "done":
                continue
            pdf, xlsx = await repo.file(report_id, "pdf"), await repo.file(report_id, "xlsx")
            if pdf and xlsx:
                files[report_id, user_id] = report.attachments(
                    ReportKind(found.kind), found.first_day, found.last_day, xlsx, pdf
                )
    return files


async def run_email_outbox(database: Database, settings: Settings, now: datetime) -> dict[str, Any]:
    """E-mail every pending notification. Counts: `sent`; `skipped` (no address: marked, never
    sent); `rejected` (the server refused the address for good: marked); `failed` (left pending
    for the next run), with `error` saying why the server could not be used."""
    counts = {"sent": 0, "skipped": 0, "rejected": 0, "failed": 0}
    if not settings.smtp_url:
        return {"enabled": False, **counts, "error": None}
    config = parse_smtp_url(settings.smtp_url)
    mailer = Mailer(config)
    error: str | None = None
    after_id = 0
    done: list[int] = []  # accepted or refused for good, not yet marked
    try:
        while error is None:
            async with database.session(write=False) as session:
                batch = await SqlNotificationRepo(session).pending_emails(
                    after_id=after_id, limit=BATCH
                )
            if not batch:
                break
            after_id = batch[-1].id  # keyset: a message that failed is not retried this run
            files = await _report_files(database, batch)
            outgoing = [(item, _email_of(item, files)) for item in batch]
            skipped = [item.id for item, email in outgoing if email is None]
            await _mark(database, skipped, now)
            counts["skipped"] += len(skipped)
            for position, (item, email) in enumerate(outgoing):
                if email is None:
                    continue
                try:
                    # Building the MIME message is CPU work too: both off the event loop.
                    outcome = await asyncio.to_thread(_deliver, mailer, email, item.id, now)
                except ServerUnavailable as exc:
                    error = str(exc)
                    counts["failed"] += sum(1 for _, e in outgoing[position:] if e is not None)
                    log.warning("e-mail outbox stopped: %s", error)
                    break
                if outcome is Outcome.FAILED:
                    counts["failed"] += 1
                    continue
                counts[outcome.value] += 1
                done.append(item.id)
                if len(done) >= MARK_EVERY:
                    await _mark(database, done, now)
                    done.clear()
    finally:
        try:
            await _mark(database, done, now)
        finally:
            await asyncio.to_thread(mailer.close)
    return {"enabled": True, **counts, "error": error}
