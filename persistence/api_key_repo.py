"""API keys: their rows, and the per-request reads and counts that run outside the request's
transaction (like user_repo.access_state)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.db import Database
from persistence.models import ApiKey, ApiKeyWindow, User


class SqlApiKeyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key_id: int) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    async def list_all(self) -> list[ApiKey]:
        stmt = select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
        return list((await self.session.scalars(stmt)).all())

    async def add(self, **values: object) -> ApiKey:
        key = ApiKey(**values)
        self.session.add(key)
        await self.session.flush()
        return key

    async def flush(self) -> None:
        await self.session.flush()


@dataclass(frozen=True, slots=True)
class KeyState:
    """What a request made with a key is checked against, with its owner as stored now."""

    id: int
    digest: str
    previous_digest: str | None
    previous_valid_until: datetime | None
    scopes: list[str]
    owner_id: int | None
    expires_at: datetime | None
    allowed_ips: list[str]
    rate_limit_per_minute: int
    revoked_at: datetime | None
    created_by: int | None
    owner_active: bool | None
    owner_role: str | None
    owner_department_id: int | None


_KEY_STATE = (
    select(
        ApiKey.id,
        ApiKey.digest,
        ApiKey.previous_digest,
        ApiKey.previous_valid_until,
        ApiKey.scopes,
        ApiKey.owner_id,
        ApiKey.expires_at,
        ApiKey.allowed_ips,
        ApiKey.rate_limit_per_minute,
        ApiKey.revoked_at,
        ApiKey.created_by,
        User.is_active,
        User.role,
        User.department_id,
    )
    .outerjoin(User, User.id == ApiKey.owner_id)
    .where(ApiKey.public_id == bindparam("public_id"))
)


async def key_state(database: Database, public_id: str) -> KeyState | None:
    async with database.read_engine.connect() as connection:
        row = (await connection.execute(_KEY_STATE, {"public_id": public_id})).first()
    # 14 columns: more than select()'s typed overloads spell out, so the row's length is unknown
    return None if row is None else KeyState(*row)  # type: ignore[call-arg]


async def count_request(database: Database, key_id: int, starts_at: datetime, now: datetime) -> int:
    """Count one request in the key's minute, committed at once and shared by every server
    process; the first request of a minute also records the key's last use and drops its
    windows older than an hour. Returns the minute's count, this request included."""
    table = ApiKeyWindow.__table__
    values = {"api_key_id": key_id, "starts_at": starts_at, "count": 1}
    make_insert = pg_insert if database.backend == "postgresql" else sqlite_insert
    stmt = (
        make_insert(table)
        .values(values)
        .on_conflict_do_update(
            index_elements=[table.c.api_key_id, table.c.starts_at],
            set_={"count": table.c.count + 1},
        )
        .returning(table.c.count)
    )
    # PostgreSQL: the reader's autocommit connections; SQLite: a short write transaction.
    engine = database.read_engine if database.backend == "postgresql" else database.write_engine
    async with engine.begin() as connection:
        count = int((await connection.execute(stmt)).scalar_one())
        if count == 1:
            await connection.execute(
                update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
            )
            await connection.execute(
                delete(ApiKeyWindow).where(
                    ApiKeyWindow.api_key_id == key_id,
                    ApiKeyWindow.starts_at < starts_at - timedelta(hours=1),
                )
            )
    return count
