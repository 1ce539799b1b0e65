"""Assemble the gRPC server: services, health, reflection, interceptors, TLS, shutdown.

``create_server`` builds and starts a server and returns its port (tests bind port
0); ``serve`` runs one until SIGINT/SIGTERM and then drains in-flight calls.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.store import GraphStore
from supplynet.server.rpc import (
    forecast,
    network,
    pricing,
    recommendation,
    replenishment,
    risk,
    routing,
    simulation,
)
from supplynet.server.rpc.interceptors import CallGuard
from supplynet.server.rpc.processes import (
    Lifecycle,
    Peers,
    Ready,
    serve_processes,
    stop_on_signals,
)
from supplynet.server.rpc.settings import ServeSettings
from supplynet.server.rpc.state import ServerState

log = logging.getLogger("supplynet.rpc")

SERVICE_MODULES = (
    network,
    forecast,
    risk,
    replenishment,
    routing,
    pricing,
    recommendation,
    simulation,
)
"""Each has ``register(server, state) -> full service name``."""


@dataclass
class RunningServer:
    """A started server with what ``stop`` must release."""

    server: grpc.aio.Server
    state: ServerState
    health: health.aio.HealthServicer
    services: tuple[str, ...]

    async def stop(self, grace: float | None) -> None:
        """Report NOT_SERVING, let in-flight calls finish for ``grace`` seconds, then close."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.state.close()
        gc.unfreeze()  # let what the server held be collected (and finalised at exit)


async def create_server(
    settings: ServeSettings, store: GraphStore | None = None, peers: Peers | None = None
) -> tuple[RunningServer, int]:
    """Build and start a server for ``settings``; returns it and the bound port. ``peers``
    places it among several processes behind the same port (``processes``).

    Raises
    ------
    ValidationFailed
        When the settings are unsafe or incomplete (see ``ServeSettings.problems``) or the
        address cannot be bound.
    """
    settings.check()
    token = settings.token.get_secret_value() if settings.token is not None else None
    limit = settings.max_message_bytes
    peers = peers if peers is not None else Peers()
    shared = peers.count > 1
    server = grpc.aio.server(
        interceptors=[CallGuard(token)],
        options=[
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", limit),
            # only processes of one server share its port, never an unrelated server
            ("grpc.so_reuseport", int(shared)),
        ],
    )
    state = ServerState(settings, store, peers=peers)
    generic = cast(grpc.aio.Server, GenericHandlersOnly(server))
    services = tuple(module.register(generic, state) for module in SERVICE_MODULES)
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, generic)
    names = (*services, health.SERVICE_NAME, reflection.SERVICE_NAME)
    # the real server: reflection picks its asyncio servicer by the server's type
    reflection.enable_server_reflection(names, server)
    port = _bind(server, settings)
    if shared:
        server.add_insecure_port(peers.socket(peers.index))
    await server.start()
    # the imported libraries are ~0.5M objects that live as long as the server: frozen, a
    # full garbage collection no longer walks them (it stalled every call by 100+ ms)
    gc.freeze()
    for name in ("", *services):
        await checker.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, state, checker, services), port


class GenericHandlersOnly:
    """The server as the generated ``add_*Servicer_to_server`` functions see it: each
    service is served by the generic handler they add, not also as registered methods.

    grpcio's aio server keeps one pending request per registered method and waits on all
    of them with ``asyncio.wait`` twice per call (grpc/grpc#43461, open): with this API's
    ~25 methods that was ~40 us of every call's event-loop time, against a dictionary
    lookup per service for the generic handlers.
    """

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(
        self, service: str, handlers: Mapping[str, grpc.RpcMethodHandler]
    ) -> None:
        """Left out: the generic handler added with them serves the same methods."""


def _bind(server: grpc.aio.Server, settings: ServeSettings) -> int:
    try:
        if settings.uses_tls:
            assert settings.tls_cert is not None and settings.tls_key is not None
            credentials = grpc.ssl_server_credentials(
                [(settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())]
            )
            port: int = server.add_secure_port(settings.address, credentials)
        else:
            port = server.add_insecure_port(settings.address)
    except RuntimeError as error:
        port = 0
        reason = f"cannot bind: {error}"
    else:
        reason = "cannot bind (in use or not a local address?)"
    if port == 0:
        raise ValidationFailed([Problem("address", reason)], "server settings")
    return port


async def serve(
    settings: ServeSettings, ready: Ready | None = None, log_level: str = "INFO"
) -> None:
    """Run until SIGINT or SIGTERM, then drain in-flight calls for ``grace_seconds``; with
    ``processes`` above 1, as process 0 of that many (``log_level`` is theirs)."""
    if settings.processes > 1:
        await serve_processes(settings, serve_one, ready, log_level)
        return

    async def bound(port: int) -> None:
        """Nothing to say before the reads: scripts wait for the ``ready`` line."""

    async def warmed(port: int, pids: tuple[int, ...]) -> None:
        if ready is not None:
            ready(port, pids)

    await serve_one(settings, Peers(), Lifecycle(bound, warmed), stop_on_signals())


async def serve_one(
    settings: ServeSettings, peers: Peers, lifecycle: Lifecycle, stop: asyncio.Event
) -> None:
    """One server process: bind, warm up (it serves meanwhile, more slowly), say it is
    ready, serve until ``stop``, then drain in-flight calls for ``grace_seconds``."""
    running, port = await create_server(settings, peers=peers)
    warming = running.state.warm()
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await lifecycle.bound(port)
        first: set[asyncio.Future[Any]] = {warming, stopping}
        await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
        if not stopping.done():
            await lifecycle.ready(port, (os.getpid(),))
            await stopping
    finally:
        warming.cancel()  # stopped while still warming up: nothing to report
        stopping.cancel()
        log.info("stopping: draining in-flight calls for up to %.0f s", settings.grace_seconds)
        await running.stop(settings.grace_seconds)
