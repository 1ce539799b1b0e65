"""The newsvendor cost of a projected stock level, as lines a linear program can use.

A plan projects each store's net stock (on hand minus backorders) from the mean
forecast; the stock that really comes is that projection minus the forecast error of
the demand since the last moment an order could still change it: the plan is revised
every period, so period ``t``'s stock is exposed to the demand of the ``lead + 1``
periods up to it (fewer near the start, where the plan's first period is that moment;
counting the error from the start instead overstocks every period after the next
order and misses (s, S) optima by several percent). With holding cost ``h`` and backorder cost
``p`` per unit and period, the expected cost of a projected net stock ``y`` with error
standard deviation ``sigma`` is

    G(y) = h * y + (h + p) * sigma * L(y / sigma),    L(k) = E[(Z - k)+]

which is convex in ``y``. The planner charges it through its tangent lines (an
epigraph variable above every line), so a plan pays for uncertainty once: ordering up
to the point where ``G`` is flat is the newsvendor's critical fractile, and with
nothing else in play the rolled plan is the optimal base-stock policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

FloatArray = npt.NDArray[np.float64]
TANGENT_PROBABILITIES = np.linspace(0.005, 0.995, 100)
"""Where the tangents touch, as probabilities of the error (dense where ``G`` bends
most); one more touches at the critical fractile ``p / (p + h)``, where ``G`` is
lowest, so the lines' minimum is ``G``'s."""


@dataclass(frozen=True)
class Tangents:
    """Lines ``slope * y + intercept`` below ``G``, ``[items, horizon, lines]`` each."""

    slopes: FloatArray
    intercepts: FloatArray

    def cost(self, net: FloatArray) -> FloatArray:
        """The lines' upper envelope at ``net`` (``[items, horizon]``): what the plan pays."""
        values: FloatArray = (self.slopes * net[..., None] + self.intercepts).max(axis=-1)
        return values


def exposed_sd(demand_sd: FloatArray, lead: npt.NDArray[np.int64]) -> FloatArray:
    """Standard deviation of the demand over the ``lead + 1`` periods up to each period
    (from the first period where that is fewer).

    Shapes
    ------
    demand_sd: [items, horizon]; lead: [items]
    """
    variance = np.cumsum(np.asarray(demand_sd, float) ** 2, axis=1)
    padded = np.concatenate([np.zeros_like(variance), variance], axis=1)
    horizon = variance.shape[1]
    before = np.arange(horizon)[None, :] - np.asarray(lead)[:, None] - 1 + horizon
    earlier = np.take_along_axis(padded, np.clip(before, 0, None), axis=1)
    result: FloatArray = np.sqrt(np.maximum(variance - earlier, 0.0))
    return result


def tangents(sigma: FloatArray, holding: FloatArray, penalty: FloatArray) -> Tangents:
    """Tangent lines of ``G`` for every item and period, plus its two asymptotes.

    Shapes
    ------
    sigma: [items, horizon]; holding, penalty: [items]
    """
    h = np.asarray(holding, float)[:, None, None]
    p = np.asarray(penalty, float)[:, None, None]
    s = np.asarray(sigma, float)[..., None]
    fractile = norm.ppf(p / (h + p))
    grid = norm.ppf(TANGENT_PROBABILITIES)
    z = np.concatenate([np.broadcast_to(grid, (len(h), 1, len(grid))), fractile], axis=-1)
    touch = s * z
    value = h * touch + (h + p) * s * (norm.pdf(z) - z * norm.sf(z))
    slope = h - (h + p) * norm.sf(z)
    shape = (*sigma.shape, 1)
    slopes = np.concatenate(
        [np.broadcast_to(slope, (*sigma.shape, z.shape[-1])), np.broadcast_to(h, shape),
         np.broadcast_to(-p, shape)], axis=-1,
    )  # fmt: skip
    intercept = np.broadcast_to(value - slope * touch, (*sigma.shape, z.shape[-1]))
    intercepts = np.concatenate([intercept, np.zeros(shape), np.zeros(shape)], axis=-1)
    return Tangents(slopes=slopes, intercepts=intercepts)
