"""Small hand-made demand histories shared by the forecasting tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def history(
    values: list[float] | np.ndarray, start: str = "2025-01-06", **columns: object
) -> pd.DataFrame:
    """A ``Forecaster`` history: daily index from ``start``, ``quantity`` and extras."""
    index = pd.date_range(start, periods=len(values), freq="D", name="period")
    frame = pd.DataFrame({"quantity": np.asarray(values, dtype=float)}, index=index)
    for name, value in columns.items():
        frame[name] = value
    return frame


def weekly_pattern(days: int, seed: int = 0, level: float = 20.0) -> np.ndarray:
    """A smooth daily series with a weekday profile and Poisson noise."""
    rng = np.random.default_rng(seed)
    profile = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.6, 1.4])
    return rng.poisson(level * np.resize(profile, days)).astype(float)


def demand_frame(
    series: dict[tuple[str, str], np.ndarray], start: str = "2025-01-06"
) -> pd.DataFrame:
    """A demand frame (graph.history.DEMAND columns) holding the given series."""
    parts = []
    for (store, sku), values in series.items():
        dates = pd.date_range(start, periods=len(values), freq="D")
        parts.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "store_id": store,
                    "sku_id": sku,
                    "quantity": values,
                    "price": 3.0,
                    "promo": False,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
