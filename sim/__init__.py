"""Simulation and testing harness for Hainan's second-line customs ports.

The package is layered (see DESIGN §2): ``sim.rules`` holds pure domain rules; ``sim.scenario``,
``sim.rng`` and ``sim.results`` hold typed inputs, random streams and outputs; ``sim.model`` and
``sim.population`` build on them; ``sim.cli`` wires everything into the ``customs-sim`` command.
"""

__version__ = "0.1.0"
