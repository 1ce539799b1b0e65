"""NetworkService over a real socket: upserts, reads, pagination, summary and every error."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from rpc_harness import ServerThread, error_info, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.model import BomLine, SupplyLanePrice
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import NODE_TABLES, Network
from supplynet.graph.scope import Scope
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.rpc.converters import node_to_proto
from supplynet.server.rpc.settings import ServeSettings
from supplynet.v1 import common_pb2, network_pb2, network_pb2_grpc


def _stub(server: ServerThread) -> network_pb2_grpc.NetworkServiceStub:
    return network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))


def _edges(network: Network) -> list[network_pb2.Edge]:
    kinds = {
        "supply_lanes": ("supply_lane", network_pb2.SupplyLane),
        "transport_lanes": ("transport_lane", network_pb2.TransportLane),
        "inventory_positions": ("inventory_position", network_pb2.InventoryPosition),
        "open_orders": ("open_order", network_pb2.OpenOrder),
        "substitutions": ("substitution", network_pb2.Substitution),
        "bill_of_materials": ("bom_line", network_pb2.BomLine),
        "supply_lane_prices": ("supply_lane_price", network_pb2.SupplyLanePrice),
    }
    edges = []
    for table, (field, message) in kinds.items():
        for record in network.table(table):
            values = {k: v for k, v in record.model_dump(mode="json").items() if v is not None}
            edges.append(network_pb2.Edge(**{field: message(**values)}))
    return edges


def _nodes(network: Network) -> list[network_pb2.Node]:
    return [node_to_proto(r) for table in NODE_TABLES for r in network.table(table)]


@pytest.fixture(scope="module")
def loaded(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    """A server over an embedded store holding the tiny network."""
    root = tmp_path_factory.mktemp("network")
    EmbeddedStore(root).upsert_network(tiny.network)
    with running_server(settings(root)) as server:
        yield server


def test_batch_upsert_then_read_back_preserves_every_record(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """Round trip: what an integrator pushes is what the store holds, table by table."""
    with running_server(settings(tmp_path)) as server:
        reply = _stub(server).BatchUpsertNetwork(
            network_pb2.BatchUpsertNetworkRequest(
                nodes=_nodes(tiny.network), edges=_edges(tiny.network)
            )
        )
    counts = {k: v for k, v in tiny.network.counts().items() if v}
    assert dict(reply.written) == counts
    assert EmbeddedStore(tmp_path).snapshot() == tiny.network


def _bom_line(network: Network) -> tuple[Network, network_pb2.Edge]:
    """A network with one BOM line, and a bad line (quantity 0)."""
    plant, (finished, part) = network.warehouses[0].id, network.skus[:2]
    line = BomLine(plant_id=plant, sku_id=finished.id, component_id=part.id, quantity_per_unit=3)
    bad = network_pb2.BomLine(
        plant_id=plant, sku_id=part.id, component_id=finished.id, quantity_per_unit=0
    )
    patch = Network.build(check_references=False, bill_of_materials=[line])
    return network.merge(patch), network_pb2.Edge(bom_line=bad)


def _lane_price(network: Network) -> tuple[Network, network_pb2.Edge]:
    """A network with a discount on its first supply lane, and a bad price (negative)."""
    lane = network.supply_lanes[0]
    keys = {
        "supplier_id": lane.supplier_id,
        "warehouse_id": lane.warehouse_id,
        "sku_id": lane.sku_id,
    }
    price = SupplyLanePrice(**keys, from_date=dt.date(2025, 2, 1), min_quantity=100, unit_cost=1)
    bad = network_pb2.SupplyLanePrice(**keys, from_date="2025-02-01", unit_cost=-1)
    patch = Network.build(check_references=False, supply_lane_prices=[price])
    return network.merge(patch), network_pb2.Edge(supply_lane_price=bad)


@pytest.mark.parametrize(
    ("make", "table", "path", "reason"),
    [
        (_bom_line, "bill_of_materials", "edges[0].bom_line.quantity_per_unit", "greater than 0"),
        (
            _lane_price,
            "supply_lane_prices",
            "edges[0].supply_lane_price.unit_cost",
            "greater than or equal to 0",
        ),
    ],
)
def test_attached_records_round_trip_and_a_bad_one_is_named(
    tiny: SyntheticDataset,
    tmp_path: Path,
    make: Callable[[Network], tuple[Network, network_pb2.Edge]],
    table: str,
    path: str,
    reason: str,
) -> None:
    """BOM lines and lane prices go in as edges; a bad value is named in request terms."""
    network, bad = make(tiny.network)
    with running_server(settings(tmp_path)) as server:
        stub = _stub(server)
        reply = stub.BatchUpsertNetwork(
            network_pb2.BatchUpsertNetworkRequest(nodes=_nodes(network), edges=_edges(network))
        )
        with pytest.raises(grpc.RpcError) as caught:
            stub.BatchUpsertNetwork(network_pb2.BatchUpsertNetworkRequest(edges=[bad]))
    assert reply.written[table] == 1
    assert EmbeddedStore(tmp_path).snapshot() == network
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in violations(caught.value)[path]


def test_stream_upsert_writes_all_chunks_once_at_the_end(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """Nodes in one chunk and the edges that use them in later chunks are accepted together."""
    edges = _edges(tiny.network)
    chunks = [
        network_pb2.StreamUpsertNetworkRequest(nodes=_nodes(tiny.network)),
        network_pb2.StreamUpsertNetworkRequest(edges=edges[: len(edges) // 2]),
        network_pb2.StreamUpsertNetworkRequest(edges=edges[len(edges) // 2 :]),
    ]
    with running_server(settings(tmp_path)) as server:
        stub = _stub(server)
        reply = stub.StreamUpsertNetwork(iter(chunks))
        again = stub.StreamUpsertNetwork(iter(chunks))
        summary = stub.GetNetworkSummary(network_pb2.GetNetworkSummaryRequest())
    assert reply.written["supply_lanes"] == len(tiny.network.supply_lanes)
    assert again == reply, "upserts are idempotent"
    assert dict(summary.counts) == tiny.network.counts()
    assert EmbeddedStore(tmp_path).snapshot() == tiny.network


def test_invalid_batch_names_every_bad_field_in_request_terms_and_writes_nothing(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    EmbeddedStore(tmp_path).upsert_network(tiny.network)
    sku = tiny.network.skus[0].id
    request = network_pb2.BatchUpsertNetworkRequest(
        nodes=[
            network_pb2.Node(supplier=network_pb2.Supplier(id="S-new", latitude=1, longitude=2)),
            network_pb2.Node(),
            network_pb2.Node(
                warehouse=network_pb2.Warehouse(
                    id="W-new", latitude=95, longitude=0, storage_capacity=-5
                )
            ),
        ],
        edges=[
            network_pb2.Edge(
                supply_lane=network_pb2.SupplyLane(
                    supplier_id="S-new", warehouse_id="W-missing", sku_id=sku,
                    lead_time_mean_days=2, unit_cost=1,
                )
            ),
        ],
    )  # fmt: skip
    with running_server(settings(tmp_path)) as server, pytest.raises(grpc.RpcError) as caught:
        _stub(server).BatchUpsertNetwork(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(caught.value).reason == "INVALID_INPUT"
    fields = violations(caught.value)
    assert set(fields) == {
        "nodes[1]",
        "nodes[2].warehouse.latitude",
        "nodes[2].warehouse.storage_capacity",
        "edges[0].supply_lane.warehouse_id",
    }
    assert "less than or equal to 90" in fields["nodes[2].warehouse.latitude"]
    assert "unknown warehouse 'W-missing'" in fields["edges[0].supply_lane.warehouse_id"]
    assert EmbeddedStore(tmp_path).snapshot() == tiny.network, "a rejected batch writes nothing"


def test_stream_problems_name_the_chunk(tmp_path: Path) -> None:
    chunks = [
        network_pb2.StreamUpsertNetworkRequest(
            nodes=[network_pb2.Node(sku=network_pb2.Sku(id="K1", category="c", price=1))]
        ),
        network_pb2.StreamUpsertNetworkRequest(
            edges=[
                network_pb2.Edge(
                    substitution=network_pb2.Substitution(
                        sku_id="K1", substitute_id="K1", strength=2
                    )
                )
            ]
        ),
    ]
    with running_server(settings(tmp_path)) as server, pytest.raises(grpc.RpcError) as caught:
        _stub(server).StreamUpsertNetwork(iter(chunks))
    fields = violations(caught.value)
    assert "requests[1].edges[0].substitution.strength" in fields
    assert all(f.startswith("requests[1].edges[0].substitution") for f in fields)


def test_get_node_returns_each_kind_with_domain_defaults(
    loaded: ServerThread, tiny: SyntheticDataset
) -> None:
    stub = _stub(loaded)
    for table in NODE_TABLES:
        record = tiny.network.table(table)[0]
        node = stub.GetNode(network_pb2.GetNodeRequest(name=f"nodes/{record.key()[0]}"))
        assert node == node_to_proto(record)
    store = stub.GetNode(network_pb2.GetNodeRequest(name=f"nodes/{tiny.network.stores[0].id}"))
    assert store.store.window_open_min == tiny.network.stores[0].window_open_min


def test_get_unknown_node_is_not_found_and_a_bad_name_is_invalid(loaded: ServerThread) -> None:
    stub = _stub(loaded)
    with pytest.raises(grpc.RpcError) as missing:
        stub.GetNode(network_pb2.GetNodeRequest(name="nodes/NO-SUCH"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    info = error_info(missing.value)
    assert (info.reason, info.metadata["kind"], info.metadata["key"]) == (
        "NOT_FOUND",
        "node",
        "NO-SUCH",
    )
    with pytest.raises(grpc.RpcError) as bad:
        stub.GetNode(network_pb2.GetNodeRequest(name="warehouses/W1"))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad.value)) == {"name"}


def test_list_nodes_pages_through_every_node_exactly_once(
    loaded: ServerThread, tiny: SyntheticDataset
) -> None:
    stub = _stub(loaded)
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = stub.ListNodes(network_pb2.ListNodesRequest(page_size=5, page_token=token))
        assert len(page.nodes) <= 5
        seen.extend(node.name for node in page.nodes)
        pages += 1
        token = page.next_page_token
        if not token:
            break
    expected = sum(len(tiny.network.table(t)) for t in NODE_TABLES)
    assert page.total_size == expected
    assert len(seen) == len(set(seen)) == expected
    assert pages == -(-expected // 5)


def test_list_nodes_rejects_foreign_tokens_and_negative_sizes(loaded: ServerThread) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _stub(loaded).ListNodes(network_pb2.ListNodesRequest(page_size=-1, page_token="garbage!"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(caught.value)) == {"page_size", "page_token"}


def test_summary_of_a_scope_matches_the_domain_summary(
    loaded: ServerThread, tiny: SyntheticDataset
) -> None:
    warehouse = tiny.network.warehouses[0].id
    skus = [s.id for s in tiny.network.skus[:3]]
    summary = _stub(loaded).GetNetworkSummary(
        network_pb2.GetNetworkSummaryRequest(
            scope=common_pb2.Scope(warehouse_ids=[warehouse], sku_ids=skus)
        )
    )
    expected = tiny.network.scoped(
        Scope(warehouse_ids=frozenset({warehouse}), sku_ids=frozenset(skus))
    ).summary()
    assert dict(summary.counts) == {k: v for k, v in expected.items() if k in tiny.network.counts()}
    assert summary.units_on_hand == pytest.approx(expected["units_on_hand"])
    assert summary.counts["skus"] == 3


@pytest.mark.neo4j
def test_server_on_neo4j_stores_what_integrators_push(
    tiny: SyntheticDataset,
    neo4j_store: Neo4jStore,
    neo4j_uri: str,
    neo4j_env: None,
    tmp_path: Path,
) -> None:
    """``NEO4J_URI`` in the settings selects Neo4j: the same upsert lands in the graph."""
    store = {
        "neo4j_uri": neo4j_uri,
        "neo4j_user": os.environ.get("NEO4J_USER", "neo4j"),
        "neo4j_password": os.environ.get("NEO4J_PASSWORD", ""),
        "neo4j_database": os.environ.get("NEO4J_DATABASE", "neo4j"),
    }
    with running_server(ServeSettings(address="127.0.0.1:0", store=store)) as server:
        stub = _stub(server)
        stub.BatchUpsertNetwork(
            network_pb2.BatchUpsertNetworkRequest(
                nodes=_nodes(tiny.network), edges=_edges(tiny.network)
            )
        )
        summary = stub.GetNetworkSummary(network_pb2.GetNetworkSummaryRequest())
        node = stub.GetNode(network_pb2.GetNodeRequest(name=f"nodes/{tiny.network.skus[0].id}"))
    assert dict(summary.counts) == tiny.network.counts()
    assert node == node_to_proto(tiny.network.skus[0])
    assert neo4j_store.snapshot() == tiny.network
