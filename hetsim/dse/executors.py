"""Where points run: a local process pool (default) or a Ray cluster. Both take points and yield
(point, rows or the exception it raised) as points finish, keeping a bounded number in flight so
an interrupted sweep loses at most those. The simulation is deterministic, so both give the same
rows (up to wall time, finish time and worker name)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from hetsim.dse.point import SweepPoint, run_point
from hetsim.errors import ConfigError

Outcome = tuple[SweepPoint, list[dict] | BaseException]

_CATALOGUE = None  # the catalogue of this pool worker, sent once when it starts
RAY_PROBE_S = 5.0  # a head that does not accept a TCP connection in this long is not there


def check_workers(workers: int | None, field: str = "--workers") -> int | None:
    """`workers` if it is None (every CPU) or at least 1."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"expected a number of parallel points of at least 1, got {workers!r}", field=field)
    return workers


def check_ray_address(address: str, field: str = "--ray") -> None:
    """Fail at once, in one line, on an address no Ray head answers at: ray.init itself retries
    for minutes before it gives up."""
    if address == "auto":
        return
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"expected 'auto' or the HOST:PORT of a Ray head (e.g. 10.0.0.5:6379), got {address!r}",
                          field=field)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=RAY_PROBE_S).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"no Ray head answers at {address} ({reason}): start one with `ray start --head`, check "
                          "the address, or use --ray auto", field=field) from None


def _exit_with_parent(parent: int) -> None:
    """A pool worker whose sweep process was killed (kill -9) would wait on the task queue
    forever: leave as soon as the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(catalogue, parent: int) -> None:
    global _CATALOGUE
    _CATALOGUE = catalogue
    # Ctrl-C reaches the whole process group: let the sweep process stop the pool, so workers
    # do not each print a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _pool_task(point: SweepPoint, task=run_point) -> list[dict]:
    return task(point, _CATALOGUE)


class LocalExecutor:
    """`workers` processes (spawned: nothing of the parent's state leaks in); 1 runs in-process.
    `task(point, catalogue) -> rows`: what runs a point (a module-level function: it is pickled by
    name); the capacity search's probes run `hetsim.serving.capacity.run_probe`."""

    def __init__(self, catalogue, workers: int | None = None, task=run_point):
        self.catalogue = catalogue
        self.task = task
        self.workers = check_workers(workers) or os.cpu_count() or 1
        self.describe = f"local pool, {self.workers} worker{'s' if self.workers > 1 else ''}"
        self._pool: ProcessPoolExecutor | None = None
        self._depth = 0  # re-entrant: one pool serves several sweeps (experiments/paper)

    def __enter__(self) -> LocalExecutor:
        self._depth += 1
        if self._depth == 1 and self.workers > 1:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker, initargs=(self.catalogue, os.getpid()))
        return self

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._pool is not None:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)
            self._pool = None

    def run(self, points: Iterable[SweepPoint]) -> Iterator[Outcome]:
        if self._pool is None:
            for p in points:
                try:
                    yield p, self.task(p, self.catalogue)
                except Exception as exc:  # noqa: BLE001 - reported per point by the sweep
                    yield p, exc
            return
        pending: dict[Future, SweepPoint] = {}
        todo = iter(points)
        window = 2 * self.workers
        while True:
            for p in todo:
                pending[self._pool.submit(_pool_task, p, self.task)] = p
                if len(pending) >= window:
                    break
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                p = pending.pop(fut)
                exc = fut.exception()
                yield p, exc if exc is not None else fut.result()


def _ray_task(point: SweepPoint, catalogue, task=run_point) -> list[dict]:
    return task(point, catalogue)


class RayExecutor:
    """`address`: 'auto' joins a running cluster, or starts a local one if there is none; else
    the address of a cluster's head (ray.init). Every node needs hetsim and the same configs and
    calibration files: a worker checks it reads the same calibration inputs as the driver.
    `task`: as for LocalExecutor."""

    def __init__(self, catalogue, address: str = "auto", workers: int | None = None, task=run_point):
        check_ray_address(address)
        self.catalogue = catalogue
        self.task = task
        self.address = address
        self.workers = check_workers(workers)
        self._started = False
        self._depth = 0  # re-entrant, like LocalExecutor

    def __enter__(self) -> RayExecutor:
        import ray

        self._depth += 1
        if self._depth > 1:
            return self
        env = {"env_vars": {k: v for k, v in os.environ.items() if k.startswith("HETSIM_")}}
        quiet = dict(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        if ray.is_initialized():
            pass
        elif self.address == "auto":
            try:
                ray.init(address="auto", runtime_env=env, **quiet)
            except ConnectionError:
                ray.init(num_cpus=self.workers or os.cpu_count(), runtime_env=env, **quiet)
            self._started = True
        else:
            try:
                ray.init(address=self.address, runtime_env=env, **quiet)
            except (ConnectionError, RuntimeError, TimeoutError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ConfigError(f"cannot join the Ray cluster at {self.address}: {first}", field="--ray") from None
            self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.slots = min(cpus, self.workers) if self.workers else cpus
        self.describe = f"Ray ({self.slots} of {cpus} CPUs)"
        self._remote = ray.remote(num_cpus=1)(_ray_task)
        self._catalogue_ref = ray.put(self.catalogue)
        return self

    def __exit__(self, *exc) -> None:
        import ray

        self._depth -= 1
        if self._depth == 0 and self._started:
            ray.shutdown()
            self._started = False

    def run(self, points: Iterable[SweepPoint]) -> Iterator[Outcome]:
        import ray

        pending: dict = {}
        todo = iter(points)
        window = self.slots if self.workers else 2 * self.slots  # --workers caps what runs at once
        while True:
            for p in todo:
                pending[self._remote.remote(p, self._catalogue_ref, self.task)] = p
                if len(pending) >= window:
                    break
            if not pending:
                return
            finished, _ = ray.wait(list(pending), num_returns=1)
            for ref in finished:
                p = pending.pop(ref)
                try:
                    yield p, ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    yield p, exc.cause if exc.cause is not None else exc
                except Exception as exc:  # noqa: BLE001 - a lost worker, reported per point
                    yield p, exc
