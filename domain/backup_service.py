"""Backups from the admin page: only admins start or download one, and both are audited."""

from domain import audit
from domain.errors import Forbidden
from domain.ports import Clock, UnitOfWork
from domain.roles import Actor


def record(
    uow: UnitOfWork, clock: Clock, actor: Actor, backup_id: int, action: str, name: str
) -> None:
    """`action` is `create` (started) or `download`; refused to anyone but an admin."""
    if not actor.is_admin:
        raise Forbidden("Only an admin handles backups.")
    audit.record(uow, actor, "backup", backup_id, action, {"name": name}, at=clock.now())
