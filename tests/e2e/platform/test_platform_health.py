"""``/healthz`` answers 200 while the database answers, 503 problem+json when it does not."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about its httpx-based client
    from fastapi.testclient import TestClient

from refplatform.main import create_app
from refplatform.settings import Settings
from tests.e2e.platform.platform_support import ADMIN_TOKEN, PgCluster


def test_healthz_follows_the_database(pg_cluster: PgCluster | str, problem: Any) -> None:
    if isinstance(pg_cluster, str):
        pytest.skip(pg_cluster)
    import psycopg

    url = pg_cluster.new_database()
    name = url.rsplit("/", 1)[1]
    app = create_app(Settings(db_url=url, admin_token=ADMIN_TOKEN, access_log=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        with psycopg.connect(
            f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        body = problem(client.get("/healthz"), 503)
        assert body["code"] == "database_unavailable"
    app.state.db.dispose()
