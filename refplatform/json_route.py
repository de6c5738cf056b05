"""Request bodies parsed as strictly on every route as on the hot path.

FastAPI parses a JSON body with the standard library, which accepts what a JSON parser should
not: bytes that are not UTF-8 (decoded with ``surrogatepass``) and ``\\ud800``-style lone
surrogates, which then fail on the way into the database. The declaration hot path
(:mod:`refplatform.direct_route`) parses with pydantic's parser, which refuses both. So that one
mistake gets one answer everywhere (422 ``invalid_json``), every other route uses
:class:`JsonRoute`, FastAPI's documented extension point (a custom ``APIRoute`` whose handler
sees a custom ``Request``), to parse with the same parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

__all__ = ["JsonRoute"]

_ANY = TypeAdapter(Any)  # pydantic's JSON parser, as model_validate_json uses it


class _StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = _ANY.validate_json(body)
            except ValidationError as exc:
                # FastAPI answers a JSONDecodeError as request validation of the body.
                message = exc.errors(include_url=False)[0]["msg"]
                raise json.JSONDecodeError(message, "", 0) from None
        return self._json


class JsonRoute(APIRoute):
    """An ``APIRoute`` whose JSON bodies are parsed by pydantic's parser (see the module)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handle(_StrictJsonRequest(request.scope, request.receive))

        return strict
