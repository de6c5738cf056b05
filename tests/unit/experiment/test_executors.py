"""The same seeds give byte-identical results in this process, on a local process pool and on
a Dask cluster (a LocalCluster on loopback)."""

from __future__ import annotations

import pytest

from sim.experiment import (
    ArmSpec,
    DaskExecutor,
    Executor,
    ExecutorError,
    LocalExecutor,
    SerialExecutor,
    run_experiment,
)
from sim.results import canonical_json
from tests.unit.experiment.support import busy, tiny


def _bytes(executor: Executor) -> tuple[str, str]:
    # one arm with a population world (it must travel to the workers), one without
    specs = [
        ArmSpec("A", tiny(hours=3.0)),
        ArmSpec("B", busy(hours=3.0, policy__tiers__key_attention__random_floor=1.0)),
    ]
    run = run_experiment("comparison", specs, 3, executor)
    return canonical_json(run.experiment.to_dict()), repr(run.rows)


@pytest.mark.slow
def test_process_pool_and_dask_give_byte_identical_results() -> None:
    from dask.distributed import LocalCluster

    serial = _bytes(SerialExecutor())
    pool = _bytes(LocalExecutor(workers=2))
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        dask = _bytes(DaskExecutor(cluster.scheduler_address))
    assert pool[0] == dask[0] == serial[0]
    assert pool[1] == dask[1] == serial[1]
    assert '"kind": "comparison"' in pool[0]


def test_an_unreachable_cluster_is_one_clear_error() -> None:
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout_s=1.0)  # discard port: nothing listens
    with pytest.raises(
        ExecutorError, match=r"cannot reach a Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        run_experiment("replications", [ArmSpec("s", busy(hours=1.0))], 1, executor)
