"""The one executor: run a function over many independent items, locally or on Ray.

Every fan-out of the product goes through here: forecast series, backtest origins,
routing days, digital-twin replications. Callers pass a picklable function and get
results back in input order, the same for every engine and worker count; an optional
``progress(done, total)`` callback drives a progress bar. It lives in the base package
because every layer above fans out.

How to fan out is a parameter (``ParallelSettings``), never process-wide state: the
start method, the worker count and the Ray cluster are chosen by the caller (the
application layer reads ``SUPPLYNET_RAY_ADDRESS``), not here.

Before a local pool starts, the first item runs in the calling process (the *pilot*):
pool workers are forked, so they inherit what it loaded (Prophet and cmdstan imports,
the Stan backend, memoised holiday calendars and feature matrices) instead of each
paying for it again; with two workers and a few dozen series that start-up was a large
share of the run. While a forked pool runs, the parent's objects are frozen out of the
garbage collector (``_heap_shared_with_forks``), so the workers keep sharing its pages.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from supplynet.graph.errors import Problem, ValidationFailed

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called with (items done, items in all) as chunks finish."""

Engine = Literal["process", "ray"]
StartMethod = Literal["fork", "forkserver", "spawn"]


@dataclass(frozen=True)
class ParallelSettings:
    """How to fan out.

    Parameters
    ----------
    workers
        Local processes; ``None``: every core. 1 runs in process. Ray ignores it and
        schedules by the cluster's CPUs.
    engine
        ``"process"`` (a local process pool) or ``"ray"`` (tasks on the Ray cluster
        ``ray_address`` names, or a local one when ``None`` and none is running).
    chunk_size
        Items per task; ``None`` picks about 16 chunks per worker, at most 16 items:
        small chunks keep both workers busy to the end (a worker left alone with a
        large last chunk was a visible share of short runs), and one task's overhead
        (~1 ms) is small next to a Prophet fit.
    pilot
        Run the first item in the calling process before forking a local pool (see
        the module docstring).
    start_method
        How local workers start: ``fork`` inherits what the caller imported (fast; only
        safe from a single-threaded caller), ``forkserver`` or ``spawn`` start clean.
    """

    workers: int | None = None
    engine: Engine = "process"
    chunk_size: int | None = None
    ray_address: str | None = None
    pilot: bool = True
    start_method: StartMethod = "fork"

    def __post_init__(self) -> None:
        problems = []
        if self.workers is not None and self.workers < 1:
            problems.append(Problem("workers", f"must be >= 1, got {self.workers}"))
        if self.chunk_size is not None and self.chunk_size < 1:
            problems.append(Problem("chunk_size", f"must be >= 1, got {self.chunk_size}"))
        if self.engine not in ("process", "ray"):
            problems.append(Problem("engine", f"unknown engine {self.engine!r}"))
        if self.start_method not in ("fork", "forkserver", "spawn"):
            problems.append(Problem("start_method", f"unknown method {self.start_method!r}"))
        if problems:
            raise ValidationFailed(problems, "parallel settings")

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers is not None else os.cpu_count() or 1


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    settings: ParallelSettings | None = None,
    progress: Progress | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, fanned out as ``settings`` says, in input order."""
    settings = settings or ParallelSettings()
    total = len(items)
    chunks = _chunks(items, settings, total)
    if settings.engine == "ray":
        results = _on_ray(fn, chunks, settings, progress, total)
    elif settings.worker_count == 1 or len(chunks) <= 1:
        results = []
        for chunk in chunks:
            results.append(_apply(fn, chunk))
            _report(progress, sum(len(r) for r in results), total)
    elif settings.pilot and settings.start_method == "fork":
        first = [fn(items[0])]
        _report(progress, 1, total)
        rest = _chunks(items[1:], settings, total)
        results = [first, *_on_pool(fn, rest, settings, progress, total, done=1)]
    else:
        results = _on_pool(fn, chunks, settings, progress, total)
    return [r for chunk_results in results for r in chunk_results]


def _chunks(items: Sequence[T], settings: ParallelSettings, total: int) -> list[Sequence[T]]:
    size = settings.chunk_size or max(1, min(16, -(-total // (16 * settings.worker_count))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _apply(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(item) for item in chunk]


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _on_pool(
    fn: Callable[[T], R],
    chunks: list[Sequence[T]],
    settings: ParallelSettings,
    progress: Progress | None,
    total: int,
    done: int = 0,
) -> list[list[R]]:
    context = multiprocessing.get_context(settings.start_method)
    results: list[list[R]] = [[] for _ in chunks]
    with _heap_shared_with_forks(settings.start_method):
        pool = ProcessPoolExecutor(
            settings.worker_count, mp_context=context, initializer=_leave_interrupts_to_parent
        )
        try:
            pending: dict[Future[list[R]], int] = {
                pool.submit(_apply, fn, chunk): i for i, chunk in enumerate(chunks)
            }
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    results[index] = future.result()
                    done += len(chunks[index])
                _report(progress, done, total)
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
    return results


@contextmanager
def _heap_shared_with_forks(start_method: StartMethod) -> Iterator[None]:
    """Keep forked workers from copying the parent's heap while they run.

    Forked workers share the parent's pages copy-on-write, but a worker's garbage
    collector walks, and so writes to, every container object it inherited, and each
    page it touches is copied: with 30,000 small frames and a million dicts in the
    parent (558 MB), each worker held 209 MB of its own after one collection, and 2 MB
    with the parent's objects frozen (``gc.freeze``: left out of every collection, in
    the parent and in the forks) until the pool is done.
    """
    if start_method != "fork":
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _leave_interrupts_to_parent() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker that took it
    printed its own ``KeyboardInterrupt`` traceback. The parent stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop the items not started and end the workers now (Ctrl-C or a failed item),
    instead of waiting for the chunks they are in."""
    workers = list(pool._processes.values())  # no public way before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def _on_ray(
    fn: Callable[[T], R],
    chunks: list[Sequence[T]],
    settings: ParallelSettings,
    progress: Progress | None,
    total: int,
) -> list[list[R]]:
    import ray

    if not ray.is_initialized():
        ray.init(address=settings.ray_address, include_dashboard=False, log_to_driver=False)
    remote: Any = ray.remote(_apply)
    refs = [remote.remote(fn, list(chunk)) for chunk in chunks]
    index = {ref: i for i, ref in enumerate(refs)}
    results: list[list[R]] = [[] for _ in chunks]
    pending, done = list(refs), 0
    while pending:
        finished, pending = ray.wait(pending, num_returns=1)
        for ref in finished:
            i = index[ref]
            results[i] = ray.get(ref)
            done += len(chunks[i])
        _report(progress, done, total)
    return results
