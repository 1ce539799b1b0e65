"""The gRPC door under hostile input and load: bounded, authenticated first, never INTERNAL.

Reproductions from issue 22 against a real server on a socket (embedded store, the
tiny preset): a full operation queue, a refused token with an unparseable message,
error details that must fit the client's 8 KiB trailer limit, page tokens that
crashed the server, partial and empty upserts, and a stream over its size limit.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import grpc
import pytest
from google.rpc import error_details_pb2
from rpc_harness import ServerThread, rich_status, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.v1 import (
    common_pb2,
    network_pb2,
    network_pb2_grpc,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

TOKEN = "hardening-token"
AUTH = (("authorization", f"Bearer {TOKEN}"),)


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    """Token auth, one operation at a time, 1 MiB streams, one worker process."""
    root = tmp_path_factory.mktemp("hardening")
    start = tiny.demand["date"].min()
    recent = tiny.demand[tiny.demand["date"] < start + (tiny.demand["date"].max() - start) / 4]
    EmbeddedStore(root).import_bundle(tiny.network, recent, None)
    configured = settings(root, token=TOKEN, max_operations=1, max_stream_mb=1, workers=1)
    with running_server(configured) as running:
        yield running


@pytest.fixture(scope="module")
def channel(server: ServerThread) -> Iterator[grpc.Channel]:
    """A client with grpc-core's default 8 KiB limit on received metadata."""
    opened = grpc.insecure_channel(server.target, options=[("grpc.max_metadata_size", 8192)])
    yield opened
    opened.close()


@pytest.fixture
def network(channel: grpc.Channel) -> network_pb2_grpc.NetworkServiceStub:
    return network_pb2_grpc.NetworkServiceStub(channel)


def test_full_operation_queue_is_resource_exhausted_with_retry_info(
    channel: grpc.Channel,
) -> None:
    """With the limit reached StartPlan answers RESOURCE_EXHAUSTED and a retry delay; a
    cancelled operation frees its slot."""
    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(channel)
    request = replenishment_pb2.StartPlanRequest(
        horizon_days=180, forecast_model="seasonal_naive", time_limit_seconds=600
    )
    first = stub.StartPlan(request, metadata=AUTH)
    try:
        with pytest.raises(grpc.RpcError) as full:
            stub.StartPlan(request, metadata=AUTH)
        assert full.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        retry = [
            d
            for d in rich_status(full.value).details
            if d.Is(error_details_pb2.RetryInfo.DESCRIPTOR)
        ]
        assert len(retry) == 1
        info = error_details_pb2.RetryInfo()
        retry[0].Unpack(info)
        assert info.retry_delay.seconds >= 1
    finally:
        stub.CancelOperation(
            replenishment_pb2.CancelOperationRequest(name=first.name), metadata=AUTH
        )
    again = stub.StartPlan(request, metadata=AUTH)
    stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=again.name), metadata=AUTH)


@pytest.mark.parametrize("size", [16, 4 * 1024 * 1024])
def test_wrong_token_is_refused_before_the_request_is_parsed(
    channel: grpc.Channel, size: int
) -> None:
    """Bytes that are no protobuf at all get UNAUTHENTICATED: the server never parsed them."""
    raw = channel.unary_unary("/supplynet.v1.NetworkService/BatchUpsertNetwork")
    with pytest.raises(grpc.RpcError) as refused:
        raw(b"\xff" * size, metadata=(("authorization", "Bearer wrong"),))
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_hundreds_of_violations_fit_the_client_trailer_limit(
    network: network_pb2_grpc.NetworkServiceStub,
) -> None:
    """300 bad stores with 5,000-character ids: INVALID_ARGUMENT with details, first ones kept."""
    long_id = "x" * 5000
    nodes = [
        network_pb2.Node(store=network_pb2.Store(id=f"{long_id}{i}", name="s", latitude=999))
        for i in range(300)
    ]
    with pytest.raises(grpc.RpcError) as rejected:
        network.BatchUpsertNetwork(
            network_pb2.BatchUpsertNetworkRequest(nodes=nodes), metadata=AUTH
        )
    assert rejected.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    found = violations(rejected.value)
    assert "nodes[0].store.latitude" in found
    assert any("more violation" in description for description in found.values())


