"""Baseline forecasters: naive, seasonal naive, moving and seasonal averages.

They are the yardsticks every richer model must beat in the backtest and the
fallbacks for series Prophet cannot model (too short, constant). Quantiles come from
the empirical distribution of each method's own in-sample errors, so a baseline's
interval is as wide as that method has been wrong before.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from supplynet.forecasting.cleaning import fill_missing
from supplynet.forecasting.forecaster import (
    SEASON,
    QuantilePath,
    answer,
    bounded,
    future_index,
    season_length,
)

MIN_RESIDUALS = 5
"""Fewer in-sample errors than this give a zero-width interval (nothing to learn from)."""

ERROR_QUANTILES = (0.1, 0.5, 0.9)


def error_quantiles(errors: np.ndarray) -> tuple[float, float, float]:
    """``np.percentile(errors, [10, 50, 90])``, the same values from one sort.

    ``np.percentile``'s general machinery costs ~60 us a call, most of a light
    forecast; this is its default ("linear") rule, interpolating as it does.
    """
    ordered = np.sort(errors)
    last = len(ordered) - 1
    values = []
    for quantile in ERROR_QUANTILES:
        position = quantile * last
        below = int(position)
        weight = position - below
        low, high = float(ordered[below]), float(ordered[min(below + 1, last)])
        step = high - low
        values.append(high - step * (1 - weight) if weight >= 0.5 else low + step * weight)
    return values[0], values[1], values[2]


def repeated(values: np.ndarray, horizon: int) -> np.ndarray:
    """``values`` over and over until ``horizon`` long (``np.resize``, without its overhead)."""
    return values[np.arange(horizon) % len(values)]


class _Baseline:
    """Shared fit/predict skeleton: subclasses give the pattern and in-sample errors.

    Every baseline's point forecast repeats a short pattern (the last value, the last
    season, a mean, a weekday profile), and its interval adds fixed quantiles of its
    own past errors. ``fit_values`` learns just those, so a fitted model is a few
    numbers that answer any horizon; ``fit``/``predict`` wrap the pair in the
    ``Forecaster`` frames. The server calls the array pair directly for a few series.
    """

    name = "baseline"

    def __init__(self) -> None:
        self.history_: pd.DataFrame | None = None
        self.pattern_: np.ndarray | None = None
        self.error_quantiles_ = (0.0, 0.0, 0.0)
        self.season_ = SEASON["D"]

    @property
    def model_name(self) -> str:
        return self.name

    def fit(self, history: pd.DataFrame) -> Self:
        """Learn the pattern and error quantiles of a ``Forecaster`` history."""
        self.history_ = history
        return self.fit_values(history["quantity"], season_length(pd.DatetimeIndex(history.index)))

    def fit_values(self, quantity: npt.ArrayLike, season: int) -> Self:
        """Fit on the values of a regular series, ``NaN`` where missing (gap-filled first)."""
        self.season_ = season
        y = fill_missing(quantity, season)
        self.pattern_ = self._pattern(y)
        residuals = self._residuals(y)
        residuals = residuals[np.isfinite(residuals)]
        if len(residuals) >= MIN_RESIDUALS:
            self.error_quantiles_ = error_quantiles(residuals)
        else:
            self.error_quantiles_ = (0.0, 0.0, 0.0)
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point path plus empirical error quantiles; ``future`` is ignored."""
        if self.history_ is None:
            raise RuntimeError(f"{self.name} is not fitted")
        return answer(future_index(self.history_, horizon), *self.predict_values(horizon))

    def predict_values(self, horizon: int) -> QuantilePath:
        """The ``predict`` columns as arrays, for the ``horizon`` periods after the fit."""
        if self.pattern_ is None:
            raise RuntimeError(f"{self.name} is not fitted")
        point = repeated(self.pattern_, horizon)
        q10, q50, q90 = self.error_quantiles_
        return bounded(point, point + q10, point + q50, point + q90)

    def _pattern(self, y: np.ndarray) -> np.ndarray:
        """What the point forecast repeats."""
        raise NotImplementedError

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Naive(_Baseline):
    """Repeat the last value: the right answer for a constant series."""

    name = "naive"

    def _pattern(self, y: np.ndarray) -> np.ndarray:
        return np.array([y[-1] if len(y) else 0.0])

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        return np.diff(y)


class SeasonalNaive(_Baseline):
    """Repeat the last full season (last week of days, last year of weeks)."""

    name = "seasonal_naive"

    def _lag(self, y: np.ndarray) -> int:
        return self.season_ if len(y) >= self.season_ else max(len(y), 1)

    def _pattern(self, y: np.ndarray) -> np.ndarray:
        return y[-self._lag(y) :] if len(y) else np.zeros(1)

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        lag = self._lag(y)
        return np.asarray(y[lag:] - y[:-lag], dtype=float)


class MovingAverage(_Baseline):
    """Flat forecast at the mean of the last ``window`` periods."""

    name = "moving_average"

    def __init__(self, window: int = 28) -> None:
        super().__init__()
        self.window = window

    def _pattern(self, y: np.ndarray) -> np.ndarray:
        tail = y[-self.window :]
        return np.array([tail.mean() if len(tail) else 0.0])

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        """Each value against the mean of up to ``window`` values before it."""
        sums = np.concatenate([[0.0], np.cumsum(y)])
        ends = np.arange(1, len(y))
        starts = np.maximum(ends - self.window, 0)
        return np.asarray(y[1:] - (sums[ends] - sums[starts]) / (ends - starts), dtype=float)


class SeasonalAverage(_Baseline):
    """Per position in the season (weekday), the mean of its last ``cycles`` values.

    With daily data and ``cycles=4`` this is the weekday average of the last four
    weeks, a strong competitor on retail order data.
    """

    name = "seasonal_average"

    def __init__(self, cycles: int = 4) -> None:
        super().__init__()
        self.cycles = cycles

    def _profile(self, y: np.ndarray) -> np.ndarray:
        s = self.season_
        usable = min(len(y) // s, self.cycles) * s
        if usable == 0:
            return np.full(s, y.mean() if len(y) else 0.0)
        return np.asarray(y[len(y) - usable :].reshape(-1, s).mean(axis=0), dtype=float)

    def _pattern(self, y: np.ndarray) -> np.ndarray:
        return self._profile(y)

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        """Each whole season after the first ``cycles`` against the profile before it."""
        s = self.season_
        if len(y) < s * (self.cycles + 1):
            return np.empty(0)
        seasons = y[: len(y) // s * s].reshape(-1, s)
        profiles = sliding_window_view(seasons[:-1], self.cycles, axis=0).mean(axis=-1)
        return np.asarray((seasons[self.cycles :] - profiles).ravel(), dtype=float)
