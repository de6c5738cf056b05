"""Settings from the environment; the Alembic migrations build exactly the ORM schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from refplatform.credit import FIRST_DAY, tier_spans
from refplatform.db import Database, upgrade
from refplatform.models import Base
from refplatform.settings import DEFAULT_DB_URL, Settings, SettingsError
from sim.rules.config import RulesConfig
from sim.rules.credit import CreditEvent
from sim.scenario import Scenario


def test_settings_from_env() -> None:
    s = Settings.from_env({})
    assert s.db_url == DEFAULT_DB_URL and s.admin_token is None and s.migrate_on_start
    s = Settings.from_env(
        {
            "REFPLATFORM_DB_URL": "sqlite:///x.db",
            "REFPLATFORM_MIGRATE": "0",
            "REFPLATFORM_ADMIN_TOKEN": "sekrit-9" * 4,
            "REFPLATFORM_ACCESS_LOG": "false",
        }
    )
    assert (s.db_url, s.migrate_on_start, s.access_log) == ("sqlite:///x.db", False, False)
    assert s.admin_token is not None and s.admin_token.get_secret_value() == "sekrit-9" * 4
    assert "sekrit" not in repr(s)
    quota = r"^REFPLATFORM_RULES.duty_free_quota_fen: .*\(got -1\)"
    with pytest.raises(SettingsError, match=quota):
        Settings.from_env({"REFPLATFORM_RULES": '{"duty_free_quota_fen": -1}'})
    with pytest.raises(SettingsError, match="REFPLATFORM_RULES: not JSON"):
        Settings.from_env({"REFPLATFORM_RULES": "{oops"})
    risk = RulesConfig().risk.model_dump(mode="json")
    bad = json.dumps({"risk": {**risk, "scan_threshold": -1}})
    with pytest.raises(SettingsError, match=r"REFPLATFORM_RULES\.risk\.scan_threshold"):
        Settings.from_env({"REFPLATFORM_RULES": bad})
    good = json.dumps({"risk": {**risk, "scan_threshold": 2.5}, "duty_free_quota_fen": 5})
    s = Settings.from_env({"REFPLATFORM_RULES": good})
    assert s.rules.risk.scan_threshold == 2.5 and s.rules.duty_free_quota_fen == 5
    # unset: the packaged rules, which are also a scenario's defaults
    assert Settings.from_env({}).rules == Scenario().rules_config()


def test_a_short_admin_token_is_refused_without_being_shown() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"REFPLATFORM_ADMIN_TOKEN": "change-me-please"})
    message = str(refused.value)
    assert message == "REFPLATFORM_ADMIN_TOKEN: needs at least 32 characters (got 16)"
    assert "change-me" not in message
    assert Settings.from_env({"REFPLATFORM_ADMIN_TOKEN": "x" * 32}).admin_token is not None


def test_limits_and_lifetimes_are_settings() -> None:
    s = Settings.from_env({})
    assert (s.token_ttl_s, s.idempotency_ttl_s, s.max_body_bytes) == (86_400, 86_400, 1 << 20)
    s = Settings.from_env(
        {
            "REFPLATFORM_TOKEN_TTL_S": "3600",
            "REFPLATFORM_IDEMPOTENCY_TTL_S": "600",
            "REFPLATFORM_MAX_BODY_BYTES": "65536",
        }
    )
    assert (s.token_ttl_s, s.idempotency_ttl_s, s.max_body_bytes) == (3600, 600, 65536)
    with pytest.raises(SettingsError, match=r"^REFPLATFORM_MAX_BODY_BYTES: .*\(got '1'\)"):
        Settings.from_env({"REFPLATFORM_MAX_BODY_BYTES": "1"})


def test_the_sqlite_file_is_owner_only(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'private.db'}")
    upgrade(db)
    with db.write() as session:  # the log and shared memory exist once something is written
        session.execute(text("CREATE TABLE t (x)"))
    modes = {
        path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir() if path.is_file()
    }
    db.dispose()
    assert "private.db" in modes and "private.db-wal" in modes
    assert set(modes.values()) == {0o600}, modes


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db)
    upgrade(db)  # idempotent: a second start migrates nothing
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    db.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables and "alembic_version" in tables


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    db.dispose()


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        Database("sqlite:///:memory:")


def test_upgrading_a_database_with_entities_fills_their_tier_spans(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0002")  # a platform from before tier spans, with two entities registered
    with db.engine.begin() as conn:
        for entity in ("E1", "E2"):
            conn.execute(
                text(
                    "INSERT INTO entities (id, kind, code, name, registered_in_hainan, "
                    "credit_version, created_at) VALUES (:id, 'enterprise', :code, '', 1, 1, "
                    "'2026-01-01 00:00:00')"
                ),
                {"id": entity, "code": f"CODE-{entity}"},
            )
        conn.execute(
            text(
                "INSERT INTO history_events (entity_id, date, event, department, grade, "
                "created_at) VALUES ('E2', '2026-03-01', 'smuggling_penalty', 'anti_smuggling', "
                "NULL, '2026-03-01 00:00:00')"
            )
        )
    upgrade(db)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT entity_id, valid_from, valid_to, tier FROM tier_spans ORDER BY 1, 2")
        ).all()
    db.dispose()
    penalty = CreditEvent(
        "E2", "enterprise", dt.date(2026, 3, 1), "smuggling_penalty", "anti_smuggling", None
    )
    expected = [("E1", FIRST_DAY, None, "whitelist")] + [
        ("E2", start, end, tier) for start, end, tier in tier_spans([penalty])
    ]
    assert [
        (r[0], dt.date.fromisoformat(r[1]), r[2] and dt.date.fromisoformat(r[2]), r[3])
        for r in rows
    ] == expected
    assert [r[3] for r in rows if r[0] == "E2"] == ["whitelist", "key_attention", "whitelist"]


def test_faults_are_named_and_checked() -> None:
    """Test-only broken rules come from a closed list; a typo is one line naming the variable."""
    assert Settings.from_env({}).faults == frozenset()
    s = Settings.from_env({"REFPLATFORM_FAULTS": " scan_as_release ,"})
    assert s.faults == frozenset({"scan_as_release"})
    typo = r"^REFPLATFORM_FAULTS: .*unknown fault 'scan_as_relase'"
    with pytest.raises(SettingsError, match=typo):
        Settings.from_env({"REFPLATFORM_FAULTS": "scan_as_relase"})
