"""One spreadsheet row → a customer draft, checked with the API's own rules
(domain.customer.normalize, the contact rules, custom field definitions). Every problem of a
row is reported at once, each against the column it came from."""

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import phonenumbers

from domain import customer as rules
from domain import validation
from domain.custom_field import Definition, FieldType, validate_values
from domain.errors import Invalid
from domain.imports import cells
from domain.imports.columns import INDUSTRY_CHOICES, Column
from domain.roles import Actor, Role

# Fields of the customer a row carries (besides contacts, tags, owner, custom fields).
CUSTOMER_FIELDS = (
    "name",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "grade",
    "source",
    "urgency",
)
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat")


@dataclass(slots=True)
class RowError:
    row: int  # the spreadsheet's row number, the header being row 1
    column: str  # the header as written in the file, or the field when no column has it
    value: Any
    message: str


@dataclass(slots=True)
class CustomerDraft:
    row: int
    kind: str | None = None
    code: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # normalised customer fields
    contacts: list[dict[str, Any]] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    # Fields of a row that names its customer by code alone: checked against the matched
    # customer's kind (plan.py).
    unchecked: dict[str, Any] | None = None
    owner_username: str | None = None
    owner_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    match_keys: list[tuple[str, str]] | None = None  # plan.keys_of, kept once worked out

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class RowContext:
    """What checking a row needs to know beyond the row: the columns, custom field
    definitions, tags by name and users by username ((id, role, active))."""

    actor: Actor
    columns: Mapping[str, Column]  # field key → column
    headers: Mapping[str, str]  # field key → the header the file uses for it
    definitions: Mapping[str, Definition]
    tags: Mapping[str, int]
    users: Mapping[str, tuple[int, str, bool]]
    # Repaired values of the columns whose values repeat (stages, regions, titles…).
    memo: dict[tuple[str, Any], Any] = field(default_factory=dict)


_CONTACT_KEYS = tuple(
    (slot, tuple((name, f"contact{slot}.{name}") for name in CONTACT_FIELDS))
    for slot in range(1, 4)
)
MEMO_TYPES = frozenset({"enum", "text", "list"})
MEMO_SIZE = 50_000
_ESCAPED = ("=", "+", "-", "@", "\t", "\r")


def normal_name(name: str) -> str:
    """A name as compared for duplicates: NFKC (full-width letters and brackets), no spaces,
    case-folded. `上海 甲乙（集团）` and `上海甲乙(集团)` are the same company."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _repair(column: Column, raw: Any) -> Any:
    match column.type:
        case "code":
            return cells.digits_text(raw)
        case "phone":
            return cells.phone(raw)
        case "date":
            return cells.day(raw)
        case "number":
            return cells.number(raw)
        case "list":
            return cells.items(raw)
        case "enum":
            return cells.text(raw)  # matched against the choices below
        case _:
            return cells.text(raw)


def read_cells(
    row: int, raw: Mapping[str, Any], ctx: RowContext, errors: list[RowError]
) -> dict[str, Any]:
    """The repaired value of each mapped field; a value that cannot be repaired is an error."""
    out: dict[str, Any] = {}
    memo = ctx.memo
    for key, value in raw.items():
        column = ctx.columns[key]
        if isinstance(value, str) and value[:1] == "'" and value[1:2] in _ESCAPED:
            value = value[1:]  # our CSV export's guard against formula injection
        cacheable = column.type in MEMO_TYPES and isinstance(value, str) and len(value) < 40
        if cacheable and (key, value) in memo:
            out[key] = memo[key, value]
            continue
        try:
            repaired = _repair(column, value)
            if column.type == "enum" and repaired is not None and key != "industry":
                repaired = cells.choice(repaired, column.choices)
        except cells.CellError as exc:
            errors.append(RowError(row, ctx.headers.get(key, key), _shown(value), exc.message))
            continue
        if cacheable and len(memo) < MEMO_SIZE:
            memo[key, value] = repaired
        out[key] = repaired
    return out


def _shown(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _industry(value: str) -> str | None:
    """A section by its name or letter, or a division code (I65)."""
    try:
        return cells.choice(value, INDUSTRY_CHOICES)
    except cells.CellError:
        return rules.check_industry(value)


def customer_draft(row: int, raw: Mapping[str, Any], ctx: RowContext) -> CustomerDraft:
    """Check one row of a customer file. `raw`: field key → cell as read."""
    draft = CustomerDraft(row)
    errors = draft.errors
    values = read_cells(row, raw, ctx, errors)

    def fail(key: str, message: str) -> None:
        errors.append(RowError(row, ctx.headers.get(key, key), _shown(raw.get(key)), message))

    draft.code = values.get("code")
    if values.get("industry") is not None:
        try:
            values["industry"] = _industry(values["industry"])
        except validation.InvalidValue as exc:
            fail("industry", exc.message)
            values.pop("industry")
    kind = values.get("kind")
    if kind is None:  # judged by the identifier given, never by the name
        if values.get("credit_code") and not values.get("id_number"):
            kind = rules.Kind.ORGANIZATION.value
        elif values.get("id_number") and not values.get("credit_code"):
            kind = rules.Kind.INDIVIDUAL.value
        elif draft.code is None:
            fail("kind", "say 企业 or 个人, or give a credit code or an ID number")
    draft.kind = kind

    fields = {name: values[name] for name in CUSTOMER_FIELDS if values.get(name) is not None}
    if "grade" in fields and not ctx.actor.is_admin:
        fail("grade", "only an admin sets the grade")
        fields.pop("grade")
    if kind is None and draft.code is not None:
        draft.unchecked = fields
    if kind is not None:
        try:
            # Required fields are checked once the row is matched (plan.py): a row that
            # updates a customer needs only what it changes.
            draft.values = rules.normalize(rules.Kind(kind), fields)
        except Invalid as exc:
            for e in exc.errors:
                fail(e["field"], e["message"])
    if "grade" in draft.values:
        draft.values["grade_locked"] = True  # set by hand: the value job leaves it alone

    owner = values.get("owner")
    if owner is not None:
        draft.owner_username = owner
        user = ctx.users.get(owner)
        if not ctx.actor.is_admin:  # an account manager's customers are their own
            if user is None or user[0] != ctx.actor.user_id:
                fail("owner", "only an admin names another owner")
            else:
                draft.owner_id = user[0]
        elif user is None or not user[2] or user[1] not in (Role.ADMIN, Role.ACCOUNT_MANAGER):
            fail("owner", "must be the username of an active account manager or admin")
        else:
            draft.owner_id = user[0]

    for name in values.get("tags") or []:
        if name in ctx.tags:
            draft.tag_names.append(name)
        else:
            fail("tags", f"no tag named {name}; an admin creates tags first")

    custom = {
        key.removeprefix("custom."): value
        for key, value in values.items()
        if key.startswith("custom.") and value is not None
    }
    for key, value in list(custom.items()):
        definition = ctx.definitions.get(key)
        if definition is not None:
            custom[key] = _custom_value(definition, value)
    if custom:
        try:  # required ones too are checked once matched
            optional = {k: replace(d, required=False) for k, d in ctx.definitions.items()}
            draft.custom = validate_values(optional, {}, custom)
        except Invalid as exc:
            for e in exc.errors:
                fail(e["field"].replace("custom_fields.", "custom."), e["message"])

    for slot, keys in _CONTACT_KEYS:
        contact = {name: values[key] for name, key in keys if values.get(key) is not None}
        if not contact:
            continue
        checked = _contact(row, slot, contact, ctx, errors)
        if checked is not None:
            draft.contacts.append(checked)
    return draft


def _custom_value(definition: Definition, value: Any) -> Any:
    """A cell as the custom field's JSON type expects it."""
    if definition.type is FieldType.DATE:
        try:
            found = cells.day(value)
            return found.isoformat() if found else None
        except cells.CellError:
            return str(value)
    if definition.type is FieldType.BOOL:
        text = str(value).strip().casefold()
        return {
            "是": True,
            "否": False,
            "true": True,
            "false": False,
            "yes": True,
            "no": False,
            "1": True,
            "0": False,
        }.get(text, value)
    if definition.type is FieldType.NUMBER:
        return str(value)
    return str(value) if not isinstance(value, str) else value


