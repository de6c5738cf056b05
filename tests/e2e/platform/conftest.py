"""Fixtures of the platform's API tests: every contract test runs on SQLite and PostgreSQL.

``db_url`` is parametrised over both back ends; the PostgreSQL cluster is started once per
session (see ``platform_support``) and each test gets a fresh database in it. Where the
binaries are missing the PostgreSQL half is skipped with that reason, nowhere else.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.api import EntityIn, ProblemBody
from sim.client import PlatformClient
from tests.e2e.platform.goods_flow import bearer, register_enterprise
from tests.e2e.platform.platform_support import (
    ADMIN_TOKEN,
    PgCluster,
    id_number,
    start_pg_cluster,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from refplatform.main import create_app
from refplatform.settings import Settings


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster | str]:
    """A throwaway cluster, or the reason there is none."""
    try:
        cluster = start_pg_cluster()
    except FileNotFoundError as exc:
        yield f"PostgreSQL not available: {exc}"
        return
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    if isinstance(cluster, str):
        pytest.skip(cluster)
    return cluster.new_database()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, admin_token=ADMIN_TOKEN, access_log=False)


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    application = create_app(settings)
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Api:
    """Small conveniences over the typed client: register entities, tokens as headers.

    ``client`` is the raw HTTP client (for requests a test sends as they are); ``platform``
    the typed client acting as admin over it.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.platform = PlatformClient(http=client, admin_token=ADMIN_TOKEN)
        self.n = 0

    def enterprise(self, entity_id: str, *, hainan: bool = True) -> dict[str, str]:
        """Register an enterprise and return headers carrying its own token."""
        return bearer(register_enterprise(self.platform, entity_id, hainan=hainan))

    def individual(self, entity_id: str) -> None:
        self.n += 1
        self.platform.register_entity(
            EntityIn(id=entity_id, kind="individual", code=id_number(self.n))
        )

    def token(self, role: str, entity: str | None = None) -> dict[str, str]:
        """Headers with a token of ``role`` (the same one on every call: the client caches it)."""
        return bearer(self.platform.as_actor(role, entity))


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def problem() -> Callable[[Any, int], dict[str, Any]]:
    """Assert a response is problem+json with ``status``; return its body."""

    def _check(response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body: dict[str, Any] = response.json()
        ProblemBody.model_validate(body)  # exactly the contract's error body
        assert body["status"] == status
        assert body["code"]
        return body

    return _check
