"""E-mail copies of in-app notifications (capability 14): who gets one and what it says.

Users have no e-mail column: a username that is an e-mail address is where the copy goes;
other users, and deactivated ones, get none.
"""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

# Where the web app shows an entity (paths under the app's own origin).
LINKS = {"ticket": "/tickets/{id}", "customer": "/customers/{id}", "report": "/reports"}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # maintype/subtype
    data: bytes


@dataclass(frozen=True, slots=True)
class Email:
    to_address: str
    to_name: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


def address_of(username: str, *, active: bool = True) -> str | None:
    """The username if it is a deliverable-looking address of an active user, else None."""
    if not active or "@" not in username:
        return None
    try:
        checked = validate_email(username, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email or checked.normalized


def link_of(entity_type: str | None, entity_id: int | None) -> str | None:
    template = LINKS.get(entity_type or "")
    return template.format(id=entity_id) if template and entity_id is not None else None


def one_line(text: str) -> str:
    """Header-safe: a title typed with line breaks must not add (or break) headers."""
    return " ".join(text.split())


def compose(
    *,
    address: str,
    name: str,
    title: str,
    body: str | None,
    entity_type: str | None,
    entity_id: int | None,
    attachments: tuple[Attachment, ...] = (),
) -> Email:
    """Subject is the notification's title; the text is its body (or title) and a link; a
    report's notification carries the report's files."""
    parts = [body.strip() if body and body.strip() else title.strip()]
    link = link_of(entity_type, entity_id)
    if link:
        parts.append(f"查看 / Open: {link}")
    parts.append("—— 客户关系与服务管理 CRM（系统自动发送，请勿回复）")
    return Email(
        to_address=address,
        to_name=one_line(name),
        subject=one_line(title),
        text="\n\n".join(parts) + "\n",
        attachments=attachments,
    )
