"""Customers and their contacts (persistence/customer_repo.py)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.ports.tags_and_fields import TagRecord


@dataclass(frozen=True, slots=True)
class CustomerAccess:
    """What deciding who reads a customer's records needs, and the name they are shown with:
    a batch of these costs far less to read than the customers themselves."""

    id: int
    owner_id: int | None
    archived: bool
    name: str


class CustomerRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    code: str
    kind: str
    name: str
    name_sort: str
    credit_code: str | None
    id_number: str | None
    tag_ids: list[int]
    gender: str | None
    birthday: date | None
    industry: str | None
    size: str | None
    main_business: str | None
    region: str | None
    address: str | None
    stage: str
    activity_status: str
    grade: str | None
    source: str | None
    urgency: str | None
    owner_id: int | None
    custom_fields: dict[str, Any]
    external_ids: dict[str, str] | None
    archived: bool
    archived_reason: str | None
    first_contact_at: datetime | None
    last_contact_at: datetime | None
    cumulative_amount: Decimal
    first_cooperation_on: date | None
    last_order_on: date | None
    owner_engaged_at: datetime | None
    owned_since: datetime | None
    pool_entered_at: datetime | None
    released_by: int | None
    next_follow_up_on: date | None
    verified_at: datetime | None
    verified_by: int | None
    verification_note: str | None
    grade_locked: bool
    value_level: str | None
    rfm_recency: int | None
    rfm_frequency: int | None
    rfm_monetary: int | None
    value_computed_at: datetime | None


class ContactRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    customer_id: int
    name: str
    external_ids: dict[str, str] | None
    title: str | None
    mobile: str | None
    phone: str | None
    email: str | None
    wechat: str | None
    is_primary: bool


class CustomerRepo(Protocol):
    async def get(self, customer_id: int) -> CustomerRecord | None: ...
    async def access_of(self, customer_ids: Collection[int]) -> Sequence[CustomerAccess]: ...
    async def require(self, customer_id: int) -> CustomerRecord: ...
    async def add(self, **values: Any) -> CustomerRecord: ...
    async def add_many(self, rows: Sequence[dict[str, Any]]) -> Sequence[CustomerRecord]: ...
    async def lock_many(self, customer_ids: Sequence[int]) -> Sequence[CustomerRecord]: ...
    async def update_many(self, changes: Mapping[int, Mapping[str, Any]]) -> None: ...
    async def ids_taken(self, column: str, values: Sequence[str]) -> set[str]: ...
    async def add_tags(self, pairs: Sequence[tuple[int, int]]) -> None: ...
    async def delete(self, customer: CustomerRecord) -> None: ...
    async def flush(self) -> None: ...
    async def id_taken(self, column: str, value: str, *, except_id: int | None = None) -> bool: ...
    # Rows of id, code, name, owner_id, archived, owner_name and the field that matched.
    async def same_as(
        self, *, name: str | None, credit_code: str | None, id_number: str | None, limit: int
    ) -> Sequence[Any]: ...
    async def tags_of(self, customer_ids: Sequence[int]) -> Mapping[int, Sequence[TagRecord]]: ...
    async def set_tags(self, customer_id: int, tag_ids: Sequence[int]) -> None: ...
    async def contacts(
        self, customer_id: int, *, updated_since: datetime | None = None
    ) -> Sequence[ContactRecord]: ...
    async def get_contact(self, customer_id: int, contact_id: int) -> ContactRecord | None: ...
    async def contact(self, contact_id: int) -> ContactRecord | None: ...
    async def contacts_by_id(self, contact_ids: Collection[int]) -> Sequence[ContactRecord]: ...
    async def add_contact(self, **values: Any) -> ContactRecord: ...
    async def delete_contact(self, contact: ContactRecord) -> None: ...
    async def write_derived(
        self,
        customer: CustomerRecord,
        now: datetime,
        *,
        later: dict[str, Any] | None = None,
        first: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None: ...
    async def record_interaction(self, customer_id: int, at: datetime, now: datetime) -> bool: ...
