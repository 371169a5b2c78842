"""Routes made by a factory, one per kind of record, that read as if written out by hand."""

from collections.abc import Callable
from typing import Any


def endpoint(fn: Callable[..., Any], name: str, doc: str, **types: Any) -> Callable[..., Any]:
    """FastAPI reads an operation's summary from its function's name, its description from the
    docstring and its parameters from the annotations: `types` are those that differ by kind
    (the body's model, the actor's scopes)."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__annotations__.update(types)
    return fn
