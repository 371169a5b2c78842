"""Change requests (信息变更审核): a non-admin's edit of a customer's key identity fields waits
for an admin's approval. Rules and policy; the use cases are in change_request_service."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain import validation
from domain.errors import Conflict, Invalid
from domain.ports import CustomerRecord
from domain.roles import Actor

# Identity fields a non-admin cannot change directly: the edit becomes a request per field.
KEY_FIELDS = ("name", "credit_code", "id_number", "owner_id")


class ChangeRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by its requester, before a decision


class ChangeRequestPending(Conflict):
    code = "change-request-pending"

    def __init__(self, field_name: str) -> None:
        detail = f"A change of {field_name} is already waiting for approval."
        super().__init__(detail, errors=[{"field": field_name, "message": detail}])


class ChangeRequestDecided(Conflict):
    code = "change-request-decided"

    def __init__(self, status: str) -> None:
        super().__init__(f"The request is already {status}.", current_status=status)


class ChangeRequestStale(Conflict):
    code = "change-request-stale"

    def __init__(self, field_name: str) -> None:
        super().__init__(
            f"{field_name} has changed since the request was made; it no longer "
            "says what the request would replace. Reject it and ask again.",
            field=field_name,
        )


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """A customer PATCH: applied (`requests` empty), or turned into change requests."""

    customer: CustomerRecord
    requests: list[Any] = field(default_factory=list)


def key_fields_needing_approval(actor: Actor, changes: dict[str, Any]) -> list[str]:
    """The key fields of an edit that need an admin's approval: all of them unless the actor
    is an admin."""
    if actor.is_admin:
        return []
    return [name for name in KEY_FIELDS if name in changes]


def check_on_their_own(changes: dict[str, Any], key: list[str]) -> None:
    """Key fields go on their own, so that nothing of a PATCH is applied while the rest
    waits: a mixed PATCH is a 422 naming the other fields."""
    others = sorted(set(changes) - set(key))
    if others:
        raise Invalid(
            [
                {
                    "field": name,
                    "message": f"send identity changes ({', '.join(key)}) on their own: "
                    "they need an admin's approval",
                }
                for name in others
            ]
        )


def can_read(actor: Actor, requested_by: int) -> bool:
    return actor.is_admin or (actor.user_id is not None and requested_by == actor.user_id)


def can_decide(actor: Actor) -> bool:
    return actor.is_admin


def can_withdraw(actor: Actor, requested_by: int) -> bool:
    """Only the requester takes a request back; an admin rejects it instead, with a reason."""
    return actor.user_id is not None and requested_by == actor.user_id


def redact_value(field_name: str, value: Any, *, in_full: bool) -> Any:
    """ID numbers show masked to a requester who no longer sees the customer in full."""
    if field_name == "id_number" and isinstance(value, str) and value and not in_full:
        return validation.mask_id_number(value)
    return value
