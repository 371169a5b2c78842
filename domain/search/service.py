"""One search over everything the actor may see, grouped by type."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.customer import sees_amounts
from domain.ports import UnitOfWork
from domain.ports.search import CustomerHitRow
from domain.roles import Actor
from domain.search import rules
from domain.search.normalize import normalize

TYPES = ("customers", "contacts", "tickets", "follow_ups", "opportunities")
_CONTACT_FIELDS = frozenset({rules.CONTACTS, rules.PHONES, rules.EMAILS, rules.WECHATS})
_CONTACT_FIELD_NAMES = {
    rules.CONTACTS: "name",
    rules.PHONES: "phone",
    rules.EMAILS: "email",
    rules.WECHATS: "wechat",
}


@dataclass(frozen=True, slots=True)
class Hit:
    type: str
    id: int
    customer_id: int | None
    title: str
    subtitle: str | None
    field: str
    value: str
    highlight: tuple[int, int] | None


@dataclass(slots=True)
class Group:
    type: str
    items: list[Hit] = field(default_factory=list)
    more: bool = False


def _customer_hit(row: CustomerHitRow, m: rules.Match) -> Hit:
    name_field = m.field in (rules.NAMES, rules.PINYIN)
    if m.field == rules.PINYIN:
        span = rules.name_span(row.name, m)
        value = normalize(row.name)
    else:
        span, value = (m.start, m.end), m.value
    if name_field and len(row.name) == len(value):
        value = row.name  # as typed (case, full-width letters), same positions
    field_name = {
        rules.NAMES: "name",
        rules.PINYIN: "name",
        rules.CODES: "code",
        rules.CONTACTS: "contact_name",
    }.get(m.field, m.field.rstrip("s"))
    return Hit("customers", row.id, row.id, row.name, row.code, field_name, value, span)


def _snippet(value: str, text: str, width: int = 60) -> tuple[str, tuple[int, int] | None]:
    """The part of `value` around the first match of `text` (normalised, case-insensitive),
    at most `width` characters, and the match's span in it."""
    folded = value.lower()
    at = folded.find(text)
    if at < 0:
        return value[:width], None
    start = max(0, min(at - width // 3, len(value) - width))
    return value[start : start + width], (at - start, at - start + len(text))


def _text_hit(
    type_: str,
    id_: int,
    customer_id: int,
    title: str,
    subtitle: str | None,
    fields: list[tuple[str, str | None]],
    text: str,
) -> Hit:
    """A ticket, follow-up or opportunity hit: the first of `fields` that contains the query."""
    for name, value in fields:
        if value and text in normalize(value):
            snippet, span = _snippet(value, text)
            return Hit(type_, id_, customer_id, title, subtitle, name, snippet, span)
    return Hit(
        type_, id_, customer_id, title, subtitle, fields[0][0], (fields[0][1] or "")[:60], None
    )


async def search(
    uow: UnitOfWork, actor: Actor, text: str, *, types: Sequence[str], limit: int
) -> list[Group]:
    """Customers ranked by rules.Tier; contacts that match among those customers'; tickets,
    follow-ups and opportunities newest first. Each hit carries the field that matched and
    the span to highlight. Role rules as on the lists: what a role may not see neither
    matches nor shows."""
    q = rules.parse(text)
    groups = {t: Group(t) for t in types}
    if q.empty:
        return list(groups.values())
    customer_hits, more = await uow.search.customers(actor, q, limit=limit)
    if "customers" in groups:
        groups["customers"].items = [_customer_hit(row, m) for row, m in customer_hits]
        groups["customers"].more = more
    if "contacts" in groups:
        owners = {row.id: row.owner_id for row, m in customer_hits if m.field in _CONTACT_FIELDS}
        contacts = await uow.search.contacts_of(list(owners))
        for contact in contacts:
            hidden = uow.search.hidden_for(actor, owners[contact.customer_id])
            contact_text = rules.ContactText(
                contact.name, contact.mobile, contact.phone, contact.email, contact.wechat
            )
            doc = rules.document(rules.CustomerText(name="", code="", contacts=[contact_text]))
            m = rules.match(doc, q, hidden)
            if m is None or m.field not in _CONTACT_FIELDS:
                continue
            groups["contacts"].items.append(
                Hit(
                    "contacts",
                    contact.id,
                    contact.customer_id,
                    contact.name,
                    contact.customer_name,
                    _CONTACT_FIELD_NAMES[m.field],
                    m.value,
                    (m.start, m.end),
                )
            )
        groups["contacts"].more = len(groups["contacts"].items) > limit or more
        groups["contacts"].items = groups["contacts"].items[:limit]
    text_ = q.text
    if "tickets" in groups and len(text_) >= 2:
        tickets_page = await uow.search.tickets(actor, text_, limit=limit)
        groups["tickets"].items = [
            _text_hit(
                "tickets",
                t.id,
                t.customer_id,
                t.title,
                t.code,
                [
                    ("code", t.code),
                    ("title", t.title),
                    ("description", t.description),
                    ("customer_name", name),
                ],
                text_,
            )
            for t, name in tickets_page.items
        ]
        groups["tickets"].more = tickets_page.next_cursor is not None
    if "follow_ups" in groups and len(text_) >= 2:
        follow_ups_page = await uow.search.follow_ups(actor, text_, limit=limit)
        groups["follow_ups"].items = [
            _text_hit(
                "follow_ups",
                f.id,
                f.customer_id,
                f.summary[:60],
                name,
                [("summary", f.summary), ("feedback", f.feedback)],
                text_,
            )
            for f, name in follow_ups_page.items
        ]
        groups["follow_ups"].more = follow_ups_page.next_cursor is not None
    if "opportunities" in groups and len(text_) >= 2 and sees_amounts(actor):
        opportunities_page = await uow.search.opportunities(actor, text_, limit=limit)
        groups["opportunities"].items = [
            _text_hit(
                "opportunities", o.id, o.customer_id, o.title, name, [("title", o.title)], text_
            )
            for o, name in opportunities_page.items
        ]
        groups["opportunities"].more = opportunities_page.next_cursor is not None
    return list(groups.values())
