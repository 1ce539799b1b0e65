"""The ``Forecaster`` protocol: one estimator per series, scikit-learn style.

Every per-series model (Prophet, the baselines, the automatic fallback) follows it, so
the pipeline, the backtest and the parallel runner treat them alike. Constructors only
store parameters; ``fit`` learns from one history; ``predict`` answers for the periods
after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt
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


class ValueForecaster(Forecaster, Protocol):
    """A forecaster that can also work on bare arrays of a regular series.

    ``fit_values`` takes the values (``NaN`` where missing) and the season length;
    ``predict_values`` answers what ``predict`` would, as a ``bounded`` path. Cheap
    models offer it so that a few series are forecast without pandas' overhead.
    """

    def fit_values(self, quantity: npt.ArrayLike, season: int) -> Self: ...

    def predict_values(self, horizon: int) -> QuantilePath: ...


def future_index(history: pd.DataFrame, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` periods right after ``history``'s last period."""
    index = pd.DatetimeIndex(history.index)
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(days=1)
    return pd.date_range(index[-1] + step, periods=horizon, freq=step)


class QuantilePath(NamedTuple):
    """A forecast as bare arrays, one value per future period: ``answer``'s columns."""

    mean: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


def bounded(mean: np.ndarray, p10: np.ndarray, p50: np.ndarray, p90: np.ndarray) -> QuantilePath:
    """Clipped at zero and with quantiles put in order.

    Clipping is the non-negativity rule every model shares; sorting the three
    quantiles row-wise repairs crossings that sampling noise can cause.
    """
    quantiles = np.maximum(np.array([p10, p50, p90], dtype=float), 0.0)
    quantiles.sort(axis=0)
    return QuantilePath(np.maximum(mean, 0.0), quantiles[0], quantiles[1], quantiles[2])


def answer(
    index: pd.DatetimeIndex,
    mean: np.ndarray,
    p10: np.ndarray,
    p50: np.ndarray,
    p90: np.ndarray,
) -> pd.DataFrame:
    """A ``predict`` frame of the ``bounded`` path."""
    path = bounded(mean, p10, p50, p90)
    return pd.DataFrame(path._asdict(), index=pd.DatetimeIndex(index, name="period"))


SEASON = {"D": 7, "W": 52}
"""Periods per week-of-demand cycle by frequency."""


def season_length(index: pd.DatetimeIndex) -> int:
    """Periods per week-of-demand cycle: 7 for daily data, 52 for weekly."""
    weekly = len(index) > 1 and index[1] - index[0] >= pd.Timedelta(days=7)
    return SEASON["W" if weekly else "D"]
