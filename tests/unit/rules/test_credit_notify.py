"""Tier-change notifications: exact dates, addressees, grounds, ranges."""

from __future__ import annotations

from datetime import date

import pytest

from sim.rules.credit import (
    Ground,
    classify,
    departments_to_notify,
    history_notifications,
    load_table,
    notifications,
    notify_change,
)
from tests.unit.rules.credit_support import ev

D = date.fromisoformat
ALL = (
    "customs",
    "tax",
    "market_supervision",
    "maritime",
    "transport",
    "postal",
    "agriculture",
    "forestry",
    "anti_smuggling",
)


AEO_PENALISED = [
    ev("2020-01-01", "aeo_certified"),
    ev("2026-01-05", "smuggling_penalty", "anti_smuggling"),
]


def test_each_change_is_one_notification_on_its_exact_day() -> None:
    notes = notifications(AEO_PENALISED, D("2030-12-31"))
    assert [(n.date, n.before, n.after) for n in notes] == [
        (D("2020-01-01"), "whitelist", "aeo"),
        (D("2026-01-05"), "aeo", "key_attention"),
        (D("2029-01-06"), "key_attention", "aeo"),  # the lapse, with nothing recorded that day
    ]
    assert notes[1].grounds == (
        Ground(2, "smuggling_penalty", D("2026-01-05"), D("2029-01-06"), ("anti_smuggling",)),
    )
    assert notes[2].grounds == ()
    assert [g.source for g in notes[2].ended] == ["smuggling_penalty"]
    assert all(n.departments == ALL for n in notes)


def test_record_form() -> None:
    note = notifications(AEO_PENALISED, D("2030-12-31"))[2]
    assert note.to_record() == {
        "entity": "E1",
        "kind": "enterprise",
        "date": "2029-01-06",
        "from": "key_attention",
        "to": "aeo",
        "departments": list(ALL),
        "grounds": [],
        "ended": [
            {
                "category": 2,
                "source": "smuggling_penalty",
                "since": "2026-01-05",
                "lapses": "2029-01-06",
            }
        ],
    }


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (None, "2026-01-04", ["2020-01-01"]),
        ("2020-01-02", "2026-01-05", ["2026-01-05"]),
        ("2026-01-06", "2029-01-05", []),
        ("2029-01-06", "2029-01-06", ["2029-01-06"]),
        ("2026-01-05", "2029-01-06", ["2026-01-05", "2029-01-06"]),
    ],
)
def test_date_range_is_inclusive(start: str | None, end: str, days: list[str]) -> None:
    notes = notifications(AEO_PENALISED, D(end), None if start is None else D(start))
    assert [n.date.isoformat() for n in notes] == days


def test_monthly_ranges_give_each_change_once() -> None:
    months = [
        (D(f"{y}-{m:02d}-01"), D(f"{y + (m == 12)}-{m % 12 + 1:02d}-01"))
        for y in range(2019, 2031)
        for m in range(1, 13)
    ]
    seen = [
        n.date
        for first, nxt in months
        for n in notifications(AEO_PENALISED, nxt.fromordinal(nxt.toordinal() - 1), first)
    ]
    assert seen == [n.date for n in notifications(AEO_PENALISED, D("2030-12-31"))]


def test_addressees_include_the_grounds_departments() -> None:
    table = load_table({"notify": ["customs"]})
    history = [
        ev("2025-01-01", "rating", "maritime", "D"),
        ev("2025-02-01", "serious_dishonesty_listed", "market_supervision"),
        ev("2025-03-01", "rating", "maritime", "A"),
    ]
    (listed,) = notifications(history, D("2025-12-31"), table=table)
    assert listed.departments == ("customs", "maritime")
    later = notifications(history, D("2028-12-31"), table=table)
    assert later[-1].date == D("2028-02-02")
    assert later[-1].departments == ("customs", "market_supervision")


def test_departments_to_notify_orders_by_table() -> None:
    table = load_table({"notify": ["tax"]})
    grounds = [Ground(2, "x", D("2025-01-01"), None, ("anti_smuggling", "customs"))]
    assert departments_to_notify(grounds, table) == ("customs", "tax", "anti_smuggling")


def test_history_notifications_by_date_then_entity() -> None:
    history = {
        "E2": [ev("2025-01-01", "smuggling_penalty", entity="E2")],
        "E1": [ev("2025-01-01", "legal_ground_listed")],
        "P1": [ev("2024-06-01", "violation", entity="P1", kind="individual")],
    }
    notes = history_notifications(history, D("2025-12-31"), D("2025-01-01"))
    assert [(n.entity, n.date.isoformat(), n.after) for n in notes] == [
        ("E1", "2025-01-01", "key_attention"),
        ("E2", "2025-01-01", "key_attention"),
    ]
    everything = history_notifications(history, D("2030-01-01"))
    assert [(n.entity, n.date.isoformat()) for n in everything][:2] == [
        ("P1", "2024-06-01"),
        ("E1", "2025-01-01"),
    ]
    assert ("P1", "2027-06-02", "whitelist") in [
        (n.entity, n.date.isoformat(), n.after) for n in everything
    ]


def test_notify_change_between_classifications() -> None:
    before = classify(AEO_PENALISED, D("2029-01-05"))
    after = classify(AEO_PENALISED, D("2029-01-06"))
    note = notify_change(before, after)
    assert note is not None
    assert (note.date, note.before, note.after) == (D("2029-01-06"), "key_attention", "aeo")
    assert note.ended[0].lapses == D("2029-01-06")
    assert note == notifications(AEO_PENALISED, D("2029-01-06"), D("2029-01-06"))[0]


def test_notify_change_coarse_steps_keep_the_true_lapse_date() -> None:
    note = notify_change(
        classify(AEO_PENALISED, D("2027-01-01")), classify(AEO_PENALISED, D("2030-01-01"))
    )
    assert note is not None
    assert note.date == D("2030-01-01")
    assert note.ended[0].lapses == D("2029-01-06")


def test_notify_change_none_when_tier_holds_and_errors() -> None:
    a = classify(AEO_PENALISED, D("2026-02-01"))
    b = classify(AEO_PENALISED, D("2026-03-01"))
    assert notify_change(a, b) is None
    with pytest.raises(ValueError, match="out of order"):
        notify_change(b, a)
    other = classify([ev("2025-01-01", "aeo_certified", entity="E2")], D("2026-03-01"))
    with pytest.raises(ValueError, match="two entities"):
        notify_change(a, other)
