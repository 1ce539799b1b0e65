"""ProphetForecaster: real Prophet fits with holidays, regressors and honest quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecasting_support import history, weekly_pattern

from supplynet.forecasting import prophet_features
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.prophet_predict import predict_mean


@pytest.fixture(scope="module")
def promo_history() -> pd.DataFrame:
    """Daily demand for ~9 months; promotions (at a lower price) triple it."""
    days = 280
    base = weekly_pattern(days, seed=1, level=10.0)
    promo = np.zeros(days, dtype=bool)
    promo[np.arange(20, days, 35)[:, None] + np.arange(5)] = True
    quantity = np.where(promo, base * 3, base)
    price = np.where(promo, 2.0, 3.0)
    return history(quantity, start="2025-01-01", price=price, promo=promo)


def test_quantiles_are_ordered_and_non_negative(promo_history: pd.DataFrame) -> None:
    answer = ProphetForecaster().fit(promo_history).predict(28)
    assert (answer.to_numpy() >= 0).all()
    assert (answer["p10"] <= answer["p50"]).all() and (answer["p50"] <= answer["p90"]).all()
    assert (answer["p90"] > answer["p10"]).all()


def test_a_declining_series_is_clipped_at_zero() -> None:
    values = np.maximum(np.linspace(30, 0.5, 120) + np.resize([2.0, -2.0], 120), 0)
    answer = ProphetForecaster(country=None).fit(history(values)).predict(60)
    assert (answer.to_numpy() >= 0).all()
    assert answer["mean"].iloc[-1] == 0.0


def test_regressors_and_future_defaults(promo_history: pd.DataFrame) -> None:
    """Price and promo are used; the future defaults to the last regular price, no promo."""
    model = ProphetForecaster().fit(promo_history)
    assert model.regressors_ == ("price", "promo")
    assert model.regular_price_ == 3.0
    plain = model.predict(14)
    index = plain.index
    future = pd.DataFrame(
        {"promo": [True] * 5 + [False] * 9, "price": [2.0] * 5 + [3.0] * 9}, index=index
    )
    promoted = model.predict(14, future)
    assert (promoted["mean"].iloc[:5] > 1.8 * plain["mean"].iloc[:5]).all()
    assert np.allclose(promoted["mean"].iloc[5:], plain["mean"].iloc[5:])


def test_holidays_come_from_the_country_calendar(promo_history: pd.DataFrame) -> None:
    model = ProphetForecaster(country="US").fit(promo_history)
    assert model.model_ is not None
    assert "Independence Day" in model.model_.train_holiday_names.tolist()
    assert ProphetForecaster(country=None).fit(promo_history).model_.holidays is None  # type: ignore[union-attr]


def test_sampled_quantiles_are_seeded(promo_history: pd.DataFrame) -> None:
    first = ProphetForecaster(uncertainty_samples=100, seed=5).fit(promo_history).predict(7)
    second = ProphetForecaster(uncertainty_samples=100, seed=5).fit(promo_history).predict(7)
    pd.testing.assert_frame_equal(first, second)
    assert (first["p10"] <= first["p50"]).all() and (first["p50"] <= first["p90"]).all()


def test_array_backend_gives_the_same_fit(promo_history: pd.DataFrame) -> None:
    """Array backend, memoised features and direct point forecast: Prophet's numbers."""
    fast = ProphetForecaster(fast_backend=True).fit(promo_history).predict(7)
    stock = ProphetForecaster(fast_backend=False).fit(promo_history).predict(7)
    pd.testing.assert_frame_equal(fast, stock)


def test_memoised_features_carry_each_series_own_regressors(
    promo_history: pd.DataFrame,
) -> None:
    """A second series on the same dates reuses the matrix but not the first's prices."""
    other = promo_history.copy()
    other["quantity"] = weekly_pattern(len(other), seed=7, level=30.0)
    other["price"] = np.linspace(5.0, 4.0, len(other))
    prophet_features.cache_clear()
    ProphetForecaster().fit(promo_history).predict(14)
    cached = len(prophet_features._FEATURES)
    fast = ProphetForecaster().fit(other).predict(14)
    assert len(prophet_features._FEATURES) == cached
    stock = ProphetForecaster(fast_backend=False).fit(other).predict(14)
    pd.testing.assert_frame_equal(fast, stock)


def test_direct_point_forecast_equals_prophet_predict(promo_history: pd.DataFrame) -> None:
    """On one fitted model, with a planned promotion and a holiday in the horizon."""
    model = ProphetForecaster().fit(promo_history).model_
    assert model is not None
    ds = pd.date_range(promo_history.index[-1] + pd.Timedelta(days=1), periods=40)
    frame = pd.DataFrame({"ds": ds, "price": np.where(ds.day < 8, 2.0, 3.0), "promo": ds.day < 8})
    expected = model.predict(frame.copy())["yhat"].to_numpy()
    np.testing.assert_allclose(predict_mean(model, frame), expected, rtol=1e-12, atol=1e-9)


def test_missing_days_are_skipped_not_zero(promo_history: pd.DataFrame) -> None:
    """A gap of missing data must not drag the level down as zeros would."""
    gappy = promo_history.copy()
    gappy.iloc[-60:-30, gappy.columns.get_loc("quantity")] = np.nan
    zeros = promo_history.copy()
    zeros.iloc[-60:-30, zeros.columns.get_loc("quantity")] = 0.0
    with_gap = ProphetForecaster(country=None).fit(gappy).predict(7)["mean"].mean()
    with_zeros = ProphetForecaster(country=None).fit(zeros).predict(7)["mean"].mean()
    assert with_gap > with_zeros + 3
