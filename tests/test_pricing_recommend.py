"""Recommendations on the ``tiny`` preset: rules never broken, every price explained.

Properties: no recommended price moves more than ``max_change`` or undercuts the margin
floor; a tight stock is met (by the price or its substitute's) and names ``stock``; a
price stopped at the edge of its range names the rule; substitutes appear as neighbours
with the units the move shifts; the scope's margin after is at least today's; bad rules,
unknown SKUs and unpriced SKUs are rejected with their field.
"""

from __future__ import annotations

import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.model import Sku
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.pricing import (
    DemandModel,
    ElasticityEstimator,
    PriceRules,
    build_ladder,
    recommend_prices,
)


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> DemandModel:
    network = tiny.network
    return ElasticityEstimator().fit(tiny.demand, network.skus, network.substitutions).model_


@pytest.mark.parametrize("max_change", [0.03, 0.1, 0.25])
def test_max_change_and_margin_floor_are_never_broken(
    tiny: SyntheticDataset, model: DemandModel, max_change: float
) -> None:
    rules = PriceRules(max_change=max_change, min_margin=0.3)
    result = recommend_prices(model, tiny.network.skus, rules)
    for r in result.recommendations:
        if "rules_conflict" in r.binding:
            assert r.recommended_price == r.current_price
            continue
        assert abs(r.recommended_price / r.current_price - 1) <= max_change + 1e-9
        assert r.recommended_price >= r.unit_cost / (1 - 0.3) - 1e-9
    assert result.margin_per_day_after >= result.margin_per_day_now - 1e-9


def test_every_recommendation_explains_itself(tiny: SyntheticDataset, model: DemandModel) -> None:
    result = recommend_prices(model, tiny.network.skus, PriceRules(max_change=0.1))
    substitutes = {(s.substitute_id, s.sku_id) for s in tiny.network.substitutions}
    for r in result.recommendations:
        low, high = r.elasticity_interval
        assert low <= r.elasticity <= high
        assert r.reasons[0].startswith("own elasticity")
        for n in r.neighbours:
            assert (r.sku_id, n.sku_id) in substitutes
            moved_up = r.recommended_price > r.current_price
            assert (n.units_per_day >= 0) == moved_up or n.units_per_day == 0
        ladder = build_ladder(r.current_price, r.unit_cost, PriceRules(max_change=0.1))
        if r.binding == ("max_change",):
            assert r.recommended_price in (ladder.prices.min(), ladder.prices.max())


def test_tight_stock_is_respected_and_named(tiny: SyntheticDataset, model: DemandModel) -> None:
    skus = tiny.network.skus
    rules = PriceRules(max_change=0.4)
    free = recommend_prices(model, skus, rules).recommendations
    k = next(i for i, r in enumerate(free) if not r.binding)
    tight = {skus[k].id: free[k].units_per_day_after * 7 * 0.85}
    limited = recommend_prices(model, skus, rules, supply=tight).recommendations[k]
    assert limited.recommended_price >= free[k].recommended_price
    assert limited.units_per_day_after * 7 <= tight[skus[k].id] + 1e-6
    assert "stock" in limited.binding


def test_bad_input_names_the_field(tiny: SyntheticDataset, model: DemandModel) -> None:
    with pytest.raises(ValidationFailed, match="max_change"):
        recommend_prices(model, tiny.network.skus, PriceRules(max_change=1.5))
    stranger = Sku(
        id="NOPE", category="C01", unit_weight_kg=1, unit_volume_m3=0.01, unit_cost=1, price=2
    )
    with pytest.raises(ValidationFailed, match=r"sku_ids\[1\]"):
        recommend_prices(model, [tiny.network.skus[0], stranger], PriceRules())
    free = tiny.network.skus[1].model_copy(update={"price": 0.0})
    with pytest.raises(ValidationFailed, match=r"skus\[1\]\.price"):
        recommend_prices(model, [tiny.network.skus[0], free], PriceRules())
