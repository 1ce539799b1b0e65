"""The network as pandas and networkx, and the structural questions analysts ask of it.

Everything here reads a ``Network`` snapshot, so the answers are the same whichever
store it came from. The three ``*_query`` style functions (single-supplier stores,
longest lead times, SKUs without a substitute) mirror the Cypher in
``graph.analyst_queries`` column for column, so the two can be compared.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from supplynet.graph.network import Network

LOCATION_KIND = {"suppliers": "supplier", "warehouses": "warehouse", "stores": "store"}
"""Table name -> the ``kind`` value used for its locations."""

_WAREHOUSE_COLUMNS = [
    "warehouse_id",
    "betweenness",
    "stores_served",
    "skus_sourced",
    "suppliers",
    "single_source_skus",
]


def locations_frame(network: Network) -> pd.DataFrame:
    """Every location with its kind: columns id, name, kind, latitude, longitude, region."""
    columns = ["id", "name", "kind", "latitude", "longitude", "region"]
    rows = [
        {**loc.model_dump(include={"id", "name", "latitude", "longitude", "region"}), "kind": kind}
        for table, kind in LOCATION_KIND.items()
        for loc in network.table(table)
    ]
    return pd.DataFrame(rows, columns=columns)


def lanes_frame(network: Network) -> pd.DataFrame:
    """Location pairs joined by a transport lane or a supply lane, one row per pair.

    Columns: origin_id, destination_id, distance_km (NaN without a transport lane),
    transit_time_days, supply_skus (SKUs sourced over the pair; 0 for pure transport),
    lead_time_mean_days (mean over those SKUs; NaN for pure transport).
    """
    transport = network.frame("transport_lanes")[
        ["origin_id", "destination_id", "distance_km", "transit_time_days"]
    ]
    supply = (
        network.frame("supply_lanes")
        .groupby(["supplier_id", "warehouse_id"], as_index=False)
        .agg(supply_skus=("sku_id", "nunique"), lead_time_mean_days=("lead_time_mean_days", "mean"))
        .rename(columns={"supplier_id": "origin_id", "warehouse_id": "destination_id"})
    )
    lanes = transport.merge(supply, on=["origin_id", "destination_id"], how="outer")
    lanes["supply_skus"] = lanes["supply_skus"].fillna(0).astype(int)
    return lanes.sort_values(["origin_id", "destination_id"]).reset_index(drop=True)


def to_digraph(network: Network) -> nx.DiGraph:
    """A directed graph of locations (node attribute ``kind`` and coordinates) and lanes.

    Edges carry the columns of ``lanes_frame`` as attributes.
    """
    graph = nx.DiGraph()
    for row in locations_frame(network).to_dict("records"):
        graph.add_node(row.pop("id"), **row)
    for row in lanes_frame(network).to_dict("records"):
        graph.add_edge(row.pop("origin_id"), row.pop("destination_id"), **row)
    return graph


def centrality(network: Network) -> pd.DataFrame:
    """Degree and betweenness centrality per location, most central first.

    Betweenness counts shortest supplier-to-store paths through a node, so a warehouse
    that many flows must cross scores high: losing it cuts the most paths.

    Returns
    -------
    DataFrame indexed by location id with kind, in_degree, out_degree,
    degree_centrality and betweenness (both normalised to [0, 1]).
    """
    graph = to_digraph(network)
    kinds = nx.get_node_attributes(graph, "kind")
    degree = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph, 0.0)
    between = nx.betweenness_centrality(graph)
    frame = pd.DataFrame(
        {
            "kind": pd.Series(kinds, dtype="str"),
            "in_degree": pd.Series(dict(graph.in_degree()), dtype=int),
            "out_degree": pd.Series(dict(graph.out_degree()), dtype=int),
            "degree_centrality": pd.Series(degree, dtype=float),
            "betweenness": pd.Series(between, dtype=float),
        },
        index=pd.Index(list(graph.nodes), name="id", dtype="str"),
    )
    return frame.sort_values(["betweenness", "degree_centrality"], ascending=False, kind="stable")


def critical_warehouses(network: Network) -> pd.DataFrame:
    """Warehouses ranked by how much of the network depends on them.

    Columns: warehouse_id, betweenness, stores_served, skus_sourced, suppliers,
    single_source_skus (SKUs this warehouse buys from exactly one supplier).
    """
    scores = centrality(network)
    supply = network.frame("supply_lanes")
    transport = network.frame("transport_lanes")
    stores = {s.id for s in network.stores}
    rows = []
    for warehouse in network.warehouses:
        lanes = supply[supply["warehouse_id"] == warehouse.id]
        per_sku = lanes.groupby("sku_id")["supplier_id"].nunique()
        served = transport[
            (transport["origin_id"] == warehouse.id) & transport["destination_id"].isin(stores)
        ]
        rows.append(
            {
                "warehouse_id": warehouse.id,
                "betweenness": float(scores.at[warehouse.id, "betweenness"]),
                "stores_served": int(served["destination_id"].nunique()),
                "skus_sourced": int(per_sku.size),
                "suppliers": int(lanes["supplier_id"].nunique()),
                "single_source_skus": int((per_sku == 1).sum()),
            }
        )
    frame = pd.DataFrame(rows, columns=_WAREHOUSE_COLUMNS)
    return frame.sort_values(
        ["betweenness", "stores_served", "warehouse_id"], ascending=[False, False, True]
    ).reset_index(drop=True)


def single_source_skus(network: Network) -> pd.DataFrame:
    """SKUs that exactly one supplier delivers, anywhere in the network.

    Columns: sku_id, category, supplier_id, warehouses (how many it supplies).
    """
    supply = network.frame("supply_lanes")
    grouped = supply.groupby("sku_id").agg(
        suppliers=("supplier_id", "nunique"),
        supplier_id=("supplier_id", "first"),
        warehouses=("warehouse_id", "nunique"),
    )
    single = grouped[grouped["suppliers"] == 1].reset_index()
    category = network.frame("skus").set_index("id")["category"]
    single["category"] = single["sku_id"].map(category)
    columns = ["sku_id", "category", "supplier_id", "warehouses"]
    return single[columns].sort_values("sku_id").reset_index(drop=True)


def skus_without_substitute(network: Network, min_strength: float = 0.0) -> pd.DataFrame:
    """SKUs shoppers cannot switch away from: no substitution of at least ``min_strength``.

    Columns: sku_id, name, category, suppliers (distinct suppliers of the SKU).
    """
    skus = network.frame("skus")
    subs = network.frame("substitutions")
    has_substitute = set(subs.loc[subs["strength"] >= min_strength, "sku_id"])
    suppliers = network.frame("supply_lanes").groupby("sku_id")["supplier_id"].nunique()
    lonely = skus[~skus["id"].isin(has_substitute)].rename(columns={"id": "sku_id"})
    lonely = lonely.assign(suppliers=lonely["sku_id"].map(suppliers).fillna(0).astype(int))
    columns = ["sku_id", "name", "category", "suppliers"]
    return lonely[columns].sort_values("sku_id").reset_index(drop=True)


def longest_lead_times(network: Network, limit: int = 10) -> pd.DataFrame:
    """The supply lanes with the longest mean lead time (ties: larger std first).

    Columns: supplier_id, warehouse_id, sku_id, lead_time_mean_days, lead_time_std_days.
    """
    columns = ["supplier_id", "warehouse_id", "sku_id", "lead_time_mean_days", "lead_time_std_days"]
    lanes = network.frame("supply_lanes")[columns]
    ordered = lanes.sort_values(
        ["lead_time_mean_days", "lead_time_std_days", "supplier_id", "warehouse_id", "sku_id"],
        ascending=[False, False, True, True, True],
    )
    return ordered.head(limit).reset_index(drop=True)


def single_supplier_stores(network: Network, min_share: float = 1.0) -> pd.DataFrame:
    """Stores that depend on one supplier for (a share of) a category.

    A store carries the SKUs it has an inventory position for and is served by the
    warehouses with a transport lane to it. A carried SKU depends on a supplier when
    that supplier is its only source over those warehouses. A row is reported when one
    supplier is the only source of at least ``min_share`` of the store's SKUs in a
    category; ``min_share=1`` asks for stores with a single supplier for the category.

    Columns: store_id, category, supplier_id, dependent_skus, category_skus, share.
    """
    stores = {s.id for s in network.stores}
    warehouses = {w.id for w in network.warehouses}
    transport = network.frame("transport_lanes")
    served = transport[
        transport["origin_id"].isin(warehouses) & transport["destination_id"].isin(stores)
    ].rename(columns={"origin_id": "warehouse_id", "destination_id": "store_id"})
    positions = network.frame("inventory_positions")
    carried = positions[positions["location_id"].isin(stores)].rename(
        columns={"location_id": "store_id"}
    )[["store_id", "sku_id"]]
    category = network.frame("skus").set_index("id")["category"]
    carried = carried.assign(category=carried["sku_id"].map(category))
    sources = carried.merge(served[["store_id", "warehouse_id"]], on="store_id").merge(
        network.frame("supply_lanes")[["warehouse_id", "sku_id", "supplier_id"]],
        on=["warehouse_id", "sku_id"],
    )
    per_sku = sources.groupby(["store_id", "category", "sku_id"]).agg(
        suppliers=("supplier_id", "nunique"), supplier_id=("supplier_id", "first")
    )
    sole = per_sku[per_sku["suppliers"] == 1].reset_index()
    dependent = (
        sole.groupby(["store_id", "category", "supplier_id"])
        .agg(dependent_skus=("sku_id", "nunique"))
        .reset_index()
    )
    totals = carried.groupby(["store_id", "category"]).agg(category_skus=("sku_id", "nunique"))
    rows = dependent.merge(totals.reset_index(), on=["store_id", "category"])
    rows["share"] = rows["dependent_skus"] / rows["category_skus"]
    columns = ["store_id", "category", "supplier_id", "dependent_skus", "category_skus", "share"]
    picked = rows.loc[rows["share"] >= min_share - 1e-12, columns]
    return picked.sort_values(
        ["share", "store_id", "category", "supplier_id"], ascending=[False, True, True, True]
    ).reset_index(drop=True)
