"""How demand series relate through the network: one pair list per kind of neighbour.

A series is a (location, SKU) pair. Two series are neighbours when the network says
their demand is linked:

- ``substitute``: the same location sells a substitute (``substitutions``); a promotion
  on one cannibalises the other;
- ``category``: the same location sells another SKU of the same category (shared
  seasonality);
- ``supplier``: the same location sells another SKU from a shared supplier
  (``supply_lanes``);
- ``nearby``: the same SKU at a location served from a shared origin (``transport_lanes``).

Both graph-aware forecasters use these pairs: the GNN as message-passing edges, the
global model as neighbour aggregates. They live here, below both, so neither imports
the other.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network

RELATIONS = ("substitute", "category", "supplier", "nearby")

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
"""(source positions, destination positions) into the series keys, unique and sorted."""


def series_relations(
    network: Network, keys: tuple[tuple[str, str], ...], relations: tuple[str, ...] = RELATIONS
) -> dict[str, Pairs]:
    """The neighbour pairs of the series ``keys`` (location id, SKU id) per relation.

    Raises
    ------
    ValidationFailed
        An unknown relation name.
    """
    unknown = [r for r in relations if r not in RELATIONS]
    if unknown:
        raise ValidationFailed(
            [
                Problem(f"relations[{relations.index(r)}]", f"unknown relation {r!r}")
                for r in unknown
            ],
            "series relations",
        )
    category = {s.id: s.category for s in network.skus}
    series = pd.DataFrame(list(keys), columns=["location", "sku"])
    series["node"] = np.arange(len(series))
    series["category"] = series["sku"].map(category).fillna("")
    builders = {
        "substitute": lambda: _substitute_pairs(network, series),
        "category": lambda: _self_pairs(series[series["category"] != ""], ["location", "category"]),
        "supplier": lambda: _supplier_pairs(network, series),
        "nearby": lambda: _nearby_pairs(network, series),
    }
    return {r: _positions(builders[r]()) for r in relations}


def _self_pairs(frame: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    both = frame.merge(frame, on=on, suffixes=("_src", "_dst"))
    return both[both["node_src"] != both["node_dst"]]


def _substitute_pairs(network: Network, series: pd.DataFrame) -> pd.DataFrame:
    subs = network.frame("substitutions")
    if subs.empty:
        return pd.DataFrame(columns=["node_src", "node_dst"])
    src = series.merge(subs, left_on="sku", right_on="substitute_id")
    both = src.merge(series, left_on=["location", "sku_id"], right_on=["location", "sku"])
    return both.rename(columns={"node_x": "node_src", "node_y": "node_dst"})


def _supplier_pairs(network: Network, series: pd.DataFrame) -> pd.DataFrame:
    lanes = network.frame("supply_lanes")
    if lanes.empty:
        return pd.DataFrame(columns=["node_src", "node_dst"])
    shared = _sharing(lanes, "supplier_id", "sku_id")
    src = series.merge(shared, left_on="sku", right_on="sku_id_a")
    both = src.merge(series, left_on=["location", "sku_id_b"], right_on=["location", "sku"])
    return both.rename(columns={"node_x": "node_src", "node_y": "node_dst"})


def _nearby_pairs(network: Network, series: pd.DataFrame) -> pd.DataFrame:
    lanes = network.frame("transport_lanes")
    if lanes.empty:
        return pd.DataFrame(columns=["node_src", "node_dst"])
    shared = _sharing(lanes, "origin_id", "destination_id")
    src = series.merge(shared, left_on="location", right_on="destination_id_a")
    both = src.merge(series, left_on=["destination_id_b", "sku"], right_on=["location", "sku"])
    return both.rename(columns={"node_x": "node_src", "node_y": "node_dst"})


def _sharing(edges: pd.DataFrame, hub: str, member: str) -> pd.DataFrame:
    """Ordered pairs of distinct ``member`` ids with a ``hub`` in common, as
    ``{member}_a`` and ``{member}_b`` columns (e.g. SKUs made by one supplier)."""
    links = edges[[hub, member]].drop_duplicates()
    shared = links.merge(links, on=hub, suffixes=("_a", "_b"))
    a, b = f"{member}_a", f"{member}_b"
    return shared.loc[shared[a] != shared[b], [a, b]].drop_duplicates()


def _positions(pairs: pd.DataFrame) -> Pairs:
    unique = pairs[["node_src", "node_dst"]].drop_duplicates().sort_values(["node_src", "node_dst"])
    values = unique.to_numpy(dtype=np.int64)
    return np.ascontiguousarray(values[:, 0]), np.ascontiguousarray(values[:, 1])
