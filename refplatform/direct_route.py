"""A lean route class for hot paths: documented like any FastAPI route, served without its
per-request machinery.

FastAPI answers a request in stages: parse the body as JSON into Python objects, resolve the
dependency graph (a generic walk with caching and error collection), validate the body objects
against the model, call the endpoint. For ``POST /v1/declarations`` those stages cost more CPU
than the declaration itself (write-off, duties, routing and the database transaction).

:class:`DirectRoute` is FastAPI's documented extension point for that (a custom ``APIRoute``
class overriding ``get_route_handler``). Its endpoint is declared as usual, so the OpenAPI
document, the body schema and the response model are FastAPI's own; only the serving differs:

- each ``Depends`` parameter must name an ``async`` callable taking just the ``Request`` (such
  as :func:`refplatform.deps.require_direct`); it is awaited directly, before the body is read,
  so a caller without a token gets its 401 without the body being looked at;
- the one body parameter, a pydantic model, is validated from the raw bytes in a single pass
  (``model_validate_json``); its errors are raised as FastAPI's ``RequestValidationError`` with
  locations under ``body``, so they answer the same problem+json as every other route;
- the endpoint must return a ``Response`` itself (no response-model re-validation);
- ``app.dependency_overrides`` does not reach it (its dependencies are called directly).

The route checks at construction that its endpoint has this shape, so a route that does not fit
fails when the application is built, not on its first request.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

__all__ = ["DirectRoute"]

_JSON_TYPES = ("application/json",)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    main = content_type.split(";", 1)[0].strip().lower()
    return main in _JSON_TYPES or (main.startswith("application/") and main.endswith("+json"))


class _Plan:
    """How to call one endpoint: which argument is the request, the body, each dependency."""

    def __init__(self, endpoint: Callable[..., Any]) -> None:
        name = getattr(endpoint, "__qualname__", repr(endpoint))
        if not inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"DirectRoute: endpoint {name} must be async")
        hints = typing.get_type_hints(endpoint, include_extras=True)
        self.request_arg: str | None = None
        self.body_arg: str | None = None
        self.body_model: type[BaseModel] | None = None
        self.dependencies: list[tuple[str, Callable[[Request], Any]]] = []
        for arg in inspect.signature(endpoint).parameters:
            hint = hints.get(arg)
            base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
            marks = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Depends)]
            if marks:
                dependency = marks[0].dependency
                if dependency is None or not inspect.iscoroutinefunction(dependency):
                    raise TypeError(f"DirectRoute: {name}({arg}) needs an async dependency")
                self.dependencies.append((arg, dependency))
            elif base is Request:
                self.request_arg = arg
            elif isinstance(base, type) and issubclass(base, BaseModel) and self.body_arg is None:
                self.body_arg, self.body_model = arg, base
            else:
                raise TypeError(f"DirectRoute: {name}({arg}) is not a request, body or Depends")

    def body(self, raw: bytes, content_type: str | None) -> BaseModel:
        assert self.body_model is not None
        if not raw:
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
            )
        if not _is_json(content_type):
            raise RequestValidationError(
                [
                    {
                        "type": "model_attributes_type",
                        "loc": ("body",),
                        "msg": "Input should be a JSON object (Content-Type: application/json)",
                        "input": None,
                    }
                ]
            )
        try:
            return self.body_model.model_validate_json(raw)
        except ValidationError as exc:
            errors = [
                {"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"], "input": None}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise RequestValidationError(errors) from None


class DirectRoute(APIRoute):
    """An ``APIRoute`` served by a lean handler (see the module's docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        plan = _Plan(self.endpoint)
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            kwargs: dict[str, Any] = {}
            for arg, dependency in plan.dependencies:
                kwargs[arg] = await dependency(request)
            if plan.request_arg is not None:
                kwargs[plan.request_arg] = request
            if plan.body_arg is not None:
                raw = await request.body()
                kwargs[plan.body_arg] = plan.body(raw, request.headers.get("content-type"))
            response = await endpoint(**kwargs)
            if not isinstance(response, Response):
                raise TypeError("a DirectRoute endpoint must return a Response")
            return response

        return handle
