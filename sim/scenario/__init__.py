"""Typed scenarios: schema, distributions as data, YAML loading with overrides, clear errors."""

from sim.scenario.calendar import Calendar, DatedMultiplier, WeekdayRule
from sim.scenario.distributions import Distribution
from sim.scenario.errors import ScenarioError
from sim.scenario.events import Events, ScannerOutage, WeatherSuspension
from sim.scenario.ferry import Ferry
from sim.scenario.loading import load_scenario
from sim.scenario.policy import Policy
from sim.scenario.ports import FLOWS, FlowSpec, PortConfig, Ports
from sim.scenario.schema import SHANGHAI, Scenario

__all__ = [
    "FLOWS",
    "SHANGHAI",
    "Calendar",
    "DatedMultiplier",
    "Distribution",
    "Events",
    "Ferry",
    "FlowSpec",
    "Policy",
    "PortConfig",
    "Ports",
    "ScannerOutage",
    "Scenario",
    "ScenarioError",
    "WeatherSuspension",
    "WeekdayRule",
    "load_scenario",
]
