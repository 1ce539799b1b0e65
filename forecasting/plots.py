"""Plots of demand history and of forecasts with their P10-P90 band.

Drawn by the analyst notebooks and ``scripts/render_figures``. Pure: data in, axes
out; saving a figure is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.series_index import SeriesKey


def _series_history(demand: pd.DataFrame, key: SeriesKey) -> pd.Series:
    store_id, sku_id = key
    rows = demand[(demand["store_id"] == store_id) & (demand["sku_id"] == sku_id)]
    return rows.set_index("date")["quantity"].sort_index().astype(float)


def history_plot(
    demand: pd.DataFrame,
    keys: Sequence[SeriesKey],
    *,
    ax: Axes | None = None,
    resample: str | None = "W",
) -> Axes:
    """Demand over time for a few (store, SKU) series, one line each.

    Parameters
    ----------
    demand
        Demand history (columns date, store_id, sku_id, quantity).
    keys
        The series to draw.
    ax
        Axes to draw on; a new 10x4 inch figure when omitted.
    resample
        Pandas frequency to sum to before drawing (weekly by default, so daily noise
        does not hide seasonality); ``None`` draws the raw periods.

    Returns
    -------
    The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    for key in keys:
        series = _series_history(demand, key)
        if resample is not None:
            series = series.resample(resample).sum()
        ax.plot(series.index, series.to_numpy(), linewidth=1.0, label=f"{key[0]} / {key[1]}")
    unit = {"W": "week", "D": "day", "MS": "month"}.get(resample or "", "period")
    ax.set_ylabel(f"units per {unit}")
    ax.set_title("Demand history")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def fan_chart(
    forecast: DemandForecast,
    key: SeriesKey,
    *,
    history: pd.DataFrame | None = None,
    history_periods: int = 56,
    ax: Axes | None = None,
) -> Axes:
    """One series' forecast: mean line, P50 dashed and the P10-P90 band shaded.

    Parameters
    ----------
    forecast
        Any model's forecast holding ``key``.
    key
        (location id, SKU id) of the series.
    history
        Demand history (columns date, store_id, sku_id, quantity): its last
        ``history_periods`` rows before the forecast are drawn for context, together
        with any actuals inside the horizon (as dots), to show what the band covered.
    history_periods
        Periods of history to show before the forecast starts.
    ax
        Axes to draw on; a new 10x4 inch figure when omitted.

    Returns
    -------
    The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    rows = forecast.series(*key)
    start = rows["period"].min()
    if history is not None:
        series = _series_history(history, key)
        before = series[series.index < start].tail(history_periods)
        during = series[(series.index >= start) & (series.index <= rows["period"].max())]
        ax.plot(before.index, before.to_numpy(), color="black", linewidth=1.0, label="history")
        if not during.empty:
            ax.plot(during.index, during.to_numpy(), "k.", markersize=4, label="actual")
    periods = pd.DatetimeIndex(rows["period"])
    ax.fill_between(
        periods,
        rows["p10"].to_numpy(dtype=float),
        rows["p90"].to_numpy(dtype=float),
        color="tab:blue",
        alpha=0.25,
        label="P10-P90",
    )
    ax.plot(periods, rows["p50"].to_numpy(dtype=float), "--", color="navy", label="P50")
    ax.plot(periods, rows["mean"].to_numpy(dtype=float), color="tab:blue", label="mean")
    models = ", ".join(sorted(set(rows["model"])))
    ax.set_title(f"{key[0]} / {key[1]} ({models})", fontsize=10)
    ax.set_ylabel("units per period")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def fan_charts(
    forecast: DemandForecast,
    keys: Sequence[SeriesKey],
    *,
    history: pd.DataFrame | None = None,
    history_periods: int = 56,
    columns: int = 2,
) -> Figure:
    """A grid of ``fan_chart`` panels, one per key."""
    rows = max(1, int(np.ceil(len(keys) / columns)))
    figure, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3.2 * rows), squeeze=False)
    flat = list(axes.ravel())
    for key, ax in zip(keys, flat, strict=False):
        fan_chart(forecast, key, history=history, history_periods=history_periods, ax=ax)
    for ax in flat[len(keys) :]:
        ax.set_visible(False)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
