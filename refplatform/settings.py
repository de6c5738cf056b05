"""Settings: everything the service reads from its environment, in one typed object.

The platform is configured by a :class:`Settings` value passed to ``create_app``; a server
process started by uvicorn (which can only import a factory by name) builds it from environment
variables with :meth:`Settings.from_env`. Variables, all prefixed ``REFPLATFORM_``:

- ``REFPLATFORM_DB_URL`` — SQLAlchemy URL; default ``sqlite:///refplatform.db`` (a file in the
  working directory, created on first start). PostgreSQL: ``postgresql+psycopg://user@host/db``.
- ``REFPLATFORM_ADMIN_TOKEN`` — the bearer token of the ``admin`` role, at least 32 characters
  (:data:`sim.api.tokens.ADMIN_TOKEN_MIN_LENGTH`); without it no request can act as admin
  (tokens can then only be issued by a server that has one).
- ``REFPLATFORM_TOKEN_TTL_S`` — how long an issued token is accepted unless its request says
  otherwise (default 86400: a day).
- ``REFPLATFORM_IDEMPOTENCY_TTL_S`` — how long an ``Idempotency-Key`` keeps its answer (default
  86400: 24 hours, as Stripe keeps them); after it the key is free again.
- ``REFPLATFORM_MAX_BODY_BYTES`` — the largest request body accepted (default 1 MiB); a larger
  one is answered 413 before it is read.
- ``REFPLATFORM_MIGRATE`` — ``0`` to skip ``alembic upgrade head`` on start (default ``1``).
- ``REFPLATFORM_ACCESS_LOG`` — ``0`` to silence the JSON-lines access log (default ``1``).
- ``REFPLATFORM_RULES`` — JSON of a :class:`sim.rules.config.RulesConfig`: the risk model
  (indicators, weights, thresholds, treatment by tier, random-selection seed), the credit scale
  table, tariff changes and the duty-free quota. Default: the rules' packaged data, which are
  also a scenario's defaults; ``customs-sim serve --scenario FILE`` sets it from a scenario
  (``Scenario.rules_config()``), so the platform decides a what-if policy as the model does.
- ``REFPLATFORM_POOL_SIZE`` — database connections kept open (default 40, the size of the
  server's thread pool).
- ``REFPLATFORM_FAULTS`` — **test-only**: comma-separated names of :data:`FAULTS`, rules the
  platform then breaks on purpose, so a test can show that a load test, a replay or a drill
  catches a wrong answer exactly where it depends on the broken rule. Never set in service.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from sim.api.tokens import ADMIN_TOKEN_MIN_LENGTH, MAX_TOKEN_LIFETIME_S
from sim.rules.config import RulesConfig

__all__ = ["DEFAULT_DB_URL", "FAULTS", "Settings", "SettingsError"]

DEFAULT_DB_URL = "sqlite:///refplatform.db"

FAULTS: dict[str, str] = {
    "scan_as_release": "a declaration the oracle sends to a scan is answered 'release'",
    "quota_one_fen_short": "the duty-free quota is applied one fen short of the configured one",
}
"""The rules the platform can be told to break (test-only), and what each does."""
_PREFIX = "REFPLATFORM_"


class SettingsError(ValueError):
    """A ``REFPLATFORM_*`` variable holds a value the platform cannot use (one line)."""


class Settings(BaseModel):
    """The service's configuration.

    Attributes:
        db_url: SQLAlchemy database URL (SQLite file or ``postgresql+psycopg://``).
        admin_token: The admin role's bearer token, or None to disable the admin role.
        migrate_on_start: Run ``alembic upgrade head`` when the application starts.
        access_log: Write one JSON line per request to the ``refplatform.access`` logger.
        rules: The rules' configuration every decision takes (risk model, credit scales,
            tariff, duty-free quota).
        faults: Rules to break on purpose (test-only, see :data:`FAULTS`).
        token_ttl_s: Default lifetime of an issued token, in seconds.
        idempotency_ttl_s: How long an idempotency key keeps its answer, in seconds.
        max_body_bytes: The largest request body accepted.
        sqlite_busy_timeout_ms: How long SQLite waits for another process's write lock.
        pool_size: Database connections kept open; as many as the server's worker threads (40),
            so a busy server does not open and close connections.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    db_url: str = DEFAULT_DB_URL
    admin_token: SecretStr | None = None
    migrate_on_start: bool = True
    access_log: bool = True
    token_ttl_s: int = Field(default=86_400, ge=60, le=MAX_TOKEN_LIFETIME_S)
    idempotency_ttl_s: float = Field(default=86_400.0, gt=0)
    max_body_bytes: int = Field(default=1 << 20, ge=1024, le=1 << 30)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    pool_size: int = Field(default=40, ge=1)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    faults: frozenset[str] = frozenset()

    @field_validator("admin_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < ADMIN_TOKEN_MIN_LENGTH:
            raise ValueError(
                f"needs at least {ADMIN_TOKEN_MIN_LENGTH} characters "
                f"(got {len(value.get_secret_value())})"
            )
        return value

    @field_validator("faults", mode="before")
    @classmethod
    def _known_faults(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment: comma-separated names
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list | tuple | set | frozenset):
            for name in value:
                if name not in FAULTS:
                    known = ", ".join(sorted(FAULTS))
                    raise ValueError(f"unknown fault {name!r} (known: {known})")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``REFPLATFORM_*`` environment variables.

        Args:
            environ: The environment to read; ``os.environ`` when None.

        Returns:
            The settings, with defaults for every variable that is not set.

        Raises:
            SettingsError: naming the variable, what is wrong and its value.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        mapping = {
            "DB_URL": "db_url",
            "ADMIN_TOKEN": "admin_token",
            "MIGRATE": "migrate_on_start",
            "ACCESS_LOG": "access_log",
            "POOL_SIZE": "pool_size",
            "RULES": "rules",
            "FAULTS": "faults",
            "TOKEN_TTL_S": "token_ttl_s",
            "IDEMPOTENCY_TTL_S": "idempotency_ttl_s",
            "MAX_BODY_BYTES": "max_body_bytes",
        }
        names = {field: _PREFIX + suffix for suffix, field in mapping.items()}
        for field, name in names.items():
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            if field == "rules":
                try:
                    values[field] = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise SettingsError(f"{name}: not JSON: {exc.msg} (got {raw!r})") from None
            else:
                values[field] = raw
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [str(part) for part in err["loc"]]
            name = ".".join([names.get(loc[0], loc[0]), *loc[1:]])
            message = str(err["msg"]).removeprefix("Value error, ")
            if loc[0] == "admin_token":  # a secret: never echoed, not even in an error
                raise SettingsError(f"{name}: {message}") from None
            raise SettingsError(f"{name}: {message} (got {err.get('input')!r})") from None
