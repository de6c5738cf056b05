"""Typed scenarios: schema, distributions as data, YAML loading with overrides, clear errors."""

from sim.scenario.distributions import Distribution
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import SHANGHAI, Scenario

__all__ = ["SHANGHAI", "Distribution", "Scenario", "ScenarioError", "load_scenario"]
