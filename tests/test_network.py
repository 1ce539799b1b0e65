"""The Network aggregate: referential checks reporting every problem, merge and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.network import TABLES, Network
from supplynet.graph.scope import Scope
from supplynet.graph.synthetic import SyntheticDataset


def four_node_rows() -> dict[str, list[dict[str, Any]]]:
    """A supplier, a warehouse, a store and two SKUs, fully connected."""
    return {
        "suppliers": [{"id": "P1", "latitude": 50.0, "longitude": 8.0}],
        "warehouses": [{"id": "W1", "latitude": 50.1, "longitude": 8.1, "region": "north"}],
        "stores": [{"id": "S1", "latitude": 50.2, "longitude": 8.2}],
        "skus": [
            {
                "id": k,
                "category": "C",
                "unit_weight_kg": 1,
                "unit_volume_m3": 0.01,
                "unit_cost": 1,
                "price": 2,
            }
            for k in ("K1", "K2")
        ],
        "supply_lanes": [
            {
                "supplier_id": "P1",
                "warehouse_id": "W1",
                "sku_id": "K1",
                "lead_time_mean_days": 2,
                "unit_cost": 1,
            }
        ],
        "supply_lane_prices": [
            {
                "supplier_id": "P1",
                "warehouse_id": "W1",
                "sku_id": "K1",
                "from_date": dt.date(2025, 3, 1),
                "unit_cost": 1.2,
            }
        ],
        "transport_lanes": [
            {"origin_id": "W1", "destination_id": "S1", "distance_km": 12, "transit_time_days": 1}
        ],
        "inventory_positions": [
            {"location_id": "S1", "sku_id": "K1", "on_hand": 3, "holding_cost_per_day": 0.01}
        ],
        "open_orders": [
            {"location_id": "S1", "sku_id": "K1", "quantity": 4, "due_date": dt.date(2025, 1, 2)}
        ],
        "substitutions": [{"sku_id": "K1", "substitute_id": "K2", "strength": 0.5}],
        "bill_of_materials": [
            {
                "plant_id": "W1",
                "sku_id": "K2",
                "component_id": "K1",
                "quantity_per_unit": 2,
                "assembly_lead_time_days": 1,
            }
        ],
    }


def paths(error: ValidationFailed) -> list[str]:
    return [p.path for p in error.problems]


def test_valid_rows_build_a_network() -> None:
    network = Network.from_rows(four_node_rows())
    assert network.counts() == {name: len(rows) for name, rows in four_node_rows().items()}
    assert set(network.locations) == {"P1", "W1", "S1"}


@pytest.mark.parametrize(
    ("table", "index", "changes", "path", "reason"),
    [
        ("supply_lanes", 0, {"sku_id": "X"}, "supply_lanes[0].sku_id", "unknown SKU 'X'"),
        (
            "supply_lanes",
            0,
            {"supplier_id": "X"},
            "supply_lanes[0].supplier_id",
            "unknown supplier",
        ),
        (
            "supply_lanes",
            0,
            {"warehouse_id": "S1"},
            "supply_lanes[0].warehouse_id",
            "unknown warehouse 'S1'",
        ),
        (
            "transport_lanes",
            0,
            {"origin_id": "X"},
            "transport_lanes[0].origin_id",
            "unknown location",
        ),
        (
            "transport_lanes",
            0,
            {"destination_id": "X"},
            "transport_lanes[0].destination_id",
            "unknown location",
        ),
        (
            "inventory_positions",
            0,
            {"location_id": "P1"},
            "inventory_positions[0].location_id",
            "unknown warehouse or store 'P1'",
        ),
        ("inventory_positions", 0, {"sku_id": "X"}, "inventory_positions[0].sku_id", "unknown SKU"),
        ("open_orders", 0, {"sku_id": "K2"}, "open_orders[0]", "no inventory position"),
        (
            "substitutions",
            0,
            {"substitute_id": "X"},
            "substitutions[0].substitute_id",
            "unknown SKU",
        ),
        ("substitutions", 0, {"sku_id": "X"}, "substitutions[0].sku_id", "unknown SKU"),
        ("stores", 0, {"id": "W1"}, "stores[0].id", "already a warehouse"),
        (
            "bill_of_materials",
            0,
            {"quantity_per_unit": 0},
            "bill_of_materials[0].quantity_per_unit",
            "greater than 0",
        ),
        (
            "bill_of_materials",
            0,
            {"plant_id": "S1"},
            "bill_of_materials[0].plant_id",
            "unknown warehouse 'S1'",
        ),
        (
            "bill_of_materials",
            0,
            {"component_id": "X"},
            "bill_of_materials[0].component_id",
            "unknown SKU 'X'",
        ),
        (
            "bill_of_materials",
            0,
            {"component_id": "K2"},
            "bill_of_materials[0]",
            "cannot be a component of itself",
        ),
        (
            "supply_lane_prices",
            0,
            {"sku_id": "K2"},
            "supply_lane_prices[0]",
            "no supply lane ('P1', 'W1', 'K2')",
        ),
        (
            "supply_lane_prices",
            0,
            {"unit_cost": -1},
            "supply_lane_prices[0].unit_cost",
            "greater than or equal to 0",
        ),
        ("skus", 1, {"id": "K1"}, "skus[1]", "duplicate key 'K1'"),
        ("skus", 1, {"unit_cost": -1}, "skus[1].unit_cost", "greater than or equal to 0"),
        ("skus", 1, {"price": float("nan")}, "skus[1].price", "finite number"),
    ],
)
def test_each_reference_rule(
    table: str, index: int, changes: dict[str, Any], path: str, reason: str
) -> None:
    rows = four_node_rows()
    rows[table][index] = rows[table][index] | changes
    with pytest.raises(ValidationFailed) as info:
        Network.from_rows(rows)
    assert path in paths(info.value)
    assert any(reason in p.reason for p in info.value.problems if p.path == path)


def test_a_bill_of_materials_cycle_is_refused() -> None:
    rows = four_node_rows()
    line = rows["bill_of_materials"][0]
    rows["bill_of_materials"].append(line | {"sku_id": "K1", "component_id": "K2"})
    with pytest.raises(ValidationFailed) as info:
        Network.from_rows(rows)
    assert "bill_of_materials[0]: 'K2' is assembled from itself at 'W1'" in str(info.value)


def test_all_problems_are_reported_at_once() -> None:
    rows = four_node_rows()
    rows["supply_lanes"][0]["sku_id"] = "X"
    rows["stores"][0]["latitude"] = 123
    rows["substitutions"].append({"sku_id": "K1", "substitute_id": "K2", "strength": 0.5})
    with pytest.raises(ValidationFailed) as info:
        Network.from_rows(rows)
    assert set(paths(info.value)) >= {
        "supply_lanes[0].sku_id",
        "stores[0].latitude",
        "substitutions[1]",
    }
    assert "supply_lanes[0].sku_id: unknown SKU 'X'" in str(info.value)


def test_partial_network_can_reference_a_context() -> None:
    base = Network.from_rows(four_node_rows())
    lane = {
        "supplier_id": "P1",
        "warehouse_id": "W1",
        "sku_id": "K2",
        "lead_time_mean_days": 1,
        "unit_cost": 1,
    }
    with pytest.raises(ValidationFailed, match="unknown supplier"):
        Network.from_rows({"supply_lanes": [lane]})
    patch = Network.from_rows({"supply_lanes": [lane]}, context=base)
    merged = base.merge(patch)
    assert merged.counts()["supply_lanes"] == 2


def test_merge_replaces_records_by_key_and_is_idempotent() -> None:
    base = Network.from_rows(four_node_rows())
    rows = four_node_rows()
    rows["inventory_positions"][0]["on_hand"] = 99
    changed = Network.from_rows(rows)
    merged = base.merge(changed)
    assert merged.counts() == base.counts()
    assert merged.inventory_positions[0].on_hand == 99
    assert merged.merge(changed) == merged


def test_frames_round_trip(tiny: SyntheticDataset) -> None:
    network = tiny.network
    again = Network.from_frames({name: network.frame(name) for name in TABLES})
    assert again == network
    assert list(network.frame("skus").columns)[:3] == ["id", "name", "category"]


def test_scope_by_warehouse_keeps_its_stores_and_suppliers(tiny: SyntheticDataset) -> None:
    network = tiny.network
    warehouse = network.warehouses[0].id
    part = network.scoped(Scope(warehouse_ids=frozenset({warehouse})))
    served = {
        t.destination_id
        for t in network.transport_lanes
        if t.origin_id == warehouse and t.destination_id.startswith("S")
    }
    assert [w.id for w in part.warehouses] == [warehouse]
    assert {s.id for s in part.stores} == served
    assert {lane.warehouse_id for lane in part.supply_lanes} == {warehouse}
    assert {s.id for s in part.suppliers} == {lane.supplier_id for lane in part.supply_lanes}
    assert {p.location_id for p in part.inventory_positions} <= served | {warehouse}


def test_scope_by_sku_and_region(tiny: SyntheticDataset) -> None:
    network = tiny.network
    sku = network.skus[0].id
    by_sku = network.scoped(Scope(sku_ids=frozenset({sku})))
    assert {s.id for s in by_sku.skus} == {sku}
    assert {p.sku_id for p in by_sku.inventory_positions} == {sku}
    assert len(by_sku.stores) == len(network.stores)
    region = network.warehouses[0].region
    by_region = network.scoped(Scope(regions=frozenset({region})))
    assert {w.region for w in by_region.warehouses} == {region}
    assert network.scoped(Scope()) is network


@pytest.mark.parametrize(
    "scope",
    [
        Scope(),
        Scope(sku_ids=frozenset({"K0001", "NO-SUCH"})),
        Scope(warehouse_ids=frozenset({"W001"})),
        Scope(warehouse_ids=frozenset({"W002"}), sku_ids=frozenset({"K0002", "K0003"})),
        Scope(regions=frozenset({"nowhere"})),
    ],
)
def test_demand_filter_keeps_what_the_scoped_network_keeps(
    tiny: SyntheticDataset, scope: Scope
) -> None:
    network = tiny.network
    part = network.scoped(scope)
    stores, skus = network.demand_filter(scope)
    all_stores, all_skus = {s.id for s in network.stores}, {k.id for k in network.skus}
    assert (all_stores if stores is None else stores) == {s.id for s in part.stores}
    assert (all_skus if skus is None else skus) == {k.id for k in part.skus}
