"""Several server processes behind one port: ``supplynet serve --processes N``.

One Python process serves from one event loop on one core, and gRPC's own work per call
in that loop's thread (~200 us) caps it at a few thousand light calls per second. With
N processes, each binds the same port (``SO_REUSEPORT``: the kernel spreads connections
over them) and has its own loop, caches, job workers and operation limit (``workers``
and ``max_operations`` are shared out, so the totals stay what was configured).

Long-running operations live in the memory of the process that started them: their ids
name it (``<index>-<uuid>``), and a Get, Watch or Cancel that reaches another process is
forwarded to the owner over the owner's Unix socket, in a folder only this user can open,
with the caller's token and request id. Process 0 binds first (so port 0 works), starts
the others and says it serves once they all do; they stop when it goes, and it stops
them all when one dies (so a supervisor restarts the whole service, not half of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import grpc

from supplynet.graph.errors import Problem, SupplynetError, ValidationFailed
from supplynet.server.rpc.status import REQUEST_ID_KEY, request_id
from supplynet.v1 import replenishment_pb2_grpc

if TYPE_CHECKING:
    from supplynet.server.rpc.settings import ServeSettings

log = logging.getLogger("supplynet.rpc")

T = TypeVar("T")
Ready = Callable[[int, tuple[int, ...]], None]
"""Told the bound port and the serving processes' ids once every process serves."""


@dataclass(frozen=True)
class Lifecycle:
    """What one server process says as it starts: ``bound`` once it listens (process 0
    starts the others then), ``ready`` once it has warmed up (read the network and demand,
    built the recommender) and serves."""

    bound: Callable[[int], Awaitable[None]]
    ready: Callable[[int, tuple[int, ...]], Awaitable[None]]


ServeOne = Callable[["ServeSettings", "Peers", Lifecycle, asyncio.Event], Awaitable[None]]
"""``app.serve_one``: one process, serving until the event is set."""


