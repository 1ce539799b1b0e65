"""Baseline forecasters: naive, seasonal naive, moving and seasonal averages.

They are the yardsticks every richer model must beat in the backtest and the
fallbacks for series Prophet cannot model (too short, constant). Quantiles come from
the empirical distribution of each method's own in-sample errors, so a baseline's
interval is as wide as that method has been wrong before.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from forecasting.cleaning import fill_missing
from forecasting.forecaster import answer, future_index, season_length

MIN_RESIDUALS = 5
"""Fewer in-sample errors than this give a zero-width interval (nothing to learn from)."""


class _Baseline:
    """Shared fit/predict skeleton: subclasses give the point path and in-sample errors."""

    name = "baseline"

    def __init__(self) -> None:
        self.history_: pd.DataFrame | None = None
        self.y_: np.ndarray = np.empty(0)
        self.season_ = 7

    @property
    def model_name(self) -> str:
        return self.name

    def fit(self, history: pd.DataFrame) -> Self:
        """Remember the (gap-filled) history; these models learn nothing else."""
        self.history_ = history
        self.season_ = season_length(pd.DatetimeIndex(history.index))
        self.y_ = fill_missing(history["quantity"], self.season_).to_numpy(dtype=float)
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point path plus empirical error quantiles; ``future`` is ignored."""
        if self.history_ is None:
            raise RuntimeError(f"{self.name} is not fitted")
        point = self._point(horizon)
        residuals = self._residuals()
        residuals = residuals[np.isfinite(residuals)]
        if len(residuals) >= MIN_RESIDUALS:
            q10, q50, q90 = np.percentile(residuals, [10, 50, 90])
        else:
            q10 = q50 = q90 = 0.0
        return answer(
            future_index(self.history_, horizon), point, point + q10, point + q50, point + q90
        )

    def _point(self, horizon: int) -> np.ndarray:
        raise NotImplementedError

    def _residuals(self) -> np.ndarray:
        raise NotImplementedError


class Naive(_Baseline):
    """Repeat the last value: the right answer for a constant series."""

    name = "naive"

    def _point(self, horizon: int) -> np.ndarray:
        return np.full(horizon, self.y_[-1] if len(self.y_) else 0.0)

    def _residuals(self) -> np.ndarray:
        return np.diff(self.y_)


class SeasonalNaive(_Baseline):
    """Repeat the last full season (last week of days, last year of weeks)."""

    name = "seasonal_naive"

    def _lag(self) -> int:
        return self.season_ if len(self.y_) >= self.season_ else max(len(self.y_), 1)

    def _point(self, horizon: int) -> np.ndarray:
        if not len(self.y_):
            return np.zeros(horizon)
        last = self.y_[-self._lag() :]
        return np.resize(last, horizon)

    def _residuals(self) -> np.ndarray:
        lag = self._lag()
        return np.asarray(self.y_[lag:] - self.y_[:-lag], dtype=float)


class MovingAverage(_Baseline):
    """Flat forecast at the mean of the last ``window`` periods."""

    name = "moving_average"

    def __init__(self, window: int = 28) -> None:
        super().__init__()
        self.window = window

    def _point(self, horizon: int) -> np.ndarray:
        tail = self.y_[-self.window :]
        return np.full(horizon, tail.mean() if len(tail) else 0.0)

    def _residuals(self) -> np.ndarray:
        y = pd.Series(self.y_)
        level = y.rolling(self.window, min_periods=1).mean().shift(1)
        return np.asarray((y - level).to_numpy()[1:], dtype=float)


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

    def _point(self, horizon: int) -> np.ndarray:
        return np.resize(self._profile(self.y_), horizon)

    def _residuals(self) -> np.ndarray:
        s = self.season_
        span = s * self.cycles
        if len(self.y_) < span + s:
            return np.empty(0)
        errors = []
        for origin in range(span, len(self.y_) - s + 1, s):
            profile = self._profile(self.y_[:origin])
            errors.append(self.y_[origin : origin + s] - profile)
        return np.concatenate(errors)
