"""Pick each series' model by its own small backtest, then fit the winner on everything.

This is the "best model per series" option of ``supplynet forecast``: a forecaster like
any other, so it runs per series in parallel and nests inside a larger backtest without
seeing that backtest's future (it only ever backtests on the history it is given).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import numpy as np
import pandas as pd

from supplynet.forecasting import metrics
from supplynet.forecasting.backtest import cuts
from supplynet.forecasting.forecaster import Forecaster, ForecasterFactory, season_length


class BestOfForecaster:
    """Chooses among ``candidates`` by mean MASE over ``origins`` rolling origins.

    Parameters
    ----------
    candidates
        Name -> factory; ties go to the first name.
    horizon
        Periods forecast from each internal origin (use the planning horizon).
    origins
        Internal origins; a series too short for any falls back to the first candidate.
    """

    def __init__(
        self, candidates: Mapping[str, ForecasterFactory], horizon: int = 28, origins: int = 2
    ) -> None:
        self.candidates = candidates
        self.horizon = horizon
        self.origins = origins
        self.scores_: dict[str, float] = {}
        self.model_: Forecaster | None = None

    @property
    def model_name(self) -> str:
        return self.model_.model_name if self.model_ is not None else "best"

    def fit(self, history: pd.DataFrame) -> Self:
        """Backtest every candidate on ``history``, keep the lowest mean MASE, refit it."""
        season = season_length(pd.DatetimeIndex(history.index))
        positions = cuts(len(history), self.horizon, self.origins, self.horizon)
        self.scores_ = {}
        for name, factory in self.candidates.items():
            errors = []
            for cut in positions:
                train = history.iloc[:cut]
                scale = metrics.mase_scale(train["quantity"].to_numpy(dtype=float), season)
                answer = factory().fit(train).predict(self.horizon)
                actual = history["quantity"].iloc[cut : cut + self.horizon]
                errors.append(metrics.mase(actual, answer["mean"], scale))
            finite = [e for e in errors if np.isfinite(e)]
            self.scores_[name] = float(np.mean(finite)) if finite else float("inf")
        winner = min(self.scores_, key=lambda n: self.scores_[n]) if self.scores_ else ""
        factory = self.candidates.get(winner) or next(iter(self.candidates.values()))
        self.model_ = factory().fit(history)
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        if self.model_ is None:
            raise RuntimeError("best is not fitted")
        return self.model_.predict(horizon, future)
