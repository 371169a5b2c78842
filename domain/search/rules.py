"""What a customer's search document holds, which query matches which of its fields, and how
matches rank. `match` is the rule itself, written plainly: the index answers the same question
with SQL (persistence/search/) and the property test holds the two equal."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from domain.search.normalize import (
    digits,
    is_cjk,
    normalize,
    phone_forms,
    pinyin,
    query_digits,
    syllables,
)

# Document fields. Each holds normalised values, each value on its own line and the whole
# wrapped in newlines ("\nv1\nv2\n"), so that SQL `LIKE` tells a substring ('%q%'), a prefix
# ('%\nq%') and a whole value ('%\nq\n%') apart, and no match spans two values.
NAMES, CONTACTS, PINYIN, PHONES, EMAILS, WECHATS, ADDRESS, CODES, ID_NUMBER = (
    "names",
    "contacts",
    "pinyin",
    "phones",
    "emails",
    "wechats",
    "address",
    "codes",
    "id_number",
)
FIELDS = (NAMES, CONTACTS, PINYIN, PHONES, EMAILS, WECHATS, ADDRESS, CODES, ID_NUMBER)

# Which grams of a field's values go into the index, and so which queries can find it:
# Chinese names from one character, pinyin from two letters, phones from four digits,
# everything else from three. Phones keep 4-grams, not trigrams: a phone query has at least
# four digits anyway, and with ten digits a trigram is in one phone of a hundred (a 4-digit
# fragment intersected two posting lists of ~60,000 customers at a million), a 4-gram in one
# of a thousand, which answers the fragment from one short list.
_UNI_BI_TRI = (NAMES, CONTACTS)
_BI_TRI = (PINYIN,)

MAX_QUERY_GRAMS = 6  # more grams narrow little and cost a posting list each
MAX_QUERY_LENGTH = 100
MIN_PHONE_DIGITS = 4


class Tier(IntEnum):
    """Ranking, best first; ties by last contact, newest first."""

    EXACT = 0  # the whole code, credit code, ID number, phone or e-mail
    NAME_PREFIX = 1
    NAME = 2
    CONTACT = 3  # a contact's name, phone, e-mail or WeChat id
    PINYIN = 4  # full pinyin or initials of the customer's name
    OTHER = 5  # address; part of a code, credit code or ID number


@dataclass(frozen=True, slots=True)
class CustomerText:
    """What of a customer is searchable, as stored."""

    name: str
    code: str
    credit_code: str | None = None
    id_number: str | None = None
    address: str | None = None
    contacts: Sequence["ContactText"] = ()


@dataclass(frozen=True, slots=True)
class ContactText:
    name: str
    mobile: str | None = None  # E.164
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None


def _wrap(values: Iterable[str | None]) -> str:
    kept = list(dict.fromkeys(v for v in (normalize(v) for v in values if v) if v))
    return "\n" + "\n".join(kept) + "\n" if kept else "\n"


def document(customer: CustomerText) -> dict[str, str]:
    """The customer's search document: field → wrapped normalised values."""
    spellings = pinyin(customer.name)
    contacts = customer.contacts
    return {
        NAMES: _wrap([customer.name]),
        CONTACTS: _wrap(c.name for c in contacts),
        PINYIN: _wrap(spellings or ()),
        PHONES: _wrap(
            form
            for c in contacts
            for number in (c.mobile, c.phone)
            if number
            for form in phone_forms(number)
        ),
        EMAILS: _wrap(c.email for c in contacts),
        WECHATS: _wrap(c.wechat for c in contacts),
        ADDRESS: _wrap([customer.address]),
        CODES: _wrap([customer.code, customer.credit_code]),
        ID_NUMBER: _wrap([customer.id_number]),
    }


def _values(field_text: str) -> list[str]:
    return [v for v in field_text.split("\n") if v]


def _ngrams(text: str, n: int) -> list[str]:
    return [text[i : i + n] for i in range(len(text) - n + 1)]


# Each gram is keyed by its field group, so a condition on one group reads only that group's
# postings: `科技` in names is common, in phone digits or pinyin it does not exist, and the
# trigrams of a mobile fragment are not diluted by every code and ID number that has them.
GROUP = {
    NAMES: "n",
    CONTACTS: "c",
    PINYIN: "p",
    PHONES: "d",
    EMAILS: "e",
    WECHATS: "e",
    ADDRESS: "o",
    CODES: "o",
    ID_NUMBER: "o",
}
# Fields matched as a whole value (the first ranking tier) also index each value whole, under
# "x": the tier then reads the few documents holding exactly that value, not every document
# that merely contains the query (a 4-digit query is in thousands of phones, the whole value
# of none).
WHOLE = "x"
_WHOLE_FIELDS = (CODES, ID_NUMBER, PHONES, EMAILS)


def grams(doc: Mapping[str, str]) -> list[str]:
    """The index keys of a document (group letter + gram), sorted and distinct."""
    out: set[str] = set()
    for field in FIELDS:
        text = doc[field]
        if text == "\n":
            continue  # no value: most documents leave several fields empty
        group = GROUP[field]
        sizes = _GRAM_SIZES[field]
        for value in _values(text):
            if field in _UNI_BI_TRI:
                out.update([group + ch for ch in value if is_cjk(ch)])
            for n in sizes:
                out.update([group + value[i : i + n] for i in range(len(value) - n + 1)])
            if field in _WHOLE_FIELDS:
                out.add(WHOLE + value)
    return sorted(out)


# The gram lengths of each field (on top of single characters for _UNI_BI_TRI).
_GRAM_SIZES = {
    field: (
        (2, 3)
        if field in _UNI_BI_TRI or field in _BI_TRI
        else (MIN_PHONE_DIGITS,)
        if field == PHONES
        else (3,)
    )
    for field in FIELDS
}


