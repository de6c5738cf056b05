"""The discrete-event model of the ten second-line ports (SimPy).

Entry point: :func:`simulate` (scenario -> :class:`~sim.results.run.RunResult`). The parts, one
concept per module: capacity that follows a timetable (:mod:`~sim.model.resources`), arrivals
(:mod:`~sim.model.arrivals`), declarants and risk routing (:mod:`~sim.model.routing`), the truck
lanes (:mod:`~sim.model.customs`), duty-free checks (:mod:`~sim.model.dutyfree`), ferries and
holding areas (:mod:`~sim.model.ferry`), the enterprises' goods and account books
(:mod:`~sim.model.goods_flow`), their shipments as the supervised trucks
(:mod:`~sim.model.shipments`, timed by :mod:`~sim.model.truck_clock`), and the wiring
(:mod:`~sim.model.system`).
"""

from sim.model.routing import SharesTierSource, TierDraw, TierSource
from sim.model.simulate import simulate

__all__ = ["SharesTierSource", "TierDraw", "TierSource", "simulate"]
