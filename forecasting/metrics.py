"""Forecast accuracy metrics: plain functions of arrays, hand-checkable.

All take ``actual`` and forecast arrays of the same shape; missing actuals (``NaN``)
are left out, so a gap in the data never counts as an error.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.ArrayLike


def wape(actual: Array, forecast: Array) -> float:
    """Weighted absolute percentage error: ``sum|a - f| / sum|a|`` (``nan`` if no demand)."""
    a, f = _pair(actual, forecast)
    total = np.abs(a).sum()
    return float(np.abs(a - f).sum() / total) if total > 0 else float("nan")


def bias(actual: Array, forecast: Array) -> float:
    """Relative bias ``sum(f - a) / sum|a|``: positive means over-forecasting."""
    a, f = _pair(actual, forecast)
    total = np.abs(a).sum()
    return float((f - a).sum() / total) if total > 0 else float("nan")


def mase_scale(insample: Array, season: int) -> float:
    """Mean absolute error of the seasonal naive forecast in-sample (MASE's denominator).

    Falls back to the lag-1 naive when the history is shorter than ``season + 1``;
    ``nan`` when no pair of consecutive values exists.
    """
    y = np.asarray(insample, dtype=float)
    lag = season if len(y) > season else 1
    diffs = np.abs(y[lag:] - y[:-lag])
    diffs = diffs[np.isfinite(diffs)]
    return float(diffs.mean()) if len(diffs) else float("nan")


def mase(actual: Array, forecast: Array, scale: float) -> float:
    """Mean absolute scaled error: out-of-sample MAE over the in-sample naive MAE."""
    a, f = _pair(actual, forecast)
    if not len(a) or not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return float(np.abs(a - f).mean() / scale)


def pinball(actual: Array, quantile_forecast: Array, q: float) -> float:
    """Mean pinball (quantile) loss of one quantile forecast, in units of demand."""
    a, f = _pair(actual, quantile_forecast)
    if not len(a):
        return float("nan")
    diff = a - f
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))


def coverage(actual: Array, lower: Array, upper: Array) -> float:
    """Share of actuals inside ``[lower, upper]`` (0.8 is ideal for P10-P90)."""
    a = np.asarray(actual, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    keep = np.isfinite(a)
    if not keep.any():
        return float("nan")
    return float(np.mean((a[keep] >= lo[keep]) & (a[keep] <= hi[keep])))


def _pair(actual: Array, forecast: Array) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    keep = np.isfinite(a)
    return a[keep], f[keep]
