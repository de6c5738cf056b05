"""The packaged credit scale table, its rules, overrides, and the scenario's ``credit`` section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.rules.credit_table import (
    CreditTable,
    CreditTableError,
    default_table,
    is_valid_grade,
    load_table,
    lowest_grade,
    packaged_table_data,
)
from sim.scenario import Scenario, ScenarioError, load_scenario

DEPARTMENTS = [
    "customs",
    "tax",
    "market_supervision",
    "maritime",
    "transport",
    "postal",
    "agriculture",
    "forestry",
    "anti_smuggling",
]


def test_packaged_table_has_the_nine_departments_and_their_scales() -> None:
    table = default_table()
    assert list(table.departments) == DEPARTMENTS
    assert table.departments["customs"].grades == (
        "advanced_certified",
        "certified",
        "regular",
        "dishonest",
        "seriously_dishonest",
    )
    assert table.departments["tax"].grades == ("A", "B", "M", "C", "D")
    assert table.removal_years == 3 and table.individual_removal_years == 3
    assert set(table.notify) == set(DEPARTMENTS)


@pytest.mark.parametrize(
    ("dept", "lowest"),
    [
        ("customs", "seriously_dishonest"),
        ("tax", "D"),
        ("transport", "B"),
        ("anti_smuggling", "dishonest"),
    ],
)
def test_lowest_grade(dept: str, lowest: str) -> None:
    assert lowest_grade(dept) == lowest
    assert default_table().is_listing_grade(dept, lowest)


def test_only_the_lowest_grade_is_a_listing_grade_by_default() -> None:
    table = default_table()
    for key, scale in table.departments.items():
        assert [g for g in scale.grades if table.is_listing_grade(key, g)] == [scale.lowest]


@pytest.mark.parametrize(
    ("dept", "grade", "valid"),
    [
        ("tax", "M", True),
        ("tax", "E", False),
        ("customs", "regular", True),
        ("customs", "D", False),
        ("harbour", "A", False),
        ("tax", "d", False),
    ],
)
def test_is_valid_grade(dept: str, grade: str, valid: bool) -> None:
    assert is_valid_grade(dept, grade) is valid


def test_unified_level() -> None:
    assert default_table().unified_level("tax", "M") == "ordinary"
    assert default_table().unified_level("customs", "seriously_dishonest") == "lowest"


def test_lowest_grade_of_unknown_department() -> None:
    with pytest.raises(KeyError):
        lowest_grade("harbour")


def test_packaged_data_is_a_fresh_copy() -> None:
    data = packaged_table_data()
    data["departments"]["tax"]["grades"] = ["X"]
    assert packaged_table_data()["departments"]["tax"]["grades"] == ["A", "B", "M", "C", "D"]
    assert CreditTable.model_validate(packaged_table_data()) == default_table()


def test_override_adds_a_department_and_replaces_a_scale() -> None:
    table = load_table(
        {
            "departments": {
                "ports": {"grades": ["good", "bad"], "unified": ["good", "lowest"]},
                "maritime": {"grades": ["A", "B", "C"], "unified": ["good", "ordinary", "lowest"]},
            },
            "notify": ["customs", "ports"],
        }
    )
    assert table.lowest_grade("ports") == "bad"
    assert table.lowest_grade("maritime") == "C"
    assert not table.is_valid_grade("maritime", "D")
    assert table.notify == ("customs", "ports")
    assert table.lowest_grade("tax") == "D"  # untouched


def test_no_override_is_the_shared_default() -> None:
    assert load_table() is default_table()
    assert load_table({}) is default_table()


BAD: list[tuple[dict[str, Any], str, str]] = [
    (
        {"departments": {"tax": {"grades": ["A", "B"]}}},
        "departments.tax",
        "needs one level per grade (2), got 5",
    ),
    (
        {"departments": {"tax": {"grades": ["A", "A", "B", "C", "D"]}}},
        "departments.tax",
        "grade 'A' listed twice",
    ),
    (
        {"departments": {"tax": {"grades": ["A"], "unified": ["lowest"]}}},
        "departments.tax.grades",
        "at least 2 items",
    ),
    (
        {"departments": {"tax": {"unified": ["excellent", "good", "ordinary", "poor", "bad"]}}},
        "",
        "departments.tax.unified.4: 'bad' is not a unified level",
    ),
    (
        {"departments": {"tax": {"unified": ["good", "excellent", "ordinary", "poor", "lowest"]}}},
        "",
        "departments.tax.unified.1: grade 'B' is recognised as a better level",
    ),
    (
        {"departments": {"tax": {"unified": ["good", "good", "ordinary", "poor", "poor"]}}},
        "",
        "the lowest grade 'D' must map to the listing level 'lowest'",
    ),
    ({"aeo_grades": ["A"]}, "aeo_grades", "'A' is not a customs grade"),
    ({"notify": ["customs", "police"]}, "notify", "'police' is not a department"),
    ({"removal_years": 0}, "removal_years", "greater than or equal to 1"),
    ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ({"unified_levels": ["a", "a"]}, "", "unified_levels: levels must be distinct"),
]


@pytest.mark.parametrize(("overrides", "path", "message"), BAD)
def test_bad_overrides_are_located(overrides: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(CreditTableError) as info:
        load_table(overrides)
    assert info.value.path == path
    assert message in info.value.message


def test_customs_is_required() -> None:
    data = packaged_table_data()
    del data["departments"]["customs"]
    data["aeo_grades"] = []
    data["notify"] = []
    with pytest.raises(ValueError, match="'customs' is required"):
        CreditTable.model_validate(data)


def test_scenario_section_defaults_to_the_packaged_table() -> None:
    assert Scenario().credit.model_dump() == default_table().model_dump()
    assert isinstance(Scenario().credit, CreditTable)


def test_scenario_overrides_the_table(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "credit:\n"
        "  notify: [customs, tax]\n"
        "  departments:\n"
        "    maritime: {grades: [A, B, C], unified: [good, ordinary, lowest]}\n"
    )
    scenario = load_scenario(path, ["credit.removal_years=4"])
    assert scenario.credit.notify == ("customs", "tax")
    assert scenario.credit.is_listing_grade("maritime", "C")
    assert scenario.credit.removal_years == 4
    assert scenario.credit.lowest_grade("tax") == "D"


def test_scenario_error_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("credit:\n  notify: [customs, police]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == "credit.notify"
    assert info.value.file == str(path)
    assert "'police' is not a department" in str(info.value)
