"""A running server sees another process's write on its next call: its cached network is
invalidated by the store's version (embedded: the manifest; Neo4j: a change counter),
not by a timer, on both stores; reads leave the version alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from rpc_harness import running_server, settings

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import Network
from supplynet.graph.open_store import open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.v1 import network_pb2, network_pb2_grpc

MORE = 100.0


def _restocked(tiny: SyntheticDataset) -> Network:
    """The first inventory position with ``MORE`` units on hand."""
    first = tiny.network.inventory_positions[0]
    more = first.model_copy(update={"on_hand": first.on_hand + MORE})
    return Network.build(check_references=False, inventory_positions=[more])


def _sees_a_write_at_once(
    server_store: GraphStore | None,
    data_dir: Path,
    writer: Callable[[], GraphStore],
    tiny: SyntheticDataset,
    **values: float,
) -> tuple[float, float]:
    """Units on hand a client reads before and right after another process's write."""
    with running_server(settings(data_dir, **values), server_store) as server:
        stub = network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))
        ask = network_pb2.GetNetworkSummaryRequest()
        before = stub.GetNetworkSummary(ask).units_on_hand
        other = writer()
        version = other.version()
        other.snapshot()
        assert other.version() == version, "a read leaves the version alone"
        other.upsert_network(_restocked(tiny))
        assert other.version() != version
        other.close()
        return before, stub.GetNetworkSummary(ask).units_on_hand


def test_embedded_store_writes_are_seen_on_the_next_call(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """By default the next call sees the write; a trust period (cache_seconds) hides it."""
    EmbeddedStore(tmp_path).upsert_network(tiny.network)
    before, after = _sees_a_write_at_once(None, tmp_path, lambda: EmbeddedStore(tmp_path), tiny)
    assert after == pytest.approx(before + MORE)
    stale = _sees_a_write_at_once(
        None, tmp_path, lambda: EmbeddedStore(tmp_path), tiny, cache_seconds=3600.0
    )
    assert stale[1] == stale[0], "within cache_seconds the version is not asked"


def test_neo4j_writes_are_seen_on_the_next_call(
    tiny: SyntheticDataset, tmp_path: Path, neo4j_store: Neo4jStore, neo4j_env: None
) -> None:
    """Another process's write through Bolt bumps the change counter the server checks."""
    neo4j_store.upsert_network(tiny.network)
    before, after = _sees_a_write_at_once(neo4j_store, tmp_path, open_store, tiny)
    assert after == pytest.approx(before + MORE)
