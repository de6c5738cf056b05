"""The goods block of kpis.json, computed by hand from a handful of events."""

from __future__ import annotations

import json
from array import array

import pytest

from sim.results.goods import GoodsEvents, goods_kpis


def _events() -> GoodsEvents:
    ev = GoodsEvents(enterprises=3, batch_exit_enterprises=1)
    ev.add(10.0, "entry", 0, regime="zero_tariff")  # in the warm-up
    ev.add(100.0, "entry", 0, regime="zero_tariff", duties=(5, 6, 0))
    ev.add(200.0, "declaration", 0, port="xinhai", regime="zero_tariff", duties=(100, 50, 0))
    ev.add(300.0, "declaration", 1, port="nangang", regime="processing_value_added",
           duties=(0, 70, 10), value_added_fen=1_000)
    ev.add(400.0, "batch_shipment", 2, port="xinhai", regime="processing_value_added",
           value_added_fen=500)
    ev.add(500.0, "consolidated", 2, duties=(1, 2, 3), late=True)
    ev.add(510.0, "suspension", 2, cause="late_consolidated_declaration")
    ev.add(600.0, "reinstatement", 2)
    ev.add(700.0, "island_sale", 1, duties=(7, 8, 9))
    ev.add(800.0, "late_booking", 1, duties=(4, 0, 0))
    ev.add(900.0, "refusal", 1, cause="booking_overdue")
    ev.add(950.0, "non_customs", 1, port="xinhai", regime="ordinary")
    return ev


def test_goods_block_by_hand() -> None:
    k = goods_kpis(_events(), warmup_s=50.0)
    assert k["declarations"] == {
        "total": 2,
        "by_regime": {"processing_value_added": 1, "zero_tariff": 1},
        "by_port": {"nangang": 1, "xinhai": 1},
    }
    d = k["duty_assessed_fen"]
    assert d["second_line"] == {"duty_fen": 100, "vat_fen": 120, "consumption_fen": 10,
                                "total_fen": 230}
    assert d["first_line"]["total_fen"] == 15  # the entry after the warm-up and the late booking
    assert d["consolidated"]["total_fen"] == 6 and d["island_sales"]["total_fen"] == 24
    assert d["total"]["total_fen"] == 230 + 15 + 6 + 24
    assert k["value_added_goods_value_fen"] == 1_500
    be = k["batch_exit"]
    assert be["share"] == 1 / 3
    assert (be["consolidated_declarations"], be["late_consolidated_declarations"]) == (1, 1)
    assert be["suspensions_by_cause"] == {"late_consolidated_declaration": 1}
    assert be["reinstatements"] == 1
    assert k["first_line"] == {"entries": 1, "late_bookings": 1}
    assert k["refusals"] == {"booking_overdue": 1}
    assert k["non_customs_shipments"] == 1
    json.dumps(k)  # plain data


def test_empty_run() -> None:
    k = goods_kpis(GoodsEvents())
    assert k["batch_exit"]["share"] is None and k["declarations"]["total"] == 0


def test_compacted_events_read_the_same_ints_in_narrower_columns() -> None:
    ev = GoodsEvents(enterprises=3)
    ev.add(1.0, "entry", 2, day=20_000, duties=(5, 6, 0), qty=40_000, price_fen=None)
    ev.add(2.0, "declaration", 0, day=20_001, port="xinhai", duties=(2**40, 0, 0), qty=-3)
    before = {k: list(v) for k, v in vars(ev).items() if isinstance(v, array)}
    ev.compact()
    after = {k: list(v) for k, v in vars(ev).items() if isinstance(v, array)}
    assert after == before and all(type(x) is int for x in after["qty"])
    assert (ev.enterprise.itemsize, ev.day.itemsize, ev.qty.itemsize) == (1, 2, 4)
    assert ev.duty_fen.itemsize == 8 and ev.time_s.typecode == "d"  # as wide as they need
    with pytest.raises(OverflowError):  # a later append never wraps around
        ev.add(3.0, "entry", 300)
