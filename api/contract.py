"""The OpenAPI document as clients need it: FastAPI's, plus the problems every operation can
answer that no route lists itself, each typed as application/problem+json."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import idempotency

PROBLEM = "Problem (RFC 9457)"
_PROBLEM_CONTENT = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
}
_WRITES = {"post", "put", "patch", "delete"}
IDEMPOTENCY_KEY = {"$ref": "#/components/parameters/IdempotencyKey"}


def _takes_idempotency_key(method: str, operation: dict[str, Any]) -> bool:
    """Authenticated POSTs, except file uploads (api/idempotency.py)."""
    content = operation.get("requestBody", {}).get("content", {})
    return method == "post" and "security" in operation and "multipart/form-data" not in content


def _answers(method: str, operation: dict[str, Any]) -> set[str]:
    """Statuses the app's middleware and handlers give any operation of this shape: 400 a body
    that does not parse or a forged cursor, 413 a body over its limit, 409 a concurrent write
    that won, 412 a stale `If-Match`."""
    answers = {"400", "422"}
    if "requestBody" in operation:
        answers.add("413")
    if method in _WRITES:
        answers.add("409")
    if any(
        p.get("in") == "header" and p.get("name", "").lower() == "if-match"
        for p in operation.get("parameters", [])
    ):
        answers.add("412")
    return answers


def openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {})["parameters"] = {
            "IdempotencyKey": idempotency.openapi_parameter()
        }
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if _takes_idempotency_key(method, operation):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                responses = operation.setdefault("responses", {})
                for status in _answers(method, operation):
                    responses.setdefault(status, {"description": PROBLEM})
                for response in responses.values():
                    if response.get("description") == PROBLEM:
                        response["content"] = _PROBLEM_CONTENT
        app.openapi_schema = schema
    return app.openapi_schema
