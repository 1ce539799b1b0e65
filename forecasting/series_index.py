"""Cleaned demand, every series findable by (store, SKU) without a scan.

A server answering many forecasts of one or a few series cannot afford to select rows
from a frame of every series and build frames per series (tens of milliseconds each).
The index cleans the whole history once, remembers where each series' rows are, and
hands out either bare arrays (for ``ValueForecaster`` models) or the cleaned rows (for
the full pipeline), so both paths forecast from the same cleaned values.

The history keeps its own frequency (daily or weekly, as ``infer_freq`` reads it): a
weekly history is forecast per week here exactly as the pipeline forecasts it.

Cleaning the whole history rather than the selected rows is also the better answer:
every series runs to the last day of the data, so a series that stopped selling is
forecast from today, not from its last sale.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.forecasting.cleaning import clean_demand, infer_freq
from supplynet.forecasting.forecast import Freq
from supplynet.forecasting.forecaster import SEASON, QuantilePath, ValueForecaster

SeriesKey = tuple[str, str]
"""(store_id, sku_id)."""

MAX_FITTED = 200_000
"""Fitted models an index keeps (a few hundred bytes each)."""


@dataclass(frozen=True)
class SeriesForecast:
    """One series' forecast as arrays: ``periods`` are the index's periods (days or week
    starts), ``path`` their quantiles."""

    key: SeriesKey
    periods: np.ndarray
    path: QuantilePath
    model: str


class SeriesIndex:
    """The cleaned demand history, indexed by series, at the history's own frequency."""

    def __init__(self, demand: pd.DataFrame) -> None:
        self.freq: Freq = infer_freq(demand)
        cleaned = clean_demand(demand, self.freq)
        self.cleaned = cleaned.frame
        self.summary = cleaned.summary
        """What cleaning changed (``CleaningSummary``), for the CLI to show."""
        self._rows: dict[SeriesKey, np.ndarray] = {
            (str(store), str(sku)): rows
            for (store, sku), rows in self.cleaned.groupby(
                ["store_id", "sku_id"], sort=False
            ).indices.items()
        }
        self._by_store: dict[str, list[SeriesKey]] = {}
        self._by_sku: dict[str, list[SeriesKey]] = {}
        for key in self._rows:
            self._by_store.setdefault(key[0], []).append(key)
            self._by_sku.setdefault(key[1], []).append(key)
        self._quantity = self.cleaned["quantity"].to_numpy(dtype=float)
        self._dates = self.cleaned["date"].to_numpy(dtype="datetime64[D]")
        self._fitted: dict[tuple[SeriesKey, Callable[[], ValueForecaster]], ValueForecaster] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def keys(
        self, stores: Collection[str] | None = None, skus: Collection[str] | None = None
    ) -> list[SeriesKey]:
        """The series of these stores and SKUs (``None``: any), sorted.

        Only the series of the named stores (or SKUs, if fewer) are looked at, so a
        one-store request costs the same whatever the size of the history.
        """
        candidates: Iterable[SeriesKey]
        if stores is None and skus is None:
            candidates = self._rows
        elif stores is not None and (skus is None or len(stores) <= len(skus)):
            candidates = (key for store in stores for key in self._by_store.get(store, ()))
        else:
            assert skus is not None
            candidates = (key for sku in skus for key in self._by_sku.get(sku, ()))
        return sorted(
            {
                key
                for key in candidates
                if (stores is None or key[0] in stores) and (skus is None or key[1] in skus)
            }
        )

    def rows(self, keys: list[SeriesKey]) -> pd.DataFrame:
        """The cleaned rows of some series, for models that need the whole pipeline."""
        if not keys:
            return self.cleaned.iloc[:0]
        taken = np.concatenate([self._rows[key] for key in keys])
        return self.cleaned.take(taken).reset_index(drop=True)

    def forecast(
        self, keys: list[SeriesKey], factory: Callable[[], ValueForecaster], horizon: int
    ) -> list[SeriesForecast]:
        """Forecast ``horizon`` periods of each series with a model fitted on its values.

        A series is fitted once per model and index (the history does not change under
        an index); the fitted models are a few numbers each, and at most ``MAX_FITTED``
        are kept, the oldest dropped first.
        """
        out = []
        step = np.timedelta64(7 if self.freq == "W" else 1, "D")
        for key in keys:
            rows = self._rows[key]
            model = self._fitted.get((key, factory))
            if model is None:
                model = factory().fit_values(self._quantity[rows], SEASON[self.freq])
                if len(self._fitted) >= MAX_FITTED:
                    del self._fitted[next(iter(self._fitted))]
                self._fitted[key, factory] = model
            periods = self._dates[rows[-1]] + step * np.arange(1, horizon + 1)
            out.append(
                SeriesForecast(key, periods, model.predict_values(horizon), model.model_name)
            )
        return out