def _sample(items: list[str]) -> list[str]:
    """At most MAX_QUERY_GRAMS of them, spread over the query (first and last kept)."""
    items = list(dict.fromkeys(items))
    if len(items) <= MAX_QUERY_GRAMS:
        return items
    step = (len(items) - 1) / (MAX_QUERY_GRAMS - 1)
    return [items[round(i * step)] for i in range(MAX_QUERY_GRAMS)]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: the normalised text, the digits when typed as a phone number, the
    fields it may match by its length, and the grams every matching document has."""

    text: str
    digits: str | None
    fields: frozenset[str]
    text_grams: tuple[str, ...]
    phone_grams: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.fields

    def grams_for(self, field: str, how: str = "part") -> tuple[str, ...]:
        """The keys every document matching this query in `field` (`how`: "exact", "prefix"
        or "part") has."""
        if how == "exact" and field in _WHOLE_FIELDS:
            return (WHOLE + needle(self, field),)
        base = self.phone_grams if field == PHONES else self.text_grams
        return tuple(GROUP[field] + g for g in base)


def parse(query: str) -> SearchQuery:
    text = normalize(query)[:MAX_QUERY_LENGTH]
    number = query_digits(query)
    if number is not None and len(number) < MIN_PHONE_DIGITS:
        number = None
    fields: set[str] = set()
    length = len(text)
    if length >= 1 and (length >= 2 or is_cjk(text)):
        fields |= {NAMES, CONTACTS}
    if length >= 2 and text.isascii() and text.isalpha():
        fields.add(PINYIN)
    if length >= 3:
        fields |= {EMAILS, WECHATS, ADDRESS, CODES, ID_NUMBER}
    if number:
        fields.add(PHONES)
    text_grams = (text,) if 1 <= length <= 2 else tuple(_sample(_ngrams(text, 3)))
    phone_grams = tuple(_sample(_ngrams(number, MIN_PHONE_DIGITS))) if number else ()
    return SearchQuery(text, number, frozenset(fields), text_grams, phone_grams)


# Per tier, the (field, how) conditions that put a match in it; "exact" is a whole value,
# "prefix" the start of one, "part" anywhere. Phones compare the query's digits.
TIERS: tuple[tuple[Tier, tuple[tuple[str, str], ...]], ...] = (
    (Tier.EXACT, ((CODES, "exact"), (ID_NUMBER, "exact"), (PHONES, "exact"), (EMAILS, "exact"))),
    (Tier.NAME_PREFIX, ((NAMES, "prefix"),)),
    (Tier.NAME, ((NAMES, "part"),)),
    (Tier.CONTACT, ((CONTACTS, "part"), (PHONES, "part"), (EMAILS, "part"), (WECHATS, "part"))),
    (Tier.PINYIN, ((PINYIN, "part"),)),
    (Tier.OTHER, ((ADDRESS, "part"), (CODES, "part"), (ID_NUMBER, "part"))),
)

# Fields a role does not see on customers it does not own (domain/customer.py redact):
# neither matched nor shown.
HIDDEN_FROM = {
    "agent": frozenset({ID_NUMBER}),
    "supervisor": frozenset({ID_NUMBER, PHONES}),
    "readonly": frozenset({ID_NUMBER, PHONES}),
}


def hidden_fields(role: str) -> frozenset[str]:
    """Fields matched only on the actor's own customers."""
    return HIDDEN_FROM.get(role, frozenset())


def needle(q: SearchQuery, field: str) -> str:
    return q.digits or "" if field == PHONES else q.text


def _holds(field_text: str, needle_: str, how: str) -> bool:
    if how == "exact":
        return f"\n{needle_}\n" in field_text
    if how == "prefix":  # of the first value: asked of names, which hold one
        return field_text.startswith(f"\n{needle_}")
    return needle_ in field_text


@dataclass(frozen=True, slots=True)
class Match:
    tier: Tier
    field: str
    value: str  # the matched value as indexed
    start: int  # the span [start, end) of the match within it
    end: int


def match(
    doc: Mapping[str, str], q: SearchQuery, hidden: frozenset[str] = frozenset()
) -> Match | None:
    """The best match of the query in a document, or None. `hidden`: fields the actor may
    not see on this customer."""
    for tier, conditions in TIERS:
        for field, how in conditions:
            if field not in q.fields or field in hidden:
                continue
            text = needle(q, field)
            if not _holds(doc[field], text, how):
                continue
            for value in _values(doc[field]):
                at = value.find(text)
                if (
                    at >= 0
                    and (how != "exact" or value == text)
                    and (how != "prefix" or (at == 0 and value == _values(doc[field])[0]))
                ):
                    return Match(tier, field, value, at, at + len(text))
    return None


def name_span(name: str, m: Match) -> tuple[int, int] | None:
    """For a pinyin match, the characters of the (normalised) name it covers: `hzmd` in
    杭州明达电子 → (0, 4); None when the match is not on whole syllables' letters."""
    parts = syllables(name)
    full, initials = "".join(parts), "".join(p[:1] for p in parts)
    if m.value == initials and m.value != full:
        return _span_over(parts, [1 if p else 0 for p in parts], m.start, m.end)
    return _span_over(parts, [len(p) for p in parts], m.start, m.end)


def _span_over(parts: list[str], widths: list[int], start: int, end: int) -> tuple[int, int] | None:
    first = last = None
    at = 0
    for i, width in enumerate(widths):
        if width and at < end and at + width > start:
            first = i if first is None else first
            last = i
        at += width
    return None if first is None or last is None else (first, last + 1)


def phone_digits(number: str) -> str:
    return digits(number)
