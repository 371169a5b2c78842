"""Users, departments, refresh tokens, sign-in attempts and the per-request access check."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from persistence.db import Database, driver_connection
from persistence.models import Department, LoginAttempt, RefreshToken, User

_ACTIVE_ADMINS = (
    select(User.id).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id)
)


class SqlUserRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def require(self, user_id: int) -> User:
        """A user that must exist (users are deactivated, never deleted)."""
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound("user", user_id)
        return user

    async def get_by_username(self, username: str) -> User | None:
        return await self.session.scalar(select(User).where(User.username == username))

    async def list_all(self) -> list[User]:
        return list((await self.session.scalars(select(User).order_by(User.id))).all())

    async def add(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: str,
        department_id: int | None = None,
        is_active: bool = True,
        language: str = "zh-CN",
    ) -> User:
        user = User(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            department_id=department_id,
            is_active=is_active,
            language=language,
        )
        self.session.add(user)
        await self.session.flush()
        return user

    async def flush(self) -> None:
        await self.session.flush()

    # ---- departments ----

    async def get_department(self, department_id: int) -> Department | None:
        return await self.session.get(Department, department_id)

    async def get_department_by_key_or_name(self, value: str) -> Department | None:
        stmt = select(Department).where((Department.key == value) | (Department.name == value))
        return await self.session.scalar(stmt)

    async def list_departments(self) -> list[Department]:
        return list((await self.session.scalars(select(Department).order_by(Department.id))).all())

    async def add_department(
        self, *, key: str, name: str, supervisor_id: int | None = None
    ) -> Department:
        department = Department(key=key, name=name, supervisor_id=supervisor_id)
        self.session.add(department)
        await self.session.flush()
        return department

    async def department_taken(self, column: str, value: str, except_id: int | None) -> bool:
        stmt = select(Department.id).where(getattr(Department, column) == value)
        if except_id is not None:
            stmt = stmt.where(Department.id != except_id)
        return (await self.session.scalar(stmt)) is not None

    # ---- refresh tokens ----

    async def add_refresh_token(
        self,
        *,
        user_id: int,
        token_hash: str,
        family: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> RefreshToken:
        token = RefreshToken(
            user_id=user_id,
            token_hash=token_hash,
            family=family,
            created_at=created_at,
            expires_at=expires_at,
        )
        self.session.add(token)
        await self.session.flush()
        return token

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return await self.session.scalar(stmt)

    async def family_used_after(self, family: str, token_id: int) -> bool:
        """Whether a token of the family issued after `token_id` has been used."""
        stmt = select(RefreshToken.id).where(
            RefreshToken.family == family,
            RefreshToken.id > token_id,
            RefreshToken.used_at.is_not(None),
        )
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def revoke_family(self, family: str, at: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_all_of(self, user_id: int, at: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    # ---- login attempts ----

    async def add_login_attempt(self, username: str, address: str, at: datetime) -> int:
        attempt = LoginAttempt(username=username, address=address, at=at)
        self.session.add(attempt)
        await self.session.flush()
        return attempt.id

    async def login_attempts(
        self, username: str, address: str, *, since: datetime
    ) -> tuple[list[datetime], list[datetime]]:
        """Times of the address's attempts since `since`, oldest first: those for `username`,
        and all of them."""
        rows = (
            await self.session.execute(
                select(LoginAttempt.username, LoginAttempt.at)
                .where(LoginAttempt.address == address, LoginAttempt.at >= since)
                .order_by(LoginAttempt.at)
            )
        ).all()
        return [at for name, at in rows if name == username], [at for _, at in rows]

    async def forget_login_attempt(self, attempt_id: int) -> None:
        await self.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))

    async def forget_login_attempts_of(self, username: str, address: str) -> None:
        await self.session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.address == address
            )
        )

    async def forget_login_attempts_before(self, cutoff: datetime) -> None:
        await self.session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))

    async def bump_token_version(self, user_id: int) -> None:
        """Ends every access token of the user (they carry the version they were made with)."""
        await self.session.execute(
            update(User).where(User.id == user_id).values(token_version=User.token_version + 1)
        )

    async def active_admin_ids(self) -> list[int]:
        return list((await self.session.scalars(_ACTIVE_ADMINS)).all())

    async def active_supervisor_ids(self) -> list[int]:
        stmt = (
            select(User.id)
            .where(User.role == "supervisor", User.is_active.is_(True))
            .order_by(User.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def count_active_admins(self) -> int:
        # Locks the admin rows (PostgreSQL; SQLite writers are serial anyway): two admins
        # stepping down at once must not both see "two left". FOR UPDATE refuses count(*).
        stmt = _ACTIVE_ADMINS.with_for_update()
        return len((await self.session.scalars(stmt)).all())


_ACCESS_STATE = select(User.is_active, User.role, User.department_id, User.token_version).where(
    User.id == bindparam("user_id")
)
# The same read straight through asyncpg: no BEGIN/ROLLBACK around it, one round trip.
_ACCESS_STATE_SQL = 'SELECT is_active, role, department_id, token_version FROM "user" WHERE id = $1'


@dataclass(frozen=True, slots=True)
class AccessState:
    is_active: bool
    role: str
    department_id: int | None
    token_version: int


async def access_state(database: Database, user_id: int) -> AccessState | None:
    """What every request checks its token against, or None for no such user. One
    primary-key read on a pooled connection, outside the request's transaction."""
    async with database.read_engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            raw = await driver_connection(connection)
            row = await raw.fetchrow(_ACCESS_STATE_SQL, user_id)
        else:
            row = (await connection.execute(_ACCESS_STATE, {"user_id": user_id})).first()
    return None if row is None else AccessState(*row)
