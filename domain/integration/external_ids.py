"""External ids: the ids other systems give our records ({system: id}, e.g. {"erp": "C-1042"}).
Each system's id is unique per kind of record, so a sync can find a record by it (upsert)."""

import re
from collections.abc import Mapping
from typing import Any

from domain.errors import Duplicate, Invalid
from domain.ports.external_ids import ExternalIdRepo

SYSTEM = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
MAX_SYSTEMS = 10
MAX_ID_LENGTH = 200


def check_system(system: str, field: str = "system") -> str:
    if not SYSTEM.match(system):
        message = "lower-case letters, digits, _ and -, 1–32, from a letter"
        raise Invalid([{"field": field, "message": message}])
    return system


def check_id(value: str, field: str = "external_id") -> str:
    value = value.strip()
    if not value or len(value) > MAX_ID_LENGTH or any(ord(c) < 32 for c in value):
        raise Invalid(
            [{"field": field, "message": f"1–{MAX_ID_LENGTH} characters, no control characters"}]
        )
    return value


def merged(current: Mapping[str, str] | None, changes: Mapping[str, str | None]) -> dict[str, str]:
    """The record's ids after a change: a system set to null loses its id, others are set."""
    out = dict(current or {})
    for system, value in changes.items():
        check_system(system, f"external_ids.{system}")
        if value is None:
            out.pop(system, None)
        else:
            out[system] = check_id(value, f"external_ids.{system}")
    if len(out) > MAX_SYSTEMS:
        raise Invalid([{"field": "external_ids", "message": f"at most {MAX_SYSTEMS} systems"}])
    return dict(sorted(out.items()))


async def check_free(
    repo: ExternalIdRepo, entity_type: str, ids: Mapping[str, str], except_id: int | None = None
) -> None:
    """Each system's id names one record of a type: another's is a 409 naming the id and its
    holder."""
    held = {
        s: holder
        for s, holder in (await repo.holders(entity_type, ids)).items()
        if holder != except_id
    }
    if held:
        system, holder = sorted(held.items())[0]
        raise Duplicate(
            f"external_ids.{system}",
            f"The external id {system}:{ids[system]} belongs to "
            f"{entity_type.replace('_', '-')} {holder}.",
        )


async def claim(
    repo: ExternalIdRepo,
    entity_type: str,
    current: Mapping[str, str] | None,
    changes: Mapping[str, str | None] | None,
    *,
    except_id: int | None = None,
) -> dict[str, str]:
    """The record's ids after `changes` (see `merged`), none held by another record."""
    ids = merged(current, changes or {})
    await check_free(repo, entity_type, ids, except_id)
    return ids


def with_path_id(system: str, value: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """An upsert's fields with the id of its path among their `external_ids`; the body may
    repeat that id but not name another for the same system."""
    fields = dict(fields)
    wanted = dict(fields.pop("external_ids", None) or {})
    if wanted.get(system, value) != value:
        raise Invalid(
            [{"field": f"external_ids.{system}", "message": "differs from the id in the path"}]
        )
    wanted[system] = value
    return {**fields, "external_ids": wanted}
