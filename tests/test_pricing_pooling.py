"""Graph shrinkage pulls uncertain elasticities towards their category and substitutes.

Properties: a precise estimate barely moves; a noisy one lands between its own value and
the prior; a SKU without an estimate takes the prior (category and neighbour mean); the
posterior is never less certain than the SKU's own estimate.
"""

from __future__ import annotations

import numpy as np

from supplynet.optimizer.pricing.pooling import shrink

ESTIMATE = np.array([1.0, 1.2, 1.4, 3.0, np.nan, 2.0])
STD_ERROR = np.array([0.05, 0.05, 0.05, 1.5, np.nan, 0.05])
ESTIMABLE = np.array([True, True, True, True, False, True])
GROUP = np.array([0, 0, 0, 0, 0, 1])
NEIGHBOURS = [[], [], [], [], [0], []]


def test_precise_estimates_stay_noisy_ones_shrink() -> None:
    result = shrink(ESTIMATE, STD_ERROR, ESTIMABLE, GROUP, NEIGHBOURS)
    assert abs(result.mean[1] - 1.2) < 0.02
    assert result.prior_mean[3] < result.mean[3] < 3.0
    assert abs(result.mean[3] - result.prior_mean[3]) < 0.5


def test_a_sku_without_data_takes_its_category_and_neighbour_prior() -> None:
    result = shrink(ESTIMATE, STD_ERROR, ESTIMABLE, GROUP, NEIGHBOURS)
    assert result.mean[4] == result.prior_mean[4]
    category = result.prior_mean[4] * 2 - ESTIMATE[0]
    assert 1.0 <= category <= 1.6
    assert result.std_error[4] == result.prior_sd


def test_pooling_never_widens_an_interval() -> None:
    result = shrink(ESTIMATE, STD_ERROR, ESTIMABLE, GROUP, NEIGHBOURS)
    assert (result.std_error[ESTIMABLE] <= STD_ERROR[ESTIMABLE] + 1e-12).all()
