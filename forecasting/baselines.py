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

from forecasting.cleaning import fill_missing
from forecasting.forecaster import (
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
    """Shared fit/predict skeleton: subclasses give the point path and in-sample errors.

    ``fit_values``/``predict_values`` do the work on bare arrays; ``fit``/``predict``
    wrap them in the ``Forecaster`` frames. The server calls the array pair directly
    for a few series, where pandas' per-call overhead would be most of the cost.
    """

    name = "baseline"

    def __init__(self) -> None:
        self.history_: pd.DataFrame | None = None
        self.y_: np.ndarray | None = None
        self.season_ = SEASON["D"]

    @property
    def model_name(self) -> str:
        return self.name

    def fit(self, history: pd.DataFrame) -> Self:
        """Remember the (gap-filled) history; these models learn nothing else."""
        self.history_ = history
        return self.fit_values(history["quantity"], season_length(pd.DatetimeIndex(history.index)))

    def fit_values(self, quantity: npt.ArrayLike, season: int) -> Self:
        """Fit on the values of a regular series, ``NaN`` where missing."""
        self.season_ = season
        self.y_ = fill_missing(quantity, season)
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point path plus empirical error quantiles; ``future`` is ignored."""
        if self.history_ is None:
            raise RuntimeError(f"{self.name} is not fitted")
        return answer(future_index(self.history_, horizon), *self.predict_values(horizon))

    def predict_values(self, horizon: int) -> QuantilePath:
        """The ``predict`` columns as arrays, for the ``horizon`` periods after the fit."""
        if self.y_ is None:
            raise RuntimeError(f"{self.name} is not fitted")
        point = self._point(self.y_, horizon)
        residuals = self._residuals(self.y_)
        residuals = residuals[np.isfinite(residuals)]
        if len(residuals) >= MIN_RESIDUALS:
            q10, q50, q90 = error_quantiles(residuals)
        else:
            q10 = q50 = q90 = 0.0
        return bounded(point, point + q10, point + q50, point + q90)

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Naive(_Baseline):
    """Repeat the last value: the right answer for a constant series."""

    name = "naive"

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        return np.full(horizon, y[-1] if len(y) else 0.0)

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        return np.diff(y)


class SeasonalNaive(_Baseline):
    """Repeat the last full season (last week of days, last year of weeks)."""

    name = "seasonal_naive"

    def _lag(self, y: np.ndarray) -> int:
        return self.season_ if len(y) >= self.season_ else max(len(y), 1)

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        if not len(y):
            return np.zeros(horizon)
        return repeated(y[-self._lag(y) :], horizon)

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        lag = self._lag(y)
        return np.asarray(y[lag:] - y[:-lag], dtype=float)


class MovingAverage(_Baseline):
    """Flat forecast at the mean of the last ``window`` periods."""

    name = "moving_average"

    def __init__(self, window: int = 28) -> None:
        super().__init__()
        self.window = window

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        tail = y[-self.window :]
        return np.full(horizon, tail.mean() if len(tail) else 0.0)

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

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        return repeated(self._profile(y), horizon)

    def _residuals(self, y: np.ndarray) -> np.ndarray:
        """Each whole season after the first ``cycles`` against the profile before it."""
        s = self.season_
        if len(y) < s * (self.cycles + 1):
            return np.empty(0)
        seasons = y[: len(y) // s * s].reshape(-1, s)
        profiles = sliding_window_view(seasons[:-1], self.cycles, axis=0).mean(axis=-1)
        return np.asarray((seasons[self.cycles :] - profiles).ravel(), dtype=float)
