"""Own- and cross-price elasticities from the price and promotion history.

The model is a log-linear Poisson regression per SKU with a shared seasonal effect per
category and period::

    log E[units(k, t)] = a(k) + s(category(k), t) - e(k) log(p(k, t) / p0(k))
                         + u(k) promo(k, t) + sum_j g(k, j) log(p(j, t) / p0(j))

where ``j`` runs over the SKU's ``SUBSTITUTED_BY`` neighbours only (so the cross matrix is
sparse and identifiable), ``p0`` is today's price and ``promo`` absorbs a promotion's extra
uplift beyond its discount. The seasonal effects are fitted by alternating with the SKU
regressions (the Poisson fixed-effect estimator), standard errors are quasi-Poisson
(overdispersion scaled), and own elasticities are then shrunk on the graph
(``pooling.shrink``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import Sku, Substitution
from supplynet.optimizer.pricing.panel import PricePanel, build_panel
from supplynet.optimizer.pricing.pooling import shrink

Source = Literal["estimated", "pooled"]


@dataclass(frozen=True)
class SkuEstimate:
    """One SKU's demand response; ``elasticity`` > 0 means units fall as the price rises."""

    sku_id: str
    category: str
    elasticity: float
    std_error: float
    unpooled: float | None
    unpooled_std_error: float | None
    source: Source
    promo_uplift: float
    reference_price: float
    units_per_day: float
    note: str = ""

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """A normal-approximation interval for the elasticity (95 % by default)."""
        return self.elasticity - z * self.std_error, self.elasticity + z * self.std_error


@dataclass(frozen=True)
class CrossEstimate:
    """``d log units(sku_id) / d log price(substitute_id)``: > 0 for true substitutes."""

    sku_id: str
    substitute_id: str
    elasticity: float
    std_error: float


@dataclass(frozen=True)
class DemandModel:
    """Fitted demand response of a set of SKUs; ``units_per_day`` answers for any prices.

    ``store_ids`` and ``store_share`` (stores x SKUs, columns sum to 1) split a SKU's
    chain-wide units over the stores that carry it; ``weekday_profile`` (SKUs x 7, Monday
    first, mean 1) is the recent weekly pattern of daily data (all ones for weekly data).
    """

    skus: tuple[SkuEstimate, ...]
    cross: tuple[CrossEstimate, ...]
    store_ids: tuple[str, ...]
    store_share: np.ndarray
    prior_sd: float
    pooled: bool
    weekday_profile: np.ndarray

    def daily_units(self, sku_id: str, start: pd.Timestamp, days: int) -> np.ndarray:
        """Expected chain-wide units on each of ``days`` days from ``start`` at today's price."""
        k = self.index()[sku_id]
        weekdays = (start.dayofweek + np.arange(days)) % 7
        return np.asarray(self.skus[k].units_per_day * self.weekday_profile[k, weekdays])

    @property
    def sku_ids(self) -> tuple[str, ...]:
        return tuple(s.sku_id for s in self.skus)

    def index(self) -> dict[str, int]:
        return {s.sku_id: k for k, s in enumerate(self.skus)}

    def units_per_day(self, prices: np.ndarray) -> np.ndarray:
        """Expected chain-wide units per day at ``prices`` (aligned with ``skus``), no promotion.

        Shapes
        ------
        prices: (..., skus) -> (..., skus)
        """
        reference = np.array([s.reference_price for s in self.skus])
        log_ratio = np.log(np.asarray(prices, dtype=float) / reference)
        own = np.array([s.elasticity for s in self.skus])
        base = np.log(np.array([s.units_per_day for s in self.skus]))
        log_units = base - own * log_ratio
        at = self.index()
        for c in self.cross:
            k, j = at[c.sku_id], at[c.substitute_id]
            log_units[..., k] = log_units[..., k] + c.elasticity * log_ratio[..., j]
        return np.asarray(np.exp(log_units))

    def frame(self) -> pd.DataFrame:
        """One row per SKU: the estimate, its interval, and where it came from."""
        rows = [
            {
                "sku_id": s.sku_id,
                "category": s.category,
                "elasticity": s.elasticity,
                "std_error": s.std_error,
                "unpooled": s.unpooled,
                "unpooled_std_error": s.unpooled_std_error,
                "source": s.source,
                "promo_uplift": s.promo_uplift,
                "units_per_day": s.units_per_day,
                "note": s.note,
            }
            for s in self.skus
        ]
        return pd.DataFrame(rows)


