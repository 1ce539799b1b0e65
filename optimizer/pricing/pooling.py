"""Hierarchical shrinkage of per-SKU elasticities over categories and substitution neighbours.

A SKU with few price changes has a wide standard error; an empirical-Bayes normal prior
centred on what its category and its substitutes show pulls it in by as much as its own
data is uncertain, and a SKU with no usable data takes the prior outright.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_PRIOR_SD = 0.05
RELIABLE_STD_ERROR = 0.5
"""Estimates this precise set the prior's spread; noisier ones would swamp it."""
DEFAULT_PRIOR_SD = 0.5
"""Prior spread when too few SKUs are estimated precisely to measure it."""


@dataclass(frozen=True)
class Shrunk:
    """Posterior elasticities and their standard errors, with the prior each one used."""

    mean: np.ndarray
    std_error: np.ndarray
    prior_mean: np.ndarray
    prior_sd: float


def shrink(
    estimate: np.ndarray,
    std_error: np.ndarray,
    estimable: np.ndarray,
    group: np.ndarray,
    neighbours: Sequence[Sequence[int]],
) -> Shrunk:
    """Normal-normal shrinkage towards a category-and-neighbour prior.

    Parameters
    ----------
    estimate, std_error
        Unpooled estimates and standard errors (ignored where ``estimable`` is False).
    estimable
        Which SKUs have an estimate of their own.
    group
        Integer category per SKU.
    neighbours
        Per SKU, the indices of its substitutes.

    Returns
    -------
    Shrunk
        The prior mean is the precision-weighted category mean (leaving the SKU out),
        averaged with the neighbours' mean where the SKU has estimable neighbours; the prior
        spread is the between-SKU variance left after sampling noise (method of moments,
        over the precisely estimated SKUs).
    """
    n = len(estimate)
    ok = estimable & np.isfinite(estimate) & np.isfinite(std_error) & (std_error > 0)
    precision = np.where(ok, 1.0 / np.where(ok, std_error, 1.0) ** 2, 0.0)
    values = np.where(ok, estimate, 0.0)
    grand = float(np.average(values[ok], weights=precision[ok])) if ok.any() else 1.0
    reliable = ok & (std_error <= RELIABLE_STD_ERROR)
    if reliable.sum() > 2:
        spread = float(np.var(values[reliable]) - np.mean(std_error[reliable] ** 2))
        prior_sd = max(float(np.sqrt(max(spread, 0.0))), MIN_PRIOR_SD)
    else:
        prior_sd = DEFAULT_PRIOR_SD
    prior_mean = np.empty(n)
    for k in range(n):
        same = (group == group[k]) & ok
        same[k] = False
        weight = precision[same].sum()
        category = float((precision[same] * values[same]).sum() / weight) if weight > 0 else grand
        near = [j for j in neighbours[k] if ok[j]]
        prior_mean[k] = 0.5 * category + 0.5 * float(np.mean(values[near])) if near else category
    prior_precision = 1.0 / prior_sd**2
    post_precision = precision + prior_precision
    mean = (precision * values + prior_precision * prior_mean) / post_precision
    return Shrunk(
        mean=mean,
        std_error=np.sqrt(1.0 / post_precision),
        prior_mean=prior_mean,
        prior_sd=prior_sd,
    )
