"""What-if experiments: replications with confidence intervals, paired comparisons, sweeps.

Built on :mod:`sim.world` (one world per scenario, replications by index), run on an executor
(this process, a local process pool, or a Dask cluster), summarised into
:class:`sim.results.experiment.Experiment`. See :func:`run_experiment`.
"""

from sim.experiment.design import ArmSpec, DesignError, grid, parse_param, point_label
from sim.experiment.executors import (
    DaskExecutor,
    Executor,
    ExecutorError,
    LocalExecutor,
    SerialExecutor,
    default_workers,
)
from sim.experiment.runner import (
    DEFAULT_MAX_REPLICATIONS,
    ExperimentRun,
    Progress,
    run_experiment,
)

__all__ = [
    "DEFAULT_MAX_REPLICATIONS",
    "ArmSpec",
    "DaskExecutor",
    "DesignError",
    "Executor",
    "ExecutorError",
    "ExperimentRun",
    "LocalExecutor",
    "Progress",
    "SerialExecutor",
    "default_workers",
    "grid",
    "parse_param",
    "point_label",
    "run_experiment",
]
