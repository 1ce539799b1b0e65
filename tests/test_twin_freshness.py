"""Freshness adapters: usable stock and storage limits computed by hand.

Properties: at 2 units a day, five units each expiring tonight, in one day and in two
days leave 0 + 2 + 2 usable units; durable stock is usable in full; a store's limit is
its rate times the shelf life less the days on the road, a warehouse's half a shelf
life of its stores' rate, durable positions unlimited.
"""

from __future__ import annotations

import numpy as np

from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.twin.freshness import perishable_capacity, position_rate, usable_stock
from supplynet.optimizer.twin.world import build_world


def test_usable_stock_by_hand() -> None:
    stock = np.array([[5.0, 5.0, 5.0, 0.0], [0.0, 0.0, 0.0, 7.0]])
    np.testing.assert_allclose(usable_stock(stock, np.array([2.0, 2.0])), [4.0, 7.0])


def test_capacity_follows_shelf_life(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    n = world.n_store
    rate = position_rate(world, np.ones(n))
    cap = perishable_capacity(world, rate)
    life = world.shelf_life
    store = np.flatnonzero(np.isfinite(life[:n]))[0]
    assert cap[store] == np.ceil(life[store] - world.transit_days[store])
    warehouse = world.source[store]
    assert rate[warehouse] == np.sum(world.source[:n] == warehouse)
    assert cap[warehouse] == np.ceil(rate[warehouse] * life[warehouse] / 2)
    assert np.isinf(cap[~np.isfinite(life)]).all()
