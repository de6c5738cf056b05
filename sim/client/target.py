"""The platform a run talks to: one given by URL, or the reference platform started for it.

Every command that drives a platform (``workload replay``, ``load``, ``drill``, ``rehearse``)
takes ``--target URL`` or nothing. :func:`open_target` turns that choice into a client holding
the admin token:

- **no target**: the reference platform is started on a free loopback port with a fresh
  database (:func:`~sim.client.local.start_platform`), configured with the rules the run was
  made with (``REFPLATFORM_RULES``: a workload's or a scenario's), and stopped afterwards;
- **a target**: it must be on loopback (127.0.0.0/8, ``::1``, ``localhost``) unless the caller
  allows a remote one; its admin token is read from ``REFPLATFORM_ADMIN_TOKEN``, as ``customs-sim
  serve`` reads it; it must answer ``/healthz`` now.

Every failure is a :class:`TargetError` with one line naming the option and the value.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from sim.client.clients import PlatformClient
from sim.client.errors import PlatformError
from sim.client.local import LocalPlatform, PlatformStartError, start_platform

__all__ = [
    "ADMIN_TOKEN_ENV",
    "TargetError",
    "check_target",
    "is_loopback",
    "open_target",
    "start_reference_platform",
]

ADMIN_TOKEN_ENV = "REFPLATFORM_ADMIN_TOKEN"
"""Where the admin token of a given target is read from."""

_HEALTH_TIMEOUT_S = 5.0


class TargetError(PlatformError):
    """The platform to drive cannot be used; the message is one line naming what."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_target(target: str, *, allow_remote: bool = False) -> str:
    """The base URL of ``target``, checked: http(s), a host, loopback unless allowed.

    Raises:
        TargetError: naming ``--target`` and the value.
    """
    parts = urlsplit(target)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetError(
            f"--target: not an http(s) URL like http://127.0.0.1:8000 (got {target!r})"
        )
    if not allow_remote and not is_loopback(parts.hostname):
        raise TargetError(
            f"--target: {parts.hostname} is not loopback; pass --allow-remote to drive a "
            f"platform on another machine (got {target!r})"
        )
    return target.rstrip("/")


def start_reference_platform(
    rules: Mapping[str, Any] | None = None, **platform: Any
) -> LocalPlatform:
    """Start the reference platform configured with ``rules``, as :func:`open_target` does.

    For a run that needs the platform itself, not only a client of it (a fault drill kills and
    restarts it); use it in a ``with`` block.

    Args:
        rules: the rules' configuration (JSON data of ``sim.rules.config.RulesConfig``); None:
            the platform's defaults.
        platform: more options of :class:`~sim.client.local.LocalPlatform`.

    Raises:
        TargetError: the platform did not start (one line).
    """
    extra = dict(platform.pop("extra_env", {}) or {})
    if rules is not None:
        extra["REFPLATFORM_RULES"] = json.dumps(dict(rules))
    try:
        return start_platform(extra_env=extra, **platform)
    except PlatformStartError as exc:
        raise TargetError(f"the reference platform did not start: {exc}") from None


@contextmanager
def open_target(
    target: str | None,
    rules: Mapping[str, Any] | None = None,
    *,
    allow_remote: bool = False,
    admin_token: str | None = None,
    environ: Mapping[str, str] | None = None,
    **platform: Any,
) -> Iterator[PlatformClient]:
    """A client of the platform to drive (see the module docstring).

    Args:
        target: the platform's base URL, or None to start the reference platform.
        rules: the rules' configuration to start the reference platform with (JSON data of
            ``sim.rules.config.RulesConfig``); None: its defaults.
        allow_remote: allow a target outside loopback.
        admin_token: the target's admin token; default ``REFPLATFORM_ADMIN_TOKEN``.
        environ: where to read the token from (default ``os.environ``).
        platform: more options of :class:`~sim.client.local.LocalPlatform` (workers,
            ``extra_env`` ...), for a started platform.

    Raises:
        TargetError: a bad or unreachable target, a missing token, or a failed start.
    """
    if target is None:
        local = start_reference_platform(rules, **platform)
        with local, local.client() as client:
            yield client
        return
    base = check_target(target, allow_remote=allow_remote)
    env = os.environ if environ is None else environ
    token = admin_token or env.get(ADMIN_TOKEN_ENV)
    if not token:
        raise TargetError(f"--target: set {ADMIN_TOKEN_ENV} to the target's admin token")
    try:
        health = httpx.get(f"{base}/healthz", timeout=_HEALTH_TIMEOUT_S)
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TargetError(f"--target: cannot reach {base}: {reason}") from None
    if health.status_code != 200:
        raise TargetError(f"--target: {base}/healthz answered {health.status_code}, not 200")
    with PlatformClient(base, admin_token=token) as client:
        yield client
