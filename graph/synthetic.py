"""Seeded synthetic supply networks with histories and the latent truth behind them.

The generator plants structure that models must find and tests can check:
stores clustered around warehouses, categories with weekly and yearly seasonality,
holiday peaks, chain-wide promotions with price elasticity and an extra uplift,
cannibalisation between substitutes, intermittent slow movers, and supplier
delays with regionally correlated disruption episodes. The parameters that
generated the data come back as ``SyntheticTruth``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import holidays
import numpy as np
import pandas as pd

from supplynet.graph.history import DELIVERIES, DEMAND, check
from supplynet.graph.model import (
    InventoryPosition,
    OpenOrder,
    Sku,
    Store,
    Substitution,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network

EARTH_RADIUS_KM = 6371.0
ROAD_FACTOR = 1.25
TRUCK_KM_PER_DAY = 600.0
HOLIDAY_COUNTRY = "DE"
"""Where the network lies: its holiday peaks and every location's ``country``."""
PROMO_WEEK_PROBABILITY = 0.07
PROMO_DISCOUNTS = (0.1, 0.2, 0.3)
DEMAND_NOISE_SHAPE = 25.0
"""Gamma shape of the day-to-day demand noise around the rate (mean 1, CV 0.2)."""


@dataclass(frozen=True)
class Preset:
    """Size and shape of a generated network."""

    name: str
    regions: int
    suppliers: int
    warehouses: int
    stores: int
    skus: int
    categories: int
    assortment: float
    periods: int
    freq: Literal["D", "W"]
    order_interval_days: int
    slow_mover_share: float = 0.15
    start: dt.date = dt.date(2024, 1, 1)


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        "tiny",
        regions=2,
        suppliers=3,
        warehouses=2,
        stores=6,
        skus=8,
        categories=2,
        assortment=1.0,
        periods=730,
        freq="D",
        order_interval_days=7,
    ),
    "demo": Preset(
        "demo",
        regions=3,
        suppliers=6,
        warehouses=3,
        stores=15,
        skus=24,
        categories=4,
        assortment=0.6,
        periods=730,
        freq="D",
        order_interval_days=7,
    ),
    "large": Preset(
        "large",
        regions=5,
        suppliers=40,
        warehouses=12,
        stores=520,
        skus=1050,
        categories=20,
        assortment=0.12,
        periods=104,
        freq="W",
        order_interval_days=14,
    ),
}


@dataclass(frozen=True)
class SyntheticTruth:
    """The latent parameters behind a generated dataset, for scoring models against.

    Frames
    ------
    skus: sku_id, category, elasticity, promo_uplift, base_price, slow_mover
    categories: category, weekly_amplitude, yearly_amplitude, yearly_phase, holiday_uplift
    series: store_id, sku_id, base_rate (mean units per day before any effect)
    promotions: sku_id, start, end (inclusive), discount
    cannibalisation: sku_id, substitute_id, loss (share of ``sku_id``'s demand lost while
        only the substitute is on promotion)
    supplier_risk: supplier_id, region, late_probability, mean_delay_days (outside disruptions)
    lane_risk: supplier_id, warehouse_id, sku_id, late_probability, mean_delay_days
    disruptions: region, start, end, late_probability, extra_delay_days
    """

    skus: pd.DataFrame
    categories: pd.DataFrame
    series: pd.DataFrame
    promotions: pd.DataFrame
    cannibalisation: pd.DataFrame
    supplier_risk: pd.DataFrame
    lane_risk: pd.DataFrame
    disruptions: pd.DataFrame


