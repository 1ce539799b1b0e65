"""What only Neo4jStore has: the graph model analysts query, constraints, bucketed histories."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pandas as pd
import pytest
from neo4j import ManagedTransaction
from neo4j.exceptions import Neo4jError

from supplynet.graph import neo4j_cypher as cypher
from supplynet.graph import neo4j_store as neo4j_store_module
from supplynet.graph.errors import Problem, StoreError, StoreUnavailable, ValidationFailed
from supplynet.graph.history import DEMAND
from supplynet.graph.neo4j_launcher import free_port
from supplynet.graph.neo4j_store import EDGE_ENDPOINTS, Neo4jStore
from supplynet.graph.network import TABLES, Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset

pytestmark = pytest.mark.neo4j


def count(store: Neo4jStore, pattern: str) -> int:
    rows = store.query(f"MATCH {pattern} RETURN count(*) AS n")
    return int(rows[0]["n"])


def test_network_is_stored_as_labelled_nodes_and_typed_relationships(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """Each table lands on its documented label or relationship type, once per record."""
    network = tiny.network
    neo4j_store.upsert_network(network)
    expected = {
        "(:Location:Supplier)": len(network.suppliers),
        "(:Location:Warehouse)": len(network.warehouses),
        "(:Location:Store)": len(network.stores),
        "(:Sku)": len(network.skus),
        "(:Supplier)-[:SUPPLIES]->(:Warehouse)": len(network.supply_lanes),
        "(:Location)-[:SHIPS_TO]->(:Location)": len(network.transport_lanes),
        "(:Location)-[:STOCKS]->(:Sku)": len(network.inventory_positions),
        "(:Location)-[:ON_ORDER]->(:Sku)": len(network.open_orders),
        "(:Sku)-[:SUBSTITUTED_BY]->(:Sku)": len(network.substitutions),
    }
    assert {pattern: count(neo4j_store, pattern) for pattern in expected} == expected
    constraints = {row["name"] for row in neo4j_store.query("SHOW CONSTRAINTS YIELD name")}
    assert {"location_id", "sku_id", "plan_id"} <= constraints


def test_edge_properties_cover_every_record_field() -> None:
    """Edge rows carry each non-endpoint field once (supply lanes keep ``sku_id``), in order."""
    for table, (start, end) in EDGE_ENDPOINTS.items():
        fields = tuple(f for f in TABLES[table].model_fields if f not in (start, end))
        if table == "supply_lanes":
            fields = ("sku_id", *(f for f in fields if f != "sku_id"))
        assert cypher.EDGE_PROPERTIES[table] == fields, table
        for index, name in enumerate(fields, start=2):
            assert f"{name}: row[{index}]" in cypher.CREATE_EDGES[table], (table, name)


def test_edge_row_with_an_unknown_endpoint_fails_its_batch(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """A row pointing at an id with no node fails the statement: never skipped or shifted."""
    neo4j_store.upsert_network(tiny.network)
    store_id, sku_id = tiny.network.stores[0].id, tiny.network.skus[0].id
    before = count(neo4j_store, "()-[:STOCKS]->()")

    def work(tx: ManagedTransaction) -> None:
        tx.run(
            cypher.CREATE_EDGES["inventory_positions"],
            rows=[(0, 0, 1.0, None, 0.1)],
            starts=["NO-SUCH-STORE", store_id],
            ends=[sku_id],
        ).consume()

    with pytest.raises(StoreError, match="missing"):
        neo4j_store._write(work)
    assert count(neo4j_store, "()-[:STOCKS]->()") == before


def test_failed_write_reports_the_check_that_explains_it(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs beside the writes; when a dangling edge fails its write first, the
    error is still ``ValidationFailed`` naming the record, and nothing is stored."""
    neo4j_store.upsert_network(tiny.network)
    write_failed = threading.Event()
    write, check = neo4j_store_module._write_network, neo4j_store_module._problems

    def failing_write(*args: Any) -> None:
        try:
            write(*args)
        finally:
            write_failed.set()

    def late_check(*args: Any) -> list[Problem]:
        assert write_failed.wait(timeout=60)
        return check(*args)

    monkeypatch.setattr(neo4j_store_module, "_write_network", failing_write)
    monkeypatch.setattr(neo4j_store_module, "_problems", late_check)
    dangling = tiny.network.inventory_positions[0].model_copy(
        update={"location_id": "NO-SUCH-STORE"}
    )
    with pytest.raises(ValidationFailed, match="NO-SUCH-STORE") as caught:
        neo4j_store.upsert_network(
            Network.build(check_references=False, inventory_positions=[dangling])
        )
    assert [p.path for p in caught.value.problems] == ["inventory_positions[0].location_id"]
    assert isinstance(caught.value.__context__, Neo4jError)
    assert neo4j_store.snapshot() == tiny.network


