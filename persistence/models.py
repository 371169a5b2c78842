"""SQLAlchemy models: the tables. Relationships are lazy="raise"; load what you need explicitly."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    case,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, validates
from sqlalchemy.sql.expression import ColumnElement

from domain.search.normalize import name_sort_key
from domain.text import comparison_key
from domain.ticket import OPEN

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
IdArray = JSON().with_variant(ARRAY(BigInteger()), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Always UTC in, always aware out (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # asyncpg already hands out timestamptz as aware UTC datetimes: nothing to do per value.
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


class Money(TypeDecorator[Decimal]):
    """CNY kept as integer fen, so SQLite and PostgreSQL both add and compare exactly."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        return None if value is None else int((Decimal(value) * 100).to_integral_exact())

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value).scaleb(-2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model here is mapped to one Table (SQLAlchemy types it as the wider FromClause).
    __table__: ClassVar[Table]


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Versioned(Timestamped):
    # Optimistic concurrency: every UPDATE says WHERE version = :seen and bumps it.
    version: Mapped[int] = mapped_column(Integer)

    __table__: ClassVar[Table]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class Department(Base, Versioned):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", use_alter=True, ondelete="SET NULL")
    )


class User(Base, Versioned):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # zh-CN | en: the web app opens in it at sign-in, and e-mails are written in it.
    language: Mapped[str] = mapped_column(String(5), default="zh-CN", server_default="zh-CN")
    # Topics of domain/notification_email.py EMAIL_TOPICS the user gets no e-mail about.
    email_muted: Mapped[list[str]] = mapped_column(Json, default=list, server_default="[]")
    # In every access token; bumped to end them all at once (deactivation, role or password
    # change, logout).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RefreshToken(Base):
    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    family: Mapped[str] = mapped_column(String(32), index=True)  # all rotations of one login
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginAttempt(Base):
    """A sign-in attempt, recorded before the password is checked and deleted when it succeeds:
    what is left are failures (and attempts in flight), counted per address and per
    (address, username)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))  # "" for one no user can have
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class CodeCounter(Base):
    """Last number handed out per code prefix (C202605 …); bumped atomically by upsert."""

    __tablename__ = "code_counter"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Customer(Base, Versioned):
    __tablename__ = "customer"
    __table_args__ = (
        # With `archived`, which every list filters on: a page and its count read the index
        # alone (a count of 10,000 matches without visiting the table).
        Index("ix_customer_owner_id_archived_id", "owner_id", "archived", "id"),
        Index("ix_customer_archived_id", "archived", "id"),
        Index("ix_customer_stage_archived_id", "stage", "archived", "id"),
        Index("ix_customer_name_id", "name", "id"),  # exact names (import duplicates)
        Index("ix_customer_name_sort_id", "name_sort", "id"),  # sort by name, pinyin order
        Index("ix_customer_owner_name_sort", "owner_id", "name_sort", "id"),  # one owner's
        Index("ix_customer_created_at", "created_at"),
        Index(
            "ix_customer_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        # The public pool, newest arrivals first (GET /pool).
        Index(
            "ix_customer_pool",
            "pool_entered_at",
            "id",
            postgresql_where=text("owner_id IS NULL"),
            sqlite_where=text("owner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # domain.search.normalize.name_sort_key(name), kept with the name: sorting by name is pinyin
    # order from an index. Set by the ORM (below) and by a Core insert's default; a Core
    # UPDATE of the name must set it too. COLLATE "C": compared byte-wise, as the key expects.
    name_sort: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"),
        default=lambda context: name_sort_key(context.get_current_parameters()["name"]),
    )
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    # The ids of its tags, sorted: a copy of its customer_tag rows that database triggers keep
    # (every writer, cascades included; see the migration). On PostgreSQL the list's tag
    # filters read it from ix_customer_filters together with the other conditions.
    tag_ids: Mapped[list[int]] = mapped_column(IdArray, default=list)
    gender: Mapped[str | None] = mapped_column(String(10))
    birthday: Mapped[date | None] = mapped_column(Date)
    industry: Mapped[str | None] = mapped_column(String(4))
    size: Mapped[str | None] = mapped_column(String(20))
    main_business: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(20))
    activity_status: Mapped[str] = mapped_column(String(20), default="active")
    grade: Mapped[str | None] = mapped_column(String(1))
    source: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str | None] = mapped_column(String(10))
    # NULL while the customer is in the public pool (公海).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # {system: id} in other systems; NULL for none (bulk loaders need not name it).
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_reason: Mapped[str | None] = mapped_column(String(500))
    first_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    cumulative_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # Derived from orders (not cancelled): the first and the latest order date.
    first_cooperation_on: Mapped[date | None] = mapped_column(Date)
    last_order_on: Mapped[date | None] = mapped_column(Date)
    # The pool clock: when the current owner got the customer or last made an effective
    # follow-up, whichever is later. The pool-recycle job releases on this alone.
    owner_engaged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # When the current owner got the customer (created, claimed, assigned): the start of the
    # pool's optional "no order for M days" clock. Kept when released, reset on every new owner.
    owned_since: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    pool_entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[int | None] = mapped_column(Id)  # the last owner to lose it to the pool
    next_follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_by: Mapped[int | None] = mapped_column(Id)
    verification_note: Mapped[str | None] = mapped_column(Text)  # the last check's
    # Customer value: RFM quintile scores (1-5) and the level computed from them.
    grade_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # an admin set the grade
    value_level: Mapped[str | None] = mapped_column(String(10))
    rfm_recency: Mapped[int | None] = mapped_column(Integer)
    rfm_frequency: Mapped[int | None] = mapped_column(Integer)
    rfm_monetary: Mapped[int | None] = mapped_column(Integer)
    value_computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @validates("name")
    def _keep_name_sort(self, _key: str, name: str) -> str:
        self.name_sort = name_sort_key(name)
        return name


class Contact(Base, Versioned):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # import duplicates
    wechat: Mapped[str | None] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # {system: id} in other systems (as on customer); NULL for none.
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)


class Tag(Base, Versioned):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    # domain.text.comparison_key(name): look-alike names are one tag.
    name_key: Mapped[str] = mapped_column(String(50), unique=True)
    color: Mapped[str | None] = mapped_column(String(7))

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = comparison_key(name)
        return name


class CustomerTag(Base):
    __tablename__ = "customer_tag"
    __table_args__ = (
        # A tag's customers in id order: a list filtered by a tag seeks its page here.
        Index("ix_customer_tag_tag_id_customer_id", "tag_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)


class CustomFieldDefinition(Base, Versioned):
    __tablename__ = "custom_field_definition"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10))
    options: Mapped[list[str]] = mapped_column(Json, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """Append-only: who changed what, before → after. Written in the changing transaction."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id", "id"),
        Index("ix_audit_event_customer_id_id", "customer_id", "id"),
        # The change feed's order (api/routers/changes.py): finished transactions first.
        Index("ix_audit_event_txid_id", "txid", "id").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Id)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Id)
    # The customer the change belongs to (itself, or the customer of a contact), for history.
    customer_id: Mapped[int | None] = mapped_column(Id)
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # The API key the change was made with (its owner, if any, is actor_id).
    api_key_id: Mapped[int | None] = mapped_column(Id)
    # PostgreSQL: the writing transaction's id (server default pg_current_xact_id(), 0 for
    # rows older than the column), which the change feed orders by. SQLite: NULL; its writers
    # are serialised, so `id` is already commit order there. FetchedValue: the ORM leaves the
    # column out of its INSERTs (it would send NULL) and creates no default itself.
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())


