"""Load tests: a customs-sim workload replayed open-model on Locust, every answer checked.

- :mod:`loadtests.locustfile` — Locust's entry point (``locust -f loadtests/locustfile.py``);
- :mod:`loadtests.replay_user` — the replay user (a ``FastHttpUser``) and the Locust events;
- :mod:`loadtests.coordinator` — who does what in one process or distributed, and the messages;
- :mod:`loadtests.plan` — which worker sends which call, what each call waits for;
- :mod:`loadtests.dispatch` — sending a slice at its intended moments, measuring, checking;
- :mod:`loadtests.measure` — HdrHistograms per operation, merged at the master;
- :mod:`loadtests.prepare` — the untimed set-up and the actors' tokens;
- :mod:`loadtests.slo` / :mod:`loadtests.finish` / :mod:`loadtests.outputs` — objectives, the
  result and its files;
- :mod:`loadtests.launch` — running Locust as a subprocess for ``customs-sim load`` (Locust and
  gevent's monkey-patching stay in that process);
- :mod:`loadtests.headroom` — the search for the highest speed-up the target holds.

Importing this package imports neither Locust nor gevent: only the modules that run inside the
Locust process do (``locustfile``, ``replay_user``, ``coordinator``, ``dispatch``).
"""