@dataclass(frozen=True)
class SyntheticDataset:
    """A generated network, its histories and the truth that produced them."""

    preset: Preset
    seed: int
    network: Network
    demand: pd.DataFrame
    deliveries: pd.DataFrame
    truth: SyntheticTruth


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km, broadcasting over arrays of degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def daily_seasonality(categories: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """Per day and category: the yearly x weekly x holiday demand multiplier.

    ``categories`` is ``SyntheticTruth.categories``; a day counts as a holiday when it or
    the next day is a public holiday in ``HOLIDAY_COUNTRY``. Shape ``[days, categories]``.
    """
    calendar = holidays.country_holidays(HOLIDAY_COUNTRY, years=sorted({d.year for d in days}))
    holiday = np.array(
        [d in calendar or (d + pd.Timedelta(days=1)) in calendar for d in days.date],
        dtype=float,
    )
    doy = days.day_of_year.to_numpy()
    dow = days.day_of_week.to_numpy()
    yearly = 1 + categories["yearly_amplitude"].to_numpy()[None, :] * np.sin(
        2 * np.pi * doy[:, None] / 365.25 + categories["yearly_phase"].to_numpy()[None, :]
    )
    weekly = 1 + categories["weekly_amplitude"].to_numpy()[None, :] * np.cos(
        2 * np.pi * (dow[:, None] - 5) / 7
    )
    uplift = 1 + (categories["holiday_uplift"].to_numpy()[None, :] - 1) * holiday[:, None]
    return np.asarray(yearly * weekly * uplift)


def draw_promotion_weeks(rng: np.random.Generator, weeks: int, skus: int) -> np.ndarray:
    """Chain-wide promotion discount per (week, SKU), 0 in weeks without a promotion."""
    on = rng.random((weeks, skus)) < PROMO_WEEK_PROBABILITY
    return np.where(on, rng.choice(PROMO_DISCOUNTS, (weeks, skus)), 0.0)


def draw_price_steps(
    rng: np.random.Generator, shape: tuple[int, ...], days_per_period: int = 1
) -> np.ndarray:
    """Multiplicative regular-price steps: rare 5% moves (1% chance each way per day)."""
    change = 0.01 * days_per_period
    return rng.choice([0.95, 1.0, 1.05], shape, p=[change, 1 - 2 * change, change])


def demand_effect(
    skus: pd.DataFrame,
    price: np.ndarray,
    promo: np.ndarray,
    cannibalisation: list[tuple[int, int, float]],
) -> np.ndarray:
    """Per (period, SKU): the price, promotion and cannibalisation multiplier of demand.

    ``skus`` is ``SyntheticTruth.skus``; ``price`` and ``promo`` are ``[periods, skus]``;
    ``cannibalisation`` holds ``(sku, substitute, loss)`` column indices: ``sku`` loses
    ``loss`` of its demand while only ``substitute`` is on promotion.
    """
    base_price = skus["base_price"].to_numpy()
    effect = (price / base_price[None, :]) ** (-skus["elasticity"].to_numpy()[None, :])
    effect *= np.where(promo, skus["promo_uplift"].to_numpy()[None, :], 1.0)
    loss = np.ones_like(effect)
    for x, y, strength in cannibalisation:
        loss[:, x] *= np.where(promo[:, y] & ~promo[:, x], 1 - strength, 1.0)
    return np.asarray(effect * loss)


def draw_demand(rng: np.random.Generator, rate: np.ndarray) -> np.ndarray:
    """Units demanded: Poisson around ``rate`` times gamma noise (``DEMAND_NOISE_SHAPE``)."""
    noise = rng.gamma(DEMAND_NOISE_SHAPE, 1 / DEMAND_NOISE_SHAPE, rate.shape)
    return rng.poisson(rate * noise).astype(float)


def draw_disruptions(
    rng: np.random.Generator, regions: list[str], start: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """Regional disruption episodes (1.5 a year per region, 14-42 days): ``truth.disruptions``."""
    rows = []
    for region in regions:
        for _ in range(rng.poisson(horizon_days / 365 * 1.5)):
            begin = start + pd.Timedelta(days=int(rng.integers(0, max(1, horizon_days - 14))))
            rows.append(
                {
                    "region": region,
                    "start": begin,
                    "end": begin + pd.Timedelta(days=int(rng.integers(14, 43))),
                    "late_probability": float(rng.uniform(0.6, 0.9)),
                    "extra_delay_days": float(rng.uniform(3.0, 9.0)),
                }
            )
    return pd.DataFrame(
        rows, columns=["region", "start", "end", "late_probability", "extra_delay_days"]
    )


def draw_delays(
    rng: np.random.Generator, late_probability: np.ndarray, mean_delay_days: np.ndarray
) -> np.ndarray:
    """Days late per shipment: late with its probability, then ``1 + Poisson(mean - 1)``."""
    late = rng.random(late_probability.shape) < late_probability
    return np.where(late, 1 + rng.poisson(np.maximum(mean_delay_days - 1, 0)), 0)


def generate(preset: str | Preset = "demo", seed: int = 0) -> SyntheticDataset:
    """Generate a network with demand and delivery histories.

    Parameters
    ----------
    preset
        ``tiny`` (unit tests), ``demo`` or ``large`` (benchmarks), or a custom ``Preset``.
    seed
        Every random choice derives from it: the same seed gives identical output.
    """
    spec = PRESETS[preset] if isinstance(preset, str) else preset
    return _Generator(spec, seed).run()


class _Generator:
    def __init__(self, spec: Preset, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        step = 7 if spec.freq == "W" else 1
        self.dates = pd.date_range(spec.start, periods=spec.periods, freq=f"{step}D")
        self.days_per_period = step
        self.end = self.dates[-1] + pd.Timedelta(days=step - 1)

    def run(self) -> SyntheticDataset:
        self._locations()
        self._catalogue()
        self._assortment()
        demand, promotions, cannibalisation = self._demand()
        supply_lanes, supplier_risk, lane_risk, disruptions, deliveries = self._supply()
        network = Network.build(
            suppliers=self.suppliers,
            warehouses=self.warehouses,
            stores=self.stores,
            skus=self.skus,
            supply_lanes=supply_lanes,
            transport_lanes=self._transport_lanes(supply_lanes),
            inventory_positions=self._positions(),
            open_orders=self._open_orders(),
            substitutions=self.substitutions,
        )
        truth = SyntheticTruth(
            skus=self.sku_truth,
            categories=self.category_truth,
            series=pd.DataFrame(
                {
                    "store_id": self.series_store_ids,
                    "sku_id": self.series_sku_ids,
                    "base_rate": self.base_rate,
                }
            ),
            promotions=promotions,
            cannibalisation=cannibalisation,
            supplier_risk=supplier_risk,
            lane_risk=lane_risk,
            disruptions=disruptions,
        )
        return SyntheticDataset(self.spec, self.seed, network, demand, deliveries, truth)

    def _locations(self) -> None:
        spec, rng = self.spec, self.rng
        centres = np.column_stack(
            [rng.uniform(47.5, 54.5, spec.regions), rng.uniform(6.5, 14.5, spec.regions)]
        )
        self.region_names = [f"R{r + 1}" for r in range(spec.regions)]
        w_region = np.arange(spec.warehouses) % spec.regions
        w_xy = centres[w_region] + rng.normal(0, 0.4, (spec.warehouses, 2))
        self.warehouses = [
            Warehouse(
                id=f"W{i + 1:03d}",
                name=f"Warehouse {i + 1}",
                latitude=round(lat, 5),
                longitude=round(lon, 5),
                region=self.region_names[r],
                country=HOLIDAY_COUNTRY,
            )
            for i, ((lat, lon), r) in enumerate(zip(w_xy, w_region, strict=True))
        ]
        self.store_home = rng.integers(0, spec.warehouses, spec.stores)
        s_xy = w_xy[self.store_home] + rng.normal(0, 0.2, (spec.stores, 2))
        opens = rng.choice([6 * 60, 7 * 60, 8 * 60, 9 * 60], spec.stores)
        lengths = rng.choice([4 * 60, 6 * 60, 8 * 60], spec.stores)
        self.store_size = rng.lognormal(0.0, 0.35, spec.stores)
        self.stores = [
            Store(
                id=f"S{i + 1:04d}",
                name=f"Store {i + 1}",
                latitude=round(lat, 5),
                longitude=round(lon, 5),
                region=self.region_names[w_region[h]],
                country=HOLIDAY_COUNTRY,
                window_open_min=int(o),
                window_close_min=int(o + n),
                service_min=float(rng.integers(10, 26)),
            )
            for i, ((lat, lon), h, o, n) in enumerate(
                zip(s_xy, self.store_home, opens, lengths, strict=True)
            )
        ]
        self.supplier_region = np.arange(spec.suppliers) % spec.regions
        p_xy = centres[self.supplier_region] + rng.normal(0, 0.6, (spec.suppliers, 2))
        self.suppliers = [
            Supplier(
                id=f"P{i + 1:03d}",
                name=f"Supplier {i + 1}",
                latitude=round(lat, 5),
                longitude=round(lon, 5),
                region=self.region_names[r],
                country=HOLIDAY_COUNTRY,
            )
            for i, ((lat, lon), r) in enumerate(zip(p_xy, self.supplier_region, strict=True))
        ]
        self.w_xy, self.p_xy, self.s_xy = w_xy, p_xy, s_xy

    def _catalogue(self) -> None:
        spec, rng = self.spec, self.rng
        names = [f"C{c + 1:02d}" for c in range(spec.categories)]
        self.category_truth = pd.DataFrame(
            {
                "category": names,
                "weekly_amplitude": rng.uniform(0.15, 0.4, spec.categories),
                "yearly_amplitude": rng.uniform(0.15, 0.35, spec.categories),
                "yearly_phase": rng.uniform(0, 2 * np.pi, spec.categories),
                "holiday_uplift": rng.uniform(1.5, 2.2, spec.categories),
            }
        )
        self.sku_category = np.arange(spec.skus) % spec.categories
        unit_cost = np.round(rng.lognormal(1.2, 0.6, spec.skus), 2)
        price = np.round(unit_cost * rng.uniform(1.3, 1.9, spec.skus), 2)
        slow = rng.random(spec.skus) < spec.slow_mover_share
        self.sku_rate = np.where(
            slow, rng.uniform(0.03, 0.25, spec.skus), rng.lognormal(1.0, 0.6, spec.skus)
        )
        self.sku_truth = pd.DataFrame(
            {
                "sku_id": [f"K{k + 1:04d}" for k in range(spec.skus)],
                "category": [names[c] for c in self.sku_category],
                "elasticity": rng.uniform(1.0, 2.5, spec.skus),
                "promo_uplift": rng.uniform(1.1, 1.4, spec.skus),
                "base_price": price,
                "slow_mover": slow,
            }
        )
        shelf = rng.choice([7.0, 30.0, 180.0, np.nan], spec.skus, p=[0.15, 0.2, 0.3, 0.35])
        self.skus = [
            Sku(
                id=row.sku_id,
                name=f"Product {k + 1}",
                category=row.category,
                unit_weight_kg=round(float(rng.uniform(0.1, 5.0)), 3),
                unit_volume_m3=round(float(rng.uniform(0.0005, 0.02)), 5),
                unit_cost=float(unit_cost[k]),
                price=float(price[k]),
                shelf_life_days=None if np.isnan(shelf[k]) else float(shelf[k]),
            )
            for k, row in enumerate(self.sku_truth.itertuples())
        ]
        pairs: list[tuple[int, int, float]] = []
        for c in range(spec.categories):
            members = rng.permutation(np.flatnonzero(self.sku_category == c))
            for a, b in zip(members[0:-1:2], members[1::2], strict=False):
                pairs.append((int(a), int(b), round(float(rng.uniform(0.15, 0.4)), 3)))
        ids = self.sku_truth["sku_id"].tolist()
        self.substitutions = [
            Substitution(sku_id=ids[x], substitute_id=ids[y], strength=s)
            for a, b, s in pairs
            for x, y in ((a, b), (b, a))
        ]
        self.pairs = pairs

    def _assortment(self) -> None:
        spec, rng = self.spec, self.rng
        carried = rng.random((spec.stores, spec.skus)) < spec.assortment
        for a, b, _ in self.pairs:
            carried[:, b] |= carried[:, a]
            carried[:, a] |= carried[:, b]
        self.series_store, self.series_sku = np.nonzero(carried)
        self.series_store_ids = np.array([s.id for s in self.stores])[self.series_store]
        self.series_sku_ids = self.sku_truth["sku_id"].to_numpy()[self.series_sku]
        self.base_rate = self.sku_rate[self.series_sku] * self.store_size[self.series_store]

    def _calendar(self) -> np.ndarray:
        """Per period and category: the mean seasonal multiplier of its days."""
        days = pd.date_range(self.dates[0], self.end, freq="D")
        daily = daily_seasonality(self.category_truth, days)
        step = self.days_per_period
        return np.asarray(daily.reshape(len(self.dates), step, -1).mean(axis=1))

    def _promotions(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Chain-wide promo weeks per SKU: discount per (period, sku), 0 outside promotions."""
        spec, rng = self.spec, self.rng
        weeks = int(np.ceil(len(self.dates) * self.days_per_period / 7))
        discount_w = draw_promotion_weeks(rng, weeks, spec.skus)
        on = discount_w > 0
        period_week = (np.arange(len(self.dates)) * self.days_per_period) // 7
        discount = discount_w[period_week]
        rows = [
            {
                "sku_id": self.sku_truth["sku_id"].iat[k],
                "start": self.dates[0] + pd.Timedelta(weeks=int(w)),
                "end": self.dates[0] + pd.Timedelta(weeks=int(w), days=6),
                "discount": float(discount_w[w, k]),
            }
            for w, k in zip(*np.nonzero(on), strict=True)
        ]
        frame = pd.DataFrame(rows, columns=["sku_id", "start", "end", "discount"])
        return discount, frame

    def _demand(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        rng, truth = self.rng, self.sku_truth
        seasonal = self._calendar()
        discount, promotions = self._promotions()
        promo = discount > 0
        base_price = truth["base_price"].to_numpy()
        # Regular prices drift in rare 5% steps within +-15%, so elasticity is visible
        # outside promotions too.
        steps = draw_price_steps(rng, discount.shape, self.days_per_period)
        regular = np.clip(np.cumprod(steps, axis=0), 0.85, 1.15)
        price = np.round(base_price[None, :] * regular * (1 - discount), 2)
        directed = [(x, y, s) for a, b, s in self.pairs for x, y in ((a, b), (b, a))]
        sku_effect = demand_effect(truth, price, promo, directed)
        rate = (
            self.base_rate[:, None]
            * self.days_per_period
            * seasonal[:, self.sku_category[self.series_sku]].T
            * sku_effect[:, self.series_sku].T
        )
        quantity = draw_demand(rng, rate)
        n_series, n_periods = rate.shape
        demand = pd.DataFrame(
            {
                "date": np.tile(self.dates.to_numpy(), n_series),
                "store_id": np.repeat(self.series_store_ids, n_periods),
                "sku_id": np.repeat(self.series_sku_ids, n_periods),
                "quantity": quantity.ravel(),
                "price": price[:, self.series_sku].T.ravel(),
                "promo": promo[:, self.series_sku].T.ravel(),
            }
        )
        ids = truth["sku_id"].to_numpy()
        cannibalisation = pd.DataFrame(
            [(ids[x], ids[y], s) for a, b, s in self.pairs for x, y in ((a, b), (b, a))],
            columns=["sku_id", "substitute_id", "loss"],
        )
        self.mean_daily_by_series = rate.mean(axis=1) / self.days_per_period
        return check(demand, DEMAND), promotions, cannibalisation

    def _supply(
        self,
    ) -> tuple[list[SupplyLane], pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        spec, rng = self.spec, self.rng
        late_p = rng.beta(2, 14, spec.suppliers)
        mean_delay = rng.uniform(1.0, 4.0, spec.suppliers)
        supplier_risk = pd.DataFrame(
            {
                "supplier_id": [s.id for s in self.suppliers],
                "region": [s.region for s in self.suppliers],
                "late_probability": late_p,
                "mean_delay_days": mean_delay,
            }
        )
        # Suppliers specialise by category, so disruptions hit related SKUs together.
        primary = (self.sku_category + rng.integers(0, spec.suppliers, spec.skus)) % spec.suppliers
        secondary = np.where(
            rng.random(spec.skus) < 0.3,
            (primary + 1 + rng.integers(0, spec.suppliers - 1, spec.skus)) % spec.suppliers,
            -1,
        )
        distance = (
            haversine_km(
                self.p_xy[:, None, 0],
                self.p_xy[:, None, 1],
                self.w_xy[None, :, 0],
                self.w_xy[None, :, 1],
            )
            * ROAD_FACTOR
        )
        lanes: list[SupplyLane] = []
        lane_rows: list[tuple[int, int, int, float, float]] = []
        for k, sku in enumerate(self.skus):
            for p in (primary[k], secondary[k]):
                if p < 0:
                    continue
                for w, warehouse in enumerate(self.warehouses):
                    lead = (
                        2.0 + float(np.ceil(distance[p, w] / TRUCK_KM_PER_DAY)) + rng.integers(0, 6)
                    )
                    lane_late = float(np.clip(late_p[p] * rng.uniform(0.6, 1.4), 0.0, 0.9))
                    lane_delay = float(mean_delay[p] * rng.uniform(0.8, 1.2))
                    lanes.append(
                        SupplyLane(
                            supplier_id=self.suppliers[p].id,
                            warehouse_id=warehouse.id,
                            sku_id=sku.id,
                            lead_time_mean_days=lead,
                            lead_time_std_days=round(lane_late * lane_delay + 0.5, 2),
                            unit_cost=round(sku.unit_cost * float(rng.uniform(0.95, 1.05)), 2),
                            fixed_order_cost=float(rng.choice([50.0, 100.0, 200.0])),
                            moq=float(rng.choice([0.0, 24.0, 48.0])),
                            lot_size=float(rng.choice([1.0, 6.0, 12.0])),
                        )
                    )
                    lane_rows.append((p, w, k, lane_late, lane_delay))
        lane_arr = np.array(lane_rows, dtype=float).reshape(-1, 5)
        lane_risk = pd.DataFrame(
            {
                "supplier_id": [lane.supplier_id for lane in lanes],
                "warehouse_id": [lane.warehouse_id for lane in lanes],
                "sku_id": [lane.sku_id for lane in lanes],
                "late_probability": lane_arr[:, 3],
                "mean_delay_days": lane_arr[:, 4],
            }
        )
        disruptions = self._disruptions()
        deliveries = self._deliveries(lanes, lane_arr, disruptions)
        return lanes, supplier_risk, lane_risk, disruptions, deliveries

    def _disruptions(self) -> pd.DataFrame:
        horizon_days = (self.end - self.dates[0]).days + 1
        return draw_disruptions(self.rng, self.region_names, self.dates[0], horizon_days)

    def _deliveries(
        self, lanes: list[SupplyLane], lane_arr: np.ndarray, disruptions: pd.DataFrame
    ) -> pd.DataFrame:
        rng, spec = self.rng, self.spec
        interval = spec.order_interval_days
        horizon_days = (self.end - self.dates[0]).days + 1
        n_orders = horizon_days // interval
        offsets = rng.integers(0, interval, len(lanes))
        day = offsets[:, None] + interval * np.arange(n_orders)[None, :]
        lead = np.array([lane.lead_time_mean_days for lane in lanes])
        promised = day + np.round(lead).astype(int)[:, None]
        supplier = lane_arr[:, 0].astype(int)
        p_late = np.repeat(lane_arr[:, 3:4], n_orders, axis=1)
        delay_mean = np.repeat(lane_arr[:, 4:5], n_orders, axis=1)
        start0 = self.dates[0]
        for event in disruptions.itertuples():
            hit_supplier = np.array([s.region == event.region for s in self.suppliers])[supplier]
            lo, hi = (event.start - start0).days, (event.end - start0).days
            active = hit_supplier[:, None] & (day >= lo) & (day <= hi)
            p_late = np.where(active, np.maximum(p_late, event.late_probability), p_late)
            delay_mean = np.where(active, delay_mean + event.extra_delay_days, delay_mean)
        delay = draw_delays(rng, p_late, delay_mean)
        delivered = promised + delay
        size = np.maximum(np.array([lane.moq for lane in lanes]), 24.0)
        quantity = size[:, None] * rng.integers(1, 6, day.shape)
        to_date = start0.to_datetime64() + (np.arange(horizon_days + 120) * np.timedelta64(1, "D"))
        delivered_date = np.where(
            delivered < horizon_days,
            to_date[np.minimum(delivered, horizon_days + 119)],
            np.datetime64("NaT"),
        )
        n = day.size
        frame = pd.DataFrame(
            {
                "order_date": to_date[day.ravel()],
                "promised_date": to_date[promised.ravel()],
                "delivered_date": delivered_date.ravel(),
                "supplier_id": np.repeat([lane.supplier_id for lane in lanes], n_orders)[:n],
                "warehouse_id": np.repeat([lane.warehouse_id for lane in lanes], n_orders)[:n],
                "sku_id": np.repeat([lane.sku_id for lane in lanes], n_orders)[:n],
                "quantity": quantity.ravel().astype(float),
            }
        )
        return check(frame, DELIVERIES)

    def _transport_lanes(self, supply: list[SupplyLane]) -> list[TransportLane]:
        lanes: dict[tuple[str, str], TransportLane] = {}
        locations = {loc.id: loc for loc in (*self.suppliers, *self.warehouses, *self.stores)}

        def add(origin: str, destination: str, cost_per_unit: float) -> None:
            a, b = locations[origin], locations[destination]
            km = (
                float(
                    haversine_km(
                        np.array(a.latitude),
                        np.array(a.longitude),
                        np.array(b.latitude),
                        np.array(b.longitude),
                    )
                )
                * ROAD_FACTOR
            )
            lanes[(origin, destination)] = TransportLane(
                origin_id=origin,
                destination_id=destination,
                distance_km=round(km, 2),
                transit_time_days=float(np.ceil(km / TRUCK_KM_PER_DAY)),
                cost_per_unit=cost_per_unit,
                cost_per_km=1.2,
            )

        for lane in supply:
            if (lane.supplier_id, lane.warehouse_id) not in lanes:
                add(lane.supplier_id, lane.warehouse_id, 0.05)
        for a in self.warehouses:
            for b in self.warehouses:
                if a.id != b.id:
                    add(a.id, b.id, 0.08)
        for store, home in zip(self.stores, self.store_home, strict=True):
            add(self.warehouses[home].id, store.id, 0.1)
        return list(lanes.values())

    def _positions(self) -> list[InventoryPosition]:
        rng = self.rng
        cost = {s.id: s.unit_cost for s in self.skus}
        daily = self.mean_daily_by_series
        positions = [
            InventoryPosition(
                location_id=store_id,
                sku_id=sku_id,
                on_hand=float(rng.poisson(7 * rate)),
                storage_capacity=float(max(20.0, np.ceil(30 * rate))),
                holding_cost_per_day=round(cost[sku_id] * 0.25 / 365, 5),
            )
            for store_id, sku_id, rate in zip(
                self.series_store_ids, self.series_sku_ids, daily, strict=True
            )
        ]
        warehouse_rate = np.zeros((self.spec.warehouses, self.spec.skus))
        np.add.at(warehouse_rate, (self.store_home[self.series_store], self.series_sku), daily)
        for w, warehouse in enumerate(self.warehouses):
            for k, sku in enumerate(self.skus):
                positions.append(
                    InventoryPosition(
                        location_id=warehouse.id,
                        sku_id=sku.id,
                        on_hand=float(rng.poisson(14 * warehouse_rate[w, k])),
                        holding_cost_per_day=round(sku.unit_cost * 0.2 / 365, 5),
                    )
                )
        self.warehouse_rate = warehouse_rate
        return positions

    def _open_orders(self) -> list[OpenOrder]:
        rng = self.rng
        orders = []
        for w, warehouse in enumerate(self.warehouses):
            for k, sku in enumerate(self.skus):
                if rng.random() < 0.3 and self.warehouse_rate[w, k] > 0:
                    orders.append(
                        OpenOrder(
                            location_id=warehouse.id,
                            sku_id=sku.id,
                            quantity=float(np.ceil(7 * self.warehouse_rate[w, k])),
                            due_date=(
                                self.end + pd.Timedelta(days=int(rng.integers(1, 11)))
                            ).date(),
                        )
                    )
        return orders
