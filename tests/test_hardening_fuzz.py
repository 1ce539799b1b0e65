"""Every RPC with generated messages and raw bytes: never INTERNAL or UNKNOWN, still SERVING.

A real server on a socket over the tiny network; hypothesis draws requests from each
method's proto descriptor (``fuzz_support``), derandomized so CI runs the same cases
every time. The bench runs >= 10,000 cases.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import grpc
import pytest
from fuzz_support import FORBIDDEN, Rpc, call, every_rpc, messages
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rpc_harness import ServerThread, running_server
from rpc_harness import settings as server_settings

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset

CASES_PER_RPC = 6
RAW_CASES = 3


def fuzzed_rpcs() -> list[object]:
    return [pytest.param(rpc, id=rpc.descriptor.name) for rpc in every_rpc()]


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("fuzz")
    start = tiny.demand["date"].min()
    recent = tiny.demand[tiny.demand["date"] < start + (tiny.demand["date"].max() - start) / 4]
    EmbeddedStore(root).import_bundle(tiny.network, recent, tiny.deliveries.iloc[:50])
    with running_server(server_settings(root, max_operations=2, workers=1)) as running:
        yield running


@pytest.fixture(scope="module")
def channel(server: ServerThread) -> Iterator[grpc.Channel]:
    opened = grpc.insecure_channel(server.target)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def ids(tiny: SyntheticDataset) -> tuple[str, ...]:
    network = tiny.network
    return tuple(
        [w.id for w in network.warehouses] + [s.id for s in network.stores[:2]]
        + [k.id for k in network.skus[:2]] + [s.id for s in network.suppliers[:1]]
    )  # fmt: skip


@pytest.mark.parametrize("rpc", fuzzed_rpcs())
@settings(
    max_examples=CASES_PER_RPC,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_generated_requests_never_end_internal(
    channel: grpc.Channel, ids: tuple[str, ...], rpc: Rpc, data: st.DataObject
) -> None:
    """Whatever the fields hold, the answer is a status the client can act on."""
    request = data.draw(messages(rpc.input, ids))
    assert call(channel, rpc, request) not in FORBIDDEN, request


@pytest.mark.parametrize("rpc", every_rpc(), ids=lambda rpc: rpc.descriptor.name)
def test_raw_bytes_never_end_internal(channel: grpc.Channel, rpc: Rpc) -> None:
    """Bytes that are no message of the method's type are INVALID_ARGUMENT, not INTERNAL."""
    rng = random.Random(rpc.path)
    garbage = [b"\xff", b"\x0a\xff\xff\xff\xff", rng.randbytes(64)][:RAW_CASES]
    for payload in garbage:
        assert call(channel, rpc, payload) not in FORBIDDEN, payload


def test_server_is_serving_after_the_fuzzing(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    answer = health.Check(health_pb2.HealthCheckRequest(service=""))
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
