"""Workloads: a simulated period turned into platform calls, with the answers the rules expect.

- :func:`export_workload` runs a scenario and returns every call of a period (set-up, then
  timed calls) as :class:`Call` rows; :func:`write_workload` / :func:`read_workload` store them
  as Parquet, one row group per simulated hour;
- :func:`summarise` counts calls per operation, port and hour;
- :func:`replay` sends a workload's calls to a platform one at a time and compares each
  answer with its expectation (:func:`compare`).
"""

from sim.workload.calls import (
    COLUMNS,
    Call,
    WorkloadError,
    WorkloadInfo,
    read_workload,
    write_workload,
)
from sim.workload.export import Period, export_workload, resolve_period

__all__ = [
    "COLUMNS",
    "Call",
    "Period",
    "WorkloadError",
    "WorkloadInfo",
    "export_workload",
    "read_workload",
    "resolve_period",
    "write_workload",
]
