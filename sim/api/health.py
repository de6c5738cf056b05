"""Health: ``GET /healthz`` answers 200 ``{"status": "ok"}`` while the database answers, 503
problem+json (``database_unavailable``) when it does not. It needs no token."""

from __future__ import annotations

from typing import Literal

from sim.api.common import Answer

__all__ = ["Health"]


class Health(Answer):
    """The platform and its database answer."""

    status: Literal["ok"]
