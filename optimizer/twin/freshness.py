"""Shelf life told to a planner that has none: storage limits and usable stock.

The replenishment planner knows no shelf life. Rolled forward it counted stock that
expires before it sells and lot-sized perishables for weeks. Two adapters pass what
freshness implies through the planner's public input, per position and from tonight's
forecast rate (a warehouse serves the sum of its stores' rates):

- ``perishable_capacity``: a store holds at most what sells within its shelf life less
  the days on the road, a warehouse ``PERISHABLE_COVER_SHARE`` of that;
- ``usable_stock``: the stock that can sell before it expires if sold first in first
  out at that rate; the rest is reported as if it were not there (it will be waste).
"""

from __future__ import annotations

import numpy as np

from supplynet.optimizer.twin.world import FloatArray, TwinWorld

PERISHABLE_COVER_SHARE = 0.5


def position_rate(world: TwinWorld, store_rate: FloatArray) -> FloatArray:
    """Daily demand per position: stores their own, warehouses the sum of their stores'."""
    n = world.n_store
    rate = np.zeros(world.n_positions)
    rate[:n] = store_rate
    np.add.at(rate, world.source[:n], store_rate)
    return rate


def perishable_capacity(world: TwinWorld, rate: FloatArray) -> FloatArray:
    """Per position: the most stock that sells while fresh (``inf`` for durable SKUs)."""
    n = world.n_store
    sellable = world.shelf_life.copy()
    sellable[:n] -= world.transit_days[:n]
    sellable[n:] *= PERISHABLE_COVER_SHARE
    perishable = np.isfinite(sellable)
    cap = np.full(world.n_positions, np.inf)
    cap[perishable] = np.maximum(np.ceil(rate[perishable] * np.maximum(sellable[perishable], 1)), 1)
    return cap


def usable_stock(stock_by_life: FloatArray, rate: FloatArray) -> FloatArray:
    """Units per position that sell before expiry at ``rate`` a day, oldest first.

    Column ``r`` holds units sellable on ``r`` more days after today (the last column:
    durable, all usable). Selling ``rate`` a day from tomorrow, at most ``rate * r`` units
    can be gone by the time column ``r`` expires, so the usable total grows column by
    column but never beyond that.
    """
    usable = np.zeros(stock_by_life.shape[0])
    for r in range(stock_by_life.shape[1] - 1):
        usable = np.minimum(usable + stock_by_life[:, r], rate * r)
    return usable + stock_by_life[:, -1]
