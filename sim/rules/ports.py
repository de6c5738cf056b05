"""The ten second-line ports: their stable ids, names and kinds (facts, not parameters).

Hainan's second line, the customs boundary between the island and the mainland, is crossed at
ten designated ports (source: topsdn.com 2025-08-01; worldports.org). Two are ro-ro ferry ports
on the Qiongzhou Strait that serve the second line only (Haikou Xinhai and Haikou South Port),
five are seaports that are also open ports of entry, and three are airports. The ids here are the
stable keys every part of the harness uses: scenario files, records, KPIs and the platform API.

Counts of channels, scanners and officers are *not* facts here: they are scenario parameters
(see :mod:`sim.scenario.ports`), because most of them are not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["KINDS", "PORTS", "PORT_IDS", "PortFact", "PortId", "PortKind", "port_fact"]

PortId = Literal[
    "xinhai", "nangang", "haikou", "yangpu", "basuo", "sanya_port", "qinglan", "meilan",
    "phoenix", "boao",
]
"""The ten port ids as a type (the same ids, in the same order, as :data:`PORTS`)."""

PortKind = Literal["strait_roro", "seaport", "airport"]
KINDS: tuple[PortKind, ...] = ("strait_roro", "seaport", "airport")


@dataclass(frozen=True)
class PortFact:
    """What is known for certain about one second-line port.

    Attributes:
        id: stable identifier (``xinhai``).
        name: English name.
        name_zh: Chinese name as in the official list.
        kind: ``strait_roro`` (vehicle ferries across the strait), ``seaport`` or ``airport``.
    """

    id: str
    name: str
    name_zh: str
    kind: PortKind


PORTS: tuple[PortFact, ...] = (
    PortFact("xinhai", "Haikou Xinhai Port", "海口新海港", "strait_roro"),
    PortFact("nangang", "Haikou South Port", "海口南港", "strait_roro"),
    PortFact("haikou", "Haikou Port (Xiuying)", "海口港", "seaport"),
    PortFact("yangpu", "Yangpu Port", "洋浦港", "seaport"),
    PortFact("basuo", "Basuo Port", "八所港", "seaport"),
    PortFact("sanya_port", "Sanya Port", "三亚港", "seaport"),
    PortFact("qinglan", "Qinglan Port", "清澜港", "seaport"),
    PortFact("meilan", "Haikou Meilan International Airport", "美兰机场", "airport"),
    PortFact("phoenix", "Sanya Phoenix International Airport", "凤凰机场", "airport"),
    PortFact("boao", "Qionghai Boao Airport", "博鳌机场", "airport"),
)
"""The ten ports in the official order (strait ports first, then seaports, then airports)."""

PORT_IDS: tuple[str, ...] = tuple(p.id for p in PORTS)
if get_args(PortId) != PORT_IDS:  # the type restates the table: they must not drift apart
    raise AssertionError(f"PortId {get_args(PortId)} differs from PORTS {PORT_IDS}")


def port_fact(port_id: str) -> PortFact:
    """The facts for ``port_id``.

    Raises:
        KeyError: if ``port_id`` is not one of the ten second-line ports.
    """
    for fact in PORTS:
        if fact.id == port_id:
            return fact
    raise KeyError(f"unknown port id {port_id!r}; known: {', '.join(PORT_IDS)}")
