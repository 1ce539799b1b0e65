"""A demand history reshaped for price estimation: one column per SKU, one row per period.

Prices in the history are chain-wide per SKU and period (a store-level price is averaged),
so summing units over stores loses no price variation and gives each SKU one long,
dense series to estimate from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PricePanel:
    """Units, prices and promotion flags per period (rows) and SKU (columns).

    Shapes
    ------
    units, price, promo, observed: (periods, skus); ``observed`` is False where a SKU has
    no row in a period (its units are 0 and its price is carried from a neighbour period).
    store_share: (stores, skus), each SKU's recent units split over stores (columns sum to 1).
    """

    dates: pd.DatetimeIndex
    sku_ids: tuple[str, ...]
    store_ids: tuple[str, ...]
    units: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    observed: np.ndarray
    store_share: np.ndarray
    days_per_period: float

    def column(self, sku_id: str) -> int:
        return self.sku_ids.index(sku_id)


def build_panel(demand: pd.DataFrame, sku_ids: tuple[str, ...], recent_periods: int) -> PricePanel:
    """Aggregate a checked demand frame over stores for the given SKUs.

    ``recent_periods`` sets the window over which each SKU's units are split across stores.
    Callers have checked that every SKU appears in ``demand``.
    """
    rows = demand[demand["sku_id"].isin(sku_ids)]
    dates = pd.DatetimeIndex(np.sort(rows["date"].unique()))
    by_sku = rows.groupby(["date", "sku_id"], sort=False).agg(
        units=("quantity", "sum"), price=("price", "mean"), promo=("promo", "max")
    )
    shape = (len(dates), len(sku_ids))
    index = pd.MultiIndex.from_product([dates, list(sku_ids)], names=["date", "sku_id"])
    full = by_sku.reindex(index)
    observed = full["units"].notna().to_numpy().reshape(shape)
    units = full["units"].fillna(0.0).to_numpy(dtype=float).reshape(shape)
    price = full["price"].to_numpy(dtype=float).reshape(shape)
    price = pd.DataFrame(price).ffill().bfill().to_numpy()
    promo = full["promo"].fillna(False).to_numpy(dtype=bool).reshape(shape)
    store_ids = tuple(sorted(rows["store_id"].unique()))
    recent = rows[rows["date"] >= dates[max(len(dates) - recent_periods, 0)]]
    per_store = (
        recent.groupby(["store_id", "sku_id"])["quantity"]
        .sum()
        .unstack("sku_id")
        .reindex(index=list(store_ids), columns=list(sku_ids))
        .fillna(0.0)
        .to_numpy()
    )
    carried = rows.groupby(["store_id", "sku_id"]).size().unstack("sku_id")
    carried = carried.reindex(index=list(store_ids), columns=list(sku_ids)).notna().to_numpy()
    # A store that carries a SKU but sold none recently still gets a small share.
    weights = np.where(carried, per_store + 0.5, 0.0)
    share = weights / np.maximum(weights.sum(axis=0, keepdims=True), 1e-12)
    step = (dates[1] - dates[0]).days if len(dates) > 1 else 1
    return PricePanel(
        dates=dates,
        sku_ids=sku_ids,
        store_ids=store_ids,
        units=units,
        price=price,
        promo=promo,
        observed=observed,
        store_share=share,
        days_per_period=float(step),
    )
