"""Prophet whose design matrix is built once per calendar and reused across series.

Prophet rebuilds its feature matrix (Fourier terms, one column per holiday, the
regressors) on every ``fit`` and ``predict``, mostly in pandas: about half of a
two-year daily fit. Every series of a run that shares its dates and settings gets the
same matrix except for the regressor columns, so ``CachingProphet`` memoises Prophet's
own ``make_all_seasonality_features`` by everything it reads (the dates and the
seasonality, holiday and regressor settings) and fills in the series' own regressor
values on a hit. The model, its Stan inputs and the fit are unchanged.

The memo is per process, bounded (``CACHE_SIZE`` calendars), and only ever returns
what Prophet would compute for the same inputs, so it holds no state a result depends
on.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from prophet import Prophet

CACHE_SIZE = 32
"""Calendars kept per process: a run has a handful (fit and forecast dates, daily or
weekly, with or without regressors)."""

Features = tuple[pd.DataFrame, list[float], pd.DataFrame, dict[str, list[str]]]


@dataclass(frozen=True)
class _Entry:
    """One memoised result of Prophet's feature builder, and the holidays it recorded."""

    values: np.ndarray
    columns: pd.Index
    priors: list[float]
    component_cols: pd.DataFrame
    modes: dict[str, list[str]]
    holiday_names: pd.Series | None


_FEATURES: OrderedDict[Hashable, _Entry] = OrderedDict()
_LOCK = threading.Lock()
"""Threads of one process (the gRPC server's jobs) share the memo."""


class CachingProphet(Prophet):
    """``Prophet`` with ``make_all_seasonality_features`` memoised (see the module)."""

    _holidays_memo: tuple[Hashable] | None = None

    def make_all_seasonality_features(self, df: pd.DataFrame) -> Features:  # type: ignore[override]
        key = self._feature_key(df)
        if key is None:
            return cast(Features, super().make_all_seasonality_features(df))
        with _LOCK:
            entry = _FEATURES.get(key)
            if entry is not None:
                _FEATURES.move_to_end(key)
        if entry is None:
            matrix, priors, component_cols, modes = cast(
                Features, super().make_all_seasonality_features(df)
            )
            entry = _Entry(
                matrix.to_numpy(dtype=float),
                matrix.columns,
                priors,
                component_cols,
                modes,
                self.train_holiday_names,
            )
            with _LOCK:
                _FEATURES[key] = entry
                if len(_FEATURES) > CACHE_SIZE:
                    _FEATURES.popitem(last=False)
        # Prophet records the holidays it saw on the first (fitting) call.
        if self.train_holiday_names is None:
            self.train_holiday_names = entry.holiday_names
        values = entry.values.copy()
        for name in self.extra_regressors:
            values[:, entry.columns.get_loc(name)] = df[name].to_numpy(dtype=float)
        return (
            pd.DataFrame(values, columns=entry.columns),
            list(entry.priors),
            entry.component_cols,
            copy.deepcopy(entry.modes),
        )

    def _feature_key(self, df: pd.DataFrame) -> Hashable | None:
        """Everything Prophet's feature builder reads besides regressor values.

        ``None`` (do not cache) for conditional seasonalities: their columns depend on
        the frame's condition values.
        """
        seasonalities = []
        for name, props in self.seasonalities.items():
            if props["condition_name"] is not None:
                return None
            seasonalities.append(
                (name, props["period"], props["fourier_order"], props["prior_scale"], props["mode"])
            )
        regressors = tuple(
            (name, props["prior_scale"], props["mode"])
            for name, props in self.extra_regressors.items()
        )
        trained = (
            None
            if self.train_component_cols is None
            else (
                tuple(self.train_component_cols.columns.tolist()),
                self.train_component_cols.to_numpy().tobytes(),
            )
        )
        holiday_names = (
            None if self.train_holiday_names is None else tuple(self.train_holiday_names)
        )
        return (
            _dates_key(df["ds"]),
            tuple(seasonalities),
            self._holidays_key(),
            self.country_holidays,
            self.holidays_prior_scale,
            self.holidays_mode,
            regressors,
            holiday_names,
            trained,
        )

    def _holidays_key(self) -> Hashable:
        # The holiday frame is fixed at construction: build its key once per model.
        if self._holidays_memo is None:
            self._holidays_memo = (_holidays_key(self.holidays),)
        return self._holidays_memo[0]


def _dates_key(dates: pd.Series) -> bytes:
    return np.asarray(dates.to_numpy(dtype="datetime64[ns]")).view(np.int64).tobytes()


def _holidays_key(holidays: pd.DataFrame | None) -> Hashable:
    if holidays is None:
        return None
    columns: list[Any] = [_dates_key(holidays["ds"]), tuple(map(str, holidays["holiday"].tolist()))]
    for name in ("lower_window", "upper_window", "prior_scale"):
        if name in holidays:
            columns.append(np.asarray(holidays[name].to_numpy(dtype=float)).tobytes())
        else:
            columns.append(None)
    return tuple(columns)


def cache_clear() -> None:
    """Forget every memoised matrix (tests use it to compare cold and warm fits)."""
    with _LOCK:
        _FEATURES.clear()