class ElasticityEstimator:
    """Fit a ``DemandModel`` from a demand history (scikit-learn style: ``fit`` then use).

    Parameters
    ----------
    pooling
        Shrink own elasticities on the graph (False gives the unpooled estimates).
    min_log_price_sd
        A SKU whose log price varies less than this has no estimate of its own.
    min_units
        A SKU that sold fewer units in total has no estimate of its own.
    max_std_error
        An own estimate less precise than this is not used on its own (the SKU is pooled).
    recent_periods
        Periods at the end of the history that set today's seasonal level and store split.
    """

    def __init__(
        self,
        pooling: bool = True,
        min_log_price_sd: float = 0.005,
        min_units: float = 30.0,
        max_std_error: float = 1.0,
        recent_periods: int = 28,
    ) -> None:
        self.pooling = pooling
        self.min_log_price_sd = min_log_price_sd
        self.min_units = min_units
        self.max_std_error = max_std_error
        self.recent_periods = recent_periods

    def fit(
        self, demand: pd.DataFrame, skus: Sequence[Sku], substitutions: Sequence[Substitution]
    ) -> ElasticityEstimator:
        """Learn ``model_`` from a checked demand frame.

        A SKU with no price variation or too few sales takes its pooled estimate and says
        so in its ``note``.

        Raises
        ------
        ValidationFailed
            No SKU's price varies in the history (``demand.price``).
        """
        sku_ids = tuple(s.id for s in skus)
        panel = build_panel(demand, sku_ids, self.recent_periods)
        self.model_ = _fit(self, panel, skus, substitutions)
        return self


@dataclass
class _Regression:
    columns: list[int]
    design: np.ndarray
    coef: np.ndarray
    cov: np.ndarray


def _fit(
    params: ElasticityEstimator,
    panel: PricePanel,
    skus: Sequence[Sku],
    substitutions: Sequence[Substitution],
) -> DemandModel:
    n_periods, n_skus = panel.units.shape
    at = {s.id: k for k, s in enumerate(skus)}
    reference = np.array([s.price if s.price > 0 else 1.0 for s in skus])
    log_ratio = np.nan_to_num(np.log(np.maximum(panel.price, 1e-6) / reference))
    varies = log_ratio.std(axis=0) >= params.min_log_price_sd
    if not varies.any():
        raise ValidationFailed(
            [Problem("demand.price", "no price variation in the scope's history")],
            "pricing scope",
        )
    enough = panel.units.sum(axis=0) >= params.min_units
    estimable = varies & enough
    neighbours: list[list[int]] = [[] for _ in skus]
    for edge in substitutions:
        if edge.sku_id in at and edge.substitute_id in at:
            neighbours[at[edge.sku_id]].append(at[edge.substitute_id])
    categories = sorted({s.category for s in skus})
    group = np.array([categories.index(s.category) for s in skus])
    seasonal = np.zeros((n_periods, len(categories)))
    by_sku: dict[int, _Regression] = {}
    for g in range(len(categories)):
        members = [int(k) for k in np.flatnonzero(group == g)]
        columns: list[list[int]] = [
            ([k] if estimable[k] else []) + [j for j in neighbours[k] if varies[j]] for k in members
        ]
        designs = [
            np.column_stack(
                [np.ones(n_periods), panel.promo[:, k]]
                + [_price_regressor(panel, log_ratio, k, j) for j in cols]
            )
            for k, cols in zip(members, columns, strict=True)
        ]
        fitted = _joint_poisson(designs, panel.units[:, members], panel.observed[:, members])
        seasonal[:, g] = fitted.seasonal
        for k, cols, design, coef, cov in zip(
            members, columns, designs, fitted.coefs, fitted.covs, strict=True
        ):
            by_sku[k] = _Regression(cols, design, coef, cov)
    regressions = [by_sku[k] for k in range(n_skus)]
    own = np.full(n_skus, np.nan)
    own_se = np.full(n_skus, np.nan)
    for k, reg in enumerate(regressions):
        if estimable[k]:
            own[k] = -reg.coef[2]
            own_se[k] = float(np.sqrt(max(reg.cov[2, 2], 0.0)))
    identified = estimable & (own_se <= params.max_std_error)
    shrunk = shrink(own, own_se, identified, group, neighbours)
    final = shrunk.mean if params.pooling else np.where(identified, own, shrunk.prior_mean)
    final_se = shrunk.std_error if params.pooling else np.where(identified, own_se, shrunk.prior_sd)
    recent = slice(max(n_periods - params.recent_periods, 0), n_periods)
    estimates: list[SkuEstimate] = []
    cross: list[CrossEstimate] = []
    for k, (sku, reg) in enumerate(zip(skus, regressions, strict=True)):
        level = _level(panel, k, reg, log_ratio[:, k] * -final[k], seasonal[:, group[k]])
        today = float(np.exp(level + seasonal[recent, group[k]].mean())) / panel.days_per_period
        estimates.append(
            SkuEstimate(
                sku_id=sku.id,
                category=sku.category,
                elasticity=float(final[k]),
                std_error=float(final_se[k]),
                unpooled=float(own[k]) if estimable[k] else None,
                unpooled_std_error=float(own_se[k]) if estimable[k] else None,
                source="estimated" if identified[k] else "pooled",
                promo_uplift=float(np.exp(reg.coef[1])),
                reference_price=float(reference[k]),
                units_per_day=max(today, 1e-9),
                note="" if identified[k] else _why_not(bool(varies[k]), bool(enough[k])),
            )
        )
        for i, j in enumerate(reg.columns):
            if j != k:
                cross.append(
                    CrossEstimate(
                        sku_id=sku.id,
                        substitute_id=skus[j].id,
                        elasticity=float(reg.coef[2 + i]),
                        std_error=float(np.sqrt(reg.cov[2 + i, 2 + i])),
                    )
                )
    return DemandModel(
        skus=tuple(estimates),
        cross=tuple(cross),
        store_ids=panel.store_ids,
        store_share=panel.store_share,
        prior_sd=shrunk.prior_sd,
        weekday_profile=_weekday_profile(panel, seasonal[:, group], params.recent_periods),
        pooled=params.pooling,
    )


