"""Features of the global model: one row per (series, forecast origin, horizon step).

Everything a row holds is known at its origin ``o`` (the first forecast period). Daily
and weekly data share one code path; the panel's ``Cadence`` (read from the frame's
dates) says what a period is and which features make sense at it. Daily:

- **history** (periods before ``o`` only): the recent level (``scale``, the mean of the
  last 28 days) and, divided by it, the last seven days, 7/56/112-day means, the
  28-day spread and zero share; per target weekday the mean of the last 4 and 8 same
  weekdays, the last same weekday, and how often that weekday was zero (a closed day);
  last year's level around the target day when a year of history exists;
- **calendar** of the target day: weekday, day of month and year, month, the step,
  the holiday calendar of one ``country`` (on a holiday, days to the next and since the
  last one);
- **known future**: the planned promotion and the price relative to the recent price
  at the target day (a retailer decides them ahead), and what they mean for this item:
  its price and promotion responses, regressed on the year before ``o`` over all its
  stores (``_regression``, ``_shrunk``), and the log demand they expect at the target
  day over the level; the same from the series' own responses, shrunk toward its item's;
- **item** (the same SKU at every store, no network needed): the series' share of its
  item's demand over the longest mean window and over a year against the level window,
  and the item's weekday ratio, momentum and last year's level as ratios of sums over
  its stores;
- **item shape** (``demand_shape``, from half a year of history on): the item's
  multiplicative calendar, season, price and promotion effects, fitted on its demand
  summed over its stores over the year before ``o``; per window (the level window, the
  longest mean window, a year) the series' demand against that shape, carried by the
  shape to the target day, over ``scale``: a forecast of its own that the trees learn
  how far to trust;
- **graph**: per relation of the network (substitute, category, shared supplier,
  shared origin; see ``gnn.graph_data``), the neighbours' mean of the same history
  features (their weekday ratio, their momentum) and of their planned promotion; and
  the item shape again with the substitutes' promotions in its fit.

Weekly data sums the weekday pattern away (no same-weekday features, no closed
days): the level is the last 8 weeks, the history the last 8 weeks and 4/13/26-week
means, last year is 52 periods back, the calendar is the week of the year and month and
how many holidays fall in the week, and the graph signals swap the neighbours' weekday
ratio for their year-ago ratio.

Targets are demand at ``o + step`` over ``scale``, so one model serves every size of
series. ``tests/test_forecasting_global.py`` and ``tests/test_forecasting_global_response.py``
check that nothing after ``o`` leaks in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import Literal, Self

import numpy as np
import pandas as pd

from supplynet.forecasting.demand_shape import (
    ItemPanel,
    calendar_design,
    group_sum,
    holiday_counts,
)
from supplynet.graph.errors import Problem, ValidationFailed

MIN_SCALE = 0.05
WEEK = 7
CLOSED_SHARE = 0.9
"""A weekday zero in this share of the last 8 weeks is a closed day: forecast zero."""
MIN_RESIDUAL_PERIODS = 8
"""A series' own noise counts (``_shrunk``), and its response toward how far responses
spread, only with at least this many periods left beyond the three fitted values."""
SAME_WEEKDAY_FEATURES = ("weekday_4", "weekday_8", "weekday_last", "weekday_zero")
RESPONSE_FEATURES = (
    "promo_share",
    "price_response",
    "promo_response",
    "plan_effect",
    "own_plan_effect",
)
PLAN_FEATURES = ("promo", "log_price_ratio", *RESPONSE_FEATURES)


@dataclass(frozen=True)
class Cadence:
    """What one period of a panel is, and so which features make sense at it.

    Counts are in periods. Daily data has a weekday pattern (same-weekday features,
    closed weekdays) that weekly data sums away; a year is 364 days or 52 weeks.
    """

    freq: Literal["D", "W"]
    days: int
    """Days per period."""
    week: int
    """Periods per week (validation origins are a week apart)."""
    level: int
    """Periods of the recent level (``scale``), its spread and zero share."""
    lags: int
    means: tuple[int, ...]
    """Windows of the recent means; the first is the graph's momentum."""
    year: int
    year_half: int
    """Half width of last year's window around the target period."""
    same_weekday: bool
    calendar: tuple[str, ...]
    graph_signals: tuple[str, ...]
    item_signals: tuple[str, ...]
    """History signals also given summed over the item's stores (``item_features``)."""

    @property
    def unit(self) -> str:
        return "day" if self.freq == "D" else "week"

    @property
    def label(self) -> str:
        return "daily" if self.freq == "D" else "weekly"

    @property
    def history_features(self) -> tuple[str, ...]:
        return (
            "log_scale",
            *(f"lag_{k}" for k in range(1, self.lags + 1)),
            *(f"mean_{w}" for w in self.means),
            f"std_{self.level}",
            f"zero_{self.level}",
            *(SAME_WEEKDAY_FEATURES if self.same_weekday else ()),
            "year_ago",
        )

    @property
    def item_features(self) -> tuple[str, ...]:
        return (
            *(f"item_share_{w}" for w in (self.means[-1], self.year)),
            *(f"item_{signal}" for signal in self.item_signals),
        )

    @property
    def shape_windows(self) -> tuple[int, ...]:
        """Windows over which a series' level is measured against its item's shape."""
        return (self.level, self.means[-1], self.year)

    def features(self, relations: tuple[str, ...]) -> tuple[str, ...]:
        """Every column of a feature row, the graph's last (the ablation drops them)."""
        graph = tuple(f"{r}_{signal}" for r in relations for signal in self.graph_signals)
        shapes = [f"shape_{w}" for w in self.shape_windows]
        substituted = [f"substitute_{name}" for name in shapes if "substitute" in relations]
        return (
            *self.history_features,
            *self.calendar,
            *PLAN_FEATURES,
            *self.item_features,
            *shapes,
            *graph,
            *substituted,
        )


