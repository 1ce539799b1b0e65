"""Elasticity estimation recovers planted own and cross effects and says when it pools.

Properties: a planted own elasticity is recovered within its interval on a clean panel;
a substitute's promotion shows as a positive cross effect; on the ``tiny`` preset the
median error against the generator's truth is small; a SKU without price variation takes
its pooled estimate with a note; a scope without any price variation is rejected naming
``demand.price``; the same data gives the same model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.model import Sku, Substitution
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.pricing import ElasticityEstimator

PLANTED = {"A": 1.6, "B": 2.3, "C": 1.1}
CROSS_LOSS = 0.3


def sku(sku_id: str, category: str = "C1", price: float = 4.0) -> Sku:
    return Sku(
        id=sku_id,
        category=category,
        unit_weight_kg=1,
        unit_volume_m3=0.001,
        unit_cost=price / 2,
        price=price,
    )


def planted_panel(seed: int = 3, days: int = 500, flat: tuple[str, ...] = ()) -> pd.DataFrame:
    """Three SKUs, one category, a weekly season, drifting prices and promotions.

    ``B`` loses ``CROSS_LOSS`` of its demand while only ``A`` is on promotion.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(days) / 7)
    rows = []
    promo = {k: np.repeat(rng.random(days // 7 + 1) < 0.12, 7)[:days] for k in PLANTED}
    for k, elasticity in PLANTED.items():
        regular = np.clip(
            np.cumprod(rng.choice([0.95, 1, 1.05], days, p=[0.02, 0.96, 0.02])), 0.8, 1.2
        )
        ratio = regular * np.where(promo[k], 0.75, 1.0)
        if k in flat:
            ratio, promo[k] = np.ones(days), np.zeros(days, dtype=bool)
        rate = 20 * season * ratio**-elasticity * np.where(promo[k], 1.2, 1.0)
        if k == "B":
            rate = rate * np.where(promo["A"] & ~promo["B"], 1 - CROSS_LOSS, 1.0)
        for store in ("S1", "S2"):
            rows.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "store_id": store,
                        "sku_id": k,
                        "quantity": rng.poisson(rate).astype(float),
                        "price": np.round(4.0 * ratio, 2),
                        "promo": promo[k],
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


EDGES = [Substitution(sku_id="B", substitute_id="A", strength=0.3)]


def test_planted_own_elasticities_fall_in_their_intervals() -> None:
    model = (
        ElasticityEstimator(pooling=False)
        .fit(planted_panel(), [sku(k) for k in PLANTED], EDGES)
        .model_
    )
    for estimate in model.skus:
        low, high = estimate.interval(z=3.0)
        assert low <= PLANTED[estimate.sku_id] <= high, estimate
        assert abs(estimate.elasticity - PLANTED[estimate.sku_id]) < 0.25


def test_substitute_promotion_is_a_positive_cross_effect_only_along_edges() -> None:
    model = ElasticityEstimator().fit(planted_panel(), [sku(k) for k in PLANTED], EDGES).model_
    assert [(c.sku_id, c.substitute_id) for c in model.cross] == [("B", "A")]
    assert model.cross[0].elasticity > 2 * model.cross[0].std_error > 0


def test_recovers_the_tiny_presets_truth(tiny: SyntheticDataset) -> None:
    model = (
        ElasticityEstimator().fit(tiny.demand, tiny.network.skus, tiny.network.substitutions).model_
    )
    truth = tiny.truth.skus.set_index("sku_id")["elasticity"]
    errors = [abs(e.elasticity - truth[e.sku_id]) for e in model.skus]
    assert np.median(errors) < 0.3


def test_a_sku_without_price_variation_gets_the_pooled_estimate_and_says_so() -> None:
    skus = [sku(k) for k in PLANTED]
    model = ElasticityEstimator().fit(planted_panel(flat=("C",)), skus, EDGES).model_
    flat = model.skus[model.index()["C"]]
    assert flat.source == "pooled" and flat.unpooled is None
    assert "no price variation" in flat.note
    others = [model.skus[model.index()[k]].elasticity for k in ("A", "B")]
    assert min(others) - 0.5 <= flat.elasticity <= max(others) + 0.5


def test_a_scope_without_price_variation_is_rejected() -> None:
    frame = planted_panel(flat=tuple(PLANTED))
    with pytest.raises(ValidationFailed, match=r"demand\.price"):
        ElasticityEstimator().fit(frame, [sku(k) for k in PLANTED], EDGES)


def test_same_data_same_model() -> None:
    skus = [sku(k) for k in PLANTED]
    first = ElasticityEstimator().fit(planted_panel(), skus, EDGES).model_
    second = ElasticityEstimator().fit(planted_panel(), skus, EDGES).model_
    assert first.frame().equals(second.frame())
