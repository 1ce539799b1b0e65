"""graph.analysis on a hand-built network whose answers are known by construction.

Layout: suppliers P1, P2 -> hub warehouse WH -> satellite warehouses WA, WB -> stores.
WH also serves store S1 directly. SKU K1 (category food) comes only from P1; K2 (food)
from P1 and P2; K3 (drink) only from P2. K1 -> K2 is a strong substitution, K2 -> K1 a
weak one.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from supplynet.graph.analysis import (
    centrality,
    critical_warehouses,
    lanes_frame,
    locations_frame,
    longest_lead_times,
    single_source_skus,
    single_supplier_stores,
    skus_without_substitute,
    to_digraph,
)
from supplynet.graph.model import (
    InventoryPosition,
    Sku,
    Store,
    Substitution,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network


def _lane(origin: str, destination: str, km: float = 100.0) -> TransportLane:
    return TransportLane(
        origin_id=origin, destination_id=destination, distance_km=km, transit_time_days=1.0
    )


def _supply(supplier: str, sku: str, lead: float, std: float = 0.5) -> SupplyLane:
    return SupplyLane(
        supplier_id=supplier,
        warehouse_id="WH",
        sku_id=sku,
        lead_time_mean_days=lead,
        lead_time_std_days=std,
        unit_cost=1.0,
    )


def _position(location: str, sku: str) -> InventoryPosition:
    return InventoryPosition(location_id=location, sku_id=sku, on_hand=1, holding_cost_per_day=0.1)


@pytest.fixture(scope="module")
def hub() -> Network:
    """Two suppliers, a hub warehouse feeding two satellites, four stores, three SKUs."""
    stores = ["S1", "S2", "S3", "S4"]
    sku = {"unit_weight_kg": 1.0, "unit_volume_m3": 0.01, "unit_cost": 1.0, "price": 2.0}
    return Network.build(
        suppliers=[
            Supplier(id="P1", latitude=50.0, longitude=8.0),
            Supplier(id="P2", latitude=51.0, longitude=8.0),
        ],
        warehouses=[
            Warehouse(id="WH", latitude=50.5, longitude=9.0),
            Warehouse(id="WA", latitude=50.0, longitude=10.0),
            Warehouse(id="WB", latitude=51.0, longitude=10.0),
        ],
        stores=[Store(id=s, latitude=50.0 + i / 3, longitude=11.0) for i, s in enumerate(stores)],
        skus=[
            Sku(id="K1", category="food", **sku),
            Sku(id="K2", category="food", **sku),
            Sku(id="K3", category="drink", **sku),
        ],
        supply_lanes=[
            _supply("P1", "K1", lead=9.0, std=1.0),
            _supply("P1", "K2", lead=4.0),
            _supply("P2", "K2", lead=9.0, std=2.0),
            _supply("P2", "K3", lead=3.0),
        ],
        transport_lanes=[
            _lane("P1", "WH"),
            _lane("P2", "WH"),
            _lane("WH", "WA"),
            _lane("WH", "WB"),
            _lane("WH", "S1"),
            _lane("WA", "S2"),
            _lane("WB", "S3"),
            _lane("WB", "S4", km=400.0),
        ],
        inventory_positions=[
            _position("S1", "K1"),
            _position("S1", "K3"),
            _position("S2", "K2"),
            _position("WH", "K1"),
        ],
        substitutions=[
            Substitution(sku_id="K1", substitute_id="K2", strength=0.6),
            Substitution(sku_id="K2", substitute_id="K1", strength=0.1),
        ],
    )


def test_graph_has_every_location_and_lane(hub: Network) -> None:
    """Nodes are the locations with their kind; edges the lanes with their distance."""
    graph = to_digraph(hub)
    assert isinstance(graph, nx.DiGraph)
    assert graph.number_of_nodes() == 9
    assert graph.number_of_edges() == 8
    assert graph.nodes["WH"]["kind"] == "warehouse"
    assert graph.nodes["S4"]["kind"] == "store"
    assert graph.edges["WB", "S4"]["distance_km"] == 400.0
    assert graph.edges["P2", "WH"]["supply_skus"] == 2
    assert list(locations_frame(hub)["kind"].value_counts().sort_index()) == [4, 2, 3]


def test_supply_lane_without_transport_lane_is_still_an_edge(hub: Network) -> None:
    """A sourcing relation with no transport lane still joins supplier and warehouse."""
    extra = SupplyLane(
        supplier_id="P1", warehouse_id="WA", sku_id="K1", lead_time_mean_days=2.0, unit_cost=1.0
    )
    network = hub.merge(Network.build(supply_lanes=[extra], check_references=False))
    lanes = lanes_frame(network).set_index(["origin_id", "destination_id"])
    assert lanes.loc[("P1", "WA"), "supply_skus"] == 1
    assert pd.isna(lanes.loc[("P1", "WA"), "distance_km"])


def test_hub_warehouse_has_the_highest_betweenness(hub: Network) -> None:
    """Every supplier-to-store path crosses WH, so it ranks first; suppliers and stores score 0."""
    scores = centrality(hub)
    assert scores.index[0] == "WH"
    assert scores.loc["WH", "betweenness"] > scores.loc["WB", "betweenness"]
    assert scores.loc["WB", "betweenness"] > scores.loc["WA", "betweenness"] > 0
    assert scores.loc[["P1", "S1"], "betweenness"].eq(0).all()
    assert scores.loc["WH", "out_degree"] == 3


def test_critical_warehouses_rank_the_hub_first(hub: Network) -> None:
    """The hub comes first with its direct store, SKUs, suppliers and single-source count."""
    ranked = critical_warehouses(hub)
    assert list(ranked["warehouse_id"]) == ["WH", "WB", "WA"]
    first = ranked.iloc[0]
    assert (first["stores_served"], first["skus_sourced"], first["suppliers"]) == (1, 3, 2)
    assert first["single_source_skus"] == 2
    assert ranked.iloc[1]["stores_served"] == 2


def test_single_source_skus_are_found(hub: Network) -> None:
    """K1 (only P1) and K3 (only P2) are single-sourced; K2 has two suppliers."""
    single = single_source_skus(hub)
    assert list(single["sku_id"]) == ["K1", "K3"]
    assert list(single["supplier_id"]) == ["P1", "P2"]
    assert list(single["category"]) == ["food", "drink"]


def test_skus_without_substitute_respect_the_strength_floor(hub: Network) -> None:
    """K3 has no substitute at all; K2's only substitute is weak, so a floor of 0.3 adds it."""
    assert list(skus_without_substitute(hub)["sku_id"]) == ["K3"]
    weak = skus_without_substitute(hub, min_strength=0.3)
    assert list(weak["sku_id"]) == ["K2", "K3"]
    assert list(weak["suppliers"]) == [2, 1]


