"""Admin-defined custom fields (second-level categories): definitions and value checks."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.errors import Invalid

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    ENUM = "enum"
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class Definition:
    key: str
    type: FieldType
    options: tuple[str, ...] = ()
    required: bool = False
    sensitive: bool = False


def check_definition(key: str, type_: FieldType, options: list[str]) -> list[str]:
    errors = []
    if not KEY_PATTERN.fullmatch(key):  # match() would let "key\n" through ($ before \n)
        errors.append("key: lower-case letters, digits and _, starting with a letter, ≤ 40")
    if type_ is FieldType.ENUM and not options:
        errors.append("options: an enum field needs at least one option")
    if type_ is not FieldType.ENUM and options:
        errors.append("options: only enum fields have options")
    if len(set(options)) != len(options):
        errors.append("options: duplicate option")
    return errors


def _coerce(definition: Definition, value: Any) -> Any:
    """The stored (JSON) form of one value, or ValueError with a message for the user."""
    match definition.type:
        case FieldType.TEXT:
            if not isinstance(value, str):
                raise ValueError("must be text")
            if len(value) > 2000:
                raise ValueError("at most 2000 characters")
            if "\x00" in value:  # PostgreSQL JSONB cannot hold it
                raise ValueError("must not contain NUL characters")
            return value
        case FieldType.NUMBER:
            # bool is an int in Python; a checkbox value is not a number.
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError("must be a number")
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValueError("must be a number") from None
            if not number.is_finite():
                raise ValueError("must be a finite number")
            return str(number)  # exact: never a float
        case FieldType.DATE:
            try:
                return date.fromisoformat(value).isoformat()
            except (TypeError, ValueError):
                raise ValueError("must be a date YYYY-MM-DD") from None
        case FieldType.ENUM:
            if value not in definition.options:
                raise ValueError(f"must be one of {', '.join(definition.options)}")
            return value
        case FieldType.BOOL:
            if not isinstance(value, bool):
                raise ValueError("must be true or false")
            return value


def validate_values(
    definitions: Mapping[str, Definition], current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge `changes` into `current` custom field values; a null value removes the key.

    Unknown keys, wrong types and missing required fields are 422s, all reported at once.
    """
    errors = []
    merged = dict(current)
    for key, value in changes.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append({"field": f"custom_fields.{key}", "message": "unknown custom field"})
        elif value is None:
            merged.pop(key, None)
        else:
            try:
                merged[key] = _coerce(definition, value)
            except ValueError as exc:
                errors.append({"field": f"custom_fields.{key}", "message": str(exc)})
    for key, definition in definitions.items():
        if definition.required and merged.get(key) in (None, ""):
            errors.append({"field": f"custom_fields.{key}", "message": "required"})
    if errors:
        raise Invalid(errors)
    return merged
