"""The pricing bench's small simulator: days of demand drawn from a synthetic truth, given prices.

Scoped to what pricing needs, not a digital twin: every store x SKU series of a generated
network sells at the prices an arm sets, with the generator's own seasonality, price
elasticity, gamma-Poisson noise and cannibalisation. Non-perishables never run out;
perishable positions (shelf life up to ``max_shelf_days``) receive one cohort per shelf
life, sized by the arm, and what is unsold at expiry is waste. Replications differ only in
their random draws, and every arm of a replication sees the same draws (common random
numbers), so arm differences are paired.

Cannibalisation follows the truth: a SKU loses its planted share of demand at a store
while its substitute there is marked down by at least ``PROMOTION_DEPTH`` (a temporary
discount, as the generator's promotions are) and it is not; regular-price moves shift no
demand between substitutes, as in the generator. ``cross_mode="log_linear"`` instead
reads the planted loss as a constant cross elasticity (the loss at the mean promotion
discount), which also moves demand on regular-price changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from supplynet.graph.model import Sku
from supplynet.graph.synthetic import DEMAND_NOISE_SHAPE, SyntheticTruth, daily_seasonality
from supplynet.optimizer.pricing.markdown import MarkdownPolicy

PROMOTION_DEPTH = 0.1
MEAN_PROMOTION_DISCOUNT = 0.2

Position = tuple[str, str]


@dataclass(frozen=True)
class PricingArm:
    """What one arm does: regular prices, cohort sizes and markdown policies.

    ``order_units`` gives each perishable position's cohort size; ``markdowns`` its policy
    (positions without one sell at the regular price until expiry).
    """

    name: str
    prices: Mapping[str, float]
    order_units: Mapping[Position, int]
    markdowns: Mapping[Position, MarkdownPolicy] = field(default_factory=dict)


@dataclass(frozen=True)
class ArmOutcome:
    """Totals of one arm in one replication."""

    arm: str
    replication: int
    revenue: float
    margin: float
    units_sold: float
    perishable_received: float
    perishable_wasted: float
    perishable_margin: float

    @property
    def waste_share(self) -> float:
        return self.perishable_wasted / max(self.perishable_received, 1e-12)


class PricingSimulator:
    """Run pricing arms over ``days`` days after ``start`` on a network's latent truth.

    Parameters
    ----------
    truth, skus
        The generator's truth and the network's SKUs (costs and shelf lives).
    start, days
        First simulated day and horizon.
    max_shelf_days
        SKUs with at most this shelf life are stocked in cohorts and can waste.
    cross_mode
        ``promotions`` (the truth's rule) or ``log_linear`` (see the module docstring).
    """

    def __init__(
        self,
        truth: SyntheticTruth,
        skus: tuple[Sku, ...],
        start: pd.Timestamp,
        days: int = 28,
        max_shelf_days: float = 14.0,
        cross_mode: Literal["promotions", "log_linear"] = "promotions",
    ) -> None:
        self.truth = truth
        self.skus = skus
        self.start = start
        self.days = days
        self.max_shelf_days = max_shelf_days
        self.cross_mode = cross_mode

    def perishable_positions(self) -> list[tuple[Position, int]]:
        """Store x SKU positions stocked in cohorts, with their shelf life in days."""
        life = {
            s.id: int(s.shelf_life_days)
            for s in self.skus
            if s.shelf_life_days is not None and s.shelf_life_days <= self.max_shelf_days
        }
        return [
            ((row.store_id, row.sku_id), life[row.sku_id])
            for row in self.truth.series.itertuples()
            if row.sku_id in life
        ]

    def expected_daily_units(self, prices: Mapping[str, float]) -> dict[Position, float]:
        """Truth's mean units per day per position at regular ``prices`` (no cross effects)."""
        sku = self.truth.skus.set_index("sku_id")
        out = {}
        for row in self.truth.series.itertuples():
            ratio = prices[row.sku_id] / sku.at[row.sku_id, "base_price"]
            out[(row.store_id, row.sku_id)] = float(
                row.base_rate * ratio ** -sku.at[row.sku_id, "elasticity"]
            )
        return out

    def run(self, arm: PricingArm, replication: int, seed: int) -> ArmOutcome:
        """One replication of ``arm``; the same ``(replication, seed)`` gives the same draws."""
        series = self.truth.series
        sku_truth = self.truth.skus.set_index("sku_id")
        n = len(series)
        sku_of = series["sku_id"].to_numpy()
        store_of = series["store_id"].to_numpy()
        base_price = sku_truth.loc[sku_of, "base_price"].to_numpy()
        elasticity = sku_truth.loc[sku_of, "elasticity"].to_numpy()
        cost = np.array([{s.id: s.unit_cost for s in self.skus}[k] for k in sku_of])
        categories = self.truth.categories["category"].tolist()
        column = np.array([categories.index(c) for c in sku_truth.loc[sku_of, "category"]])
        days = pd.date_range(self.start, periods=self.days, freq="D")
        seasonal = daily_seasonality(self.truth.categories, days)[:, column]
        rng = np.random.default_rng([seed, replication])
        noise = rng.gamma(DEMAND_NOISE_SHAPE, 1 / DEMAND_NOISE_SHAPE, (self.days, n))
        uniform = rng.random((self.days, n))
        substitutes = self._substitutes(series)
        regular = np.array([arm.prices[k] for k in sku_of])
        index = {(s, k): i for i, (s, k) in enumerate(zip(store_of, sku_of, strict=True))}
        cohorts = {index[pos]: life for pos, life in self.perishable_positions()}
        left = np.zeros(n)
        level = np.zeros(n, dtype=int)
        used = np.zeros(n, dtype=int)
        received = wasted = revenue = margin = sold_total = perishable_margin = 0.0
        for day in range(self.days):
            discount = np.zeros(n)
            for i, life in cohorts.items():
                pos = (store_of[i], sku_of[i])
                if day % life == 0:
                    wasted += left[i]
                    left[i] = arm.order_units[pos]
                    received += left[i]
                    level[i] = used[i] = 0
                    margin -= cost[i] * left[i]
                    perishable_margin -= cost[i] * left[i]
                policy = arm.markdowns.get(pos)
                if policy is not None:
                    stock = min(int(left[i]), policy.problem.stock)
                    chosen = int(policy.choice[day % life, stock, level[i], used[i]])
                    used[i] += int(chosen != level[i])
                    level[i] = chosen
                    discount[i] = policy.problem.discounts[chosen]
            price = regular * (1 - discount)
            rate = (
                series["base_rate"].to_numpy()
                * seasonal[day]
                * (price / base_price) ** -elasticity
                * self._cross_factor(price / base_price, discount, substitutes)
            )
            demand = stats.poisson.ppf(uniform[day], rate * noise[day])
            sold = demand.copy()
            for i in cohorts:
                sold[i] = min(demand[i], left[i])
                left[i] -= sold[i]
                perishable_margin += price[i] * sold[i]
            revenue += float((price * sold).sum())
            non_perishable = np.ones(n, dtype=bool)
            non_perishable[list(cohorts)] = False
            margin += float((price * sold).sum() - (cost * sold)[non_perishable].sum())
            sold_total += float(sold.sum())
        wasted += float(left[list(cohorts)].sum()) if cohorts else 0.0
        return ArmOutcome(
            arm=arm.name,
            replication=replication,
            revenue=revenue,
            margin=margin,
            units_sold=sold_total,
            perishable_received=received,
            perishable_wasted=wasted,
            perishable_margin=perishable_margin,
        )

    def _substitutes(self, series: pd.DataFrame) -> list[tuple[int, int, float]]:
        """(series, substitute series at the same store, planted loss) triples."""
        pairs = zip(series["store_id"], series["sku_id"], strict=True)
        at = {(s, k): i for i, (s, k) in enumerate(pairs)}
        out = []
        for row in self.truth.cannibalisation.itertuples():
            for store in series["store_id"].unique():
                i, j = at.get((store, row.sku_id)), at.get((store, row.substitute_id))
                if i is not None and j is not None:
                    out.append((i, j, float(row.loss)))
        return out

    def _cross_factor(
        self,
        price_ratio: np.ndarray,
        discount: np.ndarray,
        substitutes: list[tuple[int, int, float]],
    ) -> np.ndarray:
        factor = np.ones(len(price_ratio))
        discounted = discount >= PROMOTION_DEPTH - 1e-9
        for i, j, loss in substitutes:
            if self.cross_mode == "promotions":
                if discounted[j] and not discounted[i]:
                    factor[i] *= 1 - loss
            else:
                gamma = np.log(1 - loss) / np.log(1 - MEAN_PROMOTION_DISCOUNT)
                factor[i] *= price_ratio[j] ** gamma
        return factor
