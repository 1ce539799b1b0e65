"""Ladders hold only prices every rule allows, and bad rules are rejected by field.

Properties: every rung is within +-max_change of today's price, keeps the minimum margin,
stays under the cap and ends in an allowed ending (today's price excepted); the bound that
set each end of the range is named; rules that leave no price keep today's price and say
so; out-of-range rules raise ``ValidationFailed`` naming each field.
"""

from __future__ import annotations

import numpy as np
import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.pricing import PriceRules, build_ladder


@pytest.mark.parametrize("seed", range(20))
def test_every_rung_obeys_every_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    price = float(np.round(rng.uniform(0.5, 80), 2))
    cost = float(price * rng.uniform(0.3, 0.95))
    rules = PriceRules(
        max_change=float(rng.uniform(0.02, 0.4)),
        min_margin=float(rng.uniform(0, 0.3)),
        price_cap=float(rng.uniform(0.95, 1.3)) if seed % 2 else None,
    )
    ladder = build_ladder(price, cost, rules)
    if ladder.conflict:
        assert list(ladder.prices) == [price]
        return
    for rung in ladder.prices:
        assert abs(rung / price - 1) <= rules.max_change + 1e-9
        assert rung >= cost / (1 - rules.min_margin) - 1e-9
        if rules.price_cap is not None:
            assert rung <= price * rules.price_cap + 1e-9
        ending = round(rung - np.floor(rung), 2)
        assert rung == price or any(np.isclose(ending, e) for e in rules.endings)
    assert len(ladder.prices) <= rules.max_rungs + 1


def test_bounds_are_named() -> None:
    ladder = build_ladder(10.0, 8.9, PriceRules(max_change=0.1, min_margin=0.1, price_cap=1.05))
    assert ladder.lower_bound == "margin_floor"
    assert ladder.upper_bound == "price_cap"
    assert ladder.prices.min() >= 8.9 / 0.9 and ladder.prices.max() <= 10.5


def test_conflicting_rules_keep_todays_price() -> None:
    ladder = build_ladder(10.0, 9.9, PriceRules(max_change=0.05, min_margin=0.2))
    assert ladder.conflict and list(ladder.prices) == [10.0]


def test_bad_rules_name_their_fields() -> None:
    with pytest.raises(ValidationFailed) as caught:
        PriceRules(max_change=1.0, min_margin=-0.1, max_rungs=0).check()
    assert {p.path for p in caught.value.problems} == {"max_change", "min_margin", "max_rungs"}
    with pytest.raises(ValidationFailed, match="max_change"):
        PriceRules(max_change=0.0).check()
