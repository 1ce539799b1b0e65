"""Which model suits a series: the fallback rules, applied per series and recorded.

Prophet needs a long, regular, non-trivial series. The rules, first match wins:

1. fewer observed periods than one season       -> moving average of what there is
2. fewer than ``min_periods`` (default 8 weeks)  -> seasonal naive
3. constant (every observed value equal)         -> naive
4. intermittent, by Syntetos-Boylan on the average demand interval (ADI, over open
   days: weekdays that are zero in 90% of weeks are closed days, not intermittency)
   and the squared coefficient of variation of non-zero sizes (CV^2):
   ADI >= 1.32 and CV^2 < 0.49 (intermittent)    -> SBA
   ADI >= 1.32 and CV^2 >= 0.49 (lumpy)          -> TSB
5. otherwise (smooth or erratic)                 -> the primary model (Prophet)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd

from supplynet.forecasting.baselines import MovingAverage, Naive, SeasonalNaive
from supplynet.forecasting.croston import Croston
from supplynet.forecasting.forecaster import Forecaster, season_length
from supplynet.forecasting.prophet_model import ProphetForecaster

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLOSED_SHARE = 0.9


@dataclass(frozen=True)
class SeriesProfile:
    """What the rules look at: observed periods, ADI, CV^2 and the resulting class."""

    observed: int
    adi: float
    cv2: float
    demand_class: str
    model: str


def profile(quantity: pd.Series, season: int, min_periods: int) -> SeriesProfile:
    """Classify one series and name the model the rules pick for it.

    Closed days (positions in the season, e.g. a weekday, that are zero in at least
    ``CLOSED_SHARE`` of the cycles) are left out of ADI: a shop shut on Fridays sells
    on a schedule, not intermittently.
    """
    y = quantity.dropna().to_numpy(dtype=float)
    nonzero = y[y > 0]
    open_days = _open_days(quantity, season)
    adi = len(open_days) / max(int((open_days > 0).sum()), 1) if len(nonzero) else float("inf")
    cv2 = float((nonzero.std() / nonzero.mean()) ** 2) if len(nonzero) > 1 else 0.0
    if adi < ADI_CUTOFF:
        demand_class = "smooth" if cv2 < CV2_CUTOFF else "erratic"
    else:
        demand_class = "intermittent" if cv2 < CV2_CUTOFF else "lumpy"
    if len(y) < season:
        model = "moving_average"
    elif len(y) < min_periods:
        model = "seasonal_naive"
    elif np.ptp(y) == 0:
        model = "naive"
    elif demand_class == "intermittent":
        model = "sba"
    elif demand_class == "lumpy":
        model = "tsb"
    else:
        model = "primary"
    return SeriesProfile(len(y), adi, cv2, demand_class, model)


def _open_days(quantity: pd.Series, season: int) -> np.ndarray:
    """Observed values on positions of the season that are not (almost) always zero."""
    values = quantity.to_numpy(dtype=float)
    position = np.arange(len(values)) % season
    observed = np.isfinite(values)
    keep = observed.copy()
    for p in range(season):
        at = observed & (position == p)
        if at.sum() >= 4 and (values[at] == 0).mean() >= CLOSED_SHARE:
            keep &= position != p
    return np.asarray(values[keep] if keep.any() else values[observed], dtype=float)


class AutoForecaster:
    """Applies the module's rules, then fits the chosen model.

    Parameters
    ----------
    primary
        Factory of the model for regular series (default: Prophet with defaults).
    min_periods
        Observed periods below which a series counts as short (default: 8 seasons of
        a week, i.e. 56 days or 52 weeks for weekly data).
    """

    def __init__(
        self,
        primary: Callable[[], Forecaster] = ProphetForecaster,
        min_periods: int | None = None,
    ) -> None:
        self.primary = primary
        self.min_periods = min_periods
        self.profile_: SeriesProfile | None = None
        self.model_: Forecaster | None = None

    @property
    def model_name(self) -> str:
        return self.model_.model_name if self.model_ is not None else "auto"

    def fit(self, history: pd.DataFrame) -> Self:
        """Profile the series, pick the model and fit it."""
        season = season_length(pd.DatetimeIndex(history.index))
        min_periods = self.min_periods if self.min_periods is not None else 8 * 7
        if season != 7 and self.min_periods is None:
            min_periods = season
        self.profile_ = profile(history["quantity"], season, min_periods)
        self.model_ = self._make(self.profile_.model, history).fit(history)
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        if self.model_ is None:
            raise RuntimeError("auto is not fitted")
        return self.model_.predict(horizon, future)

    def _make(self, name: str, history: pd.DataFrame) -> Forecaster:
        if name == "moving_average":
            return MovingAverage(window=max(int(history["quantity"].notna().sum()), 1))
        if name == "seasonal_naive":
            return SeasonalNaive()
        if name == "naive":
            return Naive()
        if name == "sba":
            return Croston(variant="sba")
        if name == "tsb":
            return Croston(variant="tsb")
        return self.primary()