def _weekday_profile(panel: PricePanel, seasonal: np.ndarray, recent: int) -> np.ndarray:
    """Per SKU, the mean seasonal effect by weekday over the recent weeks, scaled to mean 1."""
    n_skus = seasonal.shape[1]
    if panel.days_per_period != 1.0:
        return np.ones((n_skus, 7))
    window = slice(max(len(panel.dates) - max(recent, 28), 0), len(panel.dates))
    weekdays = panel.dates[window].dayofweek.to_numpy()
    level = np.exp(seasonal[window])
    profile = np.ones((n_skus, 7))
    for day in range(7):
        if (weekdays == day).any():
            profile[:, day] = level[weekdays == day].mean(axis=0)
    return np.asarray(profile / profile.mean(axis=1, keepdims=True))


def _price_regressor(panel: PricePanel, log_ratio: np.ndarray, k: int, j: int) -> np.ndarray:
    """SKU ``k``'s own log price, or a substitute ``j``'s while only ``j`` is on promotion.

    Shoppers switch to a substitute's deal; while both are on promotion (or neither), the
    substitute's small regular-price drift moves little, and regressing on it lets the
    category's seasonal effect trade off against the own-price slope. A substitute that
    never runs a promotion enters with its plain log price.
    """
    if j == k or not panel.promo[:, j].any():
        return np.asarray(log_ratio[:, j])
    return np.asarray(log_ratio[:, j] * (panel.promo[:, j] & ~panel.promo[:, k]))


def _why_not(varies: bool, enough: bool) -> str:
    if not varies:
        reason = "no price variation in the history"
    elif not enough:
        reason = "too few units sold"
    else:
        reason = "own estimate too uncertain (price moved only with promotions)"
    return f"pooled estimate (category and substitutes): {reason}"


@dataclass(frozen=True)
class _JointFit:
    coefs: list[np.ndarray]
    covs: list[np.ndarray]
    seasonal: np.ndarray


