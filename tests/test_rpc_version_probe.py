"""The server's version checks: a local store's is read in the event loop once per pass of
the loop (every call a pass serves arrived before it began), a remote store's in a thread
shared by the calls that arrive while it runs."""

from __future__ import annotations

import asyncio
import threading

from supplynet.server.rpc.state import VersionProbe


def test_an_inline_probe_reads_once_per_pass_of_the_loop() -> None:
    reads: list[int] = []

    def version() -> int:
        reads.append(len(reads) + 1)
        return reads[-1]

    async def calls() -> list[int]:
        probe = VersionProbe(version, inline=True)
        same_pass = [await probe.current(), probe.now(), await probe.current()]
        await asyncio.sleep(0)  # the next pass: a call arriving now may follow a write
        return [*same_pass, await probe.current()]

    assert asyncio.run(calls()) == [1, 1, 1, 2]
    assert reads == [1, 2]


def test_a_thread_probe_is_shared_by_the_calls_that_arrive_while_it_runs() -> None:
    release = threading.Event()
    reads: list[str] = []

    def version() -> str:
        release.wait(10)
        reads.append("read")
        return "v1"

    async def calls() -> list[str]:
        probe = VersionProbe(version)
        waiting = [asyncio.ensure_future(probe.current()) for _ in range(5)]
        await asyncio.sleep(0.01)
        release.set()
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(calls()) == ["v1"] * 5
    assert reads == ["read"]