def test_longest_lead_times_order_by_mean_then_std(hub: Network) -> None:
    """Two lanes tie on 9 days; the one with the larger std comes first; limit cuts the rest."""
    top = longest_lead_times(hub, limit=3)
    assert list(zip(top["supplier_id"], top["sku_id"], strict=True)) == [
        ("P2", "K2"),
        ("P1", "K1"),
        ("P1", "K2"),
    ]


def test_single_supplier_stores(hub: Network) -> None:
    """S1 carries K1 (food, only P1) and K3 (drink, only P2): one supplier per category.

    S2 carries K2, which has two suppliers, so it depends on nobody.
    """
    strict = single_supplier_stores(hub)
    assert list(
        zip(strict["store_id"], strict["category"], strict["supplier_id"], strict=True)
    ) == [
        ("S1", "drink", "P2"),
        ("S1", "food", "P1"),
    ]
    assert strict["share"].eq(1.0).all()
    assert "S2" not in set(single_supplier_stores(hub, min_share=0.0)["store_id"])


def test_empty_network_gives_empty_frames_with_columns() -> None:
    """Every question answers an empty network with an empty, well-formed frame."""
    empty = Network()
    assert list(single_supplier_stores(empty).columns) == [
        "store_id",
        "category",
        "supplier_id",
        "dependent_skus",
        "category_skus",
        "share",
    ]
    assert longest_lead_times(empty).empty
    assert skus_without_substitute(empty).empty
    assert single_source_skus(empty).empty
    assert critical_warehouses(empty).empty
    assert centrality(empty).empty