def _joint_poisson(
    designs: list[np.ndarray], units: np.ndarray, observed: np.ndarray, steps: int = 40
) -> _JointFit:
    """Poisson MLE of one category: per-SKU coefficients plus a shared effect per period.

    Newton steps on the joint likelihood; the period effects' Hessian block is diagonal, so
    each step eliminates it by a Schur complement and solves only for the SKU coefficients.
    Covariances are quasi-Poisson (scaled by the Pearson dispersion) and account for the
    period effects. Shapes: designs[i] (periods, p_i); units, observed (periods, skus).
    """
    n_periods, n_skus = units.shape
    weight = observed.astype(float)
    sizes = [d.shape[1] for d in designs]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    coef = np.zeros(offsets[-1])
    for i in range(n_skus):
        mean_units = (weight[:, i] * units[:, i]).sum() / max(weight[:, i].sum(), 1.0)
        coef[offsets[i]] = np.log(max(mean_units, 1e-3))
    seasonal = np.zeros(n_periods)
    ridge = 1e-6

    def linear(c: np.ndarray, s: np.ndarray) -> np.ndarray:
        cols = [designs[i] @ c[offsets[i] : offsets[i + 1]] for i in range(n_skus)]
        return np.asarray(np.clip(np.column_stack(cols) + s[:, None], -30, 30))

    def loglik(c: np.ndarray, s: np.ndarray) -> float:
        eta = linear(c, s)
        return float((weight * (units * eta - np.exp(eta))).sum() - ridge * (s**2).sum())

    current = loglik(coef, seasonal)
    schur = np.eye(offsets[-1])
    for _ in range(steps):
        mu = np.exp(linear(coef, seasonal)) * weight
        residual = weight * units - mu
        grad_c = np.concatenate([designs[i].T @ residual[:, i] for i in range(n_skus)])
        grad_s = residual.sum(axis=1) - 2 * ridge * seasonal
        diag = mu.sum(axis=1) + 2 * ridge
        block = np.zeros((offsets[-1], offsets[-1]))
        cross = np.zeros((offsets[-1], n_periods))
        for i in range(n_skus):
            rows = slice(offsets[i], offsets[i + 1])
            block[rows, rows] = (designs[i] * mu[:, i : i + 1]).T @ designs[i]
            cross[rows] = (designs[i] * mu[:, i : i + 1]).T
        schur = block - (cross / diag) @ cross.T + 1e-9 * np.eye(offsets[-1])
        step_c = np.linalg.solve(schur, grad_c - cross @ (grad_s / diag))
        step_s = (grad_s - cross.T @ step_c) / diag
        scale = 1.0
        while scale > 1e-4:
            trial = loglik(coef + scale * step_c, seasonal + scale * step_s)
            if trial >= current - 1e-9:
                break
            scale /= 2
        coef, seasonal = coef + scale * step_c, seasonal + scale * step_s
        improvement, current = trial - current, trial
        if improvement < 1e-8 * max(abs(current), 1.0):
            break
    mu = np.exp(linear(coef, seasonal))
    dof = max(weight.sum() - offsets[-1] - n_periods, 1.0)
    dispersion = max(float((weight * (units - mu) ** 2 / mu).sum() / dof), 1.0)
    cov = dispersion * np.linalg.inv(schur)
    shift = seasonal.mean()
    coefs, covs = [], []
    for i in range(n_skus):
        rows = slice(offsets[i], offsets[i + 1])
        c = coef[rows].copy()
        c[0] += shift
        coefs.append(c)
        covs.append(cov[rows, rows])
    return _JointFit(coefs, covs, seasonal - shift)


def _level(
    panel: PricePanel, k: int, reg: _Regression, own_effect: np.ndarray, seasonal: np.ndarray
) -> float:
    """The intercept that matches the SKU's total units given its (possibly pooled) slope."""
    cross = [i for i, j in enumerate(reg.columns) if j != k]
    linear = seasonal + own_effect + reg.design[:, 1] * reg.coef[1]
    for i in cross:
        linear = linear + reg.design[:, 2 + i] * reg.coef[2 + i]
    weight = panel.observed[:, k]
    sold = float(panel.units[weight, k].sum())
    expected = float(np.exp(linear[weight]).sum())
    return float(np.log(max(sold, 0.5) / max(expected, 1e-12)))
