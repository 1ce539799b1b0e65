"""What every servicer shares: settings, the store, cached reads, jobs and operations.

Store calls block (files, Bolt), so they run in threads (the embedded store's version,
one small file, is read in the event loop: ``VersionProbe``). The network and the demand
history (with its cleaned series index) are cached and invalidated by the store's
version, not by a timer: every read first asks the store for ``version()`` (the embedded
store's live manifest, which names its network version folder and history parts; Neo4j's
change counter, bumped by every write transaction) and re-reads only when it changed, so
a CLI write to the same store is seen by the next call. ``cache_seconds`` above 0 skips
the version check for that long (for a store behind a slow link). The series index is
rebuilt only when the demand changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pandas as pd

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.history import DEMAND
from supplynet.graph.network import Network
from supplynet.graph.open_store import open_store
from supplynet.graph.scope import Scope
from supplynet.graph.store import GraphStore, history_in_scope
from supplynet.server.app.models import ModelStore
from supplynet.server.app.settings import AppSettings
from supplynet.server.rpc.index_file import IndexFile
from supplynet.server.rpc.jobs import JobRunner
from supplynet.server.rpc.operations import Operations
from supplynet.server.rpc.processes import Peers
from supplynet.server.rpc.settings import ServeSettings

T = TypeVar("T")

log = logging.getLogger("supplynet.rpc")

JOB_PRELOAD = (
    "supplynet.server.cli",
    "supplynet.server.rpc.tasks",
)
"""Imported once by the forkserver: every job forks with the CLI (the usual ``__main__``),
pandas, forecasting and OR-Tools ready."""


class VersionProbe(Generic[T]):
    """The store's version (or a model file's), asked for by every cached read and shared
    between them.

    A remote store (``inline`` false: Neo4j's change counter is a query) is asked in a
    thread, and a read that arrives while a check is running waits for that check instead
    of starting its own: fifty concurrent light calls cost one store read, not fifty thread
    hops queued behind each other.

    A local one (``inline``: the embedded store's manifest, a model file's stamp, ~20 us)
    is asked in the event loop itself, once per pass of the loop: every call that a pass
    serves arrived before the pass began, so the answer read first in the pass is as new
    as each of them needs, and the next pass asks again. Under load a pass serves many
    calls; the thread hop it replaces cost ~150 us of server CPU per call (the worker's
    wake-up and GIL hand-offs, ``to_thread``'s set-up).
    """

    def __init__(self, version: Callable[[], T], inline: bool = False) -> None:
        self._version = version
        self.inline = inline
        self._running: asyncio.Future[T] | None = None
        self._this_pass: tuple[T] | None = None

    async def current(self) -> T:
        if self.inline:
            return self.now()
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(asyncio.to_thread(self._version))
        return await asyncio.shield(self._running)

    def now(self) -> T:
        """The version as of this pass of the event loop (an ``inline`` probe only)."""
        if self._this_pass is None:
            self._this_pass = (self._version(),)
            # call_soon runs at the start of the next pass, before the calls that arrive
            # meanwhile (their first steps queue behind it)
            asyncio.get_running_loop().call_soon(self._forget)
        return self._this_pass[0]

    def _forget(self) -> None:
        self._this_pass = None


class Cached(Generic[T]):
    """One value read from the store, reused while the store's version stays the same.

    ``recheck_s``: seconds to trust the value without asking for the version (0: ask on
    every read).
    """

    def __init__(
        self, load: Callable[[], T], version: VersionProbe[str], recheck_s: float = 0.0
    ) -> None:
        self._load = load
        self._version = version
        self._recheck_s = recheck_s
        self._value: T | None = None
        self._read_version: str | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()
        self._refresh: asyncio.Task[object] | None = None

    async def get(self, version: str | None = None) -> T:
        """The value as of ``version`` when the caller has just read the store's version
        (one check for several reads), else as of a version this read checks."""
        if self._value is not None and not await self._changed(version):
            return self._value
        async with self._lock:
            if self._value is None or await self._changed(version):
                return await self.reload(version)
            return self._value

    async def _changed(self, version: str | None) -> bool:
        if time.monotonic() - self._checked_at < self._recheck_s:
            return False
        if version is None:
            version = await self._version.current()
        self._checked_at = time.monotonic()
        return version != self._read_version

    def prefetch(self) -> asyncio.Task[object]:
        """Start the first read now, in the background, so the first call finds it done."""
        # the store may be down at start: the first call tries again
        self._refresh = asyncio.create_task(
            quietly(self.get(), "reading ahead failed; the first call will read again")
        )
        return self._refresh

    async def reload(self, version: str | None = None) -> T:
        if version is None:  # before the read: a write between re-reads
            version = await self._version.current()
        value = await asyncio.to_thread(self._load)
        self._value, self._read_version = value, version
        self._checked_at = time.monotonic()
        # a network is hundreds of thousands of long-lived objects: out of the collector's
        # sight, full collections stay short instead of stalling every call for ~100 ms
        gc.freeze()
        return value

    async def close(self) -> None:
        if self._refresh is not None and not self._refresh.done():
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh


async def quietly(work: Awaitable[T], failure: str) -> T | None:
    """``work``'s result, or ``None`` with ``failure`` logged (and its traceback): for
    background work whose failure a later call recovers from, never a caller's error."""
    try:
        return await work
    except Exception:
        log.warning(failure, exc_info=True)
        return None


@dataclass(frozen=True)
class IndexedDemand:
    """The demand history as read, a digest of its rows, its series index and that
    index's file, which jobs read (``IndexFile``; it lives as long as ``index``)."""

    raw: pd.DataFrame
    digest: bytes
    index: SeriesIndex
    file: IndexFile


class ServerState:
    """Shared by the servicers of one server; ``close`` stops the work and the store."""

    def __init__(
        self,
        settings: ServeSettings,
        store: GraphStore | None = None,
        app: AppSettings | None = None,
        peers: Peers | None = None,
    ) -> None:
        self.settings = settings
        self.peers = peers if peers is not None else Peers()
        """The other server processes behind the same port (their operations)."""
        self.app = app if app is not None else AppSettings()
        """The use cases' defaults: the same object the CLI reads."""
        self.models = ModelStore.beside(settings.store)
        self.store = store if store is not None else open_store(settings.store)
        self.jobs = JobRunner(
            self.peers.share(settings.workers), JOB_PRELOAD, settings.job_priority
        )
        self.operations = Operations(
            self.peers.share(settings.max_operations), self.peers.operation_prefix
        )
        self.local_store = isinstance(self.store, EmbeddedStore)
        """Whether the store's version is a local file read (asked in the event loop)."""
        self._probe = VersionProbe(self.store.version, inline=self.local_store)
        self._network = Cached(self.store.snapshot, self._probe, settings.cache_seconds)
        self._indexed: IndexedDemand | None = None
        self._index_folder = Path(tempfile.mkdtemp(prefix="supplynet-index-"))
        self._demand = Cached(self._read_demand, self._probe, settings.cache_seconds)
        self._write_lock = asyncio.Lock()
        self._warmers: list[Callable[[], Awaitable[object]]] = []

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        """Run a blocking store call in a thread."""
        return await asyncio.to_thread(fn, *args)

    def warm(self) -> asyncio.Future[list[object]]:
        """Start the job workers and read what light calls need, in the background, then
        what servicers asked for (``warm_with``: the recommender).

        The future is done when that is (a failure is logged, not raised).
        """
        self.jobs.warm()
        reads = asyncio.gather(self._network.prefetch(), self._demand.prefetch())

        async def then_servicers() -> list[object]:
            await reads
            failure = "warming up failed; the first call will try again"
            warmed = [await quietly(warm(), failure) for warm in self._warmers]
            # what warming up imported (torch, for the recommender: ~0.3M objects) lives as
            # long as the server: left in the collector's sight, each full collection took
            # ~0.1 s and stalled every call in flight
            gc.freeze()
            return warmed

        return asyncio.ensure_future(then_servicers())

    def warm_with(self, warm: Callable[[], Awaitable[object]]) -> None:
        """Have ``warm`` run when the server warms up (after the network and demand reads)."""
        self._warmers.append(warm)

    def checked_version(self) -> str | None:
        """The store's version for a caller that reads other stamps at the same time and
        passes it to ``network``/``demand``: blocking (call it in a thread) for a remote
        store, this loop pass's shared answer for a local one (call it in the loop);
        ``None`` when reads trust their value for ``cache_seconds`` (then they check by
        themselves, as rarely as that)."""
        if self.settings.cache_seconds > 0:
            return None
        return self._probe.now() if self.local_store else self.store.version()

    async def network(self, version: str | None = None) -> Network:
        """The whole stored network as of the store's current version (or ``version``, the
        one ``checked_version`` just gave)."""
        return await self._network.get(version)

    async def demand(self, version: str | None = None) -> pd.DataFrame:
        """The whole demand history as of the store's current version (or ``version``)."""
        return (await self._demand.get(version)).raw

    async def demand_in(self, network: Network, scope: Scope | None) -> pd.DataFrame:
        """The cached demand history of a scope of ``network``."""
        demand = await self.demand()
        return await asyncio.to_thread(history_in_scope, demand, DEMAND, network, scope)

    async def series(self) -> SeriesIndex:
        """The cleaned demand history by series, as of the store's current version."""
        return (await self._demand.get()).index

    async def indexed(self) -> IndexedDemand:
        """The demand history with its series index and the index's file, for jobs."""
        return await self._demand.get()

    def _read_demand(self) -> IndexedDemand:
        """The stored demand and its series index, rebuilt only when the demand changed.

        Cleaning the whole history holds the GIL for most of a second (the demo's 212k
        rows), which would stall every light call after each unrelated write; hashing
        the rows to see whether anything changed takes ~25 ms. A new index is also
        written to its file (~0.2 s), once, instead of pickling rows to every job.
        """
        raw = self.store.read_demand()
        digest = hashlib.blake2b(
            pd.util.hash_pandas_object(raw, index=False).to_numpy().tobytes(), digest_size=16
        ).digest()
        if self._indexed is None or self._indexed.digest != digest:
            index = SeriesIndex(raw)
            file = IndexFile.write(index, self._index_folder)
            self._indexed = IndexedDemand(raw, digest, index, file)
        return self._indexed

    async def upsert(self, network: Network) -> dict[str, int]:
        """Write a (partial) network and refresh the cached one."""
        async with self._write_lock:
            written = await self.call(self.store.upsert_network, network)
            await self._network.reload()
        return written

    async def close(self) -> None:
        """Cancel operations, kill jobs, release the store."""
        await self.operations.close()
        await self.peers.close()
        await self._network.close()
        await self._demand.close()
        self.jobs.shutdown()
        self.store.close()
        shutil.rmtree(self._index_folder, ignore_errors=True)
