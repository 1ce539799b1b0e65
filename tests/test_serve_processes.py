"""``supplynet serve --processes 2``: two server processes behind one port, each with its
own event loop. An operation started on one is found, cancelled and watched through the
other (forwarded to the process that owns it, errors with their details), and a SIGTERM
to the first stops them all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rpc_harness import error_info

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.rpc.processes import Peers
from supplynet.server.rpc.status import REQUEST_ID_KEY
from supplynet.v1 import common_pb2, operation_pb2, replenishment_pb2, replenishment_pb2_grpc

State = operation_pb2.OperationState
SEPARATE_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]
"""Each channel its own TCP connection: the kernel picks a process per connection."""


@contextmanager
def _serving(store: Path) -> Iterator[tuple[subprocess.Popen[str], str, list[int]]]:
    """``supplynet serve --processes 2`` on ``store``: the process, address and pids."""
    env = {**os.environ, "SUPPLYNET_DATA": str(store)}
    env.pop("NEO4J_URI", None)
    command = [sys.executable, "-m", "supplynet.server.cli", "serve", "--address", "127.0.0.1:0",
               "--processes", "2", "--workers", "2", "--log-level", "WARNING"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(
            r"serving on (127\.0\.0\.1:\d+).*2 server processes \(pid ([\d, ]+)\)", line
        )
        assert found, line
        yield process, found.group(1), [int(pid) for pid in found.group(2).split(", ")]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def served(tiny: SyntheticDataset, tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """The tiny store served by two processes: their address and process ids; a SIGTERM
    to the first stops both after the test."""
    EmbeddedStore(tmp_path).import_bundle(tiny.network, tiny.demand, None)
    with _serving(tmp_path) as (process, target, pids):
        yield target, pids
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        for pid in pids[1:]:  # the first process waits for the others before it exits
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)


def test_when_one_process_dies_the_others_stop_with_an_error(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """A supervisor then restarts the whole service, not half of it."""
    EmbeddedStore(tmp_path).upsert_network(tiny.network)
    with _serving(tmp_path) as (process, _, pids):
        os.kill(pids[1], signal.SIGKILL)
        assert process.wait(timeout=60) != 0
        assert process.stderr is not None
        assert "a server process exited unexpectedly" in process.stderr.read()


def _one_channel_per_process(target: str) -> list[grpc.Channel]:
    """Channels until two reach different processes (told apart by the per-process prefix
    of the request ids they send back); the others are closed."""
    by_process: dict[str, grpc.Channel] = {}
    for _ in range(64):
        channel = grpc.insecure_channel(target, options=SEPARATE_CONNECTION)
        _, call = health_pb2_grpc.HealthStub(channel).Check.with_call(
            health_pb2.HealthCheckRequest(), timeout=10
        )
        rid = dict(call.trailing_metadata())[REQUEST_ID_KEY]
        if rid[:8] in by_process:
            channel.close()
        else:
            by_process[rid[:8]] = channel
        if len(by_process) == 2:
            return list(by_process.values())
    raise AssertionError("64 connections all reached one process")


def test_operations_are_found_from_either_process(
    served: tuple[str, list[int]], tiny: SyntheticDataset
) -> None:
    target, _ = served
    first, second = (
        replenishment_pb2_grpc.ReplenishmentServiceStub(channel)
        for channel in _one_channel_per_process(target)
    )
    request = replenishment_pb2.StartPlanRequest(
        scope=common_pb2.Scope(sku_ids=[s.id for s in tiny.network.skus[:2]]),
        horizon_days=366,
        forecast_model="seasonal_naive",
        time_limit_seconds=120,
    )
    started = first.StartPlan(request, timeout=30)
    owner = started.name.removeprefix("operations/").partition("-")[0]
    assert owner in {"0", "1"}

    seen = second.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
    assert seen.name == started.name
    cancel = replenishment_pb2.CancelOperationRequest(name=started.name)
    cancelled = second.CancelOperation(cancel, timeout=30)
    assert cancelled.done and cancelled.metadata.state == State.OPERATION_STATE_CANCELLED
    watch = replenishment_pb2.WatchOperationRequest(name=started.name)
    watched = list(second.WatchOperation(watch, timeout=30))
    assert watched[-1].metadata.state == State.OPERATION_STATE_CANCELLED
    mine = first.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
    assert mine.metadata.state == State.OPERATION_STATE_CANCELLED

    unknown = replenishment_pb2.GetOperationRequest(name=f"operations/{owner}-nope")
    with pytest.raises(grpc.RpcError) as caught:
        second.GetOperation(unknown, timeout=30)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(caught.value).reason == "NOT_FOUND"


def test_only_another_process_s_operation_ids_are_forwarded(tmp_path: Path) -> None:
    async def owners() -> list[bool]:
        peers = Peers(index=1, count=3, folder=tmp_path)
        ids = ("0-abc", "2-abc", "1-abc", "3-abc", "abc", "x-abc", "²-abc", "-abc")
        found = [peers.owner(key) is not None for key in ids]
        await peers.close()
        return found

    assert asyncio.run(owners()) == [True, True, False, False, False, False, False, False]
    assert Peers().owner("0-abc") is None, "a single process answers every id itself"
    assert [Peers(0, 3).share(n) for n in (1, 2, 16)] == [1, 1, 6]
