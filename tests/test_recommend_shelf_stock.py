"""Shelf stock is today's stock plus a plan's arrivals due on or before the need date."""

from __future__ import annotations

import datetime as dt

from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.recommend.shelf_stock import ShelfStock
from tests.recommend_support import known_network


def test_arrivals_count_from_their_arrival_date_on() -> None:
    network = known_network(empty=frozenset({("s1", "a1")}))
    plan = StoredPlan(
        id="plan-1",
        kind="replenishment",
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        lines=tuple(
            {"destination_id": "s1", "sku_id": "a1", "quantity": q, "arrival_date": d}
            for q, d in ((2.0, "2024-01-05"), (3.0, "2024-01-09"))
        ),
    )
    stock = ShelfStock.build(network, plan)
    a1 = stock.skus["a1"]
    assert stock.units_on("s1", dt.date(2024, 1, 4))[a1] == 0.0
    assert stock.units_on("s1", dt.date(2024, 1, 5))[a1] == 2.0
    assert stock.units_on("s1", dt.date(2024, 1, 9))[a1] == 5.0
    assert stock.in_stock("s1", ["a1", "a2"], dt.date(2024, 1, 4)) == [False, True]
    assert stock.units_on("s2", dt.date(2024, 1, 9))[a1] == 5.0
    assert ShelfStock.build(network).in_stock("s1", ["a1"], dt.date(2024, 1, 9)) == [False]
