"""What every servicer shares: settings, the store, a cached snapshot, the job runner.

Store calls block (files, Bolt), so they run in threads. The full network is
cached for ``cache_seconds`` and re-read in the background after that, so light
reads never wait on the store; the server's own writes refresh it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from graph.network import Network
from graph.open_store import open_store
from graph.store import GraphStore
from server.rpc.jobs import JobRunner
from server.rpc.settings import ServeSettings

T = TypeVar("T")

JOB_PRELOAD = ("pandas",)
"""Imported once by the forkserver: every job forks with these ready."""


class ServerState:
    """Shared by the servicers of one server; ``close`` releases the store."""

    def __init__(self, settings: ServeSettings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else open_store(settings.store)
        self.jobs = JobRunner(settings.workers, JOB_PRELOAD)
        self._network: Network | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()
        self._refresh: asyncio.Task[Network] | None = None

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        """Run a blocking store call in a thread."""
        return await asyncio.to_thread(fn, *args)

    async def network(self) -> Network:
        """The whole stored network, at most ``cache_seconds`` old."""
        if self._network is None:
            async with self._lock:
                if self._network is None:
                    await self._reload()
        elif time.monotonic() - self._read_at > self.settings.cache_seconds and (
            self._refresh is None or self._refresh.done()
        ):
            self._refresh = asyncio.create_task(self._reload())
        assert self._network is not None
        return self._network

    async def _reload(self) -> Network:
        network = await self.call(self.store.snapshot)
        self._network, self._read_at = network, time.monotonic()
        return network

    async def upsert(self, network: Network) -> dict[str, int]:
        """Write a (partial) network and refresh the cache."""
        async with self._lock:
            written = await self.call(self.store.upsert_network, network)
            await self._reload()
        return written

    async def close(self) -> None:
        """Stop background work and release the store."""
        if self._refresh is not None and not self._refresh.done():
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh
        self.jobs.shutdown()
        self.store.close()
