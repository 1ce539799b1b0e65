"""One contract, every store: EmbeddedStore and Neo4jStore (a real server) behave alike."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import NotFound, ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema
from supplynet.graph.model import (
    BomLine,
    InventoryPosition,
    SupplyLane,
    SupplyLanePrice,
    Warehouse,
)
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import SyntheticDataset


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each kind."""
    if request.param == "neo4j":
        yield request.getfixturevalue("neo4j_store")
        return
    embedded = EmbeddedStore(tmp_path / "store")
    yield embedded
    embedded.close()


def sorted_history(frame: pd.DataFrame, schema: HistorySchema) -> pd.DataFrame:
    return frame.sort_values(list(schema.key)).reset_index(drop=True)


def first_days(frame: pd.DataFrame, column: str, days: int) -> pd.DataFrame:
    start = frame[column].min()
    return frame[frame[column] < start + pd.Timedelta(days=days)].reset_index(drop=True)


def test_snapshot_round_trips_the_network(store: GraphStore, tiny: SyntheticDataset) -> None:
    """Every record comes back equal, and the upsert reports what it wrote."""
    assert store.upsert_network(tiny.network) == tiny.network.counts()
    assert store.snapshot() == tiny.network


def test_upsert_is_idempotent(store: GraphStore, tiny: SyntheticDataset) -> None:
    """Writing the same network twice changes no counts and no values."""
    store.upsert_network(tiny.network)
    store.upsert_network(tiny.network)
    again = store.snapshot()
    assert again.counts() == tiny.network.counts()
    assert again == tiny.network


def test_partial_upsert_replaces_records_by_key(store: GraphStore, tiny: SyntheticDataset) -> None:
    """An edges-only network updates existing edges whose endpoints are already stored."""
    store.upsert_network(tiny.network)
    position = tiny.network.inventory_positions[0]
    changed = position.model_copy(
        update={"on_hand": position.on_hand + 5, "storage_capacity": None}
    )
    store.upsert_network(Network.build(check_references=False, inventory_positions=[changed]))
    stored = {p.key(): p for p in store.snapshot().inventory_positions}
    assert stored[position.key()] == changed
    assert len(stored) == len(tiny.network.inventory_positions)


def test_location_country_is_set_changed_and_cleared(
    store: GraphStore, tiny: SyntheticDataset
) -> None:
    """Every location keeps its country (the network's holiday calendar); an upsert
    changes it or, with ``None``, removes it."""
    store.upsert_network(tiny.network)
    assert store.snapshot().country == "DE"
    moved = [s.model_copy(update={"country": "BD"}) for s in tiny.network.stores]
    cleared = tiny.network.warehouses[0].model_copy(update={"country": None})
    store.upsert_network(Network.build(check_references=False, stores=moved, warehouses=[cleared]))
    stored = store.snapshot()
    assert stored.country == "BD"
    assert stored.locations[cleared.id].country is None
    assert stored.locations[tiny.network.suppliers[0].id].country == "DE"


SCOPES = {
    "one warehouse": lambda n: Scope(warehouse_ids=frozenset([n.warehouses[0].id])),
    "one region": lambda n: Scope(regions=frozenset([n.warehouses[-1].region])),
    "some skus": lambda n: Scope(sku_ids=frozenset(s.id for s in n.skus[:3])),
    "warehouse and skus": lambda n: Scope(
        warehouse_ids=frozenset([n.warehouses[1].id]), sku_ids=frozenset(s.id for s in n.skus[2:6])
    ),
    "nothing matches": lambda n: Scope(regions=frozenset(["no such region"])),
}


def with_bill_of_materials(network: Network) -> Network:
    """``network`` where each warehouse assembles its first SKU from the next two."""
    first, *parts = network.skus[:3]
    lines = [
        BomLine(
            plant_id=w.id,
            sku_id=first.id,
            component_id=part.id,
            quantity_per_unit=2.0 + index,
            assembly_lead_time_days=1.5,
        )
        for w in network.warehouses
        for index, part in enumerate(parts)
    ]
    return network.merge(Network.build(check_references=False, bill_of_materials=lines))


def test_bill_of_materials_round_trips(store: GraphStore, tiny: SyntheticDataset) -> None:
    """BOM lines come back equal, twice written once, replaced by key, scoped like the rest."""
    network = with_bill_of_materials(tiny.network)
    store.upsert_network(network)
    store.upsert_network(network)
    assert store.snapshot() == network
    line = network.bill_of_materials[0]
    changed = line.model_copy(update={"quantity_per_unit": 7.0, "assembly_lead_time_days": 0.0})
    store.upsert_network(Network.build(check_references=False, bill_of_materials=[changed]))
    stored = {b.key(): b for b in store.snapshot().bill_of_materials}
    assert stored[line.key()] == changed
    assert len(stored) == len(network.bill_of_materials)
    for make_scope in SCOPES.values():
        scope = make_scope(network)
        expected = store.snapshot().scoped(scope)
        assert store.snapshot(scope) == expected
    assert store.snapshot(SCOPES["one warehouse"](network)).bill_of_materials


