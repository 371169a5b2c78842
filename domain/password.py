"""What a password must be: long enough, not blank, not the username, not a common one."""

from functools import cache
from importlib import resources


@cache
def _common() -> frozenset[str]:
    # Passwords at the top of published leak lists (English and Chinese sites), folded to
    # lower case; one a line.
    listing = resources.files("domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in listing.splitlines() if line.strip())


def weakness(password: str, username: str, *, min_length: int) -> str | None:
    """Why the password is refused, or None when it is acceptable."""
    if len(password) < min_length:
        return f"at least {min_length} characters"
    if not password.strip():
        return "must not be only spaces"
    folded = password.strip().lower()
    if folded == username.lower() or username.lower() in folded and len(folded) - len(username) < 4:
        return "must not be the username"
    if folded in _common() or len(set(folded)) <= 2:
        return "is too common; choose another"
    return None
