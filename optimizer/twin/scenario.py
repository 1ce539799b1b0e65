"""``Scenario``: one replication's random draws, shared by every policy (common random numbers).

With a ``SyntheticTruth`` the days after the history are drawn from the generator's own
latent process (``graph.synthetic`` helpers): seasonality and holidays, fresh promotion
weeks with their discounts, regular-price drift, elasticity, promotion uplift and
cannibalisation, gamma-Poisson noise, supplier and lane lateness and new regional
disruption episodes. Without a truth (an imported network) each simulated day replays a
history day of the same weekday and season (a block bootstrap across all series, so
their co-movement survives) and lateness follows the lanes' lead-time spread.

The draws depend only on the world, the number of days and the seed, never on a policy,
so two policies run on one scenario see the same demand and the same late deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.graph.synthetic import (
    SyntheticTruth,
    daily_seasonality,
    demand_effect,
    draw_delays,
    draw_demand,
    draw_disruptions,
    draw_price_steps,
    draw_promotion_weeks,
)
from supplynet.optimizer.twin.world import FloatArray, IntArray, TwinWorld

SEASON_WINDOW_DAYS = 14
"""A bootstrapped day replays a history day within this many days of the same day of year."""


@dataclass(frozen=True, eq=False)
class Scenario:
    """Demand ``[days, n_store]``, shelf price ``[days, n_store]`` and supplier delays
    ``[days, lanes]`` (extra days for an order placed that day on that lane)."""

    seed: int
    demand: FloatArray
    price: FloatArray
    delays: IntArray

    @property
    def days(self) -> int:
        return int(self.demand.shape[0])


def draw_scenario(
    world: TwinWorld, days: int, seed: int, truth: SyntheticTruth | None = None
) -> Scenario:
    """Draw ``days`` of demand, prices and delays after the world's history from ``seed``."""
    rng = np.random.default_rng(seed)
    if truth is None:
        return _bootstrap(world, days, seed, rng)
    dates = pd.date_range(world.start, periods=days, freq="D")
    skus = truth.skus.reset_index(drop=True)
    sku_of = pd.Series(np.arange(len(skus)), index=skus["sku_id"])
    category_of = pd.Series(np.arange(len(truth.categories)), index=truth.categories["category"])
    stores = slice(0, world.n_store)
    sku = sku_of.reindex(world.sku_id[stores]).to_numpy()
    known = np.isfinite(sku)
    sku = np.where(known, sku, 0).astype(np.int64)
    category = category_of.loc[skus["category"]].to_numpy()[sku]
    rates = truth.series.set_index(["store_id", "sku_id"])["base_rate"]
    base_rate = (
        rates.reindex(pd.MultiIndex.from_arrays([world.location_id[stores], world.sku_id[stores]]))
        .fillna(0.0)
        .to_numpy()
    )
    base_rate = np.where(known, base_rate, 0.0)
    seasonal = daily_seasonality(truth.categories, dates)
    discount = draw_promotion_weeks(rng, -(-days // 7), len(skus))[np.arange(days) // 7]
    regular = np.clip(np.cumprod(draw_price_steps(rng, (days, len(skus))), axis=0), 0.85, 1.15)
    base_price = skus["base_price"].to_numpy(float)
    price = np.round(base_price[None, :] * regular * (1 - discount), 2)
    pairs = [
        (int(sku_of[row.sku_id]), int(sku_of[row.substitute_id]), float(row.loss))
        for row in truth.cannibalisation.itertuples()
    ]
    effect = demand_effect(skus, price, discount > 0, pairs)
    rate = base_rate[None, :] * seasonal[:, category] * effect[:, sku]
    demand = draw_demand(rng, rate)
    delays = _truth_delays(world, truth, dates, rng)
    return Scenario(seed, demand, price[:, sku], delays)


def _truth_delays(
    world: TwinWorld, truth: SyntheticTruth, dates: pd.DatetimeIndex, rng: np.random.Generator
) -> IntArray:
    lanes = world.lanes.assign(
        warehouse_id=world.location_id[world.lanes["position"].to_numpy()],
        sku_id=world.sku_id[world.lanes["position"].to_numpy()],
    )
    cols = ["supplier_id", "warehouse_id", "sku_id"]
    risk = lanes[cols].merge(truth.lane_risk, on=cols, how="left")
    supplier = lanes[["supplier_id"]].merge(truth.supplier_risk, on="supplier_id", how="left")
    p_late = risk["late_probability"].fillna(supplier["late_probability"]).fillna(0.0)
    delay = risk["mean_delay_days"].fillna(supplier["mean_delay_days"]).fillna(0.0)
    days = len(dates)
    p = np.repeat(p_late.to_numpy(float)[None, :], days, axis=0)
    mean = np.repeat(delay.to_numpy(float)[None, :], days, axis=0)
    regions = sorted(truth.supplier_risk["region"].unique())
    disruptions = draw_disruptions(rng, regions, dates[0], days)
    region = supplier["region"].to_numpy()
    day = np.arange(days)[:, None]
    for event in disruptions.itertuples():
        lo, hi = (event.start - dates[0]).days, (event.end - dates[0]).days
        active = (region == event.region)[None, :] & (day >= lo) & (day <= hi)
        p = np.where(active, np.maximum(p, event.late_probability), p)
        mean = np.where(active, mean + event.extra_delay_days, mean)
    return np.asarray(draw_delays(rng, p, mean), dtype=np.int64)


def _bootstrap(world: TwinWorld, days: int, seed: int, rng: np.random.Generator) -> Scenario:
    history = world.history
    past = pd.date_range(end=pd.Timestamp(world.start) - pd.Timedelta(days=1), periods=len(history))
    future = pd.date_range(world.start, periods=days, freq="D")
    chosen = np.empty(days, dtype=np.int64)
    for i, date in enumerate(future):
        gap = np.abs(past.day_of_year.to_numpy() - date.day_of_year)
        near = np.minimum(gap, 365 - gap) <= SEASON_WINDOW_DAYS
        same_day = past.day_of_week.to_numpy() == date.day_of_week
        candidates = np.flatnonzero(same_day & near)
        if len(candidates) == 0:
            candidates = np.flatnonzero(same_day)
        chosen[i] = rng.choice(candidates)
    stores = slice(0, world.n_store)
    price = np.repeat(world.price[stores][None, :], days, axis=0)
    sd = world.lanes["lead_sd_days"].to_numpy(float)
    delays = np.maximum(np.round(rng.normal(0.0, 1.0, (days, len(sd))) * sd[None, :]), 0)
    return Scenario(seed, history[chosen].copy(), price, delays.astype(np.int64))
