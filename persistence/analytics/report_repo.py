"""Reports, subscriptions and trend alerts: rows keyed so that every job run and request is
insert-or-find (ON CONFLICT DO NOTHING), never a second copy."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Report, ReportRoleDefault, ReportSubscription, TrendAlert, User


class SqlReportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)

    async def get(self, report_id: int) -> Report | None:
        return await self.session.get(Report, report_id)

    async def get_or_add(
        self, kind: str, first_day: date, last_day: date, recipient_id: int, now: datetime
    ) -> tuple[Report, bool]:
        """The report of this kind, period and recipient; created (pending) if new."""
        inserted = (
            await self.session.execute(
                self._insert(Report)
                .values(
                    kind=kind,
                    first_day=first_day,
                    last_day=last_day,
                    recipient_id=recipient_id,
                    status="pending",
                    created_at=now,
                )
                .on_conflict_do_nothing()
                .returning(Report.id)
            )
        ).scalar_one_or_none()
        report = (
            await self.session.scalars(
                select(Report)
                .where(
                    Report.kind == kind,
                    Report.first_day == first_day,
                    Report.recipient_id == recipient_id,
                )
                .execution_options(populate_existing=True)
            )
        ).one()
        return report, inserted is not None

    async def list_for(self, recipient_id: int, limit: int = 50) -> list[Report]:
        stmt = (
            select(Report)
            .where(Report.recipient_id == recipient_id)
            .order_by(Report.first_day.desc(), Report.id.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def store(
        self,
        report_id: int,
        *,
        xlsx: bytes | None,
        pdf: bytes | None,
        status: str,
        error: str | None,
        now: datetime,
    ) -> None:
        await self.session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(xlsx=xlsx, pdf=pdf, status=status, error=error, finished_at=now)
        )

    async def file(self, report_id: int, kind: str) -> bytes | None:
        column = Report.xlsx if kind == "xlsx" else Report.pdf
        return (
            await self.session.execute(select(column).where(Report.id == report_id))
        ).scalar_one_or_none()

    # ---- subscriptions ----

    async def subscriptions(self, user_id: int) -> dict[str, bool]:
        rows = await self.session.execute(
            select(ReportSubscription.kind, ReportSubscription.enabled).where(
                ReportSubscription.user_id == user_id
            )
        )
        return {k: e for k, e in rows.all()}

    async def set_subscription(self, user_id: int, kind: str, enabled: bool) -> None:
        stmt = self._insert(ReportSubscription).values(user_id=user_id, kind=kind, enabled=enabled)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id", "kind"], set_={"enabled": enabled}
            )
        )

    async def role_defaults(self) -> dict[tuple[str, str], bool]:
        """{(role, kind): enabled} as admins set them."""
        rows = await self.session.execute(
            select(ReportRoleDefault.role, ReportRoleDefault.kind, ReportRoleDefault.enabled)
        )
        return {(r, k): e for r, k, e in rows.all()}

    async def set_role_default(self, role: str, kind: str, enabled: bool) -> None:
        stmt = self._insert(ReportRoleDefault).values(role=role, kind=kind, enabled=enabled)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["role", "kind"], set_={"enabled": enabled})
        )

    async def recipients(self, kind: str, default_roles: Sequence[str]) -> list[User]:
        """Active users who get `kind`: subscribed, or their role's default and no choice."""
        sub = ReportSubscription
        stmt = (
            select(User)
            .outerjoin(sub, and_(sub.user_id == User.id, sub.kind == kind))
            .where(
                User.is_active.is_(True),
                (sub.enabled.is_(True)) | (sub.kind.is_(None) & User.role.in_(list(default_roles))),
            )
            .order_by(User.id)
        )
        return list((await self.session.scalars(stmt)).all())

    # ---- trend alerts ----

    async def add_alert(
        self,
        kind: str,
        subject: str,
        period_start: date,
        period_end: date,
        data: dict[str, Any],
        now: datetime,
    ) -> int | None:
        """The new alert's id, or None when this condition already fired for this period."""
        return (
            await self.session.execute(
                self._insert(TrendAlert)
                .values(
                    kind=kind,
                    subject=subject,
                    period_start=period_start,
                    period_end=period_end,
                    data=data,
                    created_at=now,
                )
                .on_conflict_do_nothing()
                .returning(TrendAlert.id)
            )
        ).scalar_one_or_none()

    async def list_alerts(self, limit: int, before_id: int | None) -> list[TrendAlert]:
        stmt = select(TrendAlert).order_by(TrendAlert.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(TrendAlert.id < before_id)
        return list((await self.session.scalars(stmt)).all())

    async def alerted_since(self, kind: str, subject: str, since: date) -> bool:
        stmt = (
            select(TrendAlert.id)
            .where(
                TrendAlert.kind == kind,
                TrendAlert.subject == subject,
                TrendAlert.period_end >= since,
            )
            .limit(1)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def alert_kinds(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(TrendAlert.id, TrendAlert.kind)
            .where(TrendAlert.id.in_(list(ids)))
            .order_by(TrendAlert.id)
        )
        return [(i, k) for i, k in rows.all()]

    async def staff_ids(self) -> list[int]:
        """Active supervisors and admins: who hears of trend alerts."""
        return list(
            (
                await self.session.scalars(
                    select(User.id)
                    .where(User.is_active.is_(True), User.role.in_(("supervisor", "admin")))
                    .order_by(User.id)
                )
            ).all()
        )
