"""The population section: documented defaults, and inconsistent shares refused on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.population import PopulationSection


def test_every_default_field_is_documented() -> None:
    def walk(model: type) -> list[str]:
        missing = []
        for name, info in model.model_fields.items():  # type: ignore[attr-defined]
            annotation = info.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                missing += walk(annotation)
            elif not info.description and name not in ("ratings",):
                missing.append(f"{model.__name__}.{name}")
        return missing

    assert walk(PopulationSection) == []


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ("population.enterprises.aeo_share=0.99", "population.enterprises"),
        ("population.enterprises.risky_share=0.99", "population.enterprises"),
        ("population.enterprises.industries.logistics=-1", "population.enterprises"),
        ("population.individuals.duty_free_quota_fen=0",
         "population.individuals.duty_free_quota_fen"),
        ("population.enterprises.history.ratings.tax.months_at_lowest=0",
         "population.enterprises.history.ratings.tax.months_at_lowest"),
    ],
)
def test_inconsistent_values_are_refused(tmp_path: Path, override: str, path: str) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("{}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file, [override])
    assert caught.value.path == path


def test_defaults_load_and_override() -> None:
    scenario = Scenario()
    assert scenario.population.enterprises.count == 70_000
    assert scenario.population.individuals.duty_free_quota_fen == 10_000_000
