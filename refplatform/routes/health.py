"""``GET /healthz``: 200 when the database answers, 503 when it does not. No token needed."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from refplatform.deps import Db
from refplatform.errors import Problem

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
async def healthz(db: Db) -> dict[str, str]:
    """Answer 200 ``{"status": "ok"}`` if ``SELECT 1`` succeeds on the database."""
    try:
        await run_in_threadpool(db.ping)
    except SQLAlchemyError as exc:
        raise Problem(503, "database_unavailable", "the database does not answer") from exc
    return {"status": "ok"}
