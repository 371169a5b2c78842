"""Users, departments, refresh tokens and sign-in attempts (persistence/user_repo.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class UserRecord(Protocol):
    id: int
    username: str
    display_name: str
    password_hash: str
    role: str
    department_id: int | None
    is_active: bool
    language: str
    email_muted: list[str]  # topics of domain/notification_email.py
    token_version: int  # in every access token; bumping it ends them all
    created_at: datetime
    updated_at: datetime
    version: int


class DepartmentRecord(Protocol):
    id: int
    key: str
    name: str
    supervisor_id: int | None
    version: int


class RefreshTokenRecord(Protocol):
    id: int
    user_id: int
    family: str  # every rotation of one sign-in
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class UserRepo(Protocol):
    async def get(self, user_id: int) -> UserRecord | None: ...
    async def get_by_username(self, username: str) -> UserRecord | None: ...
    async def add(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: str,
        department_id: int | None = ...,
        is_active: bool = ...,
        language: str = ...,
    ) -> UserRecord: ...
    async def flush(self) -> None: ...

    async def get_department(self, department_id: int) -> DepartmentRecord | None: ...
    async def get_department_by_key_or_name(self, value: str) -> DepartmentRecord | None: ...
    async def list_departments(self) -> Sequence[DepartmentRecord]: ...
    async def add_department(
        self, *, key: str, name: str, supervisor_id: int | None = ...
    ) -> DepartmentRecord: ...
    async def department_taken(self, column: str, value: str, except_id: int | None) -> bool: ...

    async def add_refresh_token(
        self,
        *,
        user_id: int,
        token_hash: str,
        family: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> RefreshTokenRecord: ...
    async def get_refresh_token(self, token_hash: str) -> RefreshTokenRecord | None: ...
    async def family_used_after(self, family: str, token_id: int) -> bool: ...
    async def revoke_family(self, family: str, at: datetime) -> None: ...
    async def revoke_all_of(self, user_id: int, at: datetime) -> None: ...

    async def add_login_attempt(self, username: str, address: str, at: datetime) -> int: ...
    async def login_attempts(
        self, username: str, address: str, *, since: datetime
    ) -> tuple[list[datetime], list[datetime]]: ...
    async def forget_login_attempt(self, attempt_id: int) -> None: ...
    async def forget_login_attempts_of(self, username: str, address: str) -> None: ...
    async def forget_login_attempts_before(self, cutoff: datetime) -> None: ...

    async def bump_token_version(self, user_id: int) -> None: ...
    async def active_admin_ids(self) -> list[int]: ...
    async def active_supervisor_ids(self) -> list[int]: ...
    async def count_active_admins(self) -> int: ...
