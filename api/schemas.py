"""Request and response bodies. Write schemas forbid unknown fields: a client that sends
`code`, `version` or timestamps is told so, not silently ignored."""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain import text
from domain.custom_field import FieldType
from domain.customer import ActivityStatus, Gender, Grade, Kind, Size, Source, Stage, Urgency
from domain.roles import Role

T = TypeVar("T")

# Every date and time the API accepts lies in 1970–2100 (design §4): earlier or later ones are
# typos or probes, and 0001-01-01 or 9999-12-31 overflow time zones and business calendars.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2100, 12, 31)


def _day_in_range(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError("must be between 1970-01-01 and 2100-12-31")
    return value


def _instant_in_range(value: datetime) -> datetime:
    # Compared in UTC; the years either side keep zone conversion in range.
    if not 1969 <= value.year <= 2101 or not (
        datetime(1970, 1, 1, tzinfo=UTC) <= value < datetime(2101, 1, 1, tzinfo=UTC)
    ):
        raise ValueError("must be between 1970-01-01 and 2100-12-31")
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]
Instant = Annotated[AwareDatetime, AfterValidator(_instant_in_range)]


def _clean(value: Any) -> Any:
    return text.clean(value) if isinstance(value, str) else value


# Names, titles and tags are compared and searched: one form for what people typed (NFKC, no
# invisible characters, single spaces). Long texts keep their line breaks.
Cleaned = BeforeValidator(_clean)
Text = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
Name = Annotated[str, Cleaned, StringConstraints(min_length=1, max_length=200)]
TagName = Annotated[str, Cleaned, StringConstraints(min_length=1, max_length=50)]
ContactName = Annotated[str, Cleaned, StringConstraints(min_length=1, max_length=100)]
Id = Annotated[int, Field(ge=1, le=2**62)]


