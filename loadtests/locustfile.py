"""Locust's entry point for replaying a customs-sim workload open-model.

Run it with Locust's own command line, headless or with its web UI::

    export REFPLATFORM_ADMIN_TOKEN=...          # the target's admin token
    locust -f loadtests/locustfile.py --headless -u 1 \\
        --host http://127.0.0.1:8000 --workload out/wl.parquet --speed 10 --replay-out out/load
    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000 --workload out/wl.parquet

One user per process (``-u`` = the number of worker processes with ``--processes N``). The
replay's options are listed by ``locust -f loadtests/locustfile.py --help`` under "customs-sim
replay"; ``customs-sim load`` runs this file with them.
"""

from locust import events

from loadtests.replay_user import ReplayUser, install

__all__ = ["ReplayUser"]

install(events)
