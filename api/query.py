"""Query parameters read into one pydantic model by a plain dependency.

FastAPI can do this itself (`q: Annotated[Model, Query()]`) but inspects the model's
annotations again on every request; on the customer list that cost more than the query. Same
validation, same 422 problem, same OpenAPI parameters.
"""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_origin

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def query_model(model: type[M]) -> Callable[[Request], M]:
    """A dependency giving `model` validated from the query string; unknown names ignored,
    list fields take every occurrence (`?stage=a&stage=b`)."""
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
