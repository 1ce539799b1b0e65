"""Demand models draw what they state (mean and spread per kind), repeatably by seed,
and refuse parameters that describe no distribution."""

from __future__ import annotations

import numpy as np
import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.replenishment.demand_models import DemandModel

MODELS = [
    DemandModel("normal", 50.0, 8.0),
    DemandModel("poisson", 6.0),
    DemandModel("negative_binomial", 6.0, 4.0),
    DemandModel.empirical([0, 0, 3, 5, 12]),
    DemandModel("deterministic", 7.0),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.kind)
def test_draws_have_the_stated_mean_and_spread(model: DemandModel) -> None:
    draws = model.sample(np.random.default_rng(0), (20_000,))
    assert draws.mean() == pytest.approx(model.mean, abs=0.05 * max(model.std, 1.0))
    assert draws.std() == pytest.approx(model.std, rel=0.05, abs=1e-9)
    assert (draws >= 0).all()


def test_same_seed_same_draws() -> None:
    model = DemandModel("negative_binomial", 6.0, 4.0)
    a = model.sample(np.random.default_rng(3), (5, 4))
    b = model.sample(np.random.default_rng(3), (5, 4))
    np.testing.assert_array_equal(a, b)
    assert model.whole_units
    assert not DemandModel("normal", 5.0, 1.0).whole_units


def test_anchor_specs_and_finer_periods() -> None:
    rate = DemandModel.from_anchor({"distribution": "poisson_process", "rate": 1.5})
    assert rate == DemandModel("poisson", 1.5)
    assert rate.scaled(0.1).kind == "poisson"
    assert rate.scaled(0.1).mean == pytest.approx(0.15)
    normal = DemandModel.from_anchor({"distribution": "normal", "mean": 50, "sd": 8})
    assert normal.scaled(0.25).std == pytest.approx(4.0)


def test_impossible_parameters_are_refused() -> None:
    with pytest.raises(ValidationFailed, match=r"sd\*\*2 > mean"):
        DemandModel("negative_binomial", 6.0, 2.0)
    with pytest.raises(ValidationFailed, match="needs values"):
        DemandModel("empirical")
    with pytest.raises(ValidationFailed, match="cannot be split"):
        DemandModel.empirical([1, 2]).scaled(0.5)
