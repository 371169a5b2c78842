"""One search over everything the actor may see, grouped by type."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.ports import UnitOfWork
from domain.roles import Actor
from domain.search import rules
from domain.search.normalize import normalize

TYPES = ("customers", "contacts", "tickets", "follow_ups", "opportunities")
_CONTACT_FIELDS = frozenset({rules.CONTACTS, rules.PHONES, rules.EMAILS, rules.WECHATS})
_CONTACT_FIELD_NAMES = {rules.CONTACTS: "name", rules.PHONES: "phone",
                        rules.EMAILS: "email", rules.WECHATS: "wechat"}


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


def _customer_hit(row: Any, m: rules.Match) -> Hit:
    name_field = m.field in (rules.NAMES, rules.PINYIN)
    if m.field == rules.PINYIN:
        span = rules.name_span(row.name, m)
        value = normalize(row.name)
    else:
        span, value = (m.start, m.end), m.value
    if name_field and len(row.name) == len(value):
        value = row.name  # as typed (case, full-width letters), same positions
    field_name = {rules.NAMES: "name", rules.PINYIN: "name", rules.CODES: "code",
                  rules.CONTACTS: "contact_name"}.get(m.field, m.field.rstrip("s"))
    return Hit("customers", row.id, row.id, row.name, row.code, field_name, value, span)


async def search(uow: UnitOfWork, actor: Actor, text: str, *, types: Sequence[str],
                 limit: int) -> list[Group]:
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
        owners = {row.id: row.owner_id for row, m in customer_hits
                  if m.field in _CONTACT_FIELDS}
        contacts = await uow.search.contacts_of(list(owners))
        for contact in contacts:
            hidden = uow.search.hidden_for(actor, owners[contact.customer_id])
            doc = rules.document(rules.CustomerText(name="", code="", contacts=[contact]))
            m = rules.match(doc, q, hidden)
            if m is None or m.field not in _CONTACT_FIELDS:
                continue
            groups["contacts"].items.append(Hit(
                "contacts", contact.id, contact.customer_id, contact.name,
                contact.customer_name, _CONTACT_FIELD_NAMES[m.field], m.value,
                (m.start, m.end)))
        groups["contacts"].more = len(groups["contacts"].items) > limit or more
        groups["contacts"].items = groups["contacts"].items[:limit]
    return list(groups.values())
