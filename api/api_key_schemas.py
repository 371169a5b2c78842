"""API keys as the API takes and shows them."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from api.schemas import Id, Strict, refuse_nul
from domain.integration import api_key as rules
from domain.roles import Scope


class ApiKeyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiKeyCreate(Strict):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
        AfterValidator(refuse_nul),
    ]  # fmt: skip
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    owner_id: Id | None = Field(
        None,
        description="A user whose row-level rules the key takes (an account manager's key "
        "sees only their customers). Without one the key acts as the admin who made it.",
    )
    expires_at: AwareDatetime | None = None
    allowed_ips: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        [],
        max_length=rules.MAX_ALLOWED_IPS,
        description="Addresses or networks (CIDR) the key may be used from; empty: any.",
    )
    rate_limit_per_minute: int = Field(
        rules.DEFAULT_RATE_LIMIT, ge=1, le=rules.MAX_RATE_LIMIT, description="Requests a minute."
    )


class ApiKeyRotate(Strict):
    grace_hours: float = Field(
        24, ge=0, le=168, description="How long the old secret keeps working (0: not at all)."
    )


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str = Field(description="The secret's visible start, to tell keys apart.")
    scopes: list[Scope]
    owner_id: int | None
    expires_at: datetime | None
    allowed_ips: list[str]
    rate_limit_per_minute: int
    status: ApiKeyStatus
    created_by: int | None
    created_at: datetime
    last_used_at: datetime | None
    rotated_at: datetime | None
    previous_valid_until: datetime | None = Field(
        description="Until when the secret before the last rotation still works."
    )
    revoked_at: datetime | None
    version: int


class ApiKeySecretOut(BaseModel):
    key: ApiKeyOut
    secret: str = Field(description="Shown this once: store it now. Send it as X-API-Key.")
