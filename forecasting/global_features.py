"""Features of the global model: one row per (series, forecast origin, horizon step).

Everything a row holds is known at its origin ``o`` (the first forecast period):

- **history** (periods before ``o`` only): the recent level (``scale``, the mean of the
  last 28 days) and, divided by it, the last seven days, 7/56/112-day means, the
  28-day spread and zero share; per target weekday the mean of the last 4 and 8 same
  weekdays, the last same weekday, and how often that weekday was zero (a closed day);
  last year's level around the target day when a year of history exists;
- **calendar** of the target day: weekday, day of month and year, month, the step,
  the holiday calendar of one ``country`` (on a holiday, days to the next and since the
  last one);
- **known future**: the planned promotion and the price relative to the recent price
  at the target day (a retailer decides them ahead);
- **graph**: per relation of the network (substitute, category, shared supplier,
  shared origin; see ``gnn.graph_data``), the neighbours' mean of the same history
  features (their weekday ratio, their momentum) and of their planned promotion.

Targets are demand at ``o + step`` over ``scale``, so one model serves every size of
series. ``tests/test_forecasting_global.py`` checks that nothing after ``o`` leaks in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed

LEVEL_DAYS = 28
MIN_SCALE = 0.05
YEAR = 364
WEEK = 7
CLOSED_SHARE = 0.9
"""A weekday zero in this share of the last 8 weeks is a closed day: forecast zero."""

HISTORY_FEATURES = (
    "log_scale",
    *(f"lag_{k}" for k in range(1, 8)),
    "mean_7",
    "mean_56",
    "mean_112",
    "std_28",
    "zero_28",
    "weekday_4",
    "weekday_8",
    "weekday_last",
    "weekday_zero",
    "year_ago",
)
CALENDAR_FEATURES = (
    "step",
    "weekday",
    "day_of_month",
    "day_of_year",
    "month",
    "holiday",
    "days_to_holiday",
    "days_since_holiday",
)
PLAN_FEATURES = ("promo", "log_price_ratio")
GRAPH_SIGNALS = ("weekday_4", "momentum", "promo")


def graph_feature_names(relations: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{r}_{signal}" for r in relations for signal in GRAPH_SIGNALS)


@dataclass(frozen=True)
class DemandPanel:
    """Dense (series x day) arrays of a cleaned daily demand frame plus planned values.

    Shapes
    ------
    quantity: ``[S, T]`` (``NaN`` missing); price, promo: ``[S, T + future]``.
    """

    keys: tuple[tuple[str, str], ...]
    start: pd.Timestamp
    quantity: np.ndarray
    price: np.ndarray
    promo: np.ndarray

    @property
    def length(self) -> int:
        return int(self.quantity.shape[1])

    def dates(self, first: int, count: int) -> pd.DatetimeIndex:
        return pd.date_range(self.start + pd.Timedelta(days=first), periods=count, freq="D")


def demand_panel(cleaned: pd.DataFrame, future: pd.DataFrame | None, horizon: int) -> DemandPanel:
    """Pivot a ``clean_demand`` frame (daily) and the planned ``future`` into a panel.

    Periods after the history without a plan hold the last price and no promotion.

    Raises
    ------
    ValidationFailed
        No rows, or a weekly frame.
    """
    if cleaned.empty:
        raise ValidationFailed([Problem("demand", "no rows")], "global model")
    dates = pd.DatetimeIndex(cleaned["date"])
    keys_frame = (
        cleaned[["store_id", "sku_id"]].drop_duplicates().sort_values(["store_id", "sku_id"])
    )
    keys = tuple((str(a), str(b)) for a, b in keys_frame.itertuples(index=False, name=None))
    start, end = dates.min(), dates.max()
    length = int((end - start).days) + 1
    if cleaned.groupby(["store_id", "sku_id"])["date"].diff().dropna().dt.days.max() > 1:
        raise ValidationFailed(
            [Problem("freq", "the global model needs daily data")], "global model"
        )
    width = length + horizon
    quantity = np.full((len(keys), length), np.nan)
    price = np.full((len(keys), width), np.nan)
    promo = np.zeros((len(keys), width))
    index = pd.MultiIndex.from_tuples(keys)
    rows, cols = _cells(index, start, cleaned)
    quantity[rows, cols] = cleaned["quantity"].to_numpy(dtype=float)
    if "price" in cleaned:
        price[rows, cols] = cleaned["price"].to_numpy(dtype=float)
    if "promo" in cleaned:
        promo[rows, cols] = cleaned["promo"].to_numpy(dtype=float)
    if future is not None and len(future):
        planned = future[pd.to_datetime(future["date"]) > end]
        rows, cols = _cells(index, start, planned)
        ok = (rows >= 0) & (cols < width)
        if "price" in planned:
            price[rows[ok], cols[ok]] = planned["price"].to_numpy(dtype=float)[ok]
        if "promo" in planned:
            promo[rows[ok], cols[ok]] = planned["promo"].to_numpy(dtype=float)[ok]
    price = pd.DataFrame(price.T).ffill().bfill().fillna(0.0).to_numpy().T
    return DemandPanel(keys, pd.Timestamp(start), quantity, price, promo)


def _cells(
    index: pd.MultiIndex, start: pd.Timestamp, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    wanted = pd.MultiIndex.from_arrays([frame["store_id"].astype(str), frame["sku_id"].astype(str)])
    rows = np.asarray(index.get_indexer(wanted), dtype=int)
    cols = (pd.to_datetime(frame["date"]) - start).dt.days.to_numpy().astype(int)
    return rows, cols


@dataclass(frozen=True)
class FeatureRows:
    """Feature matrix rows and where they come from.

    Shapes
    ------
    x ``[R, F]`` (float32, ``NaN`` where unknown); series, origin, step, scale,
    target ``[R]`` (target: demand over scale, ``NaN`` beyond the history).
    """

    x: np.ndarray
    series: np.ndarray
    origin: np.ndarray
    step: np.ndarray
    scale: np.ndarray
    target: np.ndarray
    closed: np.ndarray


def feature_rows(
    panel: DemandPanel,
    origins: np.ndarray,
    horizon: int,
    holidays: frozenset[pd.Timestamp],
    neighbours: dict[str, tuple[np.ndarray, np.ndarray]],
) -> FeatureRows:
    """Rows for every series, every origin in ``origins`` and steps ``0 .. horizon-1``.

    ``neighbours`` maps a relation name to its ``(source, destination)`` series indices.
    """
    parts = [_one_origin(panel, int(o), horizon, holidays, neighbours) for o in origins]
    return FeatureRows(
        *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(FeatureRows))
    )


def _window_mean(total: np.ndarray, count: np.ndarray, end: int, days: int) -> np.ndarray:
    start = max(end - days, 0)
    n = count[:, end] - count[:, start]
    return np.where(n > 0, (total[:, end] - total[:, start]) / np.maximum(n, 1), np.nan)


def _one_origin(
    panel: DemandPanel,
    origin: int,
    horizon: int,
    holidays: frozenset[pd.Timestamp],
    neighbours: dict[str, tuple[np.ndarray, np.ndarray]],
) -> FeatureRows:
    past = panel.quantity[:, :origin]
    observed = np.isfinite(past)
    values = np.where(observed, past, 0.0)
    zeros = np.zeros((len(values), 1))
    total = np.concatenate([zeros, np.cumsum(values, axis=1)], axis=1)
    count = np.concatenate([zeros, np.cumsum(observed, axis=1)], axis=1)
    squares = np.concatenate([zeros, np.cumsum(values**2, axis=1)], axis=1)
    level = _window_mean(total, count, origin, LEVEL_DAYS)
    scale = np.maximum(np.nan_to_num(level, nan=0.0), MIN_SCALE)
    mean_sq = _window_mean(squares, count, origin, LEVEL_DAYS)
    std = np.sqrt(np.maximum(mean_sq - level**2, 0.0))
    window = values[:, max(origin - LEVEL_DAYS, 0) :]
    zero_28 = (window == 0).mean(axis=1) if window.shape[1] else np.zeros(len(values))
    lags = [
        past[:, origin - k] / scale if origin - k >= 0 else np.full(len(values), np.nan)
        for k in range(1, 8)
    ]
    per_origin = np.column_stack(
        [
            np.log1p(scale),
            *lags,
            _window_mean(total, count, origin, 7) / scale,
            _window_mean(total, count, origin, 56) / scale,
            _window_mean(total, count, origin, 112) / scale,
            std / scale,
            zero_28,
        ]
    )
    steps = np.arange(horizon)
    weekday_4, weekday_8, weekday_last, weekday_zero = _same_weekday(past, origin, steps, scale)
    year_ago = _year_ago(total, count, origin, steps, scale)
    target_days = panel.dates(origin, horizon)
    calendar = _calendar(target_days, steps, holidays)
    plan_price = panel.price[:, origin : origin + horizon]
    recent_price = np.nanmean(panel.price[:, max(origin - LEVEL_DAYS, 0) : origin], axis=1)
    ratio = np.where(
        (plan_price > 0) & (recent_price[:, None] > 0),
        plan_price / np.where(recent_price[:, None] > 0, recent_price[:, None], 1.0),
        1.0,
    )
    promo = panel.promo[:, origin : origin + horizon]
    momentum = _window_mean(total, count, origin, 7) / scale
    signals = {
        "weekday_4": weekday_4,
        "momentum": np.repeat(momentum[:, None], horizon, 1),
        "promo": promo,
    }
    graph = [
        _neighbour_mean(signals[name], *neighbours[relation])
        for relation in neighbours
        for name in GRAPH_SIGNALS
    ]
    n = len(values)
    per_step = [
        weekday_4,
        weekday_8,
        weekday_last,
        weekday_zero,
        year_ago,
        promo,
        np.log(ratio),
        *graph,
    ]
    x = np.concatenate(
        [
            np.repeat(per_origin, horizon, axis=0),
            np.stack(per_step[:5], axis=2).reshape(n * horizon, 5),
            np.tile(calendar, (n, 1)),
            np.stack(per_step[5:], axis=2).reshape(n * horizon, len(per_step) - 5),
        ],
        axis=1,
    ).astype(np.float32)
    target_cols = origin + steps
    target = np.full((n, horizon), np.nan)
    inside = target_cols < panel.length
    target[:, inside] = panel.quantity[:, target_cols[inside]] / scale[:, None]
    return FeatureRows(
        x,
        np.repeat(np.arange(n), horizon),
        np.full(n * horizon, origin),
        np.tile(steps, n),
        np.repeat(scale, horizon),
        target.ravel(),
        (weekday_zero >= CLOSED_SHARE).ravel(),
    )


def _same_weekday(
    past: np.ndarray, origin: int, steps: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per series and step: mean of the last 4 and 8 same weekdays before ``origin`` (over
    scale), the last one, and the share of zeros among the last 8 (``[S, H]`` each)."""
    weeks = np.arange(8)
    back = steps[:, None] - WEEK * (steps[:, None] // WEEK + 1 + weeks[None, :])
    columns = origin + back
    valid = columns >= 0
    taken = past[:, np.where(valid, columns, 0)]
    taken = np.where(valid[None], taken, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean_4 = np.nanmean(taken[..., :4], axis=2) / scale[:, None]
        mean_8 = np.nanmean(taken, axis=2) / scale[:, None]
        known = np.isfinite(taken)
        zero = np.where(
            known.sum(axis=2) >= 4, (taken == 0).sum(axis=2) / np.maximum(known.sum(axis=2), 1), 0.0
        )
    return mean_4, mean_8, taken[..., 0] / scale[:, None], zero


def closed_weekdays(past: np.ndarray, horizon: int) -> np.ndarray:
    """``[S, horizon]``: whether each step after ``past`` (``[S, T]``, ``NaN`` missing)
    falls on a weekday that was zero in ``CLOSED_SHARE`` of the last 8 weeks (4 known at
    least): a day the series does not trade, forecast as zero by every model."""
    scale = np.ones(len(past))
    zero = _same_weekday(past, past.shape[1], np.arange(horizon), scale)[3]
    return np.asarray(zero >= CLOSED_SHARE)


def _year_ago(
    total: np.ndarray, count: np.ndarray, origin: int, steps: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """Mean of the two weeks around the target day a year earlier, over scale (``NaN``
    without a year of history)."""
    centre = origin + steps - YEAR
    low = np.clip(centre - 7, 0, origin)
    high = np.clip(centre + 8, 0, origin)
    n = count[:, high] - count[:, low]
    mean = (total[:, high] - total[:, low]) / np.maximum(n, 1)
    ok = (centre - 7 >= 0)[None, :] & (n > 0)
    return np.where(ok, mean / scale[:, None], np.nan)


def _calendar(
    days: pd.DatetimeIndex, steps: np.ndarray, holidays: frozenset[pd.Timestamp]
) -> np.ndarray:
    """``[H, len(CALENDAR_FEATURES)]`` for the target days."""
    on = np.array([d in holidays for d in days], dtype=float)
    ordered = np.array(sorted(holidays), dtype="datetime64[D]")
    day = days.to_numpy().astype("datetime64[D]")
    if len(ordered):
        after = np.searchsorted(ordered, day, side="left")
        to_next = np.where(
            after < len(ordered),
            (ordered[np.minimum(after, len(ordered) - 1)] - day).astype(float),
            30.0,
        )
        before = np.searchsorted(ordered, day, side="right") - 1
        since = np.where(before >= 0, (day - ordered[np.maximum(before, 0)]).astype(float), 30.0)
    else:
        to_next = since = np.full(len(days), 30.0)
    return np.column_stack(
        [
            steps + 1,
            days.day_of_week,
            days.day,
            days.day_of_year,
            days.month,
            on,
            np.minimum(to_next, 30.0),
            np.minimum(since, 30.0),
        ]
    ).astype(float)


def _neighbour_mean(values: np.ndarray, source: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (``[S, H]``) over each series' neighbours (``NaN`` without any)."""
    clean = np.nan_to_num(values, nan=0.0)
    total = np.zeros_like(clean)
    np.add.at(total, destination, clean[source])
    count = np.bincount(destination, minlength=len(values)).astype(float)
    return np.where(count[:, None] > 0, total / np.maximum(count, 1)[:, None], np.nan)
