"""The reference customs platform: a real HTTP service implementing the platform's API.

Load tests and drills need a platform to talk to; the real one is out of reach, so this package
ships a reference implementation (FastAPI + SQLAlchemy 2, SQLite in WAL mode by default,
PostgreSQL through a URL). Every domain decision it makes comes from :mod:`sim.rules`; it never
imports the model. Build an application with :func:`refplatform.main.create_app`.
"""

from __future__ import annotations

__all__: list[str] = []
