"""The same seeds give byte-identical results in this process, on a local process pool and on
a Dask cluster (a LocalCluster on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
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

ROOT = Path(__file__).resolve().parents[3]


def _bytes(executor: Executor) -> tuple[str, str]:
    # one arm with a population world (it must travel to the workers), one without
    specs = [
        ArmSpec("A", tiny(hours=3.0)),
        ArmSpec("B", busy(hours=3.0, policy__tiers__key_attention__random_floor=1.0)),
    ]
    run = run_experiment("comparison", specs, 3, executor)
    return canonical_json(run.experiment.to_dict()), repr(run.rows)


def _cli(tmp: Path, name: str, *executor: str) -> bytes:
    out = tmp / name
    result = CliRunner().invoke(app, [
        "compare", str(ROOT / "scenarios/baseline.yaml"),
        str(ROOT / "scenarios/strict_key_attention.yaml"), "--set", "horizon_hours=3",
        "--set", "policy.declarants=shares", "--set", "goods.enabled=false", "-n", "3",
        *executor, "--out", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    return (out / "experiment.json").read_bytes()


@pytest.mark.slow
def test_process_pool_and_dask_give_byte_identical_results(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    serial = _bytes(SerialExecutor())
    pool = _bytes(LocalExecutor(workers=2))
    pool_cli = _cli(tmp_path, "pool", "--workers", "2")
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        dask = _bytes(DaskExecutor(cluster.scheduler_address))
        dask_cli = _cli(tmp_path, "dask", "--dask", cluster.scheduler_address)
    assert pool[0] == dask[0] == serial[0]
    assert pool[1] == dask[1] == serial[1]
    assert '"kind": "comparison"' in pool[0]
    assert pool_cli == dask_cli  # the command line, too: --workers 2 and --dask


def test_an_unreachable_cluster_is_one_clear_error() -> None:
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout_s=1.0)  # discard port: nothing listens
    with pytest.raises(
        ExecutorError, match=r"cannot reach a Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        run_experiment("replications", [ArmSpec("s", busy(hours=1.0))], 1, executor)
