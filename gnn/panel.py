"""``SeriesPanel``: demand histories as dense (series x period) arrays on a regular grid.

Neural models want rectangles, not long frames. The panel fixes the series order (the
node order of the series graph) and the period grid once, so every later step indexes
arrays instead of joining frames. Missing (series, period) cells count as zero demand.
Values are float32, as the model's tensors are: half the memory of float64 on a large
network, and no precision the model could use is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed

REQUIRED = ("date", "store_id", "sku_id", "quantity")
DTYPE = np.float32
CALENDAR_FEATURES = 7
"""Day-of-week sin/cos, day-of-year sin/cos, holiday share, holiday-eve share, weekly flag."""


@dataclass(frozen=True)
class SeriesPanel:
    """Demand, price and promotion per (location, SKU) series and period.

    Shapes
    ------
    quantity, price, promo: ``[S, T]`` float32 for ``S = len(keys)`` and ``T = len(periods)``.
    calendar: ``[T + pad, CALENDAR_FEATURES]``; rows past ``T`` cover future periods.
    """

    keys: tuple[tuple[str, str], ...]
    periods: pd.DatetimeIndex
    freq: str
    quantity: np.ndarray
    price: np.ndarray
    promo: np.ndarray
    calendar: np.ndarray

    @property
    def n_series(self) -> int:
        return len(self.keys)

    def index_of(self, date: pd.Timestamp) -> int:
        """Position of ``date`` on the grid (may be ``T`` or beyond for future periods)."""
        step = pd.Timedelta(days=7 if self.freq == "W" else 1)
        return int((pd.Timestamp(date) - self.periods[0]) // step)

    def period_at(self, index: int) -> pd.Timestamp:
        step = pd.Timedelta(days=7 if self.freq == "W" else 1)
        return pd.Timestamp(self.periods[0] + index * step)

    def padded(self, periods: int) -> SeriesPanel:
        """Prices held at their last value and no promotion up to ``periods`` columns."""
        extra = periods - self.price.shape[1]
        if extra <= 0:
            return self
        price = np.concatenate([self.price, np.repeat(self.price[:, -1:], extra, 1)], 1)
        promo = np.concatenate([self.promo, np.zeros((self.n_series, extra), DTYPE)], 1)
        return SeriesPanel(
            self.keys, self.periods, self.freq, self.quantity, price, promo, self.calendar
        )

    def with_future(self, future: pd.DataFrame) -> SeriesPanel:
        """Extend price and promo with planned values for periods after the history.

        ``future`` has the DEMAND columns except that ``quantity`` is ignored: the
        planned prices and promotions of the forecast horizon (known-future covariates).
        """
        if future.empty:
            return self
        out = self.padded(self.index_of(future["date"].max()) + 1)
        price, promo = out.price.copy(), out.promo.copy()
        rows, cols, ok = _positions(out, future)
        price[rows, cols] = future["price"].to_numpy(dtype=DTYPE)[ok]
        promo[rows, cols] = future["promo"].to_numpy(dtype=DTYPE)[ok]
        return SeriesPanel(
            self.keys, self.periods, self.freq, self.quantity, price, promo, self.calendar
        )


def build_panel(
    demand: pd.DataFrame,
    freq: str = "D",
    *,
    holiday_country: str | None = None,
    calendar_pad: int = 400,
) -> SeriesPanel:
    """Pivot a DEMAND frame into a panel.

    Parameters
    ----------
    demand
        Rows with ``date``, ``store_id`` (the series' location), ``sku_id``,
        ``quantity`` and optionally ``price`` and ``promo`` (the DEMAND schema, or a
        cleaned frame); a missing quantity (``NaN``) counts as zero demand.
    freq
        ``D`` (daily) or ``W`` (weeks starting on each ``date``).
    holiday_country
        Country whose public holidays feed the calendar features (``None``: none).
    calendar_pad
        Calendar rows computed beyond the last period, for forecasts into the future.

    Raises
    ------
    ValidationFailed
        Unknown frequency, a missing column or an empty history.
    """
    problems = [Problem(f"demand.{c}", "missing column") for c in REQUIRED if c not in demand]
    if freq not in ("D", "W"):
        problems.append(Problem("freq", f"must be 'D' or 'W', got {freq!r}"))
    if not problems and demand.empty:
        problems.append(Problem("demand", "no rows"))
    if problems:
        raise ValidationFailed(problems, "panel")
    frame = _standard(demand)
    step = 7 if freq == "W" else 1
    start, end = frame["date"].min(), frame["date"].max()
    periods = pd.date_range(start, end, freq=f"{step}D")
    keys_frame = frame[["store_id", "sku_id"]].drop_duplicates().sort_values(["store_id", "sku_id"])
    keys = tuple((str(a), str(b)) for a, b in keys_frame.itertuples(index=False, name=None))
    n, t = len(keys), len(periods)
    quantity = np.zeros((n, t), DTYPE)
    price = np.full((n, t), np.nan, DTYPE)
    promo = np.zeros((n, t), DTYPE)
    skeleton = SeriesPanel(keys, periods, freq, quantity, price, promo, np.empty((0, 0)))
    rows, cols, ok = _positions(skeleton, frame)
    np.add.at(quantity, (rows, cols), frame["quantity"].to_numpy(dtype=DTYPE)[ok])
    price[rows, cols] = frame["price"].to_numpy(dtype=DTYPE)[ok]
    promo[rows, cols] = frame["promo"].to_numpy(dtype=DTYPE)[ok]
    price = np.ascontiguousarray(pd.DataFrame(price.T).ffill().bfill().fillna(0.0).to_numpy().T)
    calendar = _calendar(periods[0], t + calendar_pad, step, holiday_country)
    return SeriesPanel(keys, periods, freq, quantity, price, promo, calendar)


def _standard(demand: pd.DataFrame) -> pd.DataFrame:
    frame = demand[[c for c in (*REQUIRED, "price", "promo") if c in demand]].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    frame["quantity"] = pd.to_numeric(frame["quantity"]).fillna(0.0)
    frame["price"] = pd.to_numeric(frame.get("price", 0.0)).astype(float)
    frame["promo"] = frame.get("promo", False)
    frame["promo"] = frame["promo"].fillna(False).astype(float)
    return frame


def _positions(
    panel: SeriesPanel, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(series row, period column) of the frame rows whose series is in the panel, and
    the mask of those rows."""
    index = pd.MultiIndex.from_tuples(panel.keys, names=["store_id", "sku_id"])
    wanted = pd.MultiIndex.from_arrays([frame["store_id"].astype(str), frame["sku_id"].astype(str)])
    rows = np.asarray(index.get_indexer(wanted), dtype=int)
    step = 7 if panel.freq == "W" else 1
    cols = ((frame["date"] - panel.periods[0]).dt.days.to_numpy() // step).astype(int)
    ok = rows >= 0
    return rows[ok], cols[ok], ok


def _calendar(start: pd.Timestamp, periods: int, step: int, country: str | None) -> np.ndarray:
    """Per period: seasonal position and holiday shares, averaged over its days."""
    days = pd.date_range(start, periods=periods * step, freq="D")
    years = sorted({d.year for d in days} | {days[-1].year + 1})
    known = holidays.country_holidays(country, years=years) if country else {}
    holiday = np.array([d in known for d in days.date], dtype=float)
    eve = np.array([(d + pd.Timedelta(days=1)) in known for d in days.date], dtype=float)
    dow = days.day_of_week.to_numpy() * 2 * np.pi / 7
    doy = days.day_of_year.to_numpy() * 2 * np.pi / 365.25
    daily = np.column_stack(
        [
            np.sin(dow),
            np.cos(dow),
            np.sin(doy),
            np.cos(doy),
            holiday,
            eve,
            np.full(len(days), float(step == 7)),
        ]
    )
    return np.asarray(daily.reshape(periods, step, CALENDAR_FEATURES).mean(axis=1))
