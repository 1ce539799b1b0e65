"""A recommend checkpoint round trip answers identically; training is seeded; a checkpoint
of another kind or of an older layout is refused; precomputed score tables answer like
scoring per request."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from supplynet.gnn.training import Checkpoint
from supplynet.graph.errors import SupplynetError, ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.recommend import recommender
from supplynet.optimizer.recommend.lightgcn import RankerParams
from supplynet.optimizer.recommend.model import RecommendModel, train_recommend_model
from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.recommend.shelf_stock import ShelfStock

PARAMS = RankerParams(embedding_dim=8, layers=2, epochs=20, learning_rate=5e-2, seed=5)


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> RecommendModel:
    return train_recommend_model(tiny.network, tiny.demand, PARAMS)


def test_checkpoint_round_trip_gives_identical_rankings(
    tiny: SyntheticDataset, model: RecommendModel
) -> None:
    loaded = RecommendModel.from_checkpoint(Checkpoint.from_bytes(model.checkpoint().to_bytes()))
    assert loaded.version == model.version
    assert loaded.blend.weights == model.blend.weights
    reweighted = dataclasses.replace(model.blend, weights=(0.0, 1.0, 0.0))
    assert dataclasses.replace(model, blend=reweighted).version != model.version
    stock = ShelfStock.build(tiny.network)
    day = dt.date(2026, 1, 2)
    for store in tiny.network.stores:
        for sku in tiny.network.skus:
            for use in ("substitute", "listing", "alternate-supplier"):
                a = Recommender(model, tiny.network, stock).recommend(use, sku.id, store.id, day)
                b = Recommender(loaded, tiny.network, stock).recommend(use, sku.id, store.id, day)
                assert a == b


def test_same_seed_same_vectors_other_seed_other_vectors(
    tiny: SyntheticDataset, model: RecommendModel
) -> None:
    again = train_recommend_model(tiny.network, tiny.demand, PARAMS)
    np.testing.assert_array_equal(again.sku_vectors, model.sku_vectors)
    other = train_recommend_model(tiny.network, tiny.demand, dataclasses.replace(PARAMS, seed=6))
    assert not np.array_equal(other.sku_vectors, model.sku_vectors)


def test_checkpoint_of_another_kind_is_refused(model: RecommendModel) -> None:
    wrong = dataclasses.replace(model.checkpoint(), kind="risk")
    with pytest.raises(ValidationFailed, match=r"checkpoint\.kind"):
        RecommendModel.from_checkpoint(wrong)


def test_history_without_sales_is_refused(tiny: SyntheticDataset) -> None:
    with pytest.raises(ValidationFailed, match="no store x SKU sales"):
        train_recommend_model(tiny.network, tiny.demand.iloc[:0], PARAMS)


def test_checkpoint_of_an_older_layout_asks_for_retraining(model: RecommendModel) -> None:
    saved = model.checkpoint()
    older = dataclasses.replace(
        saved, config={k: v for k, v in saved.config.items() if k != "weights"}
    )
    with pytest.raises(SupplynetError, match=r"older supplynet.*'weights'.*train recommend"):
        RecommendModel.from_checkpoint(older)


def test_score_tables_answer_like_scoring_per_request(
    tiny: SyntheticDataset, model: RecommendModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock = ShelfStock.build(tiny.network)
    day = dt.date(2026, 1, 2)
    tabled = Recommender(model, tiny.network, stock)
    monkeypatch.setattr(recommender, "TABLE_CELLS", 0)
    per_request = Recommender(model, tiny.network, stock)
    store = tiny.network.stores[0].id
    for sku in tiny.network.skus:
        for use in ("substitute", "listing"):
            a = tabled.recommend(use, sku.id, store, day).items
            b = per_request.recommend(use, sku.id, store, day).items
            assert [r.sku_id for r in a] == [r.sku_id for r in b]
            assert [r.score for r in a] == pytest.approx([r.score for r in b], abs=1e-5)
