"""Each item's demand shape (``forecasting.demand_shape``): planted multiplicative
effects (weekday, holiday, season, price elasticity, promotion lift, a substitute's
promotion) come back from counts summed over stores, from the year before the origin
only; a store listing the item is not read as a jump; months of history fit no season."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.demand_shape import ItemPanel, calendar_design
from supplynet.forecasting.global_features import DAILY, demand_panel, feature_rows

STORES = 6
DAYS = 500
HORIZON = 14
BASE = 15.0
WEEKDAY = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.6, 0.6])
HOLIDAY_LIFT = 1.8
ELASTICITY = 2.0
PROMO_LIFT = 1.3
CANNIBALISED = 0.7
"""Item 0's demand while its substitute (item 1) alone is on promotion."""
SEASON = 0.3


def _panel(
    seed: int = 0, listed: int = 0, days: int = DAYS, base: float = BASE
) -> tuple[ItemPanel, np.ndarray]:
    """Two items at ``STORES`` stores (item 0's last store listed from day ``listed``)
    with Poisson demand of the planted effects, and their true log rate ``[S, days +
    HORIZON]``; item 0's substitute is item 1."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days + HORIZON, freq="D")
    holidays = frozenset(dates[rng.choice(len(dates), 12, replace=False)])
    on = dates.isin(list(holidays)).astype(float)
    season = SEASON * np.sin(2 * np.pi * dates.day_of_year.to_numpy() / 365.25)
    price = 4.0 * np.exp(rng.normal(0, 0.08, (2, len(dates))))
    promo = (rng.random((2, len(dates))) < 0.1).astype(float)
    item_rate = (
        np.log(base)
        + np.log(WEEKDAY[dates.day_of_week.to_numpy()])
        + np.log(HOLIDAY_LIFT) * on
        + season
        - ELASTICITY * np.log(price / 4.0)
        + np.log(PROMO_LIFT) * promo
    )
    item_rate[0] += np.log(CANNIBALISED) * promo[1] * (1 - promo[0])
    item = np.repeat([0, 1], STORES)
    log_rate = item_rate[item]
    quantity = rng.poisson(np.exp(log_rate[:, :days])).astype(float)
    quantity[STORES - 1, :listed] = np.nan
    calendar = calendar_design(dates, holidays, weekly=False)
    items = ItemPanel.of(
        quantity,
        np.log(price[item]),
        promo[item],
        item,
        calendar,
        dates.day_of_year.to_numpy(),
        364,
    ).with_substitutes(np.array([0]), np.array([1]))
    return items, log_rate


def _centred(values: np.ndarray) -> np.ndarray:
    return np.asarray(values - values.mean(axis=1, keepdims=True))


def _frame(days: int) -> pd.DataFrame:
    """A cleaned demand frame: one item at three stores, Poisson demand of ``BASE``."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    frame = pd.DataFrame(
        {
            "date": np.tile(dates, 3),
            "store_id": np.repeat(["s0", "s1", "s2"], days),
            "sku_id": "k",
            "quantity": rng.poisson(BASE, 3 * days).astype(float),
            "price": 4.0,
            "promo": False,
        }
    )
    return clean_demand(frame).frame


def test_planted_effects_are_the_items_shape_on_the_days_ahead() -> None:
    """The fitted shape over the horizon follows the true log rate (weekday, holiday,
    season, price, promotion, the substitute's promotion): 2 % off on average, where a
    flat shape (no effects) is 25 % off."""
    items, log_rate = _panel()
    shape = items.log_shape(DAYS, HORIZON)[:, 364:]
    truth = log_rate[[0, STORES], DAYS:]
    error = np.abs(_centred(shape) - _centred(truth))
    assert error.mean() < 0.03
    assert error.max() < 0.12
    assert np.abs(_centred(truth)).mean() > 0.2


def test_the_shape_is_fitted_on_the_year_before_the_origin_only() -> None:
    """Scrambling demand from the origin on changes nothing of the shape at the origin."""
    items, _ = _panel()
    origin = DAYS - 60
    before = items.log_shape(origin, HORIZON)
    rng = np.random.default_rng(3)
    scrambled = items.quantity.copy()
    scrambled[:, origin:] = rng.poisson(500, scrambled[:, origin:].shape)
    changed = dataclasses.replace(items, quantity=scrambled)
    assert np.array_equal(before, changed.log_shape(origin, HORIZON), equal_nan=True)
    assert not np.array_equal(before, changed.log_shape(DAYS, HORIZON), equal_nan=True)


def test_a_store_listing_the_item_is_not_read_as_a_jump() -> None:
    """Item 0's sixth store lists it on day 300: the shape over the year stays the true
    one (the counts are offset by the stores observed), not a step at day 300."""
    items, log_rate = _panel(listed=300)
    shape = items.log_shape(DAYS, HORIZON)[0, :364]
    truth = log_rate[0, DAYS - 364 : DAYS]
    error = shape - truth
    assert abs(error[: 300 - (DAYS - 364)].mean() - error[300 - (DAYS - 364) :].mean()) < 0.05


def test_less_than_half_a_year_of_history_has_no_shape() -> None:
    """150 days are too few for the item shape: it refuses them, and the global model's
    shape features are missing there (and present from half a year on)."""
    items, _ = _panel(days=150)
    with pytest.raises(ValueError, match="182 periods"):
        items.log_shape(150, HORIZON)
    panel = demand_panel(_frame(days=400), None, HORIZON)
    rows = feature_rows(panel, np.array([150, 200, 380]), HORIZON, frozenset(), {})
    shape = rows.x[:, DAILY.features(()).index("shape_364")].reshape(3, -1)
    assert np.isnan(shape[0]).all()
    assert np.isfinite(shape[1:]).all()


def test_months_of_history_fit_no_season() -> None:
    """With 200 days of history the yearly terms stay out of the fit (other yearly
    values change nothing); with a year they are in."""
    short, _ = _panel(days=200)
    full, _ = _panel()
    rng = np.random.default_rng(5)
    for items, origin, matters in ((short, 200, False), (full, DAYS, True)):
        shuffled = dataclasses.replace(items, yearly=rng.permutation(items.yearly))
        same = np.array_equal(
            items.log_shape(origin, HORIZON), shuffled.log_shape(origin, HORIZON), equal_nan=True
        )
        assert same is not matters


def test_counts_in_other_units_give_the_same_shape() -> None:
    """A slow mover's counts times 100 (its demand in other units: a hundred times the
    counts, a hundred times the variance Poisson expects) give nearly the same shape:
    the shrinkage toward the pooled effects weighs the counts by their overdispersion.
    Weighed as Poisson counts, the hundredfold counts shed the shrinkage and the shape
    moves by 0.05-0.07 (seeds 0-2); weighed by their dispersion, by 0.02-0.03."""
    items, _ = _panel(base=0.3)
    scaled = dataclasses.replace(items, quantity=items.quantity * 100)
    shape = items.log_shape(DAYS, HORIZON)[:, 364:]
    assert np.abs(_centred(scaled.log_shape(DAYS, HORIZON)[:, 364:]) - _centred(shape)).max() < 0.04