def _cn_mobile_pattern() -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    if pattern is None:
        raise RuntimeError("phonenumbers has no pattern for China's mobile numbers")
    return pattern


# Fast paths that give exactly the API's answer for the common case and fall back to the full
# validators otherwise: a file of 100,000 rows has 200,000 phones and e-mails.
_CN_MOBILE = re.compile(_cn_mobile_pattern())
_CN_PREFIX = re.compile(r"^(?:\+86|0086|86)?[ -]?")
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def normalize_phone(value: str) -> str:
    """validation.normalize_phone, without parsing when the value is plainly a valid Chinese
    mobile number (libphonenumber's own pattern for CN mobiles)."""
    digits = _CN_PREFIX.sub("", value.strip(), count=1)
    if len(digits) == 11 and digits.isascii() and digits.isdigit() and _CN_MOBILE.fullmatch(digits):
        return "+86" + digits
    return validation.normalize_phone(value)


@functools.lru_cache(maxsize=4096)
def _email_domain(domain: str) -> str | None:
    """The normalised domain, checked once per domain by the full validator; None if bad."""
    try:
        return validation.normalize_email("a@" + domain).rpartition("@")[2]
    except validation.InvalidValue:
        return None


def normalize_email(value: str) -> str:
    """validation.normalize_email: a plain ASCII dot-atom local part is kept as the validator
    keeps it, and the domain is validated once per domain; anything else takes the full
    validator."""
    local, at, domain = value.strip().rpartition("@")
    if at and len(local) <= 64 and domain and _DOT_ATOM.fullmatch(local):
        checked = _email_domain(domain)
        if checked is not None and len(local) + 1 + len(checked) <= 254:
            return f"{local}@{checked}"
    return validation.normalize_email(value)


def _contact(
    row: int, slot: int, contact: dict[str, Any], ctx: RowContext, errors: list[RowError]
) -> dict[str, Any] | None:
    bad = False
    for name in ("mobile", "phone"):
        if contact.get(name):
            try:
                contact[name] = normalize_phone(contact[name])
            except validation.InvalidValue as exc:
                key = f"contact{slot}.{name}"
                errors.append(RowError(row, ctx.headers.get(key, key), contact[name], exc.message))
                bad = True
    if contact.get("email"):
        try:
            contact["email"] = normalize_email(contact["email"])
        except validation.InvalidValue as exc:
            key = f"contact{slot}.email"
            errors.append(RowError(row, ctx.headers.get(key, key), contact["email"], exc.message))
            bad = True
    if not contact.get("name"):
        key = f"contact{slot}.name"
        errors.append(
            RowError(
                row,
                ctx.headers.get(key, key),
                None,
                "the contact's name is required with their details",
            )
        )
        bad = True
    return None if bad else contact
