"""Croston's method and its corrections (SBA, TSB) for intermittent demand.

Intermittent series (many zero periods) defeat smoothing and Prophet alike: the
forecast would chase every spike. Croston smooths the non-zero sizes and the intervals
between them separately; SBA (Syntetos-Boylan) removes Croston's upward bias; TSB
(Teunter-Syntetos-Babai) smooths the occurrence probability every period, so a dying
item's forecast decays towards zero.

Quantiles treat a period's demand as "zero with probability ``1 - p``, else a size
drawn from the observed non-zero sizes" (rescaled to the smoothed size), so P10 and
often P50 are honestly zero.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
import pandas as pd

from supplynet.forecasting.cleaning import fill_missing
from supplynet.forecasting.forecaster import answer, future_index, season_length

Variant = Literal["croston", "sba", "tsb"]


class Croston:
    """Intermittent-demand forecaster.

    Parameters
    ----------
    variant
        ``"croston"`` (classic), ``"sba"`` (bias-corrected) or ``"tsb"``.
    alpha
        Smoothing of the non-zero sizes (and of the intervals for Croston/SBA).
    beta
        Smoothing of the occurrence probability (TSB only).
    """

    def __init__(self, variant: Variant = "sba", alpha: float = 0.1, beta: float = 0.05) -> None:
        self.variant = variant
        self.alpha = alpha
        self.beta = beta
        self.history_: pd.DataFrame | None = None
        self.size_ = 0.0
        self.probability_ = 0.0
        self.sizes_: np.ndarray = np.empty(0)

    @property
    def model_name(self) -> str:
        return self.variant

    def fit(self, history: pd.DataFrame) -> Self:
        """Smooth sizes and intervals (or occurrence) over the gap-filled history."""
        season = season_length(pd.DatetimeIndex(history.index))
        y = fill_missing(history["quantity"], season)
        self.history_ = history
        self.sizes_ = y[y > 0]
        if not len(self.sizes_):
            self.size_, self.probability_ = 0.0, 0.0
            return self
        if self.variant == "tsb":
            self.size_, self.probability_ = self._tsb(y)
        else:
            size, interval = self._croston(y)
            self.size_ = size
            self.probability_ = 1.0 / interval
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """A flat mean ``p * size`` (SBA: times ``1 - alpha / 2``) and mixture quantiles."""
        if self.history_ is None:
            raise RuntimeError("croston is not fitted")
        p = float(np.clip(self.probability_, 0.0, 1.0))
        mean = p * self.size_
        if self.variant == "sba":
            mean *= 1 - self.alpha / 2
        quantiles = [self._mixture_quantile(q, p) for q in (0.1, 0.5, 0.9)]
        index = future_index(self.history_, horizon)
        return answer(index, *(np.full(horizon, v) for v in (mean, *quantiles)))

    def _croston(self, y: np.ndarray) -> tuple[float, float]:
        demand_at = np.flatnonzero(y > 0)
        intervals = np.diff(np.concatenate([[-1], demand_at])).astype(float)
        size, interval = y[demand_at[0]], intervals[0]
        for k in range(1, len(demand_at)):
            size += self.alpha * (y[demand_at[k]] - size)
            interval += self.alpha * (intervals[k] - interval)
        return float(size), float(max(interval, 1.0))

    def _tsb(self, y: np.ndarray) -> tuple[float, float]:
        first = int(np.flatnonzero(y > 0)[0])
        size, probability = y[first], 1.0 / (first + 1)
        for value in y[first + 1 :]:
            occurred = value > 0
            probability += self.beta * (float(occurred) - probability)
            if occurred:
                size += self.alpha * (value - size)
        return float(size), float(probability)

    def _mixture_quantile(self, q: float, p: float) -> float:
        if p <= 0 or q <= 1 - p or not len(self.sizes_):
            return 0.0
        scaled = self.sizes_ * (self.size_ / self.sizes_.mean())
        return float(np.quantile(scaled, (q - (1 - p)) / p))
