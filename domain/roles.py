"""Roles, their scopes, and the actor a request acts as."""

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ACCOUNT_MANAGER = "account_manager"
    AGENT = "agent"
    READONLY = "readonly"


class Scope(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    TAGS_WRITE = "tags:write"
    USERS_READ = "users:read"
    USERS_ADMIN = "users:admin"
    SETTINGS_ADMIN = "settings:admin"
    AUDIT_READ = "audit:read"
    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"
    NOTIFICATIONS = "notifications"


_EVERYONE = {Scope.CUSTOMERS_READ, Scope.USERS_READ, Scope.TICKETS_READ, Scope.NOTIFICATIONS}
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.SUPERVISOR: frozenset(_EVERYONE | {Scope.TICKETS_WRITE}),
    Role.ACCOUNT_MANAGER: frozenset(_EVERYONE | {Scope.CUSTOMERS_WRITE, Scope.TICKETS_WRITE}),
    Role.AGENT: frozenset(_EVERYONE | {Scope.TICKETS_WRITE}),
    Role.READONLY: frozenset(_EVERYONE),
}


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None  # None for the system (jobs, seeding) and API keys without an owner
    role: Role
    department_id: int | None = None
    api_key_id: int | None = None  # a request made with an API key (as its owner, if any)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def person_id(self) -> int:
        """The user acting, for what is a person's own (inbox, reports, profile). Requests
        always have one (an API key acts as its owner, else its maker); the system has none."""
        if self.user_id is None:
            raise Forbidden("Only a signed-in user has this.")
        return self.user_id


SYSTEM = Actor(user_id=None, role=Role.ADMIN)