DAILY = Cadence(
    freq="D",
    days=1,
    week=WEEK,
    level=28,
    lags=7,
    means=(7, 56, 112),
    year=364,
    year_half=7,
    same_weekday=True,
    calendar=(
        "step",
        "weekday",
        "day_of_month",
        "day_of_year",
        "month",
        "holiday",
        "days_to_holiday",
        "days_since_holiday",
    ),
    graph_signals=("weekday_4", "momentum", "promo"),
    item_signals=("weekday_4", "momentum", "year_ago"),
)
WEEKLY = Cadence(
    freq="W",
    days=WEEK,
    week=1,
    level=8,
    lags=8,
    means=(4, 13, 26),
    year=52,
    year_half=1,
    same_weekday=False,
    calendar=(
        "step",
        "week_of_year",
        "month",
        "holiday",
        "days_to_holiday",
        "days_since_holiday",
    ),
    graph_signals=("year_ago", "momentum", "promo"),
    item_signals=("year_ago", "momentum"),
)


@dataclass(frozen=True)
class DemandPanel:
    """Dense (series x period) arrays of a cleaned demand frame plus planned values.

    Shapes
    ------
    quantity: ``[S, T]`` (``NaN`` missing); price, promo: ``[S, T + future]``.
    """

    keys: tuple[tuple[str, str], ...]
    start: pd.Timestamp
    quantity: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    cadence: Cadence

    @property
    def length(self) -> int:
        return int(self.quantity.shape[1])

    def dates(self, first: int, count: int) -> pd.DatetimeIndex:
        days = self.cadence.days
        return pd.date_range(
            self.start + pd.Timedelta(days=first * days), periods=count, freq=f"{days}D"
        )


