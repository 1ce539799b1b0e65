"""Each item's demand shape over time: calendar x plan x substitutes' promotions, a
Poisson regression on the item's demand summed over its stores.

Retail demand is, to a first approximation, a level times multiplicative effects: the
weekday, the season, holidays, the price (a constant elasticity), a promotion's lift and
the substitutes' promotions (the SCAN*PRO form of marketing science). Boosted trees see
these effects only as ratios to a recent level, learnt pooled and piecewise; fitted per
item on a year of counts summed over its stores they are sharp. A series' level measured
against its item's shape over a long window is not blurred by the season or by the
promotions in that window, and the shape carries it to each target period.
``global_features`` hands these forecasts to the trees as features (stacking): the trees
learn how far to trust them, so data the form does not suit costs little.

Each item's effects are shrunk toward the effects all items share (a ridge toward the
pooled fit), so a slow mover's few counts lean on the rest. The fit needs half a year
before the origin, and the yearly terms a whole one (a sinusoid fitted on months
extrapolates wildly); with less history the features are left out (on SupplyGraph's
three to five months they only widened the intervals). Counts are offset by the stores
an item is observed at, so a store listing the item is not read as a jump in demand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHRINKAGE = 20.0
"""Weight of the pooled effects in each item's fit, in expected counts of evidence
(times the item's overdispersion: counts that vary more than Poisson's say less)."""
POOLED_RIDGE = 1.0
"""Ridge of the pooled fit toward no effect (effects the year does not identify)."""
NEWTON_STEPS = 25
HARMONICS = 2
"""Yearly sine/cosine pairs."""
MAX_STEP = 1.0
"""Largest change of a log effect in one Newton step (a damped start from a flat fit)."""


@dataclass(frozen=True)
class ItemPanel:
    """What the item fits read, per item (SKU) and period of a demand panel.

    Shapes
    ------
    quantity, stores ``[G, T]``: demand summed over the item's observed stores and how
    many stores were observed; plan ``[G, T + future, P]``: the mean log price over the
    item's stores, its promotion share and (with substitutes) its substitutes' mean
    promotion share; calendar ``[T + future, C]``; yearly ``[T + future, 2 * HARMONICS]``.
    ``item`` ``[S]``: each series' item.
    """

    quantity: np.ndarray
    stores: np.ndarray
    plan: np.ndarray
    calendar: np.ndarray
    yearly: np.ndarray
    item: np.ndarray
    year: int
    """Periods of a year: the fit window."""

    @classmethod
    def of(
        cls,
        quantity: np.ndarray,
        log_price: np.ndarray,
        promo: np.ndarray,
        item: np.ndarray,
        calendar: np.ndarray,
        day_of_year: np.ndarray,
        year: int,
    ) -> ItemPanel:
        """Item sums of series arrays (``quantity`` ``[S, T]``, ``NaN`` unobserved;
        ``log_price`` and ``promo`` ``[S, T + future]``), without substitutes."""
        groups = int(item.max()) + 1 if len(item) else 0
        observed = np.isfinite(quantity)
        count = np.maximum(np.bincount(item, minlength=groups).astype(float)[:, None], 1.0)
        columns = [
            group_sum(log_price, item, groups) / count,
            group_sum(promo, item, groups) / count,
        ]
        angle = 2 * np.pi * day_of_year[:, None] / 365.25 * np.arange(1, HARMONICS + 1)
        return cls(
            quantity=group_sum(np.where(observed, quantity, 0.0), item, groups),
            stores=group_sum(observed.astype(float), item, groups),
            plan=np.stack(columns, axis=2),
            calendar=calendar,
            yearly=np.concatenate([np.sin(angle), np.cos(angle)], axis=1),
            item=item,
            year=year,
        )

    def with_substitutes(self, source: np.ndarray, target: np.ndarray) -> ItemPanel:
        """The same panel with its substitutes' mean promotion share as one more plan
        column: items ``source`` have items ``target`` as substitutes (pairs)."""
        own_promo = self.plan[..., 1]
        total = np.zeros_like(own_promo)
        np.add.at(total, source, own_promo[target])
        many = np.bincount(source, minlength=len(own_promo)).astype(float)[:, None]
        column = total / np.maximum(many, 1.0)
        return dataclasses.replace(self, plan=np.concatenate([self.plan, column[..., None]], 2))

    @property
    def min_history(self) -> int:
        """Periods of history a shape needs: half a year (on daily data about 26 of each
        weekday and a few holidays to fit their effects on)."""
        return self.year // 2

    def log_shape(self, origin: int, horizon: int) -> np.ndarray:
        """``[G, year + horizon]``: each item's log expected demand per store over the
        year before ``origin`` and the ``horizon`` periods from it, less its intercept
        (the level cancels in every ratio it is used in), fitted on that year only
        (``NaN`` before the first period). The yearly terms enter once the fit sees a
        whole year: a sinusoid fitted on months extrapolates wildly.

        Raises
        ------
        ValueError
            Less than ``min_history`` before ``origin``.
        """
        if origin < self.min_history:
            raise ValueError(f"the item shape needs {self.min_history} periods before the origin")
        first = max(origin - self.year, 0)
        design = self._design(first, origin + horizon, whole_year=origin >= self.year)
        fitted = slice(0, origin - first)
        counts = self.quantity[:, first:origin]
        exposure = self.stores[:, first:origin]
        effects = _item_effects(design[:, fitted], counts, exposure)
        shape = np.einsum("gtk,gk->gt", design, effects)
        padding = self.year - (origin - first)
        return np.pad(shape, ((0, 0), (padding, 0)), constant_values=np.nan)

    def _design(self, start: int, end: int, whole_year: bool) -> np.ndarray:
        """``[G, end - start, K]``: calendar, yearly terms (zero before a whole year) and
        plan, its log price centred per item (the intercept takes the rest)."""
        groups = self.plan.shape[0]
        plan = self.plan[:, start:end].copy()
        plan[..., 0] -= plan[..., 0].mean(axis=1, keepdims=True)
        yearly = self.yearly[start:end] if whole_year else np.zeros_like(self.yearly[start:end])
        shared = np.concatenate([self.calendar[start:end], yearly], axis=1)
        return np.concatenate([np.broadcast_to(shared, (groups, *shared.shape)), plan], axis=2)


def calendar_design(
    days: pd.DatetimeIndex, holidays: frozenset[pd.Timestamp], weekly: bool
) -> np.ndarray:
    """``[len(days), C]``: the weekday (Tuesday..Sunday against Monday), a holiday and the
    eve of one for days; the number of holidays in the week for weeks."""
    if weekly:
        return holiday_counts(days, 7, holidays)[:, None]
    on = holiday_counts(days, 1, holidays)
    eve = holiday_counts(days + pd.Timedelta(days=1), 1, holidays)
    weekday = days.day_of_week.to_numpy()
    dummies = (weekday[:, None] == np.arange(1, 7)[None, :]).astype(float)
    return np.column_stack([dummies, on, eve])


def holiday_counts(
    days: pd.DatetimeIndex, period_days: int, holidays: frozenset[pd.Timestamp]
) -> np.ndarray:
    """Holidays within each period of ``period_days`` days starting on ``days``."""
    ordered = np.array(sorted(holidays), dtype="datetime64[D]")
    start = days.to_numpy().astype("datetime64[D]")
    end = start + np.timedelta64(period_days, "D")
    return np.asarray(np.searchsorted(ordered, end) - np.searchsorted(ordered, start), dtype=float)


def _item_effects(design: np.ndarray, counts: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """``[G, K]`` effects: each item's Poisson fit with an intercept, shrunk toward the
    effects of the fit that pools every item (an intercept each, the effects shared)."""
    used = exposure > 0
    offset = np.log(np.where(used, exposure, 1.0))
    pooled = _newton(design, counts, offset, used, prior=None)
    prior = np.broadcast_to(pooled, (design.shape[0], design.shape[2]))
    return _newton(design, counts, offset, used, prior=prior)


def _newton(
    design: np.ndarray,
    counts: np.ndarray,
    offset: np.ndarray,
    used: np.ndarray,
    prior: np.ndarray | None,
) -> np.ndarray:
    """Penalised Poisson fits by damped Newton steps, each item's intercept profiled out
    (in closed form given the effects): effects shared by every item without a
    ``prior`` (ridge toward none), else each item's (``[G, K]``) shrunk toward it."""
    groups, _, width = design.shape
    weight = used.astype(float)
    target = np.zeros((groups, width)) if prior is None else prior
    effects = target.copy()
    penalty = (POOLED_RIDGE if prior is None else SHRINKAGE) * np.eye(width)
    for _ in range(NEWTON_STEPS):
        linear = np.einsum("gtk,gk->gt", design, effects) + offset
        expected = np.exp(np.clip(linear, -30.0, 30.0)) * weight
        observed = (counts * weight).sum(axis=1)
        intercept = np.log(observed + 0.1) - np.log(expected.sum(axis=1) + 0.1)
        mean = expected * np.exp(intercept)[:, None]
        gradient = np.einsum("gtk,gt->gk", design, (counts - mean) * weight)
        # curvature of the effects with the intercept profiled out (a Schur complement)
        moment = np.einsum("gtk,gt->gk", design, mean)
        hessian = (
            np.einsum("gtj,gt,gtk->gjk", design, mean, design)
            - np.einsum("gj,gk->gjk", moment, moment)
            / np.maximum(mean.sum(axis=1), 1e-9)[:, None, None]
        )
        if prior is None:
            shared = np.linalg.solve(
                hessian.sum(axis=0) + penalty, gradient.sum(axis=0) - penalty @ effects[0]
            )
            step = np.broadcast_to(shared, effects.shape)
        else:
            # quasi-Poisson: the likelihood's information over the Pearson dispersion
            dispersion = np.einsum(
                "gt,gt->g", (counts - mean) ** 2 / np.maximum(mean, 1e-9), weight
            ) / np.maximum(weight.sum(axis=1) - width - 1, 1.0)
            stiffness = penalty[None] * np.maximum(dispersion, 1.0)[:, None, None]
            rhs = gradient - np.einsum("gk,gjk->gj", effects - target, stiffness)
            step = np.linalg.solve(hessian + stiffness, rhs[..., None])[..., 0]
        step = np.clip(step, -MAX_STEP, MAX_STEP)
        effects = effects + step
        if np.abs(step).max() < 1e-6:
            break
    return effects[0] if prior is None else effects


def group_sum(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """Sums of ``values``' rows per ``group`` (``[groups, ...]``)."""
    total = np.zeros((groups, *values.shape[1:]))
    np.add.at(total, group, values)
    return total
