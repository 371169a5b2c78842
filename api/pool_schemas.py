"""Response bodies of the public pool."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.schemas import ContactOut, TagRef
from domain.customer import Gender, Grade, Kind, Size, Source, Stage, Urgency


class PoolCustomerOut(BaseModel):
    """A customer in the public pool as a prospective owner sees it: no ID numbers, amounts or
    custom fields; contacts masked as a supervisor sees them until claimed."""

    id: int
    code: str
    kind: Kind
    name: str
    credit_code: str | None
    gender: Gender | None
    industry: str | None
    size: Size | None
    main_business: str | None
    region: str | None
    stage: Stage
    grade: Grade | None
    source: Source | None
    urgency: Urgency | None
    tags: list[TagRef]
    last_contact_at: datetime | None
    first_cooperation_on: date | None
    last_order_on: date | None
    pool_entered_at: datetime = Field(description="When it was released into the pool.")
    released_by: int | None = Field(
        description="Who lost it to the pool; admins only (null for everyone else)."
    )
    contacts: list[ContactOut] = Field(
        description="Primary first; mobiles and phones masked except for admins."
    )
