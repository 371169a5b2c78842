"""Tags: `category-value` names (区域-华东), colours."""

import re
import unicodedata

from domain import text
from domain.validation import InvalidValue

COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


def normalize_name(name: str) -> str:
    """Cleaned (domain.text), 1–50 characters; `category-value` is the convention."""
    name = text.clean(name)
    if not 1 <= len(name) <= 50:
        raise InvalidValue("invalid-tag-name", "a tag name has 1 to 50 characters")
    if any(unicodedata.category(c) == "Cc" for c in name):  # NUL even breaks PostgreSQL
        raise InvalidValue("invalid-tag-name", "a tag name has no control characters")
    if name.startswith("-") or name.endswith("-"):
        raise InvalidValue("invalid-tag-name", "write tags as 类别-值, e.g. 区域-华东")
    return name


def category(name: str) -> str | None:
    return name.split("-", 1)[0] if "-" in name else None


def normalize_color(color: str | None) -> str | None:
    if color is None:
        return None
    if not COLOR_PATTERN.fullmatch(color):  # match() lets "#123456\n" through ($ before \n)
        raise InvalidValue("invalid-color", "a colour is #RRGGBB")
    return color.lower()
