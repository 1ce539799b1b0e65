"""The three uses answer as the known network dictates, never offer a SKU the store will not
have on the need date, name the unknown field, and say when the popularity fallback answered."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from supplynet.graph.errors import NotFound, ValidationFailed
from supplynet.graph.model import InventoryPosition, Sku
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.recommend import recommender
from supplynet.optimizer.recommend.lightgcn import RankerParams
from supplynet.optimizer.recommend.model import RecommendModel, train_recommend_model
from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.recommend.result import DATED_USES, USES
from supplynet.optimizer.recommend.shelf_stock import ShelfStock
from tests.recommend_support import known_demand, known_network, known_risk

PARAMS = RankerParams(embedding_dim=16, layers=2, epochs=60, learning_rate=5e-2, seed=3)
DAY = dt.date(2024, 1, 20)


@pytest.fixture(scope="module")
def known_model() -> RecommendModel:
    return train_recommend_model(known_network(), known_demand(), PARAMS)


def _plan(*lines: tuple[str, str, float, dt.date]) -> StoredPlan:
    return StoredPlan(
        id="p",
        kind="replenishment",
        created_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
        lines=tuple(
            {
                "line_type": "transfer",
                "origin_id": "w1",
                "destination_id": store,
                "sku_id": sku,
                "quantity": units,
                "arrival_date": day.isoformat(),
            }
            for store, sku, units, day in lines
        ),
    )


def test_declared_substitute_in_stock_comes_first(known_model: RecommendModel) -> None:
    network = known_network()
    answer = Recommender(known_model, network, ShelfStock.build(network)).substitute(
        "a1", "s1", DAY, 3
    )
    assert answer.items[0].sku_id == "a2"
    assert "declared substitute" in answer.items[0].reason
    assert answer.items[0].numbers["units_on_shelf"] == 5.0
    assert not answer.fallback
    scores = [r.score for r in answer.items]
    assert scores == sorted(scores, reverse=True)


def test_out_of_stock_substitute_returns_only_once_a_planned_arrival_lands(
    known_model: RecommendModel,
) -> None:
    network = known_network(empty=frozenset({("s2", "a2")}))
    stock = ShelfStock.build(network, _plan(("s2", "a2", 6.0, dt.date(2024, 1, 25))))
    recommender = Recommender(known_model, network, stock)
    before = recommender.substitute("a1", "s2", dt.date(2024, 1, 24), 5)
    assert "a2" not in [r.sku_id for r in before.items]
    after = recommender.substitute("a1", "s2", dt.date(2024, 1, 25), 5)
    assert after.items[0].sku_id == "a2"
    assert after.items[0].numbers["arriving"] == 6.0


def test_no_use_returns_a_sku_out_of_stock_at_the_store(tiny: SyntheticDataset) -> None:
    network = tiny.network
    empty = {(p.location_id, p.sku_id) for p in network.inventory_positions if p.on_hand < 1}
    model = train_recommend_model(network, tiny.demand, PARAMS)
    stock = ShelfStock.build(network)
    recommender = Recommender(model, network, stock)
    assert empty  # the fixture has out-of-stock positions, so the check can fail
    for store in network.stores:
        for sku in network.skus:
            for item in recommender.substitute(sku.id, store.id, DAY, 1000).items:
                assert (store.id, item.sku_id) not in empty
                assert stock.units_on(store.id, DAY)[stock.skus[item.sku_id]] >= 1.0


def test_listing_offers_what_similar_stores_sell(known_model: RecommendModel) -> None:
    network = known_network()
    answer = Recommender(known_model, network, ShelfStock.build(network)).listing("s3", DAY, 2)
    assert answer.items[0].sku_id == "b1"
    assert answer.items[0].numbers["similar_stores_selling"] == 2.0
    assert "not sold at s3" in answer.items[0].reason


def test_uses_left_out_of_dated_uses_answer_the_same_on_any_date(
    known_model: RecommendModel,
) -> None:
    """The server keeps one answer of these uses for every need date (``answer_key``): only
    right while they do not depend on it. Stock arrives at s3 between the two dates, which
    changes its substitutes but must not change these."""
    network = known_network(empty=frozenset({("s3", "a2"), ("s3", "b1")}))
    plan = _plan(("s3", "a2", 10.0, DAY + dt.timedelta(days=3)))
    local = Recommender(known_model, network, ShelfStock.build(network, plan), known_risk())
    later = DAY + dt.timedelta(days=7)
    assert local.substitute("a1", "s3", DAY, 5) != dataclasses.replace(
        local.substitute("a1", "s3", later, 5), need_date=DAY
    )
    for use, sku in (("listing", ""), ("alternate-supplier", "a1")):
        early = local.recommend(use, sku, "s3", DAY, 5)
        assert early.items, use
        assert early == dataclasses.replace(
            local.recommend(use, sku, "s3", later, 5), need_date=DAY
        )
    assert set(USES) - DATED_USES == {"listing", "alternate-supplier"}


def test_alternate_supplier_replaces_the_risky_one(known_model: RecommendModel) -> None:
    network = known_network()
    recommender = Recommender(known_model, network, ShelfStock.build(network), known_risk())
    answer = recommender.alternate_supplier("a1", "s1", DAY, 5)
    suppliers = [(r.supplier_id, r.sku_id) for r in answer.items]
    assert suppliers[0] == ("p2", "a1")
    assert ("p3", "a2") in suppliers
    assert all(s != "p1" for s, _ in suppliers)
    first = answer.items[0]
    assert first.score == pytest.approx(0.9)
    assert first.numbers["current_late_probability"] == 0.6
    assert "late risk 10% vs 60% for p1 (current)" in first.reason


def test_unseen_sku_gets_category_popularity_and_says_so(known_model: RecommendModel) -> None:
    base = known_network()
    new = Sku(id="a9", category="C1", unit_weight_kg=1, unit_volume_m3=0.01, unit_cost=2, price=3)
    network = base.merge(
        Network.build(
            skus=[new],
            inventory_positions=[
                InventoryPosition(
                    location_id="s1", sku_id="a9", on_hand=4.0, holding_cost_per_day=0.01
                )
            ],
            check_references=False,
        )
    )
    answer = Recommender(known_model, network, ShelfStock.build(network)).substitute(
        "a9", "s1", DAY, 10
    )
    assert answer.fallback
    assert "unseen" in answer.note and "C1" in answer.note
    assert {r.sku_id for r in answer.items} == {"a1", "a2", "a3"}


@pytest.mark.parametrize(
    ("use", "sku", "store", "field"),
    [
        ("substitute", "zz", "s1", "sku_id"),
        ("substitute", "a1", "zz", "store_id"),
        ("listing", "", "zz", "store_id"),
        ("alternate-supplier", "a1", "zz", "store_id"),
    ],
)
def test_unknown_ids_name_the_field(
    known_model: RecommendModel, use: str, sku: str, store: str, field: str
) -> None:
    network = known_network()
    recommender = Recommender(known_model, network, ShelfStock.build(network))
    with pytest.raises(NotFound, match=f"{field} 'zz' not found"):
        recommender.recommend(use, sku, store, DAY, 5)


@pytest.mark.parametrize(("use", "limit", "path"), [("substitute", 0, "limit"), ("x", 5, "use")])
def test_bad_requests_name_the_field(
    known_model: RecommendModel, use: str, limit: int, path: str
) -> None:
    network = known_network()
    recommender = Recommender(known_model, network, ShelfStock.build(network))
    with pytest.raises(ValidationFailed) as raised:
        recommender.recommend(use, "a1", "s1", DAY, limit)
    assert [p.path for p in raised.value.problems] == [path]


@pytest.mark.parametrize("limit", [1, 3, 10, 40])
def test_best_cut_before_the_sort_ranks_like_a_full_sort(limit: int) -> None:
    """Many candidates are cut to the ``limit``-th best score before sorting: the same
    ranking as sorting them all, ties to the lower index included."""
    rng = np.random.default_rng(limit)
    scores = rng.integers(0, 8, size=400).astype(np.float64) / 8  # many ties
    scores[rng.choice(400, size=5, replace=False)] = -np.inf
    candidates = np.sort(rng.choice(400, size=300, replace=False))
    full = candidates[np.lexsort((candidates, -scores[candidates]))][:limit]
    assert recommender._best(scores, candidates, limit).tolist() == full.tolist()