@dataclass
class Peers:
    """This process's place among the server processes, and stubs to the others."""

    index: int = 0
    count: int = 1
    folder: Path | None = None
    """Where each process's Unix socket is (``None`` for a single process)."""
    _stubs: dict[int, replenishment_pb2_grpc.ReplenishmentServiceStub] = field(default_factory=dict)
    _channels: list[grpc.aio.Channel] = field(default_factory=list)

    def socket(self, index: int) -> str:
        """The gRPC address of process ``index``'s private socket."""
        assert self.folder is not None
        return f"unix:{self.folder / f'{index}.sock'}"

    def share(self, total: int) -> int:
        """This process's part of a server-wide number (rounded up, at least 1)."""
        return max(1, -(-total // self.count))

    @property
    def operation_prefix(self) -> str:
        """What this process's operation ids start with (nothing for a single process)."""
        return f"{self.index}-" if self.count > 1 else ""

    def owner(self, operation_id: str) -> replenishment_pb2_grpc.ReplenishmentServiceStub | None:
        """A stub to the process that started ``operation_id``, when that is another one
        (``None``: this process answers, or says it does not know the id)."""
        head, dash, _ = operation_id.partition("-")
        if self.count == 1 or not dash or not (head.isascii() and head.isdigit()):
            return None
        index = int(head)
        if index == self.index or index >= self.count:
            return None
        stub = self._stubs.get(index)
        if stub is None:
            channel = grpc.aio.insecure_channel(self.socket(index))
            self._channels.append(channel)
            stub = replenishment_pb2_grpc.ReplenishmentServiceStub(channel)  # type: ignore[no-untyped-call]
            self._stubs[index] = stub
        return stub

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
        self._channels.clear()
        self._stubs.clear()


def forwarded_metadata(context: grpc.aio.ServicerContext) -> tuple[tuple[str, str], ...]:
    """What a forwarded call carries: the caller's token (the owner checks it again) and
    this call's request id (the owner logs under it and sends it back)."""
    token = tuple((k, v) for k, v in context.invocation_metadata() or () if k == "authorization")
    return (*token, (REQUEST_ID_KEY, request_id.get()))


async def forward(call: Awaitable[T], context: grpc.aio.ServicerContext) -> T:
    """The owner's answer, or its error as the caller's (code, message and details)."""
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        await _abort_as(error, context)
        raise


async def forward_stream(
    call: grpc.aio.UnaryStreamCall[Any, T], context: grpc.aio.ServicerContext
) -> AsyncIterator[T]:
    """The owner's stream, ended with its error as the caller's; cancelled with the caller."""
    try:
        async for item in call:
            yield item
    except grpc.aio.AioRpcError as error:
        await _abort_as(error, context)
    finally:
        call.cancel()


async def _abort_as(error: grpc.aio.AioRpcError, context: grpc.aio.ServicerContext) -> None:
    trailing = tuple(error.trailing_metadata() or ())
    await context.abort(error.code(), error.details() or "", trailing)


async def serve_processes(
    settings: ServeSettings, serve_one: ServeOne, ready: Ready | None, log_level: str
) -> None:
    """Process 0: bind, start the others on the bound port, say it serves once they all
    have warmed up, serve until told to stop."""
    folder = Path(tempfile.mkdtemp(prefix="supplynet-serve-"))
    context = multiprocessing.get_context("spawn")
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    stop = stop_on_signals()

    async def bound(port: int) -> None:
        host = settings.address.rpartition(":")[0]
        on_port = settings.model_copy(update={"address": f"{host}:{port}"})
        for index in range(1, settings.processes):
            mine, theirs = context.Pipe()
            child = context.Process(
                target=_child,
                args=(on_port, index, folder, log_level, theirs),
                name=f"supplynet-serve-{index}",
            )
            child.start()
            theirs.close()
            children.append((child, mine))

    async def all_ready(port: int, pids: tuple[int, ...]) -> None:
        for index, (process, pipe) in enumerate(children, start=1):
            if not await asyncio.to_thread(_answered, process, pipe):
                raise ValidationFailed(
                    [Problem("processes", f"server process {index} exited before serving")],
                    "server settings",
                )
        if ready is not None:
            ready(port, (*pids, *(process.pid or 0 for process, _ in children)))
        sentinels = [process.sentinel for process, _ in children]
        watch = asyncio.get_running_loop().run_in_executor(None, _one_exits, sentinels)
        watch.add_done_callback(lambda _: _one_died(stop, died))

    died: list[bool] = []
    try:
        peers = Peers(0, settings.processes, folder)
        await serve_one(settings, peers, Lifecycle(bound, all_ready), stop)
        if died:  # a failure, for a supervisor to restart the service
            raise SupplynetError("a server process exited unexpectedly; stopped the others")
    finally:
        for child, _ in children:
            if child.is_alive():
                child.terminate()  # SIGTERM: it drains like this one
        for child, pipe in children:
            await asyncio.to_thread(child.join, settings.grace_seconds + 10)
            if child.is_alive():
                child.kill()
                await asyncio.to_thread(child.join)
            pipe.close()
        shutil.rmtree(folder, ignore_errors=True)


def _answered(child: multiprocessing.process.BaseProcess, pipe: Connection) -> bool:
    """Whether ``child`` says it serves (False: it exited first)."""
    ready = multiprocessing.connection.wait([pipe, child.sentinel])
    if pipe not in ready:
        return False
    try:
        pipe.recv()
    except EOFError:
        return False
    return True


def _one_exits(sentinels: list[int]) -> None:
    """Block until one of the processes behind ``sentinels`` has exited."""
    multiprocessing.connection.wait(sentinels)


def _one_died(stop: asyncio.Event, died: list[bool]) -> None:
    if not stop.is_set():
        log.error("a server process exited; stopping the others")
        died.append(True)
        stop.set()


def run_in_loop(settings: ServeSettings, main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` to the end on the event loop ``settings`` name (uvloop or asyncio's)."""
    import uvloop

    loop_factory = uvloop.new_event_loop if settings.event_loop == "uvloop" else None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _child(
    settings: ServeSettings, index: int, folder: Path, log_level: str, parent: Connection
) -> None:
    """Process ``index`` (spawned): serve on the bound port until a signal or until process
    0 goes (its end of ``parent`` closes)."""
    from supplynet.server.rpc.app import serve_one
    from supplynet.server.rpc.interceptors import configure_logging

    configure_logging(log_level)

    async def run() -> None:
        stop = stop_on_signals()
        loop = asyncio.get_running_loop()
        # a daemon thread, not the loop's executor: shutting down waits for those
        watcher = threading.Thread(target=_stop_when_closed, args=(parent, loop, stop))
        watcher.daemon = True
        watcher.start()

        async def bound(port: int) -> None:
            """Nothing to say: process 0 waits for ``ready``."""

        async def ready(port: int, pids: tuple[int, ...]) -> None:
            parent.send(os.getpid())

        peers = Peers(index, settings.processes, folder)
        await serve_one(settings, peers, Lifecycle(bound, ready), stop)

    run_in_loop(settings, run())


def _stop_when_closed(
    parent: Connection, loop: asyncio.AbstractEventLoop, stop: asyncio.Event
) -> None:
    _wait_closed(parent)
    with contextlib.suppress(RuntimeError):  # the loop has closed already
        loop.call_soon_threadsafe(stop.set)


def _wait_closed(parent: Connection) -> None:
    """Block until process 0 closes its end (it exited, or crashed)."""
    try:
        while True:
            parent.recv()
    except (EOFError, OSError):
        return