def test_supply_lane_prices_round_trip(store: GraphStore, tiny: SyntheticDataset) -> None:
    """A price schedule comes back equal, added later to a stored lane, replaced by key."""
    store.upsert_network(tiny.network)
    lane = tiny.network.supply_lanes[0]
    keys = {
        "supplier_id": lane.supplier_id,
        "warehouse_id": lane.warehouse_id,
        "sku_id": lane.sku_id,
    }
    prices = [
        SupplyLanePrice(**keys, from_date=dt.date(2025, 3, 1), unit_cost=9.5),
        SupplyLanePrice(**keys, from_date=dt.date(2025, 3, 1), min_quantity=500, unit_cost=8.25),
    ]
    store.upsert_network(Network.build(check_references=False, supply_lane_prices=prices))
    changed = prices[1].model_copy(update={"unit_cost": 8.0})
    store.upsert_network(Network.build(check_references=False, supply_lane_prices=[changed]))
    expected = tiny.network.merge(
        Network.build(check_references=False, supply_lane_prices=[prices[0], changed])
    )
    assert store.snapshot() == expected
    scope = Scope(warehouse_ids=frozenset({lane.warehouse_id}))
    assert store.snapshot(scope) == expected.scoped(scope)


@pytest.mark.parametrize("make_scope", SCOPES.values(), ids=SCOPES.keys())
def test_scoped_snapshot_equals_network_scoped(
    store: GraphStore, tiny: SyntheticDataset, make_scope: Callable[[Network], Scope]
) -> None:
    """A scoped read is exactly ``Network.scoped`` of the full network."""
    store.upsert_network(tiny.network)
    scope = make_scope(tiny.network)
    assert store.snapshot(scope) == tiny.network.scoped(scope)


