"""``GET /healthz``: 200 when the database answers, 503 when it does not. No token needed.

Load tests use it as their baseline (the framework plus one database round trip), so it does
only that: on SQLite the ``SELECT 1`` runs on the event loop (it takes microseconds, less than
the hand-off to a worker thread), on PostgreSQL in the thread pool (a network round trip, which
must not block the loop); the answer is a constant.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from refplatform.db import Database
from refplatform.errors import Problem
from sim.api.health import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])

_OK = b'{"status":"ok"}'


@router.get(
    "/healthz",
    summary="Liveness and database check",
    response_model=Health,
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
async def healthz(request: Request) -> Response:
    """Answer 200 ``{"status": "ok"}`` if ``SELECT 1`` succeeds on the database."""
    db: Database = request.app.state.db
    try:
        if db.is_sqlite:
            db.ping()
        else:
            await run_in_threadpool(db.ping)
    except SQLAlchemyError as exc:
        raise Problem(503, "database_unavailable", "the database does not answer") from exc
    return Response(_OK, media_type="application/json")