class ApiKey(Base, Versioned):
    """A machine's credential (domain/integration/api_key.py). The secret itself is never stored."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    public_id: Mapped[str] = mapped_column(String(20), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    # After a rotation the old secret keeps working until previous_valid_until.
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    previous_valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scopes: Mapped[list[str]] = mapped_column(Json, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    allowed_ips: Mapped[list[str]] = mapped_column(Json, default=list)
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Id)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ExternalId(Base):
    """One record's id in another system (domain/integration/external_ids.py): unique per kind
    of record and system, so a sync finds the record by it. The record also keeps its ids in its
    own `external_ids` column, which its reads return without a join."""

    __tablename__ = "external_id"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "system", name="uq_external_id_entity"),
    )

    entity_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Id)


class WebhookSubscription(Base, Versioned):
    """Where events are POSTed (domain/integration/webhook.py). The secret signs each body, so
    it is kept as given (not a digest)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(Json, default=list)
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="ok")  # ok | failing
    created_by: Mapped[int | None] = mapped_column(Id)


class WebhookDelivery(Base):
    """The outbox: one event for one subscription, written in the transaction of the change,
    sent by the `webhooks` job until the receiver answers 2xx or `expires_at` passes."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription_id_id", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(36))  # a UUID, the receivers' dedup key
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)  # no more retries after it
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKeyWindow(Base):
    """Requests made with a key in one minute: the rate limit, shared by every server
    process through the database."""

    __tablename__ = "api_key_window"

    api_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class IdempotencyKey(Base):
    """A POST's `Idempotency-Key` (domain/integration/idempotency.py) and, once it has
    answered, the answer a retry gets. Rows older than 24 hours are void and purged."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("caller_kind", "caller_id", "key", name="uq_idempotency_key_caller_key"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    caller_kind: Mapped[str] = mapped_column(String(10))  # "user" or "api_key"
    caller_id: Mapped[int] = mapped_column(Id)  # no foreign key: the row outlives neither
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex
    state: Mapped[str] = mapped_column(String(10))  # "in_flight", then "done"
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[list[str]] | None] = mapped_column(Json)  # [[name, value], ...]
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