def test_demand_round_trips_with_upsert_semantics(
    store: GraphStore, tiny: SyntheticDataset
) -> None:
    """Appended demand reads back; re-appending a key replaces its row, never duplicates it."""
    store.upsert_network(tiny.network)
    demand = first_days(tiny.demand, "date", 45)
    assert store.append_demand(demand.iloc[: len(demand) // 2]) == len(demand) // 2
    store.append_demand(demand.iloc[len(demand) // 2 :])
    expected = sorted_history(demand, DEMAND)
    pd.testing.assert_frame_equal(sorted_history(store.read_demand(), DEMAND), expected)

    changed = demand.iloc[:10].assign(quantity=demand["quantity"].iloc[:10] + 100.0)
    store.append_demand(changed)
    expected = sorted_history(pd.concat([changed, demand.iloc[10:]]), DEMAND)
    pd.testing.assert_frame_equal(sorted_history(store.read_demand(), DEMAND), expected)


def test_demand_read_by_scope_and_dates(store: GraphStore, tiny: SyntheticDataset) -> None:
    """Scoped, dated reads keep the rows of the scoped stores and SKUs inside the dates."""
    store.upsert_network(tiny.network)
    demand = first_days(tiny.demand, "date", 30)
    store.append_demand(demand)
    scope = Scope(warehouse_ids=frozenset([tiny.network.warehouses[0].id]))
    part = tiny.network.scoped(scope)
    start, end = dt.date(2024, 1, 5), dt.date(2024, 1, 20)
    mask = (
        demand["store_id"].isin({s.id for s in part.stores})
        & demand["sku_id"].isin({s.id for s in part.skus})
        & (demand["date"] >= pd.Timestamp(start))
        & (demand["date"] <= pd.Timestamp(end))
    )
    got = store.read_demand(scope, start=start, end=end)
    pd.testing.assert_frame_equal(sorted_history(got, DEMAND), sorted_history(demand[mask], DEMAND))
    assert 0 < len(got) < len(demand)


def test_deliveries_round_trip_with_open_orders(store: GraphStore, tiny: SyntheticDataset) -> None:
    """Deliveries come back equal, open ones (no delivered date) included."""
    store.upsert_network(tiny.network)
    deliveries = tiny.deliveries
    assert deliveries["delivered_date"].isna().any()
    store.append_deliveries(deliveries)
    store.append_deliveries(deliveries.iloc[:5])
    pd.testing.assert_frame_equal(
        sorted_history(store.read_deliveries(), DELIVERIES), sorted_history(deliveries, DELIVERIES)
    )


def test_concurrent_writers_lose_nothing(store: GraphStore, tiny: SyntheticDataset) -> None:
    """Two threads writing halves of the network and of one series' history lose no write."""
    network = tiny.network
    nodes = Network.build(
        suppliers=network.suppliers,
        warehouses=network.warehouses,
        stores=network.stores,
        skus=network.skus,
    )
    store.upsert_network(nodes)
    halves = [
        Network.build(
            check_references=False,
            supply_lanes=network.supply_lanes[part::2],
            transport_lanes=network.transport_lanes[part::2],
            inventory_positions=network.inventory_positions[part::2],
            substitutions=network.substitutions[part::2],
        )
        for part in (0, 1)
    ]
    one_series = tiny.demand[
        (tiny.demand["store_id"] == network.stores[0].id)
        & (tiny.demand["sku_id"] == network.skus[0].id)
    ].iloc[:60]
    errors: list[BaseException] = []

    def write(part: int) -> None:
        try:
            store.upsert_network(halves[part])
            store.append_demand(one_series.iloc[part::2])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(part,)) for part in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    snapshot = store.snapshot()
    assert snapshot == Network.from_rows({**network.rows(), "open_orders": []})
    pd.testing.assert_frame_equal(
        sorted_history(store.read_demand(), DEMAND), sorted_history(one_series, DEMAND)
    )


def test_bad_record_rolls_back_the_whole_write(store: GraphStore, tiny: SyntheticDataset) -> None:
    """A write with one dangling reference is rejected, names the record, and stores nothing."""
    store.upsert_network(tiny.network)
    template = tiny.network.supply_lanes[0]
    new_warehouse = Warehouse(id="W-NEW", latitude=50.0, longitude=8.0, region="new")
    good = SupplyLane(**{**template.model_dump(), "warehouse_id": "W-NEW"})
    bad = SupplyLane(**{**template.model_dump(), "warehouse_id": "W-NEW", "sku_id": "NO-SUCH-SKU"})
    position = InventoryPosition(
        location_id="W-NEW", sku_id=template.sku_id, on_hand=5.0, holding_cost_per_day=0.1
    )
    patch = Network.build(
        check_references=False,
        warehouses=[new_warehouse],
        supply_lanes=[good, bad],
        inventory_positions=[position],
    )
    with pytest.raises(ValidationFailed, match="NO-SUCH-SKU") as caught:
        store.upsert_network(patch)
    assert any(
        p.path.startswith("supply_lanes[") and p.path.endswith("].sku_id")
        for p in caught.value.problems
    )
    assert store.snapshot() == tiny.network

    bad_demand = first_days(tiny.demand, "date", 2).assign(store_id="NO-SUCH-STORE")
    with pytest.raises(ValidationFailed, match="NO-SUCH-STORE"):
        store.append_demand(bad_demand)
    assert store.read_demand().empty


def make_plan(plan_id: str, kind: str, minute: int, lines: int) -> StoredPlan:
    return StoredPlan(
        id=plan_id,
        kind=kind,
        created_at=dt.datetime(2026, 3, 1, 12, minute, tzinfo=dt.UTC),
        attributes={"cost": 1234.5, "status": "OPTIMAL", "lines_capped": False, "note": None},
        lines=tuple(
            {"sku_id": f"K{i}", "quantity": float(i), "day": i, "urgent": i % 2 == 0, "memo": None}
            for i in range(lines)
        ),
    )


def test_plans_save_load_list(store: GraphStore) -> None:
    """Plans round trip (None values and line order included), replace by id, list newest first."""
    first = make_plan("rep-1", "replenishment", 0, lines=25)
    versions = [store.plans_version()]
    store.save_plan(first)
    versions.append(store.plans_version())
    store.save_plan(make_plan("routes-1", "routes", 5, lines=3))
    assert store.load_plan("rep-1") == first

    replaced = make_plan("rep-1", "replenishment", 10, lines=2)
    versions.append(store.plans_version())
    store.save_plan(replaced)
    versions.append(store.plans_version())
    assert len(set(versions)) == len(versions), "every save changes plans_version"
    assert store.load_plan("rep-1") == replaced
    assert [p.id for p in store.list_plans()] == ["rep-1", "routes-1"]
    assert [(p.id, p.line_count) for p in store.list_plans("replenishment")] == [("rep-1", 2)]
    assert store.list_plans("no-such-kind") == []


def test_unknown_plan_is_not_found(store: GraphStore) -> None:
    """Loading an id nobody saved raises ``NotFound`` naming it."""
    with pytest.raises(NotFound, match="missing-plan"):
        store.load_plan("missing-plan")