def refuse_nul(value: Any) -> Any:
    """PostgreSQL text and JSONB cannot hold U+0000: refuse it as bad input, not a 500.
    Walks nested values with a stack: a deeply nested body must not exhaust recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("must not contain NUL (U+0000) characters")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


def refuse_null(value: Any) -> Any:
    """For PATCH fields that may be left out but not cleared: their columns are NOT NULL."""
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


ExternalIds = dict[
    Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")],
    Annotated[str, StringConstraints(min_length=1, max_length=200)] | None,
]
EXTERNAL_IDS_IN = (
    "Ids in other systems, `{system: id}`, each unique per system and kind of record. On "
    "PATCH they merge system by system; null removes one."
)
EXTERNAL_IDS_OUT = "Ids in other systems, `{system: id}`."


MAX_BODY_FIELDS = 200  # an object with more keys is refused before any key is looked at


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        # Otherwise each unknown key of a hostile body becomes its own validation error.
        if isinstance(data, dict) and len(data) > MAX_BODY_FIELDS:
            raise ValueError(f"has {len(data)} fields; at most {MAX_BODY_FIELDS} are accepted")
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class TotalAccuracy(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at_least"
    ESTIMATE = "estimate"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(
        None,
        description="Only with `with_total=true` (counted up to 10,000; past that the planner's "
        "estimate) or `exact_total=true`. `total_accuracy` says which it is.",
    )
    total_accuracy: TotalAccuracy | None = Field(
        None,
        description="`exact`; `at_least` (more matches than `total`, which stopped counting); "
        "`estimate` (about `total`, more than 10,000). Null without a total.",
    )


# ---- auth & users ----


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token lives.")


class RefreshIn(Strict):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


Language = Literal["zh-CN", "en"]
EmailTopic = Literal["tickets", "sla", "customers", "approvals", "reports"]


class UserCreate(Strict):
    username: Annotated[str, StringConstraints(min_length=3, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    role: Role
    display_name: Name
    department_id: Id | None = None
    language: Language = "zh-CN"


class UserPatch(Strict):
    display_name: Name | None = None
    language: Language | None = Field(
        None, description="The web app's language at sign-in and that of the user's e-mails."
    )
    email_muted: list[EmailTopic] | None = Field(
        None,
        description="Topics the user gets no e-mail about (the inbox keeps everything): "
        "tickets, sla (clocks and customer updates), customers (pool, lifecycle, follow-ups, "
        "stalled opportunities), approvals (change requests), reports (and trend alerts).",
    )
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = Field(
        None,
        description="At least 10 characters, not only spaces, not the username, not a "
        "common password. Ends every session of the user.",
    )
    current_password: Annotated[str, StringConstraints(max_length=256)] | None = Field(
        None, description="Required with `password` when changing your own."
    )
    role: Role | None = None
    department_id: Id | None = None
    is_active: bool | None = None

    @field_validator("display_name", "password", "role", "is_active", "language", "email_muted")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: Role
    department_id: int | None
    is_active: bool
    language: Language
    email_muted: list[EmailTopic]
    version: int
    created_at: datetime
    updated_at: datetime


class SameCustomerOut(BaseModel):
    """A customer a new one would repeat; id, code and name only if the caller may open it."""

    field: Literal["name", "credit_code", "id_number"]
    customer_id: int | None
    code: str | None
    name: str | None
    in_pool: bool
    owner_name: str | None


class DepartmentCreate(Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: Name
    supervisor_id: Id | None = None


class DepartmentPatch(Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = None
    name: Name | None = None
    supervisor_id: Id | None = None

    @field_validator("key", "name")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    supervisor_id: int | None
    version: int


# ---- customers ----


class TagRef(BaseModel):
    id: int
    name: str


class Warning(BaseModel):
    code: str
    message: str


class ContactFields(Strict):
    name: ContactName
    title: Annotated[str, StringConstraints(max_length=100)] | None = None
    mobile: Annotated[str, StringConstraints(max_length=30)] | None = None
    phone: Annotated[str, StringConstraints(max_length=30)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    wechat: Annotated[str, StringConstraints(max_length=64)] | None = None


class CustomerFields(Strict):
    name: Name | None = None
    credit_code: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="统一社会信用代码 (organizations), GB 32100 check digit."
    )
    id_number: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="Resident ID number (individuals), GB 11643 check digit."
    )
    gender: Gender | None = None
    birthday: Day | None = None
    industry: Annotated[str, StringConstraints(max_length=4)] | None = Field(
        None, description="GB/T 4754 section or division, e.g. `I` or `I65`."
    )
    size: Size | None = None
    main_business: LongText | None = None
    region: Text | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    stage: Stage | None = None
    grade: Grade | None = Field(None, description="Admins only; computed from RFM otherwise.")
    source: Source | None = None
    urgency: Urgency | None = None
    owner_id: Id | None = Field(
        None,
        description="Admins only on create (an explicit null "
        "creates it straight into the public pool); "
        "on PATCH an account manager's becomes a "
        "transfer request.",
    )
    grade_locked: bool | None = Field(
        None,
        description="Admins only. Setting `grade` locks it against the customer-value "
        "job; `false` hands the grade back to RFM.",
    )
    tag_ids: list[Id] | None = Field(None, max_length=100)
    custom_fields: dict[Annotated[str, StringConstraints(max_length=40)], Any] | None = Field(
        None, max_length=100
    )
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)
    first_contact_at: Instant | None = None  # a naive time has no instant to store


class CustomerCreate(CustomerFields):
    kind: Kind
    name: Name
    primary_contact: ContactFields | None = Field(
        None,
        description="Created with the customer, in the same transaction, as its primary "
        "contact; its errors are reported as `primary_contact.<field>`.",
    )


class CustomerPatch(CustomerFields):
    kind: Kind | None = Field(None, description="Cannot change; present to say so clearly.")
    change_comment: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None,
        description="Why: goes with the change requests a non-admin's change of name, "
        "credit_code, id_number or owner_id becomes (only then).",
    )


class PrimaryContactOut(BaseModel):
    id: int
    name: str
    mobile: str | None
    phone: str | None
    email: str | None


class CustomerOut(BaseModel):
    id: int
    code: str
    kind: Kind
    name: str
    credit_code: str | None
    id_number: str | None
    gender: Gender | None
    birthday: date | None
    industry: str | None
    size: Size | None
    main_business: str | None
    region: str | None
    address: str | None
    stage: Stage
    activity_status: ActivityStatus
    grade: Grade | None
    source: Source | None
    urgency: Urgency | None
    owner_id: int | None = Field(description="null while the customer is in the public pool.")
    tags: list[TagRef]
    custom_fields: dict[str, Any]
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    archived: bool
    first_contact_at: datetime | None
    last_contact_at: datetime | None
    cumulative_amount: Decimal | None = Field(description="CNY; null when hidden from you.")
    first_cooperation_on: date | None = Field(description="The first order's date.")
    last_order_on: date | None
    next_follow_up_on: date | None = Field(description="Due by the cadence rules.")
    pool_entered_at: datetime | None = Field(description="Since when it is in the public pool.")
    verified_at: datetime | None = Field(description="Last check of the basic information.")
    value_level: Literal["high", "medium", "low"] | None = Field(
        description="From RFM over orders; null before the first computation or when hidden."
    )
    grade_locked: bool = Field(description="An admin set the grade; RFM leaves it alone.")
    verification_note: str | None = Field(description="The note of the last check, if any.")
    primary_contact: PrimaryContactOut | None = Field(
        description="The contact to call first; mobile and phone masked as on the contacts."
    )
    pool_days_left: int | None = Field(
        description="Days until the public pool takes the customer back, while that is within "
        "the pool's warning period (`pool_warning_days`); null otherwise."
    )
    version: int
    created_at: datetime
    updated_at: datetime
    warnings: list[Warning] = Field(description="Data-quality warnings (never blocking).")
    masked_fields: list[str] = Field(description="Fields masked or hidden for your role.")


class ArchiveIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class TagIdsIn(Strict):
    tag_ids: list[Id] = Field(min_length=1, max_length=100)


class ContactCreate(ContactFields):
    is_primary: bool = False
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)


class ContactUpsert(ContactCreate):
    customer_id: Id = Field(description="The contact's customer; cannot change.")


class ContactPatch(Strict):
    name: ContactName | None = None
    title: Annotated[str, StringConstraints(max_length=100)] | None = None
    mobile: Annotated[str, StringConstraints(max_length=30)] | None = None
    phone: Annotated[str, StringConstraints(max_length=30)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    wechat: Annotated[str, StringConstraints(max_length=64)] | None = None
    is_primary: bool | None = None
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)


class ContactOut(BaseModel):
    id: int
    customer_id: int
    name: str
    title: str | None
    mobile: str | None
    phone: str | None
    email: str | None
    wechat: str | None
    is_primary: bool
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    version: int
    masked_fields: list[str]


# ---- tags & custom fields ----


class TagCreate(Strict):
    name: TagName = Field(description="`类别-值`, e.g. `区域-华东`.")
    color: str | None = Field(None, description="#RRGGBB")


class TagPatch(Strict):
    name: TagName | None = None
    color: str | None = None


class TagMergeIn(Strict):
    into_tag_id: Id = Field(description="The surviving tag.")


class TagOut(BaseModel):
    id: int
    name: str
    category: str | None
    color: str | None
    customer_count: int
    version: int


class CustomFieldCreate(Strict):
    key: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    label_zh: Name
    label_en: Name
    type: FieldType
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        [], max_length=200
    )
    required: bool = False
    sensitive: bool = Field(False, description="Hidden from agents.")


class CustomFieldPatch(Strict):
    label_zh: Name | None = None
    label_en: Name | None = None
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = None
    required: bool | None = None
    sensitive: bool | None = None


class CustomFieldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    label_zh: str
    label_en: str
    type: FieldType
    options: list[str]
    required: bool
    sensitive: bool
    version: int


# ---- audit & meta ----


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    entity_type: str
    entity_id: int
    customer_id: int | None
    action: str
    changes: dict[str, list[Any] | None] = Field(description="{field: [before, after]}")


class HealthOut(BaseModel):
    status: str
    database: str
    backend: str


class IndustryOut(BaseModel):
    code: str
    label_zh: str
    label_en: str
    divisions: list[str]
