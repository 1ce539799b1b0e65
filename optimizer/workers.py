"""Worker processes for the solvers' parallel parts, safe from any caller.

A single-threaded caller forks its workers (instant: imports and data are inherited);
a multi-threaded one (the demo's progress bar, the gRPC server) must not fork, so its
workers come from a forkserver that preloads the solver's module. Each worker answers
on its own pipe; the caller stops whatever is still running when it is done waiting.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, cast

WorkerContext = ForkContext | ForkServerContext


def worker_context(preload: str) -> WorkerContext:
    """Fork when this process has a single thread, else a forkserver preloading ``preload``."""
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = cast("WorkerContext", multiprocessing.get_context(method))
    if method == "forkserver":
        multiprocessing.set_forkserver_preload([preload])
    return context


def start_worker(
    context: WorkerContext, target: Callable[..., None], *args: Any
) -> tuple[BaseProcess, Connection]:
    """Start ``target(send, *args)`` in a daemonic process; returns it and its receiving end."""
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(send, *args), daemon=True)
    process.start()
    send.close()
    return process, receive


def stop_worker(process: BaseProcess, receive: Connection) -> None:
    """Stop a worker that is still running and release its pipe."""
    if process.is_alive():
        process.terminate()
    process.join(timeout=1.0)
    receive.close()
