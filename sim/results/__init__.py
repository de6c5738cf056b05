"""Run outputs as plain data: journey records, KPIs, and their files (JSON and Parquet)."""

from sim.results.io import canonical_json, read_records, write_kpis, write_outputs, write_records
from sim.results.kpis import compute_kpis, wilson_interval
from sim.results.records import RECORD_COLUMNS, TIME_COLUMNS, RecordGroup, Records, concat
from sim.results.run import FerryStats, RunResult

__all__ = [
    "RECORD_COLUMNS",
    "TIME_COLUMNS",
    "FerryStats",
    "RecordGroup",
    "Records",
    "RunResult",
    "canonical_json",
    "compute_kpis",
    "concat",
    "read_records",
    "wilson_interval",
    "write_kpis",
    "write_outputs",
    "write_records",
]