def demand_panel(cleaned: pd.DataFrame, future: pd.DataFrame | None, horizon: int) -> DemandPanel:
    """Pivot a ``clean_demand`` frame (daily or weekly) and the planned ``future`` into
    a panel whose cadence is the frame's.

    Periods after the history without a plan hold the last price and no promotion.

    Raises
    ------
    ValidationFailed
        No rows, or dates neither a regular daily nor a regular weekly grid.
    """
    if cleaned.empty:
        raise ValidationFailed([Problem("demand", "no rows")], "global model")
    dates = pd.DatetimeIndex(cleaned["date"])
    keys_frame = (
        cleaned[["store_id", "sku_id"]].drop_duplicates().sort_values(["store_id", "sku_id"])
    )
    keys = tuple((str(a), str(b)) for a, b in keys_frame.itertuples(index=False, name=None))
    start, end = dates.min(), dates.max()
    gaps = cleaned.groupby(["store_id", "sku_id"])["date"].diff().dropna().dt.days
    cadence = WEEKLY if len(gaps) and gaps.median() >= WEEK else DAILY
    offsets = (dates - start).days
    if (gaps != cadence.days).any() or (offsets % cadence.days != 0).any():
        raise ValidationFailed(
            [Problem("freq", "the global model needs a regular daily or weekly grid")],
            "global model",
        )
    length = int((end - start).days) // cadence.days + 1
    width = length + horizon
    quantity = np.full((len(keys), length), np.nan)
    price = np.full((len(keys), width), np.nan)
    promo = np.zeros((len(keys), width))
    index = pd.MultiIndex.from_tuples(keys)
    rows, cols = _cells(index, start, cadence, cleaned)
    quantity[rows, cols] = cleaned["quantity"].to_numpy(dtype=float)
    if "price" in cleaned:
        price[rows, cols] = cleaned["price"].to_numpy(dtype=float)
    if "promo" in cleaned:
        promo[rows, cols] = cleaned["promo"].to_numpy(dtype=float)
    if future is not None and len(future):
        planned = future[pd.to_datetime(future["date"]) > end]
        rows, cols = _cells(index, start, cadence, planned)
        ok = (rows >= 0) & (cols < width)
        if "price" in planned:
            price[rows[ok], cols[ok]] = planned["price"].to_numpy(dtype=float)[ok]
        if "promo" in planned:
            promo[rows[ok], cols[ok]] = planned["promo"].to_numpy(dtype=float)[ok]
    price = pd.DataFrame(price.T).ffill().bfill().fillna(0.0).to_numpy().T
    return DemandPanel(keys, pd.Timestamp(start), quantity, price, promo, cadence)


def _cells(
    index: pd.MultiIndex, start: pd.Timestamp, cadence: Cadence, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    wanted = pd.MultiIndex.from_arrays([frame["store_id"].astype(str), frame["sku_id"].astype(str)])
    rows = np.asarray(index.get_indexer(wanted), dtype=int)
    days = (pd.to_datetime(frame["date"]) - start).dt.days.to_numpy().astype(int)
    return rows, days // cadence.days


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

    def take(self, index: np.ndarray) -> FeatureRows:
        """The rows at ``index``."""
        return FeatureRows(*(getattr(self, f.name)[index] for f in fields(self)))


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
    response = _response_data(panel)
    shapes = _item_panels(panel, response, holidays, neighbours)
    parts = [
        _one_origin(panel, int(o), horizon, holidays, neighbours, response, shapes) for o in origins
    ]
    return FeatureRows(
        *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(FeatureRows))
    )


def _window_mean(total: np.ndarray, count: np.ndarray, end: int, periods: int) -> np.ndarray:
    start = max(end - periods, 0)
    n = count[:, end] - count[:, start]
    return np.where(n > 0, (total[:, end] - total[:, start]) / np.maximum(n, 1), np.nan)


