"""Domain errors. Each has a stable `code`; api/problems.py maps the class to an HTTP status."""

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain-error"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    code = "not-found"

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id} not found.")


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class FieldsForbidden(Forbidden):
    """The caller sent fields their role may not set (mass assignment is refused)."""

    code = "fields-forbidden"

    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            f"You may not set: {', '.join(fields)}.",
            errors=[{"field": f, "message": "not allowed for your role"} for f in fields],
        )


class Conflict(DomainError):
    code = "conflict"


class IllegalTransition(Conflict):
    """A status change the record's workflow does not allow from where it is (409)."""

    code = "illegal-transition"

    def __init__(self, entity: str, current: str, requested: str, allowed: list[str]) -> None:
        super().__init__(
            f"Cannot move a {current} {entity} to {requested}.",
            current=current,
            requested=requested,
            allowed=allowed,
        )


class Duplicate(Conflict):
    code = "duplicate"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, errors=[{"field": field, "message": detail}])


class VersionMismatch(DomainError):
    """If-Match named a version that is no longer current."""

    code = "version-mismatch"

    def __init__(self, current: int) -> None:
        super().__init__(
            f"The record has changed; its current version is {current}.", current_version=current
        )


class Invalid(DomainError):
    """Input with the right shape that breaks a business rule; carries per-field errors."""

    code = "validation"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        super().__init__(
            detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors
        )
        self.errors = errors


class BatchFailed(DomainError):
    """An all-or-nothing batch with failed items: nothing was written (422)."""

    code = "batch-failed"

    def __init__(self, errors: list[dict[str, str]], failed: list[int]) -> None:
        super().__init__(
            f"{len(failed)} item(s) failed, so none was written: {failed[:20]}",
            errors=errors,
            failed=failed,
        )


class InvalidCursor(DomainError):
    """A page cursor this server did not hand out, or one for another list or order (400)."""

    code = "invalid-cursor"


class CursorExpired(DomainError):
    """A change-feed cursor older than the window the feed keeps (410): resynchronise."""

    code = "cursor-expired"


class TooLarge(DomainError):
    """A body or file over its size limit (413)."""

    code = "too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The upload is larger than {limit} bytes.", limit=limit)


class UnsupportedType(DomainError):
    """Content we do not accept, judged by its bytes (415)."""

    code = "unsupported-type"

    def __init__(
        self, detail: str = "Only PNG, JPEG, PDF, DOCX and XLSX files are accepted."
    ) -> None:
        super().__init__(detail)


class RateLimited(DomainError):
    code = "rate-limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
