"""The lifecycle and pool thresholds, and the customer value job's figures
(persistence/lifecycle_repo.py, customer_value_repo.py)."""

from datetime import datetime
from typing import Any, Protocol

from domain.customer_value import Raw


class LifecycleSettingsRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    pool_release_days: int
    pool_warning_days: int
    pool_no_order_days: int | None
    pool_claim_limit: int
    pool_reclaim_cooldown_days: int
    stale_opportunity_days: int
    dormancy_days: int
    churn_no_order_days: int
    churn_complaint_days: int
    verification_days: int


class LifecycleRepo(Protocol):
    async def settings(self, *, for_update: bool = False) -> LifecycleSettingsRecord: ...
    async def flush(self) -> None: ...


class CustomerValueRepo(Protocol):
    async def raw(self, customer_id: int) -> Raw: ...
    async def last_run(self, job: str) -> dict[str, Any] | None: ...
