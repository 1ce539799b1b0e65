"""The store-SKU sales graph with the catalogue's substitution, category and supplier edges.

A recommender learns from which stores sell which SKUs (the interactions) and from what
the network says about SKUs: declared substitutes, their category and who supplies them.
All of it becomes one undirected graph over a single node index (stores, SKUs, then
context nodes: categories and suppliers), the form LightGCN propagates over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch

from supplynet.graph.network import Network

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SalesGraph:
    """Users (stores), items (SKUs) and context nodes joined by interactions and links.

    Shapes
    ------
    interactions: ``[2, E]`` (user index, item index), one column per pair that sold
    quantity: ``[E]`` units sold per interaction (popularity counts them)
    links: ``[2, L]`` (item index, node index in the whole graph) for item-item and
        item-context edges
    """

    users: tuple[str, ...]
    items: tuple[str, ...]
    context: tuple[str, ...]
    interactions: IntArray
    quantity: FloatArray
    links: IntArray

    @property
    def num_nodes(self) -> int:
        return len(self.users) + len(self.items) + len(self.context)

    def item_node(self, item: IntArray | int) -> IntArray | int:
        """Node index in the whole graph of an item index."""
        return item + len(self.users)

    def edge_index(self) -> torch.Tensor:
        """Both directions of every interaction and link, as LightGCN propagates them.

        Shapes: ``[2, 2 * (E + L)]``.
        """
        users, items = self.interactions
        src = np.concatenate([users, self.links[0] + len(self.users)])
        dst = np.concatenate([items + len(self.users), self.links[1]])
        both = np.stack([np.concatenate([src, dst]), np.concatenate([dst, src])])
        return torch.from_numpy(both.astype(np.int64))

    def seen(self) -> list[set[int]]:
        """Per user, the item indices it interacted with."""
        out: list[set[int]] = [set() for _ in self.users]
        for user, item in self.interactions.T:
            out[int(user)].add(int(item))
        return out

    def popularity(self) -> FloatArray:
        """Units sold per item over the interactions."""
        return np.bincount(
            self.interactions[1], weights=self.quantity, minlength=len(self.items)
        ).astype(np.float64)


def interaction_graph(
    users: list[str], items: list[str], pairs: pd.DataFrame, weight: str | None = None
) -> SalesGraph:
    """A plain user-item graph without context (e.g. MovieLens ratings).

    ``pairs`` has columns ``user`` and ``item`` holding ids from ``users`` and ``items``.
    """
    user_index = pd.Index(users)
    item_index = pd.Index(items)
    return SalesGraph(
        users=tuple(users),
        items=tuple(items),
        context=(),
        interactions=np.stack(
            [user_index.get_indexer(pairs["user"]), item_index.get_indexer(pairs["item"])]
        ).astype(np.int64),
        quantity=(
            pairs[weight].to_numpy(dtype=np.float64)
            if weight
            else np.ones(len(pairs), dtype=np.float64)
        ),
        links=np.zeros((2, 0), dtype=np.int64),
    )


def build_sales_graph(
    network: Network,
    demand: pd.DataFrame,
    *,
    until: pd.Timestamp | None = None,
    substitutions: bool = True,
) -> SalesGraph:
    """The sales graph of a network from a demand history (``DEMAND`` schema).

    Parameters
    ----------
    until
        Only sales dated before it count (a split in time); ``None`` keeps all.
    substitutions
        False leaves the declared substitutes out (to score how well sales and the rest of
        the catalogue find them).

    A store x SKU pair is an interaction when it sold at least one unit; a zero-sales
    history row (the SKU is listed but nothing sold) is not a purchase.
    """
    stores = [s.id for s in network.stores]
    skus = [s.id for s in network.skus]
    categories = sorted({s.category for s in network.skus})
    suppliers = sorted({lane.supplier_id for lane in network.supply_lanes})
    context = [f"category:{c}" for c in categories] + [f"supplier:{p}" for p in suppliers]
    sold = demand[demand["quantity"] > 0]
    if until is not None:
        sold = sold[sold["date"] < until]
    totals = sold.groupby(["store_id", "sku_id"], sort=True)["quantity"].sum().reset_index()
    store_index, sku_index = pd.Index(stores), pd.Index(skus)
    users = store_index.get_indexer(totals["store_id"])
    items = sku_index.get_indexer(totals["sku_id"])
    known = (users >= 0) & (items >= 0)
    context_index = pd.Index(context)
    first_context = len(stores) + len(skus)
    link_rows: list[tuple[int, int]] = [
        (
            int(sku_index.get_loc(s.id)),
            first_context + context_index.get_loc(f"category:{s.category}"),
        )
        for s in network.skus
    ]
    link_rows += sorted(
        {
            (
                int(sku_index.get_loc(lane.sku_id)),
                first_context + int(context_index.get_loc(f"supplier:{lane.supplier_id}")),
            )
            for lane in network.supply_lanes
        }
    )
    if substitutions:
        pairs = {tuple(sorted((s.sku_id, s.substitute_id))) for s in network.substitutions}
        link_rows += [
            (int(sku_index.get_loc(a)), len(stores) + int(sku_index.get_loc(b)))
            for a, b in sorted(pairs)
        ]
    links = np.array(link_rows, dtype=np.int64).reshape(-1, 2).T
    return SalesGraph(
        users=tuple(stores),
        items=tuple(skus),
        context=tuple(context),
        interactions=np.stack([users[known], items[known]]).astype(np.int64),
        quantity=totals["quantity"].to_numpy(dtype=np.float64)[known],
        links=links,
    )