def test_reingest_changes_no_node_or_relationship_count(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """MERGE on constrained ids: the second ingest adds no node and no relationship."""
    neo4j_store.upsert_network(tiny.network)
    before = (count(neo4j_store, "(n)"), count(neo4j_store, "()-[r]->()"))
    neo4j_store.upsert_network(tiny.network)
    assert (count(neo4j_store, "(n)"), count(neo4j_store, "()-[r]->()")) == before


def test_demand_is_one_sorted_bucket_per_series_and_year(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """Two years of daily demand of one series: two DEMAND relationships, dates ascending."""
    neo4j_store.upsert_network(tiny.network)
    store_id, sku_id = tiny.network.stores[0].id, tiny.network.skus[0].id
    series = tiny.demand[(tiny.demand["store_id"] == store_id) & (tiny.demand["sku_id"] == sku_id)]
    neo4j_store.append_demand(series.iloc[::-1])  # order of arrival does not matter
    rows = neo4j_store.query(
        "MATCH (:Store {id: $s})-[d:DEMAND]->(:Sku {id: $k}) "
        "RETURN d.year AS year, size(d.date) AS n ORDER BY year",
        s=store_id,
        k=sku_id,
    )
    per_year = series["date"].dt.year.value_counts().sort_index()
    assert [(r["year"], r["n"]) for r in rows] == list(per_year.items())
    assert len(rows) == 2
    dates = neo4j_store.query(
        "MATCH (:Store {id: $s})-[d:DEMAND {year: 2024}]->(:Sku {id: $k}) RETURN d.date AS date",
        s=store_id,
        k=sku_id,
    )[0]["date"]
    assert [d.to_native() for d in dates] == sorted(d.to_native() for d in dates)
    assert dates[0].to_native() == dt.date(2024, 1, 1)


def test_big_append_is_split_by_whole_buckets_and_checked_first(
    neo4j_store: Neo4jStore, tiny: SyntheticDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny parts, a bad last row still stores nothing; a good append reads back whole."""
    monkeypatch.setattr(neo4j_store_module, "HISTORY_TX_ROWS", 500)
    neo4j_store.upsert_network(tiny.network)
    demand = tiny.demand[tiny.demand["date"] < "2024-04-01"].reset_index(drop=True)
    bad = demand.copy()
    bad.loc[len(bad) - 1, "sku_id"] = "NO-SUCH-SKU"
    with pytest.raises(ValidationFailed, match="NO-SUCH-SKU"):
        neo4j_store.append_demand(bad)
    assert neo4j_store.read_demand().empty
    assert neo4j_store.append_demand(demand) == len(demand)
    key = list(DEMAND.key)
    pd.testing.assert_frame_equal(
        neo4j_store.read_demand().sort_values(key).reset_index(drop=True),
        demand.sort_values(key).reset_index(drop=True),
    )
    buckets = count(neo4j_store, "(:Store)-[:DEMAND]->(:Sku)")
    assert buckets == demand.groupby(["store_id", "sku_id"]).ngroups


def test_location_cannot_change_kind(neo4j_store: Neo4jStore, tiny: SyntheticDataset) -> None:
    """A supplier reusing a stored warehouse id is rejected with the record's path."""
    neo4j_store.upsert_network(tiny.network)
    warehouse = tiny.network.warehouses[0]
    clash = tiny.network.suppliers[0].model_copy(update={"id": warehouse.id})
    with pytest.raises(ValidationFailed, match=r"suppliers\[0\]\.id: id .* is already a warehouse"):
        neo4j_store.upsert_network(Network.build(suppliers=[clash]))


def test_reserved_plan_names_are_rejected(neo4j_store: Neo4jStore) -> None:
    """Attribute and line names the store uses itself are refused, with their path."""
    plan = StoredPlan(
        id="p1",
        kind="routes",
        created_at=dt.datetime(2026, 1, 1),
        attributes={"kind": "x"},
        lines=({"line_no": 3},),
    )
    with pytest.raises(ValidationFailed, match=r"attributes\.kind.*lines\[0\]\.line_no"):
        neo4j_store.save_plan(plan)


def test_example_queries_answer(neo4j_store: Neo4jStore, tiny: SyntheticDataset) -> None:
    """The README's Cypher examples run on a loaded store and return rows."""
    neo4j_store.upsert_network(tiny.network)
    neo4j_store.append_deliveries(tiny.deliveries)
    neo4j_store.save_plan(
        StoredPlan(
            id="rep-1",
            kind="replenishment",
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            lines=tuple({"sku_id": s.id, "quantity": 10.0} for s in tiny.network.skus),
        )
    )
    results = {name: neo4j_store.query(text) for name, text in cypher.EXAMPLES.items()}
    assert len(results["latest replenishment plan, line by line"]) == len(tiny.network.skus)
    assert all(0 <= r["late_share"] <= 1 for r in results["late-delivery share per supplier"])
    assert results["late-delivery share per supplier"]


def test_query_refuses_writes(neo4j_store: Neo4jStore) -> None:
    """``query`` runs in a read transaction: a write fails and leaves nothing behind."""
    with pytest.raises(StoreError):
        neo4j_store.query("CREATE (:Sku {id: 'sneaky'})")
    assert count(neo4j_store, "(:Sku)") == 0


def test_unreachable_server_is_store_unavailable() -> None:
    """Connecting to a port nobody listens on raises StoreUnavailable, not a driver error."""
    with pytest.raises(StoreUnavailable):
        Neo4jStore.connect(f"bolt://127.0.0.1:{free_port()}")
