"""When a shipment's truck reaches its port: a time of day from the port's truck profile.

A second-line shipment is decided on a day (the goods flow ticks daily); the truck carrying it
reaches the port at a time drawn from the port's ``cargo_truck`` hourly profile, restricted to
the port's opening hours, so goods-driven trucks keep the daily rhythm the Poisson trucks had.
A time that falls outside the simulated period (before the start on the first day, or at or
after the horizon) means the shipment does not happen in the run, exactly as a Poisson
arrival outside the horizon does not exist; a partial day therefore brings the share of the
day's trucks its hours carry.

Each port draws from its own stream ``goods.truck_times.<port>`` (one hour and one offset per
shipment), so another port's traffic never moves a port's truck times.
"""

from __future__ import annotations

import bisect
import itertools
from datetime import datetime

from sim.rng import RandomStreams
from sim.rules.ports import PORT_IDS
from sim.scenario.schema import Scenario

__all__ = ["TruckClock"]

_DAY_S = 86_400.0


class TruckClock:
    """Draws the arrival time of a shipment's truck on a day at a port.

    Args:
        hours: per port, 24 non-negative weights (profile x open) for the local hours 0..23;
            ports missing here (or with all weights zero) are not covered.
        start: the scenario start (local time).
        horizon_s: the simulated period.
        streams: the run's streams.
    """

    def __init__(
        self,
        hours: dict[str, list[float]],
        start: datetime,
        horizon_s: float,
        streams: RandomStreams,
    ) -> None:
        midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        self._offset = (start - midnight).total_seconds()
        self._horizon = horizon_s
        self._cdf = {
            port: list(itertools.accumulate(w)) for port, w in hours.items() if sum(w) > 0
        }
        self._rng = {port: streams.generator(f"goods.truck_times.{port}") for port in self._cdf}

    @classmethod
    def from_scenario(cls, scenario: Scenario, streams: RandomStreams) -> TruckClock:
        """The clock of every port with a ``cargo_truck`` flow (active or not)."""
        hours: dict[str, list[float]] = {}
        for port in PORT_IDS:
            cfg = scenario.ports.get(port)
            spec = cfg.flows.cargo_truck
            if spec is not None:
                hours[port] = [
                    float(w) if cfg.is_open(h) else 0.0 for h, w in enumerate(spec.hourly_profile)
                ]
        return cls(hours, scenario.start, scenario.horizon_hours * 3600.0, streams)

    def covers(self, port: str) -> bool:
        """Whether trucks at ``port`` are timed by this clock."""
        return port in self._cdf

    def time(self, k: int, port: str) -> float | None:
        """A truck time on local day ``k`` (0 = the start day) at a covered ``port``.

        Returns:
            Seconds since the scenario start, or None when the time falls outside the run.
        """
        cdf, rng = self._cdf[port], self._rng[port]
        u_hour, u_offset = rng.random(2).tolist()
        hour = min(bisect.bisect_right(cdf, u_hour * cdf[-1]), 23)
        t = k * _DAY_S - self._offset + (hour + u_offset) * 3600.0
        return t if 0.0 <= t < self._horizon else None
