"""Demand cleaning: an explicit step with stated rules and a summary of what it changed.

Rules, applied per (store, SKU) series in this order:

1. **Duplicates**: rows with the same (date, store_id, sku_id) are the same record sent
   twice; the last one wins (the store's upsert rule). Identical copies and conflicting
   ones are counted separately.
2. **Negative quantities** (returns or corrections exceeding sales) say nothing about
   demand: they become missing values.
3. **Missing periods**: every series is put on a regular grid from its first period to
   the last period of the whole frame. Whether an absent period means *zero demand* or
   *missing data* depends on the source: with ``missing="auto"`` a frame that records
   zero-demand periods explicitly (any quantity is 0) has absent periods as missing
   data (``NaN``); a frame without a single zero is a sparse sales log, so absent
   periods are zero demand. ``"zero"`` and ``"missing"`` force either reading.
4. **Outliers**: values above ``Q3 + k * IQR`` (Tukey's fence, ``k = 3`` by default) of
   the series' non-zero, non-promotion values are capped at the fence. Promotion
   periods are exempt: their uplift is explained demand, not noise.

Missing values stay ``NaN`` in the result; each model decides how to treat them
(Prophet skips them, the baselines fill them with ``fill_missing``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed

MissingRule = Literal["auto", "zero", "missing"]

REQUIRED = ("date", "store_id", "sku_id", "quantity")
KEY = ["store_id", "sku_id", "date"]


@dataclass(frozen=True)
class CleaningSummary:
    """Counts of what cleaning changed, for the CLI, the demo and the logs."""

    rows_in: int
    series: int
    duplicate_rows: int
    conflicting_duplicates: int
    negatives: int
    missing_periods: int
    absent_as_zero: int
    outliers_capped: int
    rows_out: int
    missing_rule: str
    outlier_rule: str

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


@dataclass(frozen=True)
class CleanedDemand:
    """The cleaned, regular demand frame and the summary of how it was made.

    ``frame`` has ``date``, ``store_id``, ``sku_id``, ``quantity`` (``NaN`` = missing),
    ``price`` (forward-filled per series), ``promo`` (``False`` where absent) and
    ``flag`` (``ok``, ``missing``, ``negative``, ``zero_filled`` or ``capped``).
    """

    frame: pd.DataFrame
    summary: CleaningSummary


def clean_demand(
    demand: pd.DataFrame,
    freq: Literal["D", "W"] = "D",
    missing: MissingRule = "auto",
    outlier_k: float = 3.0,
) -> CleanedDemand:
    """Apply the module's rules to a demand history (columns as ``graph.history.DEMAND``).

    Raises
    ------
    ValidationFailed
        A required column is missing, or ``outlier_k`` is not positive.
    """
    problems = [Problem(f"demand.{c}", "missing column") for c in REQUIRED if c not in demand]
    if outlier_k <= 0:
        problems.append(Problem("outlier_k", f"must be > 0, got {outlier_k}"))
    if problems:
        raise ValidationFailed(problems, "demand")
    frame = _standard_columns(demand)
    before = len(frame)
    identical = int(frame.duplicated().sum())
    frame = frame.drop_duplicates(KEY, keep="last")
    duplicates = before - len(frame)

    negative = frame["quantity"] < 0
    frame["flag"] = np.where(negative, "negative", "ok")
    frame.loc[negative, "quantity"] = np.nan

    rule = missing
    if rule == "auto":
        rule = "missing" if (frame["quantity"] == 0).any() else "zero"
    frame, absent = _regular_grid(frame, freq)
    if rule == "zero":
        frame.loc[absent, "quantity"] = 0.0
        frame.loc[absent, "flag"] = "zero_filled"
    else:
        frame.loc[absent, "flag"] = "missing"

    capped = _cap_outliers(frame, outlier_k)
    frame.loc[capped, "flag"] = "capped"
    summary = CleaningSummary(
        rows_in=len(demand),
        series=int(frame.groupby(["store_id", "sku_id"]).ngroups),
        duplicate_rows=duplicates,
        conflicting_duplicates=duplicates - identical,
        negatives=int(negative.sum()),
        missing_periods=int(frame["quantity"].isna().sum()),
        absent_as_zero=int(absent.sum()) if rule == "zero" else 0,
        outliers_capped=int(capped.sum()),
        rows_out=len(frame),
        missing_rule=f"absent periods are {'zero demand' if rule == 'zero' else 'missing data'}",
        outlier_rule=f"cap at Q3 + {outlier_k:g} IQR of non-zero, non-promo values",
    )
    return CleanedDemand(frame.reset_index(drop=True), summary)


def fill_missing(quantity: npt.ArrayLike, season: int) -> np.ndarray:
    """Fill ``NaN`` with the value one season earlier, then the series median.

    For models that cannot skip missing periods (the baselines); a gap is filled with
    what the same weekday looked like, which keeps the weekly pattern.
    """
    filled = np.array(quantity, dtype=float)
    for _ in range(4):
        gaps = np.isnan(filled)
        if not gaps.any():
            return filled
        earlier = np.full_like(filled, np.nan)
        if season < len(filled):
            earlier[season:] = filled[:-season]
        filled = np.where(gaps, earlier, filled)
    known = filled[~np.isnan(filled)]
    return np.where(np.isnan(filled), float(np.median(known)) if len(known) else 0.0, filled)


def _standard_columns(demand: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(demand["date"]).dt.normalize().astype("datetime64[ns]"),
            "store_id": demand["store_id"].astype(str),
            "sku_id": demand["sku_id"].astype(str),
            "quantity": pd.to_numeric(demand["quantity"], errors="coerce").astype(float),
            "price": (
                pd.to_numeric(demand["price"], errors="coerce").astype(float)
                if "price" in demand
                else np.nan
            ),
            "promo": demand["promo"].astype(bool) if "promo" in demand else False,
        }
    )
    return frame.sort_values(KEY, kind="stable").reset_index(drop=True)


def _regular_grid(frame: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, pd.Series]:
    """Reindex every series from its first period to the frame's last; mark added rows."""
    step = pd.Timedelta(days=7 if freq == "W" else 1)
    columns = ["date", "store_id", "sku_id", "quantity", "price", "promo", "flag"]
    if frame.empty:
        return frame.assign(flag="ok")[columns], pd.Series(False, index=frame.index)
    firsts = frame.groupby(["store_id", "sku_id"], sort=True)["date"].min()
    end = frame["date"].max()
    lengths = ((end - firsts) // step + 1).to_numpy(dtype=int)
    offsets = np.concatenate([np.arange(n) for n in lengths])
    grid = pd.DataFrame(
        {
            "store_id": np.repeat(firsts.index.get_level_values(0).to_numpy(), lengths),
            "sku_id": np.repeat(firsts.index.get_level_values(1).to_numpy(), lengths),
            "date": np.repeat(firsts.to_numpy(), lengths) + offsets * step,
        }
    )
    out = grid.merge(frame, on=["store_id", "sku_id", "date"], how="left", sort=False)
    absent = out["flag"].isna()
    out["flag"] = out["flag"].fillna("ok")
    out["promo"] = out["promo"].fillna(False).astype(bool)
    prices = out.groupby(["store_id", "sku_id"])["price"]
    out["price"] = prices.ffill().fillna(prices.bfill())
    return out[columns], absent


def _cap_outliers(frame: pd.DataFrame, k: float) -> pd.Series:
    """Cap each series at its fence in place; return the mask of capped rows."""
    keys = ["store_id", "sku_id"]
    base = frame.loc[(frame["quantity"] > 0) & ~frame["promo"], [*keys, "quantity"]]
    if base.empty:  # no history (or none outside promotions): nothing to cap
        return pd.Series(False, index=frame.index)
    grouped = base.groupby(keys)["quantity"]
    stats = grouped.quantile([0.25, 0.75]).unstack()
    stats["count"] = grouped.size()
    stats = stats[stats["count"] >= 8]
    fences = (stats[0.75] + k * (stats[0.75] - stats[0.25])).rename("fence")
    fence = frame[keys].merge(fences, left_on=keys, right_index=True, how="left")["fence"]
    over = (frame["quantity"] > fence.to_numpy()) & ~frame["promo"]
    frame.loc[over, "quantity"] = fence[over.to_numpy()].to_numpy()
    return over


def infer_freq(demand: pd.DataFrame) -> Literal["D", "W"]:
    """``"W"`` when consecutive dates of a series are usually a week apart, else ``"D"``."""
    if len(demand) < 2:
        return "D"
    ordered = demand.sort_values(["store_id", "sku_id", "date"])
    gaps = ordered.groupby(["store_id", "sku_id"])["date"].diff().dropna()
    return "W" if len(gaps) and gaps.median() >= pd.Timedelta(days=7) else "D"
