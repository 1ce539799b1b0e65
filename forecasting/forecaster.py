"""The ``Forecaster`` protocol: one estimator per series, scikit-learn style.

Every per-series model (Prophet, the baselines, the automatic fallback) follows it, so
the pipeline, the backtest and the parallel runner treat them alike. Constructors only
store parameters; ``fit`` learns from one history; ``predict`` answers for the periods
after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, Self, runtime_checkable

import numpy as np
import pandas as pd

QUANTILE_COLUMNS = ("mean", "p10", "p50", "p90")
"""Columns of every ``predict`` answer, indexed by period."""

EXOGENOUS = ("price", "promo")
"""Optional history columns besides ``quantity`` that models may use as regressors."""


@runtime_checkable
class Forecaster(Protocol):
    """A per-series demand model.

    ``history`` is indexed by a regular ``DatetimeIndex`` (daily or weekly, no gaps) and
    has a ``quantity`` column (``NaN`` where the value is missing) and optionally
    ``price`` and ``promo``. ``predict`` returns a frame indexed by the next ``horizon``
    periods with columns ``mean``, ``p10``, ``p50``, ``p90`` (non-negative, ordered).
    ``future`` optionally gives ``price``/``promo`` for those periods.
    """

    @property
    def model_name(self) -> str:
        """The name recorded in ``DemandForecast.model`` (known after ``fit``)."""
        ...

    def fit(self, history: pd.DataFrame) -> Self: ...

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame: ...


ForecasterFactory = Callable[[], Forecaster]
"""Makes a fresh, unfitted forecaster; picklable when it is a class or a ``partial``."""


def future_index(history: pd.DataFrame, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` periods right after ``history``'s last period."""
    index = pd.DatetimeIndex(history.index)
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(days=1)
    return pd.date_range(index[-1] + step, periods=horizon, freq=step)


def answer(
    index: pd.DatetimeIndex,
    mean: np.ndarray,
    p10: np.ndarray,
    p50: np.ndarray,
    p90: np.ndarray,
) -> pd.DataFrame:
    """A ``predict`` frame: clipped at zero and with quantiles put in order.

    Clipping is the non-negativity rule every model shares; sorting the three
    quantiles row-wise repairs crossings that sampling noise can cause.
    """
    quantiles = np.sort(np.clip(np.column_stack([p10, p50, p90]), 0.0, None), axis=1)
    return pd.DataFrame(
        {
            "mean": np.clip(mean, 0.0, None),
            "p10": quantiles[:, 0],
            "p50": quantiles[:, 1],
            "p90": quantiles[:, 2],
        },
        index=pd.DatetimeIndex(index, name="period"),
    )


def season_length(index: pd.DatetimeIndex) -> int:
    """Periods per week-of-demand cycle: 7 for daily data, 52 for weekly."""
    if len(index) > 1 and index[1] - index[0] >= pd.Timedelta(days=7):
        return 52
    return 7