def test_long_unknown_id_is_not_found_with_details(
    network: network_pb2_grpc.NetworkServiceStub,
) -> None:
    """A 5,000-character node name comes back NOT_FOUND, its echo cut to fit."""
    with pytest.raises(grpc.RpcError) as missing:
        network.GetNode(network_pb2.GetNodeRequest(name="nodes/" + "y" * 5000), metadata=AUTH)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert len(rich_status(missing.value).message) <= 400


@pytest.mark.parametrize("offset", ["²", "9" * 5000, "-1", " 1"])
def test_foreign_page_tokens_are_invalid_argument(
    network: network_pb2_grpc.NetworkServiceStub, offset: str
) -> None:
    """``offset:²`` and 5,000 digits were INTERNAL; now the token is named as invalid."""
    token = base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()
    with pytest.raises(grpc.RpcError) as bad:
        network.ListNodes(network_pb2.ListNodesRequest(page_token=token), metadata=AUTH)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in violations(bad.value)


def test_batch_with_a_kindless_node_is_rejected_whole(
    network: network_pb2_grpc.NetworkServiceStub,
) -> None:
    """A valid node beside an empty ``Node()`` is not written: the batch is one unit."""
    good = network_pb2.Node(sku=network_pb2.Sku(id="NEW-SKU", name="n", category="c"))
    request = network_pb2.BatchUpsertNetworkRequest(nodes=[good, network_pb2.Node()])
    with pytest.raises(grpc.RpcError) as rejected:
        network.BatchUpsertNetwork(request, metadata=AUTH)
    assert violations(rejected.value) == {"nodes[1]": "kind not set"}
    with pytest.raises(grpc.RpcError) as missing:
        network.GetNode(network_pb2.GetNodeRequest(name="nodes/NEW-SKU"), metadata=AUTH)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


def test_empty_upsert_is_rejected(network: network_pb2_grpc.NetworkServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as rejected:
        network.BatchUpsertNetwork(network_pb2.BatchUpsertNetworkRequest(), metadata=AUTH)
    assert "nodes" in violations(rejected.value)


def test_stream_over_its_total_limit_is_rejected_while_receiving(
    network: network_pb2_grpc.NetworkServiceStub,
) -> None:
    """Chunks past the 1 MiB total end the call at once, naming the chunk that crossed it."""
    sent: list[int] = []

    def chunks() -> Iterator[network_pb2.StreamUpsertNetworkRequest]:
        for index in range(40):
            sent.append(index)
            sku = network_pb2.Sku(id=f"BIG{index}", name="n" * 100_000, category="c")
            yield network_pb2.StreamUpsertNetworkRequest(nodes=[network_pb2.Node(sku=sku)])

    with pytest.raises(grpc.RpcError) as rejected:
        network.StreamUpsertNetwork(chunks(), metadata=AUTH)
    assert rejected.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert any("exceeds" in description for description in violations(rejected.value).values())


def test_summary_of_an_unknown_scope_names_the_ids(
    network: network_pb2_grpc.NetworkServiceStub,
) -> None:
    """GetNetworkSummary with an unknown warehouse answers INVALID_ARGUMENT, not zeros."""
    request = network_pb2.GetNetworkSummaryRequest(scope=common_pb2.Scope(warehouse_ids=["NOPE"]))
    with pytest.raises(grpc.RpcError) as unknown:
        network.GetNetworkSummary(request, metadata=AUTH)
    assert violations(unknown.value) == {"scope": "unknown warehouse 'NOPE'"}