def _one_origin(
    panel: DemandPanel,
    origin: int,
    horizon: int,
    holidays: frozenset[pd.Timestamp],
    neighbours: dict[str, tuple[np.ndarray, np.ndarray]],
    response: ResponseData,
    shapes: list[ItemPanel],
) -> FeatureRows:
    cadence = panel.cadence
    past = panel.quantity[:, :origin]
    observed = np.isfinite(past)
    values = np.where(observed, past, 0.0)
    total, count, squares = _running(values), _running(observed), _running(values**2)
    level = _window_mean(total, count, origin, cadence.level)
    scale = np.maximum(np.nan_to_num(level, nan=0.0), MIN_SCALE)
    mean_sq = _window_mean(squares, count, origin, cadence.level)
    std = np.sqrt(np.maximum(mean_sq - level**2, 0.0))
    window = values[:, max(origin - cadence.level, 0) :]
    zero_share = (window == 0).mean(axis=1) if window.shape[1] else np.zeros(len(values))
    lags = [
        past[:, origin - k] / scale if origin - k >= 0 else np.full(len(values), np.nan)
        for k in range(1, cadence.lags + 1)
    ]
    means = [_window_mean(total, count, origin, w) / scale for w in cadence.means]
    per_origin = np.column_stack([np.log1p(scale), *lags, *means, std / scale, zero_share])
    steps = np.arange(horizon)
    n = len(values)
    same_weekday = list(_same_weekday(past, origin, steps, scale)) if cadence.same_weekday else []
    closed = same_weekday[3] >= CLOSED_SHARE if same_weekday else np.zeros((n, horizon), bool)
    year_ago = _year_ago(total, count, origin, steps, scale, cadence)
    target_days = panel.dates(origin, horizon)
    calendar = _calendar(target_days, steps, holidays, cadence)
    plan_price = panel.price[:, origin : origin + horizon]
    recent_price = np.nanmean(panel.price[:, max(origin - cadence.level, 0) : origin], axis=1)
    ratio = np.where(
        (plan_price > 0) & (recent_price[:, None] > 0),
        plan_price / np.where(recent_price[:, None] > 0, recent_price[:, None], 1.0),
        1.0,
    )
    promo = panel.promo[:, origin : origin + horizon]
    history = [*same_weekday, year_ago]
    signals = {
        **dict(zip(SAME_WEEKDAY_FEATURES, same_weekday, strict=False)),
        "year_ago": year_ago,
        "momentum": np.repeat(means[0][:, None], horizon, 1),
        "promo": promo,
    }
    graph = [
        _neighbour_mean(signals[name], *neighbours[relation])
        for relation in neighbours
        for name in cadence.graph_signals
    ]
    responses = _plan_response(response, origin, horizon, cadence)
    items = _item_features(response.item, total, origin, scale, signals, cadence)
    shaped = [
        _shaped(item_panel, past, origin, horizon, scale, cadence.shape_windows)
        for item_panel in shapes
    ]
    base, substituted = shaped[0], [c for extra in shaped[1:] for c in extra]
    known_future = [promo, np.log(ratio), *responses, *items, *base, *graph, *substituted]
    x = np.concatenate(
        [
            np.repeat(per_origin, horizon, axis=0),
            np.stack(history, axis=2).reshape(n * horizon, len(history)),
            np.tile(calendar, (n, 1)),
            np.stack(known_future, axis=2).reshape(n * horizon, len(known_future)),
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
        closed.ravel(),
    )


@dataclass(frozen=True)
class Regressand:
    """Per period of each series (or item): what its price and promotion responses are
    regressed on: its log demand over the level of the ``level`` periods before it (as
    ``scale`` is at an origin) against its plan relative to those periods' mean.

    Shapes
    ------
    ratio ``[S, T]``: that log ratio (+1 on both: counts), ``NaN`` where unknown; price
    and promo ``[S, T + future]`` (price 0: none). Plans are taken in slices, so a wide
    panel holds one more array of its size, not three.
    """

    ratio: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    level: int

    @classmethod
    def of(cls, quantity: np.ndarray, price: np.ndarray, promo: np.ndarray, level: int) -> Self:
        observed = np.isfinite(quantity)
        values = np.where(observed, quantity, 0.0)
        total, count = _running(values), _running(observed.astype(float))
        ends = np.arange(quantity.shape[1])
        starts = np.maximum(ends - level, 0)
        n = count[:, ends] - count[:, starts]
        before = (total[:, ends] - total[:, starts]) / np.maximum(n, 1.0)
        known = observed & (n >= level // 2)
        ratio = np.where(known, np.log1p(values) - np.log1p(before), np.nan)
        return cls(ratio.astype(np.float32), price, promo, level)

    def plan(self, start: int, end: int) -> np.ndarray:
        """``[S, end - start, 2]``: the log price (0 without prices) and the promotion."""
        price = self.price[:, start:end]
        log_price = np.log(np.where(price > 0, price, 1.0))
        return np.stack([log_price, self.promo[:, start:end]], axis=2)

    def relative(self, start: int, end: int) -> np.ndarray:
        """``[S, end - start, 2]``: each period's plan less the mean plan of the ``level``
        periods before it (``NaN`` at period 0)."""
        first = max(start - self.level, 0)
        sums = _running(self.plan(first, end))
        ends = np.arange(start, end) - first
        starts = np.maximum(ends - self.level, 0)
        n = (ends - starts)[None, :, None]
        mean = (sums[:, ends] - sums[:, starts]) / np.maximum(n, 1)
        return np.where(n > 0, self.plan(start, end) - mean, np.nan)


def _running(values: np.ndarray) -> np.ndarray:
    """Running sums along axis 1 with a leading zero (window sums by difference)."""
    zeros = np.zeros((values.shape[0], 1, *values.shape[2:]))
    return np.concatenate([zeros, np.cumsum(values, axis=1)], axis=1)


@dataclass(frozen=True)
class ResponseData:
    """The regressands of every series and of every item (SKU): an item's demand summed
    over its stores (larger counts, a clearer response), its plan averaged over them.
    ``item`` ``[S]``: each series' item index."""

    series: Regressand
    items: Regressand
    item: np.ndarray


def _response_data(panel: DemandPanel) -> ResponseData:
    level = panel.cadence.level
    series = Regressand.of(panel.quantity, panel.price, panel.promo, level)
    item = np.unique([sku for _, sku in panel.keys], return_inverse=True)[1].astype(int)
    count = np.bincount(item)[:, None]
    quantity = group_sum(np.nan_to_num(panel.quantity), item, len(count))
    log_price = group_sum(series.plan(0, panel.price.shape[1])[..., 0], item, len(count))
    promo = group_sum(panel.promo, item, len(count)) / count
    return ResponseData(
        series, Regressand.of(quantity, np.exp(log_price / count), promo, level), item
    )


def _plan_response(
    data: ResponseData, origin: int, horizon: int, cadence: Cadence
) -> list[np.ndarray]:
    """``RESPONSE_FEATURES`` at ``origin`` (each ``[S, horizon]``): the promotion share of
    the level window; the item's price and promotion responses over all its stores and
    the log demand they expect at each target period over the level (``scale``); the same
    expectation from the series' own responses, shrunk toward its item's (``_shrunk``).

    Each item answers price and promotion its own way; the plan features alone give the
    global model the pooled answer. Promotions in the level window inflated the level, so
    the expectation is relative to that window's plan, as each regressed period's is to
    its own window's."""
    own = data.series
    window = own.plan(max(origin - cadence.level, 0), origin).mean(axis=1, keepdims=True)
    target = own.plan(origin, origin + horizon) - window
    item = _shrunk(_regression(data.items, origin, cadence), None)[data.item]
    series = _shrunk(_regression(own, origin, cadence), item)
    return [
        np.repeat(window[:, :, 1], horizon, axis=1),
        np.repeat(item[:, :1], horizon, axis=1),
        np.repeat(item[:, 1:], horizon, axis=1),
        np.einsum("shk,sk->sh", target, item),
        np.einsum("shk,sk->sh", target, series),
    ]


def _item_features(
    item: np.ndarray,
    total: np.ndarray,
    origin: int,
    scale: np.ndarray,
    signals: dict[str, np.ndarray],
    cadence: Cadence,
) -> list[np.ndarray]:
    """``cadence.item_features`` (each ``[S, H]``): the series' share of its item's demand
    (summed over the item's stores) over the longest mean window and over a year against
    the level window (log ratio: where the series' level stands against its long share of
    a steadier total), and the item's ``item_signals`` as ratios of sums over its stores.

    A series' 28 days are few counts; its item's, summed over stores, are many, and a
    series' share of its item moves slowly: the top-down view of the level (M5's
    aggregation levels). ``NaN`` for an item sold by one series only (nothing to pool)."""
    groups = int(item.max()) + 1 if len(item) else 0
    pooled = (np.bincount(item, minlength=groups) > 1)[item]
    horizon = next(iter(signals.values())).shape[1]

    def share(periods: int) -> np.ndarray:
        start = max(origin - periods, 0)
        own = total[:, origin] - total[:, start]
        return np.asarray(np.log1p(own) - np.log1p(group_sum(own, item, groups)[item]))

    recent = share(cadence.level)
    shares = [share(w) - recent for w in (cadence.means[-1], cadence.year)]
    columns = [np.repeat(s[:, None], horizon, axis=1) for s in shares]
    for name in cadence.item_signals:
        value = signals[name]
        weight = np.where(np.isfinite(value), scale[:, None], 0.0)
        units = group_sum(np.nan_to_num(value) * weight, item, groups)[item]
        base = group_sum(weight, item, groups)[item]
        columns.append(np.where(base > 0, units / np.where(base > 0, base, 1.0), np.nan))
    return [np.where(pooled[:, None], c, np.nan) for c in columns]


def _item_panels(
    panel: DemandPanel,
    response: ResponseData,
    holidays: frozenset[pd.Timestamp],
    neighbours: dict[str, tuple[np.ndarray, np.ndarray]],
) -> list[ItemPanel]:
    """The item fits' inputs (``demand_shape``): without substitutes, and with them
    where the network relates substitutes (the graph variant's)."""
    cadence = panel.cadence
    days = panel.dates(0, panel.price.shape[1])
    item = response.item
    base = ItemPanel.of(
        panel.quantity,
        response.series.plan(0, panel.price.shape[1])[..., 0],
        panel.promo,
        item,
        calendar_design(days, holidays, weekly=cadence.freq == "W"),
        days.day_of_year.to_numpy(),
        cadence.year,
    )
    if "substitute" not in neighbours:
        return [base]
    source, destination = neighbours["substitute"]
    pairs = np.unique(np.column_stack([item[destination], item[source]]), axis=0)
    return [base, base.with_substitutes(pairs[:, 0], pairs[:, 1])]


def _shaped(
    items: ItemPanel,
    past: np.ndarray,
    origin: int,
    horizon: int,
    scale: np.ndarray,
    windows: tuple[int, ...],
) -> list[np.ndarray]:
    """Per window of ``windows`` (each ``[S, H]``, over ``scale``): the series'
    demand over the window against its item's shape over the same observed periods,
    carried by the shape to each target period (``NaN`` without an observed period, and
    everywhere before the history the shape needs, ``ItemPanel.min_history``)."""
    year = items.year
    if origin < items.min_history:
        return [np.full((len(past), horizon), np.nan) for _ in windows]
    shape = np.exp(items.log_shape(origin, horizon))[items.item]
    before = past[:, max(origin - year, 0) :]
    before = np.pad(before, ((0, 0), (year - before.shape[1], 0)), constant_values=np.nan)
    counted = np.isfinite(before) & np.isfinite(shape[:, :year])
    units = np.where(counted, before, 0.0)
    expected = np.where(counted, shape[:, :year], 0.0)
    columns = []
    for window in windows:
        level = units[:, -window:].sum(axis=1)
        base = expected[:, -window:].sum(axis=1)
        ratio = np.where(base > 0, level / np.where(base > 0, base, 1.0), np.nan)
        columns.append(ratio[:, None] * shape[:, year:] / scale[:, None])
    return columns


Stats = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Centred sufficient statistics of a regression per row: ``x'x`` ``[G, 2, 2]``,
``x'd`` ``[G, 2]``, ``d'd`` and the count ``[G]``."""


def _regression(data: Regressand, origin: int, cadence: Cadence) -> Stats:
    """The year before ``origin``: each period's log demand over its level against its
    plan relative to that level window's mean plan (an intercept per row: centred sums)."""
    first = max(origin - cadence.year, 1)
    ratio = data.ratio[:, first:origin].astype(float)
    x = data.relative(first, origin)
    ok = np.isfinite(ratio) & np.isfinite(x).all(axis=2)
    d = np.where(ok, ratio, 0.0)
    x = np.where(ok[..., None], x, 0.0)
    n = ok.sum(axis=1).astype(float)
    safe = np.maximum(n, 1.0)
    sx, sd = x.sum(axis=1), d.sum(axis=1)
    xx = np.einsum("stj,stk->sjk", x, x) - sx[:, :, None] * sx[:, None, :] / safe[:, None, None]
    xd = np.einsum("stj,st->sj", x, d) - sx * (sd / safe)[:, None]
    dd = (d**2).sum(axis=1) - sd**2 / safe
    return xx, xd, dd, n


def _shrunk(stats: Stats, prior: np.ndarray | None) -> np.ndarray:
    """``[G, 2]`` responses, each row's least squares shrunk toward ``prior`` (``None``:
    the rows pooled) by empirical Bayes: the spread of the rows' true responses around
    the prior is what their estimates' spread exceeds their sampling noise by. Rows that
    barely differ (one item's stores) take the prior; a row without prices or promotions
    keeps it; responses are 0 where no row has any."""
    xx, xd, dd, n = stats
    eye = np.eye(2)
    if prior is None:
        pooled = tuple(s.sum(axis=0, keepdims=True) for s in stats)
        prior = np.linalg.solve(pooled[0] + 1e-9 * eye, pooled[1][..., None])[..., 0]
    own = np.linalg.solve(xx + 1e-9 * eye, xd[..., None])[..., 0]
    noise = np.maximum((dd - np.sum(xd * own, axis=1)) / np.maximum(n - 3.0, 1.0), 1e-4)
    # a row's own noise needs periods to rest on: a series listed days ago (4 periods, 1
    # left for its noise) takes the rows' typical noise, not a fit that looks exact
    measured = n - 3.0 >= MIN_RESIDUAL_PERIODS
    if measured.any():
        noise = np.where(measured, noise, np.median(noise[measured]))
    informative = np.diagonal(xx, axis1=1, axis2=2) > 1e-6
    # x'x of a plan that barely moves is singular up to rounding, which can leave it a tiny
    # negative eigenvalue: pinv's default cut-off (1e-15) kept it, a variance of -1e17
    inverse = np.linalg.pinv(xx, rcond=1e-8, hermitian=True)
    variance = noise[:, None] * np.diagonal(inverse, axis1=1, axis2=2)
    with np.errstate(over="ignore", invalid="ignore"):
        deviation = (own - prior) ** 2 - variance
    counted = informative & measured[:, None] & np.isfinite(deviation)
    excess = np.where(counted, deviation, 0.0).sum(axis=0)
    spread = np.maximum(excess / np.maximum(counted.sum(axis=0), 1), 1e-6)
    penalty = noise[:, None, None] * np.diag(1.0 / spread)
    rhs = xd + np.einsum("gjk,gk->gj", penalty, np.broadcast_to(prior, xd.shape))
    return np.asarray(np.linalg.solve(xx + penalty + 1e-9 * eye, rhs[..., None])[..., 0])


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
    total: np.ndarray,
    count: np.ndarray,
    origin: int,
    steps: np.ndarray,
    scale: np.ndarray,
    cadence: Cadence,
) -> np.ndarray:
    """Mean of the periods around the target period a year earlier (the two weeks around
    a day, the three weeks around a week), over scale (``NaN`` without a year of history)."""
    half = cadence.year_half
    centre = origin + steps - cadence.year
    low = np.clip(centre - half, 0, origin)
    high = np.clip(centre + half + 1, 0, origin)
    n = count[:, high] - count[:, low]
    mean = (total[:, high] - total[:, low]) / np.maximum(n, 1)
    ok = (centre - half >= 0)[None, :] & (n > 0)
    return np.where(ok, mean / scale[:, None], np.nan)


def _calendar(
    days: pd.DatetimeIndex,
    steps: np.ndarray,
    holidays: frozenset[pd.Timestamp],
    cadence: Cadence,
) -> np.ndarray:
    """``[H, len(cadence.calendar)]`` for the target periods (each starting on ``days``):
    ``holiday`` counts the holidays in the period, the distances run from its first day."""
    ordered = np.array(sorted(holidays), dtype="datetime64[D]")
    day = days.to_numpy().astype("datetime64[D]")
    on = holiday_counts(days, cadence.days, holidays)
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
    columns = {
        "step": steps + 1,
        "weekday": days.day_of_week,
        "day_of_month": days.day,
        "day_of_year": days.day_of_year,
        "week_of_year": days.isocalendar().week.to_numpy(dtype=float),
        "month": days.month,
        "holiday": on,
        "days_to_holiday": np.minimum(to_next, 30.0),
        "days_since_holiday": np.minimum(since, 30.0),
    }
    return np.column_stack([columns[name] for name in cadence.calendar]).astype(float)


def _neighbour_mean(values: np.ndarray, source: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (``[S, H]``) over each series' neighbours (``NaN`` without any)."""
    clean = np.nan_to_num(values, nan=0.0)
    total = np.zeros_like(clean)
    np.add.at(total, destination, clean[source])
    count = np.bincount(destination, minlength=len(values)).astype(float)
    return np.where(count[:, None] > 0, total / np.maximum(count, 1)[:, None], np.nan)