# ---- sales: orders, follow-ups, opportunities -----------------------------------------------


class CustomerOrder(Base, Versioned):
    """An order or contract; amounts are CNY (fen in the database, Decimal in code)."""

    __tablename__ = "customer_order"
    __table_args__ = (
        Index("ix_customer_order_customer_id_ordered_on", "customer_id", "ordered_on"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    contract_no: Mapped[str | None] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    ordered_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity.id", ondelete="SET NULL")
    )
    created_by: Mapped[int | None] = mapped_column(Id)
    # {system: id} in other systems (as on customer); NULL for none.
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)


class Opportunity(Base, Versioned):
    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_customer_id_id", "customer_id", "id"),
        Index("ix_opportunity_owner_id_stage", "owner_id", "stage"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    budget_min: Mapped[Decimal | None] = mapped_column(Money)
    budget_max: Mapped[Decimal | None] = mapped_column(Money)
    stage: Mapped[str] = mapped_column(String(20))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Stale when no effective follow-up since this (or since creation) for N days.
    last_effective_follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # {system: id} in other systems (as on customer); NULL for none.
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)


OPEN_NEXT_ACTION = "next_action IS NOT NULL AND next_action_done_at IS NULL"


class FollowUp(Base, Versioned):
    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_customer_id_at", "customer_id", "at"),
        # The follow-up list, newest first: everyone's, and one owner's.
        Index("ix_follow_up_at_id", "at", "id"),
        Index("ix_follow_up_owner_id_at_id", "owner_id", "at", "id"),
        # The due list: open next actions only (follow_up_repo.open_next_action).
        Index(
            "ix_follow_up_open_next_action",
            "owner_id",
            "next_action_due_on",
            postgresql_where=text(OPEN_NEXT_ACTION),
            sqlite_where=text(OPEN_NEXT_ACTION),
        ),
        Index("ix_follow_up_opportunity_id", "opportunity_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    next_action: Mapped[str | None] = mapped_column(Text)
    next_action_due_on: Mapped[date | None] = mapped_column(Date)
    # Open while the next action is not done; a later follow-up on the customer closes it.
    next_action_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    effective: Mapped[bool] = mapped_column(Boolean, default=False)  # the customer responded
    # {system: id} in other systems (as on customer); NULL for none.
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)


