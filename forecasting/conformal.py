"""Per-series forecasters with conformally calibrated intervals, as one panel model.

The per-series models (Prophet, the baselines, Croston) each carry their own noise
model, and those intervals cover 87-95% of outcomes where 80% is promised. This
wrapper learns one ``HorizonCalibration`` per model (shifts per bucket of steps after
the origin) from a rolling backtest on the training history only (``origins`` windows
of ``horizon`` days ending at the last day), pooled over every series with each
point's error in units of its series' MASE scale, and applies it to the forecasts made
after the history. It answers with the
same ``fit`` / ``forecast`` pair as ``GlobalForecaster``, so benches and the
application treat every model alike.
"""

from __future__ import annotations

from typing import Protocol, Self

import numpy as np
import pandas as pd

from supplynet.forecasting import metrics
from supplynet.forecasting.backtest import backtest
from supplynet.forecasting.calibration import HorizonCalibration
from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.forecaster import SEASON, ForecasterFactory
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.executor import ParallelSettings


class PanelForecaster(Protocol):
    """A model of every series of a cleaned daily demand frame at once."""

    @property
    def model_name(self) -> str: ...

    def fit(self, cleaned: pd.DataFrame) -> Self: ...

    def forecast(
        self,
        history: pd.DataFrame,
        future: pd.DataFrame | None = None,
        horizon: int | None = None,
    ) -> DemandForecast: ...


class CalibratedPerSeries:
    """A per-series ``Forecaster`` fitted per series, its P10/P90 calibrated on backtests.

    Parameters
    ----------
    factory
        Makes the per-series model (e.g. ``partial(ProphetForecaster, country="BD")``).
    name
        Recorded as the model of every series (``None``: what each series' model says).
    horizon
        Days of each calibration window and of the forecast.
    origins
        Calibration windows (0: no calibration).
    parallel
        How to fan out over series (default: in process).
    """

    def __init__(
        self,
        factory: ForecasterFactory,
        name: str | None = None,
        horizon: int = 28,
        origins: int = 1,
        parallel: ParallelSettings | None = None,
    ) -> None:
        self.factory = factory
        self.name = name
        self.horizon = horizon
        self.origins = origins
        self.parallel = parallel
        self.calibration_: HorizonCalibration | None = None

    @property
    def model_name(self) -> str:
        return self.name or "per_series"

    def fit(self, cleaned: pd.DataFrame) -> Self:
        """Backtest on ``cleaned`` (only) and learn the interval shifts."""
        self.calibration_ = HorizonCalibration()
        if self.origins > 0:
            scored = backtest(
                cleaned,
                {"model": self.factory},
                self.horizon,
                origins=self.origins,
                parallel=self._parallel(),
            ).points
            if len(scored):
                self.calibration_ = HorizonCalibration.fit(
                    scored["actual"],
                    scored["p10"],
                    scored["p90"],
                    scored["scale"].fillna(0.0),
                    _steps(scored, ["model", "location_id", "sku_id", "origin"]),
                )
        return self

    def forecast(
        self,
        history: pd.DataFrame,
        future: pd.DataFrame | None = None,
        horizon: int | None = None,
    ) -> DemandForecast:
        """Fit each series of ``history`` and forecast, then shift P10/P90."""
        if self.calibration_ is None:
            raise RuntimeError(f"{self.model_name} is not fitted")
        horizon = horizon or self.horizon
        if horizon > self.horizon:
            raise ValidationFailed(
                [Problem("horizon", f"calibrated for {self.horizon} days; got {horizon}")],
                "forecast",
            )
        result = forecast_demand(
            history, self.factory, horizon, "D", self._parallel(), future=future
        )
        frame = result.frame.copy()
        scales = _scales(history)
        keys = pd.MultiIndex.from_arrays([frame["location_id"], frame["sku_id"]])
        scale = np.nan_to_num(scales.reindex(keys).to_numpy(dtype=float), nan=0.0)
        low, high = self.calibration_.apply(
            frame["p10"].to_numpy(float),
            frame["p90"].to_numpy(float),
            scale,
            _steps(frame, ["location_id", "sku_id"]),
        )
        p50 = frame["p50"].to_numpy(float)
        frame["p10"], frame["p90"] = np.minimum(low, p50), np.maximum(high, p50)
        if self.name is not None:
            frame["model"] = self.name
        return DemandForecast(frame, result.freq)

    def _parallel(self) -> ParallelSettings:
        return self.parallel or ParallelSettings(workers=1)


def _steps(frame: pd.DataFrame, window: list[str]) -> np.ndarray:
    """0-based step of each row within its forecast window (rows of one window by period)."""
    order = frame.sort_values("period")
    steps = order.groupby(window, sort=False).cumcount().reindex(frame.index)
    return np.asarray(steps, dtype=int)


def _scales(history: pd.DataFrame) -> pd.Series:
    """Each series' MASE scale (the backtest's ``scale`` column) from its history."""
    ordered = history.sort_values(["store_id", "sku_id", "date"])
    return ordered.groupby(["store_id", "sku_id"], sort=False)["quantity"].agg(
        lambda q: metrics.mase_scale(q.to_numpy(dtype=float), SEASON["D"])
    )
