"""KPI rows: the flattening knows dimensions, not KPIs; summary tables are built from rows."""

from __future__ import annotations

import math
from typing import Any

from sim.results.metrics import describe, format_value, headline_keys, where
from sim.results.rows import KpiKey, KpiRow, KpiTable, kpi_rows, kpi_series
from sim.results.summary import ferry_summary, port_summary


def _kpis() -> dict[str, Any]:
    return {
        "scenario": "s",
        "seed": 1,
        "replication": 0,
        "start": "2026-01-01T00:00:00",
        "horizon_s": 7200.0,
        "warmup_s": 0.0,
        "records": 12,
        "clearance_time_s": {"mean": 90.0, "p95": None},
        "ports": {
            "nangang": {"arrivals": 2, "released": 2, "queue_peak": 1,
                        "queue_hourly": [0.5, None],
                        "clearance_time_s": {"mean": 60.0, "p95": 120.0},
                        "clearance_by_tier_s": {"aeo": {"n": 1, "mean": 30.0}},
                        "flows": {"vehicle": 7, "cargo_truck": 2},
                        "seamless_clearance_share": 0.5,
                        "utilisation": {"customs_channels": 0.25, "officers": 0.125},
                        "queues": {"officers": {"mean_waiting": 0.25}},
                        "bottleneck": "officers"},
            "xinhai": {"arrivals": 3, "released": 2, "queue_peak": 2,
                       "clearance_time_s": {"mean": 120.0, "p95": 600.0},
                       "seamless_clearance_share": 2 / 3, "utilisation": {},
                       "ferry": {"sailings_scheduled": 4, "sailings_cancelled": 1, "boarded": 9,
                                 "holding_peak": 750, "holding_capacity": 1500, "overflow": 0,
                                 "boarding_wait_s": {"p95": 1800.0}, "waiting_at_end": 2,
                                 "load_factor": 0.5, "outside_peak": 0, "delayed": 3,
                                 "delayed_mean": 1.5, "staging_peak": 0, "staged": 0}},
        },
        "tiers": {"aeo": {"inspection_rate": 0.1, "inspection_rate_ci95": [0.0, 0.4]}},
        "littles_law": {"xinhai": {"L": 0.2, "lambda_W": 0.21}},
        "goods": {"declarations": {"total": 5, "by_port": {"xinhai": 4, "nangang": 1}},
                  "batch_exit": {"shipments_by_port": {"xinhai": 3}}},
    }  # fmt: skip


def test_dimensions_leave_the_metric_name_and_identity_is_not_a_kpi() -> None:
    rows = {r.key: r.value for r in kpi_rows(_kpis())}
    assert rows[KpiKey("xinhai", "", "", "clearance_time_s.p95")] == 600.0
    assert rows[KpiKey("nangang", "", "aeo", "clearance_by_tier_s.mean")] == 30.0
    assert rows[KpiKey("", "", "aeo", "inspection_rate")] == 0.1
    assert rows[KpiKey("nangang", "vehicle", "", "arrivals")] == 7
    assert rows[KpiKey("xinhai", "", "", "littles_law.L")] == 0.2
    assert rows[KpiKey("xinhai", "", "", "goods.declarations")] == 4
    assert rows[KpiKey("", "", "", "goods.declarations.total")] == 5
    assert rows[KpiKey("xinhai", "", "", "goods.batch_exit.shipments")] == 3
    assert rows[KpiKey("xinhai", "", "", "ferry.boarding_wait_s.p95")] == 1800.0
    assert math.isnan(rows[KpiKey("", "", "", "clearance_time_s.p95")])  # null kept as NaN
    metrics = {k.metric for k in rows}
    assert not metrics & {"seed", "replication", "horizon_s", "warmup_s", "start", "scenario"}
    # strings (a bottleneck's name), pairs (a Wilson interval) and hourly lists are not rows
    assert not any("bottleneck" in m or "ci95" in m or "hourly" in m for m in metrics)


def test_a_new_kpi_becomes_a_row_without_code_changes() -> None:
    kpis = _kpis()
    kpis["ports"]["xinhai"]["scanner_queue_peak"] = 4
    kpis["tiers"]["aeo"]["remote_inspections"] = 2
    rows = {r.key: r.value for r in kpi_rows(kpis)}
    assert rows[KpiKey("xinhai", "", "", "scanner_queue_peak")] == 4
    assert rows[KpiKey("", "", "aeo", "remote_inspections")] == 2


def test_hourly_lists_are_series() -> None:
    (series,) = kpi_series(_kpis())
    assert series.key == KpiKey("nangang", "", "", "queue_hourly")
    assert series.values[0] == 0.5 and math.isnan(series.values[1])


def test_table_lookup_and_official_port_order() -> None:
    table = KpiTable(kpi_rows(_kpis()))
    assert table.ports() == ["xinhai", "nangang"]  # official order, not alphabetical
    assert table.get("clearance_time_s.mean", port="nangang") == 60.0
    assert table.get("clearance_time_s.p95") is None and table.has("clearance_time_s.p95")
    assert table.get("no_such_metric") is None


def test_summary_tables_keep_the_terminal_columns() -> None:
    table = KpiTable(kpi_rows(_kpis()))
    ports = port_summary(table, "s", "KPI window W")
    assert ports.columns == ("port", "arr", "rel", "mean", "p95", "no-stop", "chan", "offic",
                             "bottleneck")  # fmt: skip
    assert ports.rows == (
        ("xinhai", "3", "2", "2.0", "10.0", "67%", "-", "-", "ferry 1.5"),
        ("nangang", "2", "2", "1.0", "2.0", "50%", "25%", "12%", "officers 0.25"),
    )
    assert ports.caption.startswith("KPI window W. Times in minutes")
    ferries = ferry_summary(table)
    assert ferries is not None
    assert ferries.columns == ("port", "sailed", "cancel", "load", "hold", "outside", "delayed",
                               "wait95", "left")  # fmt: skip
    assert ferries.rows == (("xinhai", "3", "1", "50%", "50%", "0", "3", "30.0", "2"),)
    # means over replications are not whole numbers: one decimal
    means = KpiTable([KpiRow("xinhai", "", "", "arrivals", 2.5)])
    assert port_summary(means, "s").rows[0][1] == "2.5"
    assert ferry_summary(means) is None


def test_metric_words_and_units() -> None:
    assert describe("clearance_time_s.p95").label == "p95 clearance time"
    assert format_value("clearance_time_s.p95", 186.0) == "3.1 min"
    assert format_value("seamless_clearance_share", 0.931) == "93.1%"
    assert format_value("seamless_clearance_share", 0.02, signed=True) == "+2.0 pp"
    assert format_value("some.new_metric", 2.0) == "2.00"
    assert format_value("queue_peak", None) == "-"
    assert where(KpiKey("xinhai", "", "", "m")) == "at Haikou Xinhai Port"
    assert where(KpiKey("", "", "key_attention", "m")) == "for key-attention declarants"
    assert where(KpiKey("", "", "", "m")) == "island-wide"
    assert where(KpiKey("xinhai", "", "aeo", "m"), short=True) == "xinhai, aeo"
    keys = [KpiKey("nangang", "", "", "queue_peak"), KpiKey("", "", "", "clearance_time_s.mean"),
            KpiKey("xinhai", "", "", "queue_peak"), KpiKey("", "", "", "not_headline")]  # fmt: skip
    assert headline_keys(keys, ["xinhai", "nangang"]) == [keys[1], keys[2], keys[0]]
