"""Prophet for one demand series: weekly and yearly seasonality, holidays, price/promo.

Choices worth knowing:

- **Holidays** come from the ``holidays`` package for ``country`` (``None``: none), as
  Prophet's holiday frame; for weekly data a holiday counts for the week containing it.
- **Regressors**: ``price`` and ``promo`` are added when the history has them finite
  and non-constant. For the forecast periods they need future values: ``future`` may
  give them; otherwise price is the last known *regular* (non-promotion) price and
  there is no promotion. A planned promotion must therefore be passed in ``future``.
- **Quantiles**: ``interval_width=0.8`` makes Prophet's ``yhat_lower``/``yhat_upper``
  the P10/P90; P50 is ``yhat`` (the predictive draws are symmetric around it). With
  ``uncertainty_samples=0`` (the default) the P10/P90 are computed analytically as
  ``yhat -/+ 1.2816 sigma`` from the fitted noise scale: no sampling (a large share of
  Prophet's predict time), but the trend's own uncertainty is ignored, which is small
  over a few weeks; the backtest's coverage column checks the result.
- **Speed**: ``CachingProphet`` reuses the feature matrix across series that share
  their dates (``prophet_features``), and with no draws the point forecast is computed
  from the fitted parameters directly (``prophet_predict``); both give Prophet's
  numbers.
- **Non-negative**: every output is clipped at zero.
- **Quiet**: Prophet's and cmdstanpy's log lines are silenced.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from supplynet.forecasting.forecaster import answer, future_index, season_length

if TYPE_CHECKING:
    from prophet import Prophet

Z_90 = 1.2815515655446004
"""Standard normal 0.9 quantile: P10/P90 of a Gaussian are ``mean -/+ Z_90 sigma``."""

YEARLY_MIN_DAYS = 547
"""Yearly seasonality needs about a year and a half of history to be identifiable."""


class ProphetForecaster:
    """Prophet with the project's defaults; see the module docstring for the rules.

    Parameters
    ----------
    country
        ``holidays`` country code for the holiday calendar, or ``None`` for none.
    yearly
        ``True``/``False``, or ``"auto"``: on when the history spans at least
        ``YEARLY_MIN_DAYS`` days.
    use_regressors
        Add ``price`` and ``promo`` as regressors when the history has them.
    uncertainty_samples
        Prophet's predictive draws for the P10/P90; 0 (the default, for speed)
        computes them analytically from the fitted noise.
    fast_backend
        Hand Stan its data as arrays (``prophet_backend``), reuse feature matrices
        across series (``prophet_features``) and, with no draws, compute the point
        forecast directly (``prophet_predict``); same fit and forecast, less overhead.
    seed
        Seeds the predictive draws.
    """

    def __init__(
        self,
        country: str | None = None,
        yearly: bool | str = "auto",
        use_regressors: bool = True,
        uncertainty_samples: int = 0,
        interval_width: float = 0.8,
        fast_backend: bool = True,
        seed: int = 0,
    ) -> None:
        self.country = country
        self.yearly = yearly
        self.use_regressors = use_regressors
        self.uncertainty_samples = uncertainty_samples
        self.interval_width = interval_width
        self.fast_backend = fast_backend
        self.seed = seed
        self.model_: Prophet | None = None
        self.history_: pd.DataFrame | None = None
        self.regressors_: tuple[str, ...] = ()
        self.regular_price_ = float("nan")

    @property
    def model_name(self) -> str:
        return "prophet"

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit Prophet (MAP) on the non-missing periods of ``history``."""
        index = pd.DatetimeIndex(history.index)
        daily = season_length(index) == 7
        y = history["quantity"].to_numpy(dtype=float)
        observed = ~np.isnan(y)
        self.regressors_ = self._usable_regressors(history, observed)
        columns = {"ds": index[observed], "y": y[observed]}
        for name in self.regressors_:
            columns[name] = history[name].to_numpy(dtype=float)[observed]
        if "price" in self.regressors_:
            price = history["price"].to_numpy(dtype=float)
            regular = price[~history["promo"].astype(bool).to_numpy() & ~np.isnan(price)]
            self.regular_price_ = float(regular[-1] if len(regular) else price[-1])
        span_days = (index[-1] - index[0]).days
        yearly = span_days >= YEARLY_MIN_DAYS if self.yearly == "auto" else bool(self.yearly)
        prophet = _caching_prophet_class() if self.fast_backend else _prophet_class()
        model = prophet(
            weekly_seasonality=daily,
            yearly_seasonality=yearly,
            daily_seasonality=False,
            holidays=self._holidays(index, daily),
            interval_width=self.interval_width,
            uncertainty_samples=self.uncertainty_samples,
        )
        if self.fast_backend:
            model.stan_backend = _array_backend()
        for name in self.regressors_:
            model.add_regressor(name, standardize="auto")
        model.fit(pd.DataFrame(columns))
        self.model_ = model
        self.history_ = history
        return self

    def predict(self, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Mean and P50 from ``yhat``, P10/P90 from Prophet's interval (or analytic)."""
        if self.model_ is None or self.history_ is None:
            raise RuntimeError("prophet is not fitted")
        index = future_index(self.history_, horizon)
        frame = pd.DataFrame(
            {"ds": index, **{n: self._future_values(n, index, future) for n in self.regressors_}}
        )
        if self.uncertainty_samples:
            state = np.random.get_state()
            np.random.seed(self.seed)
            try:
                result = self.model_.predict(frame)
            finally:
                np.random.set_state(state)
            yhat = result["yhat"].to_numpy()
            lower, upper = result["yhat_lower"].to_numpy(), result["yhat_upper"].to_numpy()
            return answer(index, yhat, lower, yhat, upper)
        if self.fast_backend:
            from supplynet.forecasting.prophet_predict import predict_mean

            yhat = predict_mean(self.model_, frame)
        else:
            yhat = self.model_.predict(frame)["yhat"].to_numpy()
        params: dict[str, Any] = self.model_.params
        sigma = float(np.asarray(params["sigma_obs"]).ravel()[0]) * float(
            self.model_.y_scale or 1.0
        )
        return answer(index, yhat, yhat - Z_90 * sigma, yhat, yhat + Z_90 * sigma)

    def _usable_regressors(self, history: pd.DataFrame, observed: np.ndarray) -> tuple[str, ...]:
        if not self.use_regressors:
            return ()
        usable = []
        for name in ("price", "promo"):
            if name not in history:
                continue
            values = history[name].to_numpy(dtype=float)[observed]
            if np.isfinite(values).all() and np.ptp(values) > 0:
                usable.append(name)
        return tuple(usable)

    def _future_values(
        self, name: str, index: pd.DatetimeIndex, future: pd.DataFrame | None
    ) -> np.ndarray:
        default = self.regular_price_ if name == "price" else 0.0
        if future is None or name not in future:
            return np.full(len(index), default)
        given = future[name].reindex(index).astype(float)
        return np.asarray(given.fillna(default).to_numpy(), dtype=float)

    def _holidays(self, index: pd.DatetimeIndex, daily: bool) -> pd.DataFrame | None:
        if self.country is None:
            return None
        # The history's years and the next one: every holiday row costs feature time.
        years = tuple(range(index[0].year, index[-1].year + 2))
        frame = holiday_frame(self.country, years)
        return frame if daily else frame.assign(lower_window=-6, upper_window=0)


@lru_cache(maxsize=16)
def holiday_frame(country: str, years: tuple[int, ...]) -> pd.DataFrame:
    """Prophet's holiday frame (``ds``, ``holiday``) for ``country`` over ``years``.

    Cached: every series of a run shares the same calendar.
    """
    import holidays

    calendar = holidays.country_holidays(country, years=years)
    dates = sorted(calendar)
    return pd.DataFrame(
        {
            "ds": pd.to_datetime(dates),
            "holiday": [calendar[d] for d in dates],
            "lower_window": 0,
            "upper_window": 0,
        }
    )


def _array_backend() -> Any:
    _prophet_class()
    from supplynet.forecasting.prophet_backend import array_backend

    return array_backend()


def _caching_prophet_class() -> type[Prophet]:
    _prophet_class()
    from supplynet.forecasting.prophet_features import CachingProphet

    return CachingProphet


@lru_cache(maxsize=1)
def _prophet_class() -> type[Prophet]:
    """Import Prophet on first use, with its and cmdstanpy's loggers silenced first.

    Prophet logs an error at import when plotly is missing and cmdstanpy logs every
    chain start; neither helps a planner.
    """
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    from cmdstanpy.utils.logging import get_logger
    from prophet import Prophet

    # Both set their own levels at import, so quieten them afterwards.
    for logger in (logging.getLogger("prophet"), get_logger()):
        logger.setLevel(logging.CRITICAL)
    return Prophet
