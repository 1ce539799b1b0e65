"""A plan's store x SKU shortages get their best in-stock substitutes; other explanations
(warehouse limits, unknown stores) get none."""

from __future__ import annotations

import datetime as dt

from supplynet.optimizer.recommend.lightgcn import RankerParams
from supplynet.optimizer.recommend.model import train_recommend_model
from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.recommend.shelf_stock import ShelfStock
from supplynet.optimizer.recommend.shortages import shortage_substitutes
from supplynet.optimizer.replenishment.plan import Explanation
from tests.recommend_support import known_demand, known_network


def _explanation(
    kind: str, location: str, sku: str | None, periods: tuple[int, ...]
) -> Explanation:
    return Explanation(kind, "", location, sku, periods, 4.0, "")


def test_shortages_list_in_stock_substitutes_from_the_first_short_period() -> None:
    network = known_network(empty=frozenset({("s1", "a2")}))
    params = RankerParams(embedding_dim=8, layers=2, epochs=60, learning_rate=5e-2, seed=3)
    model = train_recommend_model(network, known_demand(), params)
    recommender = Recommender(model, network, ShelfStock.build(network))
    table = shortage_substitutes(
        recommender,
        [
            _explanation("shortage", "s1", "a1", (2, 3)),
            _explanation("shortage", "s2", "a1", (0,)),
            _explanation("warehouse_capacity", "w1", None, (1,)),
            _explanation("shortage", "w1", "a1", (1,)),
        ],
        start=dt.date(2024, 2, 1),
        period_days=7,
        limit=2,
    )
    assert set(table["location_id"]) == {"s1", "s2"}
    s1 = table[table["location_id"] == "s1"]
    assert list(s1["rank"]) == [1, 2]
    assert set(s1["need_date"]) == {dt.date(2024, 2, 15)}
    assert "a2" not in set(s1["substitute_id"])  # a2 is empty at s1
    assert table[table["location_id"] == "s2"]["substitute_id"].iloc[0] == "a2"
    assert (table["units_on_shelf"] >= 1.0).all()
