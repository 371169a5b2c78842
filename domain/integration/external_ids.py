"""External ids: the ids other systems give our records ({system: id}, e.g. {"erp": "C-1042"}).
Each system's id is unique per kind of record, so a sync can find a record by it (upsert)."""

import re
from collections.abc import Mapping

from domain.errors import Invalid

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