class CadenceRule(Base, Versioned):
    """How often a customer in a lifecycle stage should be followed up."""

    __tablename__ = "cadence_rule"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), unique=True)
    interval_days: Mapped[int] = mapped_column(Integer)


class LifecycleSettings(Base, Versioned):
    """The one row (id 1) of thresholds for the pool and the lifecycle and value jobs."""

    __tablename__ = "lifecycle_settings"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pool_release_days: Mapped[int] = mapped_column(Integer)
    pool_warning_days: Mapped[int] = mapped_column(Integer)  # warn this many days before
    pool_no_order_days: Mapped[int | None] = mapped_column(Integer)  # optional second rule
    pool_claim_limit: Mapped[int] = mapped_column(Integer)
    pool_reclaim_cooldown_days: Mapped[int] = mapped_column(Integer)
    stale_opportunity_days: Mapped[int] = mapped_column(Integer)
    dormancy_days: Mapped[int] = mapped_column(Integer)
    churn_no_order_days: Mapped[int] = mapped_column(Integer)
    churn_complaint_days: Mapped[int] = mapped_column(Integer)
    verification_days: Mapped[int] = mapped_column(Integer)


class LifecycleAlert(Base):
    """One row per kind of reminder, record and cycle: what makes each reminder exactly-once
    (cadence due date, pool warning per ownership, stale opportunity per quiet spell, …)."""

    __tablename__ = "lifecycle_alert"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Id, primary_key=True)
    cycle: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Task(Base, Versioned):
    """A to-do for a user that a job created (activate a dormant customer, verify a record)."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_owner_id_done_at_id", "owner_id", "done_at", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ChangeRequest(Base, Versioned):
    """信息变更审核: a non-admin's edit of a key identity field, waiting for an admin."""

    __tablename__ = "change_request"
    __table_args__ = (
        # At most one pending request per customer and field.
        Index(
            "uq_change_request_pending",
            "customer_id",
            "field",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_change_request_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[Any] = mapped_column(Json, nullable=True)
    new_value: Mapped[Any] = mapped_column(Json, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


# ---- service tickets ------------------------------------------------------------------------


OPEN_STATUSES = "status IN ({})".format(", ".join(f"'{status}'" for status in sorted(OPEN)))


class Ticket(Base, Versioned):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_id", "status", "id"),
        Index("ix_ticket_customer_id_id", "customer_id", "id"),
        Index("ix_ticket_assignee_id_status", "assignee_id", "status"),
        Index("ix_ticket_department_id_id", "department_id", "id"),
        # The SLA scan looks tickets up by their next threshold.
        Index("ix_ticket_first_response_warn_at", "first_response_warn_at"),
        Index("ix_ticket_resolution_warn_at", "resolution_warn_at"),
        Index("ix_ticket_update_due_at", "update_due_at"),
        # The list's sla_state=breached filter.
        Index("ix_ticket_first_response_due_at", "first_response_due_at"),
        Index("ix_ticket_resolution_due_at", "resolution_due_at"),
        # Analytics buckets tickets by these instants.
        Index("ix_ticket_opened_at", "opened_at"),
        Index("ix_ticket_resolved_at", "resolved_at"),
        Index("ix_ticket_closed_at", "closed_at"),
        # An agent's open tickets newest first (domain.ticket.OPEN).
        Index(
            "ix_ticket_assignee_open",
            "assignee_id",
            "id",
            postgresql_where=text(OPEN_STATUSES),
            sqlite_where=text(OPEN_STATUSES),
        ),
        # Open tickets: where analytics counts the backlog back from.
        Index(
            "ix_ticket_unfinished",
            "department_id",
            postgresql_where=text("resolved_at IS NULL AND closed_at IS NULL"),
            sqlite_where=text("resolved_at IS NULL AND closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    important: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(2))
    priority_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expected_resolution_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # complaints
    root_cause: Mapped[str | None] = mapped_column(Text)
    responsible_party: Mapped[str | None] = mapped_column(String(20))
    remedy: Mapped[str | None] = mapped_column(Text)
    revisit_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # closing: acceptance and satisfaction (1-5 each)
    customer_accepted: Mapped[bool | None] = mapped_column(Boolean)
    satisfaction_response_speed: Mapped[int | None] = mapped_column(Integer)
    satisfaction_resolution: Mapped[int | None] = mapped_column(Integer)
    satisfaction_attitude: Mapped[int | None] = mapped_column(Integer)
    satisfaction_overall: Mapped[int | None] = mapped_column(Integer)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    # SLA: the targets agreed at creation (minutes on `sla_calendar`) and what happened.
    sla_calendar: Mapped[str] = mapped_column(String(10))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    update_minutes: Mapped[int] = mapped_column(Integer)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_public_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Derived thresholds, recomputed on every change, so the scan is one indexed query.
    # NULL while the target is fulfilled or paused.
    first_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_response_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    update_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Analytics: working minutes (the ticket's SLA calendar, pauses left out) from opening to
    # the first response and to the resolution, written when each is fulfilled.
    first_response_elapsed_minutes: Mapped[float | None] = mapped_column(Float)
    resolution_elapsed_minutes: Mapped[float | None] = mapped_column(Float)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # {system: id} in other systems (as on customer); NULL for none.
    external_ids: Mapped[dict[str, str] | None] = mapped_column(Json)


class TicketCollaborator(Base):
    """需求协同: a user (user_id) or a whole department (department_id) in on a ticket."""

    __tablename__ = "ticket_collaborator"
    __table_args__ = (
        Index("ix_ticket_collaborator_user_id", "user_id"),
        Index("ix_ticket_collaborator_department_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )


class TicketPause(Base):
    """A stretch the ticket waited for the customer; the SLA clock did not run."""

    __tablename__ = "ticket_pause"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TicketEvent(Base):
    """The timeline: comments, transitions, assignments, SLA events, exceptions."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(10), default="internal")
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[int | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SlaPolicy(Base, Versioned):
    """Targets per priority, optionally per ticket type (a type row wins over the plain one)."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("priority", "ticket_type"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    priority: Mapped[str] = mapped_column(String(2))
    ticket_type: Mapped[str | None] = mapped_column(String(30))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    update_minutes: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(10))


class RoutingRule(Base, Versioned):
    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_type: Mapped[str] = mapped_column(String(30), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))


class BusinessHours(Base, Versioned):
    """The one business calendar (row id 1): working hours in a zone."""

    __tablename__ = "business_hours"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(50))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class CalendarOverride(Base):
    """A company-specific day off or working day, over the official schedule."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))


class SlaAlert(Base):
    """One row per ticket, target, threshold and cycle: what makes each alert exactly-once.
    `cycle` is the update interval's due time for update reminders, and the epoch for the
    first-response and resolution targets, which alert once per ticket."""

    __tablename__ = "sla_alert"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(20), primary_key=True)
    threshold: Mapped[str] = mapped_column(String(10), primary_key=True)
    cycle: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_read_at_id", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    # What `title` is made of (names, codes), for the reader's language to render by `kind`.
    params: Mapped[dict[str, Any] | None] = mapped_column(Json)
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JobRun(Base):
    """A claimed run of a job for one due time: the primary key makes it happen once even when
    several server processes schedule the same job."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class Report(Base):
    """A 日报 / 周报 / 月报 for one recipient and period, with its two files."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint(
            "kind", "first_day", "recipient_id", name="uq_report_kind_first_day_recipient"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # daily | weekly | monthly
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # pending | done | failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class ReportSubscription(Base):
    """A user's choice for one kind of report; without a row, their role's default holds."""

    __tablename__ = "report_subscription"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class ReportRoleDefault(Base):
    """An admin's choice of which reports a role gets by default (else domain ROLE_DEFAULTS)."""

    __tablename__ = "report_role_default"

    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class TrendAlert(Base):
    """A surge or a decline found by the trend-alerts job, once per kind, subject and period."""

    __tablename__ = "trend_alert"
    __table_args__ = (
        UniqueConstraint(
            "kind", "subject", "period_start", name="uq_trend_alert_kind_subject_period_start"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(40))  # a ticket type, or "all"
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


# SQLite reuses the highest rowid after a delete unless a table says AUTOINCREMENT; an id must
# never be reused, or a new record would inherit a deleted one's audit history.
for _table in Base.metadata.tables.values():
    if [c.name for c in _table.primary_key.columns] == ["id"]:
        _table.dialect_options["sqlite"]["autoincrement"] = True


# ---- imports ---------------------------------------------------------------------------------


class DataImport(Base):
    """One upload of a spreadsheet: its check (dry run) or commit, counts, the first errors,
    and what a revert needs (`undo`: created ids and versions, updated fields' old values)."""

    __tablename__ = "data_import"
    __table_args__ = (Index("ix_data_import_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    import_valid_rows: Mapped[bool] = mapped_column(Boolean, default=False)
    filename: Mapped[str] = mapped_column(String(255))
    sheet: Mapped[str | None] = mapped_column(String(100))
    # queued → running → checked | committed | rejected | failed | cancelled; committed → reverted
    status: Mapped[str] = mapped_column(String(20))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    mapping: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    errors: Mapped[list[Any]] = mapped_column(Json, default=list)  # the first 100
    duplicates: Mapped[list[Any]] = mapped_column(Json, default=list)  # the first 100
    detail: Mapped[str | None] = mapped_column(Text)
    report_key: Mapped[str | None] = mapped_column(String(64))
    undo: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    revert_result: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# ---- search (domain/search/, persistence/search/) ----

# PostgreSQL keeps a document's grams in an array under a GIN index; SQLite has no such index
# and keeps them one per row in `search_gram` instead (left empty on PostgreSQL).
GramArray = Text().with_variant(ARRAY(Text()), "postgresql")


class SearchDoc(Base):
    """A customer's searchable text, normalised (domain/search/rules.py `document`), kept in
    the transaction of every write that changes it."""

    __tablename__ = "search_doc"
    __table_args__ = (
        Index("ix_search_doc_grams", "grams", postgresql_using="gin"),
        # name prefixes (the second ranking tier) as a range scan
        Index("ix_search_doc_names", "names", postgresql_ops={"names": "text_pattern_ops"}),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    names: Mapped[str] = mapped_column(Text)
    contacts: Mapped[str] = mapped_column(Text)
    pinyin: Mapped[str] = mapped_column(Text)
    phones: Mapped[str] = mapped_column(Text)
    emails: Mapped[str] = mapped_column(Text)
    wechats: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    codes: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str] = mapped_column(Text)
    grams: Mapped[Any] = mapped_column(GramArray, nullable=True)


class SearchGram(Base):
    __tablename__ = "search_gram"
    __table_args__ = ({"sqlite_with_rowid": False},)

    gram: Mapped[str] = mapped_column(Text, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("search_doc.customer_id", ondelete="CASCADE"), primary_key=True, index=True
    )


# The documents an import wrote whose grams are not filled yet (search/index.py fill_grams):
# empty but for the minute after a large import. PostgreSQL only: on SQLite grams is always
# NULL (the grams are rows of search_gram).
Index(
    "ix_search_doc_ungrammed",
    SearchDoc.customer_id,
    postgresql_where=SearchDoc.grams.is_(None),
).ddl_if(dialect="postgresql")


# Search results and the list's last-contact sort, newest first, never-contacted last: read
# in index order, a common word fills its page from the first few hundred customers.
# PostgreSQL only: SQLite has no NULLS LAST in an index (and at its sizes needs none).
Index(
    "ix_customer_last_contact_rank",
    Customer.last_contact_at.desc().nulls_last(),
    Customer.id.desc(),
).ddl_if(dialect="postgresql")


# The customer list's sort keys that are expressions (persistence/customer_repo.py), each with
# an index on exactly (expression, id): a page of any sort is read in index order, and keyset
# paging starts where the last page ended. Constants are written into the SQL, not bound: an
# expression index serves only a statement that spells the same expression.
class _Epoch(ColumnElement[datetime]):
    """1970-01-01 00:00 UTC as a literal: the last contact of a customer never contacted."""

    type = UtcDateTime()
    # Nothing to traverse: its cache key is its class. Without this SQLAlchemy cannot cache
    # a statement holding it and compiles the list's sort by last contact for every request.
    _traverse_internals = []
    inherit_cache = True


@compiles(_Epoch, "postgresql")
def _epoch_postgresql(element: _Epoch, compiler: Any, **kw: Any) -> str:
    return "'1970-01-01 00:00:00+00'::timestamptz"


@compiles(_Epoch)
def _epoch_sqlite(element: _Epoch, compiler: Any, **kw: Any) -> str:
    return "'1970-01-01 00:00:00.000000'"  # as SQLite stores times (UTC, no offset)


# Never contacted sorts as the oldest contact: keyset paging needs a value on every row.
LAST_CONTACT_SORT = func.coalesce(Customer.last_contact_at, _Epoch())
# In parentheses: PostgreSQL's CREATE INDEX takes no bare CASE.
GRADE_RANK = case(
    *(
        (Customer.grade == literal_column(f"'{grade}'"), literal_column(str(rank)))
        for grade, rank in (("S", 4), ("A", 3), ("B", 2), ("C", 1))
    ),
    else_=literal_column("0"),
).self_group()
Index("ix_customer_last_contact_sort", LAST_CONTACT_SORT, Customer.id)
Index("ix_customer_owner_last_contact_sort", Customer.owner_id, LAST_CONTACT_SORT, Customer.id)
Index("ix_customer_grade_rank", GRADE_RANK, Customer.id)
Index("ix_customer_updated_at_id", Customer.updated_at, Customer.id)
Index("ix_customer_cumulative_amount_id", Customer.cumulative_amount, Customer.id)


# The customer list's filters that select few rows together, in one inverted index (btree_gin
# for the scalar columns): tags, stage, grade and owner intersect as posting lists inside the
# index, and only the matches are read from the table. Wide filters still walk the sort's
# index and stop after a page; the planner picks by the statistics. PostgreSQL only.
Index(
    "ix_customer_filters",
    Customer.tag_ids,
    Customer.stage,
    Customer.grade,
    Customer.kind,
    Customer.activity_status,
    Customer.value_level,
    Customer.source,
    Customer.urgency,
    Customer.owner_id,
    postgresql_using="gin",
).ddl_if(dialect="postgresql")


def on_dialect(obj: Any, dialect: str) -> bool:
    """False for a schema object declared for other dialects only (`ddl_if`, or a table's
    `info["dialect"]`): Alembic's comparison of models and database must skip it there, as
    CREATE does."""
    if isinstance(obj, Table):
        return obj.info.get("dialect") in (None, dialect)
    if isinstance(obj, Index) and obj.table is not None and not on_dialect(obj.table, dialect):
        return False
    condition = getattr(obj, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect)


# ---- analytics rollups ----------------------------------------------------------------------
# Counts the whole desk's figures read instead of the raw rows, kept by triggers on PostgreSQL
# (migration 5b7e2c9d4a18 says how; persistence/analytics/rollups.py reads them). A key's
# counts may be spread over several rows until the fold job sums them: always read sum().

_POSTGRESQL_ONLY = {"dialect": "postgresql"}


def _counts(*names: str) -> list[Column[int]]:
    return [Column(n, BigInteger, nullable=False) for n in names]


def _day_keys() -> list[Column[Any]]:
    return [Column("day", Date, nullable=False), Column("event", String(16), nullable=False)]


AnalyticsRollupZone = Table(
    "analytics_rollup_zone",
    Base.metadata,
    Column("zone", String(64), primary_key=True),
    info=_POSTGRESQL_ONLY,
)
AnalyticsTicketDay = Table(
    "analytics_ticket_day",
    Base.metadata,
    *_day_keys(),
    Column("department_id", BigInteger),
    # all (value ''), type, channel or priority: each count is in each split once
    Column("split", String(10), nullable=False),
    Column("value", String(30), nullable=False),
    *_counts(
        "tickets",
        "timed",
        "on_time",
        "reopened",
        "speed_n",
        "speed_sum",
        "resolution_n",
        "resolution_sum",
        "attitude_n",
        "attitude_sum",
        "overall_n",
        "overall_sum",
    ),
    Index("ix_analytics_ticket_day_day", "day"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsAgentDay = Table(
    "analytics_agent_day",
    Base.metadata,
    *_day_keys(),
    Column("assignee_id", BigInteger, nullable=False),
    Column("department_id", BigInteger),
    *_counts("tickets", "timed", "on_time"),
    Index("ix_analytics_agent_day_day", "day"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsDurationDay = Table(
    "analytics_duration_day",
    Base.metadata,
    *_day_keys(),
    Column("bin", Integer, nullable=False),  # analytics_duration_bin(working minutes)
    *_counts("tickets"),
    Index("ix_analytics_duration_day_day", "day"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsFollowUpDay = Table(
    "analytics_follow_up_day",
    Base.metadata,
    *_day_keys(),
    Column("owner_id", BigInteger, nullable=False),
    Column("method", String(20), nullable=False),
    *_counts("follow_ups"),
    Index("ix_analytics_follow_up_day_day", "day"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsCustomerDay = Table(
    "analytics_customer_day",
    Base.metadata,
    *_day_keys(),
    *_counts("customers"),
    Index("ix_analytics_customer_day_day", "day"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsCustomerCount = Table(
    "analytics_customer_count",
    Base.metadata,
    Column("dimension", String(20), nullable=False),
    Column("value", String(100)),
    *_counts("customers"),
    info=_POSTGRESQL_ONLY,
)
AnalyticsOrderUnit = Table(
    "analytics_order_unit",
    Base.metadata,
    Column("granularity", String(5), nullable=False),
    Column("first_day", Date, nullable=False),
    *_counts("with_orders", "repeat"),
    Index("ix_analytics_order_unit_first_day", "first_day"),
    info=_POSTGRESQL_ONLY,
)


def duration_bin(minutes: Any) -> Any:
    """The bin of a duration in working minutes (a log scale, 3 % wide; the migration's SQL
    function): the percentiles' histogram and the ticket's indexes below."""
    return func.analytics_duration_bin(minutes)


for _name, _minutes, _at in (
    (
        "ix_ticket_first_response_bin",
        Ticket.first_response_elapsed_minutes,
        Ticket.first_response_at,
    ),
    ("ix_ticket_resolution_bin", Ticket.resolution_elapsed_minutes, Ticket.resolved_at),
):
    Index(
        _name,
        duration_bin(_minutes),
        _at,
        postgresql_include=[_minutes.key],
        postgresql_where=_minutes.is_not(None),
    ).ddl_if(dialect="postgresql")


class SavedView(Base, Versioned):
    """A named list query (domain/search/views.py): the list's own query parameters."""

    __tablename__ = "saved_view"
    __table_args__ = (
        UniqueConstraint("owner_id", "resource", "name", name="uq_saved_view_owner_resource_name"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(Id)  # the owner's, when shared with it
    name: Mapped[str] = mapped_column(String(50))
    resource: Mapped[str] = mapped_column(String(20))
    filters: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    sort: Mapped[str | None] = mapped_column(String(40))
    columns: Mapped[list[str]] = mapped_column(Json, default=list)
    visibility: Mapped[str] = mapped_column(String(20))
