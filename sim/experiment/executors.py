"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

Replications are independent, so they spread over cores and machines without coordination.
An executor is opened with the experiment's *worlds* (the populations, built once by the
caller: :func:`sim.world.build_world`) and then runs :class:`~sim.experiment.replication.Job`
batches, returning outcomes in job order whatever order they finish in. Each world travels to
each worker once: the process pool's initializer unpickles them into the worker, the Dask
executor scatters them to every worker (``broadcast=True``). Every job is a pure function of
its world, scenario and replication index, so the outcomes, and the files written from them,
are byte-identical on every executor.

- :class:`SerialExecutor`: this process, one job after another (``--workers 1``).
- :class:`LocalExecutor`: a :class:`concurrent.futures.ProcessPoolExecutor` on all cores by
  default; workers start from a fresh interpreter (``forkserver``), never a fork of a process
  that may hold threads.
- :class:`DaskExecutor`: a ``dask.distributed`` cluster at ``tcp://HOST:PORT`` (or a
  ``LocalCluster``'s address), for users who outgrow one machine.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from types import TracebackType
from typing import Any

from sim.experiment.replication import Job, Outcome, run_job
from sim.world import World

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "LocalExecutor",
    "SerialExecutor",
    "default_workers",
]

Done = Callable[[], None]


class ExecutorError(Exception):
    """An executor that cannot start (a cluster that does not answer); the message says why."""


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Executor(ABC):
    """Runs replication jobs; use as a context manager around :meth:`open` and :meth:`run`."""

    description: str = ""

    @abstractmethod
    def open(self, worlds: Mapping[str, World]) -> None:
        """Start, and send every worker the worlds (by id)."""

    @abstractmethod
    def run(self, jobs: Sequence[Job], done: Done | None = None) -> list[Outcome]:
        """Run ``jobs``; return their outcomes in job order; call ``done`` after each."""

    @abstractmethod
    def close(self) -> None:
        """Stop the workers this executor started."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(Executor):
    """Jobs run in this process, in order."""

    description = "this process"

    def __init__(self) -> None:
        self._worlds: dict[str, World] = {}

    def open(self, worlds: Mapping[str, World]) -> None:
        self._worlds = dict(worlds)

    def run(self, jobs: Sequence[Job], done: Done | None = None) -> list[Outcome]:
        out = []
        for job in jobs:
            out.append(run_job(self._worlds[job.world], job.scenario, job.replication))
            if done is not None:
                done()
        return out

    def close(self) -> None:
        self._worlds = {}


_WORKER_WORLDS: dict[str, World] = {}


def _install_worlds(blob: bytes) -> None:
    """Process-pool initializer: the worlds, unpickled once per worker."""
    _WORKER_WORLDS.update(pickle.loads(blob))


def _run_in_worker(job: Job) -> Outcome:
    return run_job(_WORKER_WORLDS[job.world], job.scenario, job.replication)


class LocalExecutor(Executor):
    """A pool of worker processes on this machine.

    Args:
        workers: processes to start (default: every core this process may use).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else default_workers()
        self.description = f"a local process pool ({self.workers} workers)"
        self._pool: ProcessPoolExecutor | None = None

    def open(self, worlds: Mapping[str, World]) -> None:
        blob = pickle.dumps(dict(worlds), protocol=pickle.HIGHEST_PROTOCOL)
        context = multiprocessing.get_context("forkserver")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_install_worlds,
            initargs=(blob,),
        )

    def run(self, jobs: Sequence[Job], done: Done | None = None) -> list[Outcome]:
        if self._pool is None:
            raise RuntimeError("open the executor first")
        futures: dict[Future[Outcome], int] = {
            self._pool.submit(_run_in_worker, job): i for i, job in enumerate(jobs)
        }
        out: list[Outcome | None] = [None] * len(jobs)
        for future in as_completed(futures):
            out[futures[future]] = future.result()
            if done is not None:
                done()
        return [o for o in out if o is not None]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """A ``dask.distributed`` cluster.

    Args:
        address: the scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
        timeout_s: how long to wait for the scheduler to answer.
    """

    def __init__(self, address: str, timeout_s: float = 10.0) -> None:
        self.address = address
        self.description = f"the Dask cluster at {address}"
        self._timeout_s = timeout_s
        self._client: Any = None
        self._worlds: dict[str, Any] = {}

    def open(self, worlds: Mapping[str, World]) -> None:
        from dask.distributed import Client

        try:
            self._client = Client(  # type: ignore[no-untyped-call]
                self.address, timeout=f"{self._timeout_s}s"
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"cannot reach a Dask scheduler at {self.address}: {exc}") from None
        workers = self._client.scheduler_info().get("workers", {})
        if not workers:
            self.close()
            raise ExecutorError(f"the Dask scheduler at {self.address} has no workers")
        self.description = f"the Dask cluster at {self.address} ({len(workers)} workers)"
        self._worlds = {
            key: self._client.scatter(world, broadcast=True, hash=False)
            for key, world in worlds.items()
        }

    def run(self, jobs: Sequence[Job], done: Done | None = None) -> list[Outcome]:
        from dask.distributed import as_completed as dask_completed

        if self._client is None:
            raise RuntimeError("open the executor first")
        futures = [
            self._client.submit(
                run_job, self._worlds[job.world], job.scenario, job.replication, pure=False
            )
            for job in jobs
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Outcome | None] = [None] * len(jobs)
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            out[index[future.key]] = future.result()
            if done is not None:
                done()
        return [o for o in out if o is not None]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._worlds = {}
