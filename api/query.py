"""Query parameters: read into one pydantic model by a plain dependency, and refused when
nobody declared them.

FastAPI can do the first itself (`q: Annotated[Model, Query()]`) but inspects the model's
annotations again on every request; on the customer list that cost more than the query. Same
validation, same 422 problem, same OpenAPI parameters.

Nothing is silently ignored: `refuse_unknown_query` (an app-wide dependency) answers 400
naming any query parameter a GET route does not declare in the OpenAPI document, and any
`sort` outside the route's enum, so a misspelt filter never returns the unfiltered list.
"""

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_origin

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from domain.errors import DomainError

M = TypeVar("M", bound=BaseModel)


def query_model(model: type[M]) -> Callable[[Request], M]:
    """A dependency giving `model` validated from the query string (unknown names are refused
    by `refuse_unknown_query`); list fields take every occurrence (`?stage=a&stage=b`)."""
    lists = frozenset(name for name, field in model.model_fields.items()
                      if get_origin(field.annotation) is list)

    async def read_query(request: Request) -> M:  # async: FastAPI runs a plain def in a thread
        params = request.query_params
        data = {name: params.getlist(name) if name in lists else params[name]
                for name in model.model_fields if name in params}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("query", *error["loc"])}
                 for error in exc.errors(include_url=False)]) from None

    return read_query


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI parameters FastAPI documents for `Annotated[model, Query()]`, for a route's
    `openapi_extra` (model types they refer to must be in the app's schemas already)."""
    probe_app = FastAPI()

    @probe_app.get("/")
    def probe(q: Annotated[model, Query()]) -> None:  # type: ignore[valid-type]
        """Never called."""

    return probe_app.openapi()["paths"]["/"]["get"]["parameters"]


class UnknownParameter(DomainError):
    code = "unknown-parameter"

    def __init__(self, names: list[str], known: list[str]) -> None:
        super().__init__(f"Unknown query parameter(s): {', '.join(names)}. This endpoint takes: "
                         f"{', '.join(known) or 'none'}.",
                         errors=[{"field": n, "message": "unknown query parameter"}
                                 for n in names[:20]])


class UnknownSort(DomainError):
    code = "unknown-sort"

    def __init__(self, value: str, known: list[str]) -> None:
        super().__init__(f"Unknown sort {value!r}; one of: {', '.join(known)}.",
                         errors=[{"field": "sort", "message": f"unknown sort {value!r}"}])


_DECLARED: dict[tuple[int, Any], tuple[frozenset[str], tuple[str, ...] | None]] = {}


def _enum(schema: dict[str, Any]) -> list[str] | None:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for option in schema.get("anyOf", []):
        if (found := _enum(option)) is not None:
            return found
    return None


def declared_query(app: FastAPI, route: APIRoute, path: str
                   ) -> tuple[frozenset[str], tuple[str, ...] | None]:
    """The query parameter names a GET route documents, and its `sort` values if it has any.
    Found by operation id (or, for routes without one, by the request's path): the route in
    the request's scope is the router's own, without the prefix the OpenAPI document has."""
    key = (id(app), id(route))
    if key not in _DECLARED:
        operation: dict[str, Any] = {}
        for template, item in app.openapi()["paths"].items():
            candidate = item.get("get")
            if candidate is None:
                continue
            if route.operation_id and candidate.get("operationId") == route.operation_id:
                operation = candidate
                break
            if not route.operation_id and template.endswith(route.path_format) and \
                    re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)), path):
                operation = candidate
                break
        params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        sort = next((p for p in params if p["name"] == "sort"), None)
        sorts = _enum(sort.get("schema", {})) if sort else None
        _DECLARED[key] = (frozenset(p["name"] for p in params),
                          tuple(sorts) if sorts is not None else None)
    return _DECLARED[key]


async def refuse_unknown_query(request: Request) -> None:
    """400 for a query parameter the GET route does not declare, or a sort it does not offer."""
    if request.method != "GET" or not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names, sorts = declared_query(request.app, route, request.url.path)
    unknown = sorted(set(request.query_params.keys()) - names)
    if unknown:
        raise UnknownParameter(unknown, sorted(names))
    if sorts is not None:
        for value in request.query_params.getlist("sort"):
            if value not in sorts:
                raise UnknownSort(value, list(sorts))
