"""Split a cleaned demand frame into one history per (location, SKU) series.

A ``SeriesHistory`` is the unit of work the pipeline, the backtest and the parallel
runner pass around: small, picklable, and already in the shape ``Forecaster.fit``
takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

HISTORY_COLUMNS = ["quantity", "price", "promo"]


@dataclass(frozen=True)
class SeriesHistory:
    """One series: its key and its history indexed by period (see ``Forecaster``)."""

    location_id: str
    sku_id: str
    history: pd.DataFrame

    @property
    def key(self) -> tuple[str, str]:
        return (self.location_id, self.sku_id)


def split_series(cleaned: pd.DataFrame) -> list[SeriesHistory]:
    """One ``SeriesHistory`` per (store_id, sku_id) of a ``clean_demand`` frame, sorted."""
    out = []
    for (store, sku), part in cleaned.groupby(["store_id", "sku_id"], sort=True):
        history = part.set_index(pd.DatetimeIndex(part["date"], name="period"))
        columns = [c for c in HISTORY_COLUMNS if c in history]
        out.append(SeriesHistory(str(store), str(sku), history[columns].sort_index()))
    return out
