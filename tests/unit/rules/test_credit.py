"""Credit classification, table-driven with dates (DESIGN §4, issue 3)."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest

from sim.rules.credit import (
    CreditEvent,
    Ground,
    add_years,
    classify,
    lapse_date,
    load_table,
    tier_timeline,
)
from tests.unit.rules.credit_support import ev

D = date.fromisoformat


def rating(day: str, dept: str, grade: str) -> CreditEvent:
    return ev(day, "rating", dept, grade)


def person(day: str, event: str) -> CreditEvent:
    return ev(day, event, entity="P1", kind="individual")


Expected = list[tuple[int, str, str, str | None]]  # category, source, since, lapses

PENALTY_2023 = [ev("2023-05-10", "smuggling_penalty")]
LEAP = [ev("2024-02-29", "smuggling_penalty")]
RECUR = [ev("2020-01-10", "smuggling_penalty"), ev("2022-06-01", "smuggling_penalty")]
RELIST = [ev("2020-01-10", "smuggling_penalty"), ev("2023-02-01", "smuggling_penalty")]
TWO = [ev("2021-03-01", "smuggling_penalty"), ev("2022-07-15", "serious_dishonesty_listed")]
AEO_THEN_PENALTY = [ev("2020-01-01", "aeo_certified"), ev("2026-01-05", "smuggling_penalty")]
IMPROVING = [
    rating("2025-01-01", "tax", "D"),
    rating("2025-07-01", "tax", "D"),
    rating("2026-03-01", "tax", "C"),
]
REMOVED = [
    ev("2024-01-01", "serious_dishonesty_listed", "market_supervision"),
    ev("2025-01-01", "serious_dishonesty_removed"),
]
PERSON = [person("2023-04-01", "violation"), person("2024-01-15", "legal_ground_listed")]
LATER = [ev("2020-01-01", "smuggling_penalty"), ev("2026-06-01", "smuggling_penalty")]
SMUG = "smuggling_penalty"
SDL = "serious_dishonesty_listed"

CASES: list[tuple[str, list[CreditEvent], str, str, Expected]] = [
    ("ordinary rating", [rating("2025-01-01", "tax", "B")], "2026-01-01", "whitelist", []),
    (
        "3 years: last listed day",
        PENALTY_2023,
        "2026-05-10",
        "key_attention",
        [(2, SMUG, "2023-05-10", "2026-05-11")],
    ),
    ("3 years: lapsed the day after", PENALTY_2023, "2026-05-11", "whitelist", []),
    (
        "listing day itself",
        PENALTY_2023,
        "2023-05-10",
        "key_attention",
        [(2, SMUG, "2023-05-10", "2026-05-11")],
    ),
    ("day before listing", PENALTY_2023, "2023-05-09", "whitelist", []),
    (
        "leap day: period ends 28 Feb",
        LEAP,
        "2027-02-28",
        "key_attention",
        [(2, SMUG, "2024-02-29", "2027-03-01")],
    ),
    ("leap day: lapsed 1 Mar", LEAP, "2027-03-01", "whitelist", []),
    (
        "recurrence restarts the clock",
        RECUR,
        "2023-01-11",
        "key_attention",
        [(2, SMUG, "2020-01-10", "2025-06-02")],
    ),
    (
        "recurrence: last day",
        RECUR,
        "2025-06-01",
        "key_attention",
        [(2, SMUG, "2020-01-10", "2025-06-02")],
    ),
    ("recurrence: lapsed", RECUR, "2025-06-02", "whitelist", []),
    ("relisted after a lapse: gap", RELIST, "2023-01-20", "whitelist", []),
    (
        "relisted after a lapse: new run",
        RELIST,
        "2023-02-01",
        "key_attention",
        [(2, SMUG, "2023-02-01", "2026-02-02")],
    ),
    (
        "two grounds, both active",
        TWO,
        "2024-03-01",
        "key_attention",
        [(2, SMUG, "2021-03-01", "2024-03-02"), (2, SDL, "2022-07-15", "2025-07-16")],
    ),
    (
        "two grounds, first lapsed",
        TWO,
        "2024-03-02",
        "key_attention",
        [(2, SDL, "2022-07-15", "2025-07-16")],
    ),
    ("two grounds, both lapsed", TWO, "2025-07-16", "whitelist", []),
    ("AEO certified", AEO_THEN_PENALTY, "2026-01-04", "aeo", []),
    (
        "AEO then penalised: key attention outranks",
        AEO_THEN_PENALTY,
        "2026-01-05",
        "key_attention",
        [(2, SMUG, "2026-01-05", "2029-01-06")],
    ),
    ("AEO again when the penalty lapses", AEO_THEN_PENALTY, "2029-01-06", "aeo", []),
    (
        "lowest rating: category 1 keeps its first since",
        IMPROVING,
        "2026-02-28",
        "key_attention",
        [(1, "tax", "2025-01-01", None)],
    ),
    ("rating rises: category 1 lapses", IMPROVING, "2026-03-01", "whitelist", []),
    (
        "serious dishonesty listed",
        REMOVED,
        "2024-12-31",
        "key_attention",
        [(2, SDL, "2024-01-01", "2027-01-02")],
    ),
    ("serious dishonesty removed", REMOVED, "2025-01-01", "whitelist", []),
    (
        "individual: violation and legal ground",
        PERSON,
        "2026-04-01",
        "key_attention",
        [
            (2, "violation", "2023-04-01", "2026-04-02"),
            (2, "legal_ground_listed", "2024-01-15", "2027-01-16"),
        ],
    ),
    (
        "individual: violation lapsed, legal ground holds",
        PERSON,
        "2026-04-02",
        "key_attention",
        [(2, "legal_ground_listed", "2024-01-15", "2027-01-16")],
    ),
    ("individual: whitelist again", PERSON, "2027-01-16", "whitelist", []),
    ("individual: whitelist before", PERSON, "2023-03-31", "whitelist", []),
    ("events after as_of ignored", LATER, "2025-01-01", "whitelist", []),
    (
        "later recurrence does not extend the lapse reported earlier",
        LATER,
        "2022-12-31",
        "key_attention",
        [(2, SMUG, "2020-01-01", "2023-01-02")],
    ),
    (
        "customs rating advanced_certified is AEO",
        [rating("2026-04-01", "customs", "advanced_certified")],
        "2026-04-01",
        "aeo",
        [],
    ),
    (
        "customs rating certified is not the advanced tier",
        [rating("2026-04-01", "customs", "certified")],
        "2026-05-01",
        "whitelist",
        [],
    ),
    (
        "customs downgrade ends AEO",
        [ev("2020-01-01", "aeo_certified"), rating("2026-04-01", "customs", "regular")],
        "2026-04-01",
        "whitelist",
        [],
    ),
    (
        "AEO revoked",
        [ev("2020-01-01", "aeo_certified"), ev("2022-01-01", "aeo_revoked")],
        "2022-01-01",
        "whitelist",
        [],
    ),
    (
        "customs seriously dishonest is category 1",
        [rating("2026-04-01", "customs", "seriously_dishonest")],
        "2026-04-02",
        "key_attention",
        [(1, "customs", "2026-04-01", None)],
    ),
    (
        "customs dishonest is not the lowest grade",
        [rating("2026-04-01", "customs", "dishonest")],
        "2026-04-02",
        "whitelist",
        [],
    ),
    (
        "two departments at the lowest; one rises",
        [
            rating("2025-01-01", "tax", "D"),
            rating("2025-02-01", "maritime", "D"),
            rating("2025-06-01", "tax", "A"),
        ],
        "2025-06-01",
        "key_attention",
        [(1, "maritime", "2025-02-01", None)],
    ),
    (
        "same day: lowest then better -> no ground",
        [rating("2025-01-01", "tax", "D"), rating("2025-01-01", "tax", "B")],
        "2025-01-02",
        "whitelist",
        [],
    ),
    (
        "same day: better then lowest -> ground",
        [rating("2025-01-01", "tax", "B"), rating("2025-01-01", "tax", "D")],
        "2025-01-02",
        "key_attention",
        [(1, "tax", "2025-01-01", None)],
    ),
    (
        "removal without listing does nothing",
        [ev("2025-01-01", "serious_dishonesty_removed")],
        "2025-01-02",
        "whitelist",
        [],
    ),
    (
        "removal ends only serious dishonesty",
        [
            ev("2024-01-01", "serious_dishonesty_listed"),
            ev("2024-02-01", "legal_ground_listed"),
            ev("2024-03-01", "serious_dishonesty_removed"),
        ],
        "2024-03-01",
        "key_attention",
        [(2, "legal_ground_listed", "2024-02-01", "2027-02-02")],
    ),
]


@pytest.mark.parametrize(
    ("events", "as_of", "tier", "grounds"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_classify(events: list[CreditEvent], as_of: str, tier: str, grounds: Expected) -> None:
    result = classify(events, D(as_of))
    assert result.tier == tier
    got = [
        (g.category, g.source, g.since.isoformat(), g.lapses and g.lapses.isoformat())
        for g in result.grounds
    ]
    assert got == grounds


def test_classify_order_of_input_does_not_matter_across_days() -> None:
    shuffled = list(reversed([*TWO, rating("2021-05-01", "tax", "D")]))
    assert classify(shuffled, D("2024-03-01")) == classify(
        sorted(shuffled, key=lambda e: e.date), D("2024-03-01")
    )


def test_classification_record_and_aeo_flag() -> None:
    result = classify(AEO_THEN_PENALTY, D("2026-02-01"))
    assert result.aeo_certified is True
    assert result.to_record() == {
        "entity": "E1",
        "tier": "key_attention",
        "grounds": [{"category": 2, "source": SMUG, "since": "2026-01-05", "lapses": "2029-01-06"}],
    }


def test_ground_departments_come_from_events() -> None:
    (ground,) = classify(REMOVED[:1], D("2024-06-01")).grounds
    assert ground.departments == ("market_supervision",)
    (cat1,) = classify(IMPROVING, D("2025-08-01")).grounds
    assert cat1.departments == ("tax",)


@pytest.mark.parametrize(
    ("listed", "years", "end", "lapses"),
    [
        ("2023-05-10", 3, "2026-05-10", "2026-05-11"),
        ("2024-02-29", 3, "2027-02-28", "2027-03-01"),
        ("2024-02-29", 4, "2028-02-29", "2028-03-01"),
        ("2023-12-31", 3, "2026-12-31", "2027-01-01"),
        ("2025-02-28", 3, "2028-02-28", "2028-02-29"),
    ],
)
def test_three_years_by_the_calendar(listed: str, years: int, end: str, lapses: str) -> None:
    assert add_years(D(listed), years) == D(end)
    assert lapse_date(D(listed), years) == D(lapses)


def test_removal_years_come_from_the_table() -> None:
    table = load_table({"removal_years": 5, "individual_removal_years": 1})
    (ground,) = classify(PENALTY_2023, D("2027-01-01"), table).grounds
    assert ground.lapses == D("2028-05-11")
    assert classify(PERSON[:1], D("2024-04-02"), table).tier == "whitelist"
    assert classify(PERSON[:1], D("2024-04-01"), table).tier == "key_attention"


def test_mutual_recognition_table_decides_the_listing_grade() -> None:
    table = load_table(
        {"departments": {"tax": {"unified": ["excellent", "good", "ordinary", "lowest", "lowest"]}}}
    )
    assert classify([rating("2025-01-01", "tax", "C")], D("2025-01-02"), table).tier == (
        "key_attention"
    )
    assert classify([rating("2025-01-01", "tax", "C")], D("2025-01-02")).tier == "whitelist"


def test_aeo_grades_come_from_the_table() -> None:
    table = load_table({"aeo_grades": ["advanced_certified", "certified"]})
    events = [rating("2026-04-01", "customs", "certified")]
    assert classify(events, D("2026-04-01"), table).tier == "aeo"


def test_classify_rejects_empty_and_mixed_histories() -> None:
    with pytest.raises(ValueError, match="empty history"):
        classify([], D("2026-01-01"))
    with pytest.raises(ValueError, match="empty history"):
        tier_timeline([], D("2026-01-01"))
    with pytest.raises(ValueError, match="two entities"):
        classify([*PENALTY_2023, person("2023-01-01", "violation")], D("2026-01-01"))


# --- timelines ---------------------------------------------------------------------------------

TIMELINES: list[tuple[str, list[CreditEvent], str, list[tuple[str, str, str]]]] = [
    (
        "leap day",
        LEAP,
        "2030-01-01",
        [
            ("2024-02-29", "whitelist", "key_attention"),
            ("2027-03-01", "key_attention", "whitelist"),
        ],
    ),
    (
        "until cuts before the lapse",
        LEAP,
        "2027-02-28",
        [("2024-02-29", "whitelist", "key_attention")],
    ),
    (
        "until on the lapse day",
        LEAP,
        "2027-03-01",
        [
            ("2024-02-29", "whitelist", "key_attention"),
            ("2027-03-01", "key_attention", "whitelist"),
        ],
    ),
    (
        "AEO, penalised, AEO again",
        AEO_THEN_PENALTY,
        "2030-01-01",
        [
            ("2020-01-01", "whitelist", "aeo"),
            ("2026-01-05", "aeo", "key_attention"),
            ("2029-01-06", "key_attention", "aeo"),
        ],
    ),
    (
        "two grounds: one change at the later lapse",
        TWO,
        "2030-01-01",
        [
            ("2021-03-01", "whitelist", "key_attention"),
            ("2025-07-16", "key_attention", "whitelist"),
        ],
    ),
    (
        "recurrence moves the lapse",
        RECUR,
        "2030-01-01",
        [
            ("2020-01-10", "whitelist", "key_attention"),
            ("2025-06-02", "key_attention", "whitelist"),
        ],
    ),
    (
        "relisting after a gap",
        RELIST,
        "2030-01-01",
        [
            ("2020-01-10", "whitelist", "key_attention"),
            ("2023-01-11", "key_attention", "whitelist"),
            ("2023-02-01", "whitelist", "key_attention"),
            ("2026-02-02", "key_attention", "whitelist"),
        ],
    ),
    (
        "rating rises",
        IMPROVING,
        "2030-01-01",
        [
            ("2025-01-01", "whitelist", "key_attention"),
            ("2026-03-01", "key_attention", "whitelist"),
        ],
    ),
    (
        "removed",
        REMOVED,
        "2030-01-01",
        [
            ("2024-01-01", "whitelist", "key_attention"),
            ("2025-01-01", "key_attention", "whitelist"),
        ],
    ),
    ("no change", [rating("2025-01-01", "tax", "B")], "2030-01-01", []),
    ("nothing before until", LATER, "2019-01-01", []),
]


@pytest.mark.parametrize(
    ("events", "until", "changes"),
    [case[1:] for case in TIMELINES],
    ids=[case[0] for case in TIMELINES],
)
def test_tier_timeline(
    events: list[CreditEvent], until: str, changes: list[tuple[str, str, str]]
) -> None:
    got = [(c.date.isoformat(), c.before, c.after) for c in tier_timeline(events, D(until))]
    assert got == changes


def test_timeline_reports_grounds_as_known_that_day_and_the_ended_ones() -> None:
    first, last = tier_timeline(TWO, D("2030-01-01"))
    assert first.grounds == (Ground(2, SMUG, D("2021-03-01"), D("2024-03-02")),)
    assert last.grounds == ()
    assert last.ended == (Ground(2, SDL, D("2022-07-15"), D("2025-07-16")),)


def _random_history(rng: random.Random) -> list[CreditEvent]:
    kind = rng.choice(["enterprise", "individual"])
    events = []
    for _ in range(rng.randint(1, 8)):
        day = (D("2020-01-01") + timedelta(days=rng.randint(0, 2500))).isoformat()
        if kind == "individual":
            events.append(ev(day, rng.choice(["violation", "legal_ground_listed"]), kind=kind))
            continue
        name = rng.choice(
            [
                "rating",
                "rating",
                "aeo_certified",
                "aeo_revoked",
                SMUG,
                SDL,
                "serious_dishonesty_removed",
                "legal_ground_listed",
            ]
        )
        if name == "rating":
            dept = rng.choice(["tax", "customs", "maritime"])
            grades = {
                "tax": ["A", "B", "D", "D"],
                "maritime": ["A", "D"],
                "customs": ["advanced_certified", "regular", "seriously_dishonest"],
            }[dept]
            events.append(rating(day, dept, rng.choice(grades)))
        else:
            events.append(ev(day, name))
    return events


@pytest.mark.parametrize("seed", range(40))
def test_timeline_agrees_with_classify_every_day(seed: int) -> None:
    """The tier on every day, read off the timeline, is what classify says that day."""
    rng = random.Random(seed)
    events = _random_history(rng)
    until = D("2028-12-31")
    changes = tier_timeline(events, until)
    assert all(a.date < b.date for a, b in itertools.pairwise(changes))
    assert all(c.before != c.after for c in changes)
    tier, index = "whitelist", 0
    day = D("2019-12-31")
    first = min(e.date for e in events)
    while day <= until:
        while index < len(changes) and changes[index].date <= day:
            tier = changes[index].after
            index += 1
        if day >= first:
            assert classify(events, day).tier == tier, day
        else:
            assert tier == "whitelist"
        day += timedelta(days=rng.choice([1, 1, 7, 29]))
