"""Run CPU-heavy work (fits, solves, training) in child processes the server can kill.

The event loop only waits on a pipe, so health checks and light calls keep being
answered during a long solve, and jobs run at a lower CPU priority so that calls win
the cores when both want them. Each job gets its own process forked from a
forkserver that has the heavy libraries imported already; at most ``workers`` run
at once. Killing the process is how cancellation stops the work, whatever the
solver is doing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from supplynet.graph.errors import SupplynetError
from supplynet.server.app.progress import Progress, Report
from supplynet.server.rpc.settings import JobPriority

log = logging.getLogger("supplynet.rpc.jobs")


Task = Callable[..., Any]
"""A module-level function ``task(*args, report=report)``; arguments and result pickle."""


def _main_module() -> list[str]:
    """The program's main module when run with ``-m``, for the forkserver to import once.

    Each child re-runs the parent's ``__main__`` (multiprocessing's ``prepare``); with its
    imports already loaded in the forkserver that takes milliseconds instead of seconds.
    A main run from a path (the ``supplynet`` script) only imports ``server.cli``.
    """
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return [str(spec.name)] if spec is not None and spec.name else []


class JobFailed(Exception):
    """A job raised something other than a ``SupplynetError``; carries the child's traceback."""


JOB_NICENESS = 10
"""How much lower a job's CPU priority is than the server's, so calls stay fast during solves."""


def _lower_priority(priority: JobPriority) -> None:
    os.nice(JOB_NICENESS)
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _child(
    task: Task,
    args: tuple[Any, ...],
    pipe: multiprocessing.connection.Connection,
    priority: JobPriority,
) -> None:
    _lower_priority(priority)

    def report(progress: Progress) -> None:
        pipe.send(("progress", progress))

    try:
        try:
            pipe.send(("result", task(*args, report=report)))
        except SupplynetError as error:
            pipe.send(("error", error))
        except BaseException:  # the parent needs to hear about any failure, then the child exits
            pipe.send(("failed", traceback.format_exc()))
    except OSError:  # the parent stopped listening (cancelled or shut down): nobody to tell
        pass
    finally:
        pipe.close()


class JobRunner:
    """Runs tasks in killable child processes, ``workers`` at a time.

    Parameters
    ----------
    workers
        Largest number of jobs running at once; more wait their turn.
    preload
        Modules the forkserver imports once, so each job starts in milliseconds.
    priority
        How jobs yield the CPU to the server (``JobPriority``).
    """

    def __init__(
        self, workers: int, preload: Sequence[str] = (), priority: JobPriority = "idle"
    ) -> None:
        self.workers = workers
        self.priority = priority
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([*preload, *_main_module()])
        self._slots = asyncio.Semaphore(workers)
        self._running: set[multiprocessing.process.BaseProcess] = set()
        self.started = 0
        """Jobs started since the runner began."""
        # its own threads for starting, reading and joining children: never queued behind
        # store reads in the default executor
        self._threads = ThreadPoolExecutor(max_workers=2 * workers, thread_name_prefix="jobs")

    @property
    def busy(self) -> int:
        """Jobs running now."""
        return len(self._running)

    async def run(self, task: Task, *args: Any, on_progress: Report | None = None) -> Any:
        """Run ``task(*args, report=...)`` in a child process and return its result.

        Cancelling the awaiting coroutine kills the child at once.

        Raises
        ------
        SupplynetError
            Whatever supplynet error the task raised.
        JobFailed
            When the task failed otherwise or its process died.
        """
        async with self._slots:
            receive, send = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=_child, args=(task, args, send, self.priority), daemon=True
            )
            # start() waits for the forkserver (seconds while it imports ``preload``): in a
            # thread, and finished even when the caller gives up, so the child can be killed.
            starting = asyncio.ensure_future(self._in_thread(process.start))
            try:
                await asyncio.shield(starting)
                self.started += 1
                send.close()
                self._running.add(process)
                return await self._collect(receive, on_progress)
            finally:
                await asyncio.wait({starting})
                self._running.discard(process)
                if starting.exception() is None and process.is_alive():
                    process.kill()
                send.close()
                receive.close()
                if starting.exception() is None:
                    await self._in_thread(process.join, 5)

    async def _collect(
        self, receive: multiprocessing.connection.Connection, on_progress: Report | None
    ) -> Any:
        # recv blocks until a whole message is in, which for a big result can take as long
        # as the child needs to write it: wait in a thread, never on the event loop.
        while True:
            try:
                kind, payload = await self._in_thread(receive.recv)
            except (EOFError, OSError):
                raise JobFailed("the worker process died") from None
            if kind == "progress":
                if on_progress is not None:
                    on_progress(payload)
            elif kind == "result":
                return payload
            elif kind == "error":
                raise payload
            else:
                raise JobFailed(payload)

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._threads, fn, *args)

    def warm(self) -> None:
        """Start the forkserver now, so it imports ``preload`` before the first real job.

        Returns at once: the imports go on in the forkserver, and a shutdown meanwhile
        does not wait for them (the forkserver exits with this process).
        """
        multiprocessing.forkserver.ensure_running()

    def shutdown(self) -> None:
        """Kill every running job (for a server that stops without draining)."""
        for process in list(self._running):
            process.kill()
        self._threads.shutdown(wait=False)
