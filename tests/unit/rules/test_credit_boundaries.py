"""Credit grounds at the exact day a listing lapses.

A category-2 ground listed on 2023-05-10 holds through 2026-05-10 and has lapsed on 2026-05-11
(``lapse_date``). A recurrence *on* that day comes after the lapse: it starts a new run of the
ground (``since`` = the recurrence), it does not extend the old one. A recurrence the day
before does extend it (``since`` stays at the first listing). Mutation testing let a ``>`` in
place of ``>=`` through; these dates pin the boundary from both sides.
"""

from __future__ import annotations

from datetime import date

from sim.rules.credit import classify, lapse_date, tier_timeline
from tests.unit.rules.credit_support import ev

D = date.fromisoformat


def test_the_listing_has_lapsed_on_its_lapse_date() -> None:
    history = [ev("2023-05-10", "smuggling_penalty")]
    assert lapse_date(D("2023-05-10")) == D("2026-05-11")
    assert classify(history, D("2026-05-10")).tier == "key_attention"
    assert classify(history, D("2026-05-11")).tier == "whitelist"


def test_a_recurrence_on_the_lapse_date_starts_a_new_run() -> None:
    history = [ev("2023-05-10", "smuggling_penalty"), ev("2026-05-11", "smuggling_penalty")]
    (ground,) = classify(history, D("2026-05-11")).grounds
    assert (ground.since, ground.lapses) == (D("2026-05-11"), D("2029-05-12"))
    # The first run ended the day the second began: the tier never changed in between.
    changes = [(c.date, c.after) for c in tier_timeline(history, D("2030-01-01"))]
    assert changes == [(D("2023-05-10"), "key_attention"), (D("2029-05-12"), "whitelist")]


def test_a_recurrence_the_day_before_the_lapse_extends_the_run() -> None:
    history = [ev("2023-05-10", "smuggling_penalty"), ev("2026-05-10", "smuggling_penalty")]
    (ground,) = classify(history, D("2026-05-11")).grounds
    assert (ground.since, ground.lapses) == (D("2023-05-10"), D("2029-05-11"))
