"""Safety stock and base-stock targets: how much buffer each stage holds, and where.

Two placement rules, one per network shape:

* **Serial chains** (supplier-side stage -> warehouse -> store) use echelon base-stock
  levels from the Shang-Song (2003) newsvendor heuristic: each echelon is a newsvendor
  over its cumulative lead time with a backorder cost raised by the echelon holding
  costs upstream of it. It is within a fraction of a percent of the Clark-Scarf optimum
  on the textbook instances and, for one stage, is exactly the newsvendor.
* **Distribution trees** (a warehouse feeding stores) use the guaranteed-service model
  (Graves-Willems). On a two-level tree the safety stock cost is concave in the
  warehouse's committed service time, so the optimum is at an end point: the warehouse
  either buffers its whole replenishment time (quotes 0) or none of it (quotes its full
  time and the stores buffer it). ``two_echelon_targets`` evaluates both for every
  warehouse x SKU at once; ``gsm.optimize_service_times`` solves general trees.

Lead-time risk widens the buffers: a lane's late probability ``p`` and expected delay
``e`` (unconditional) add ``e`` to the mean lead time and ``e**2 (1 - p) / p`` to its
variance (a delay of ``e / p`` that happens with probability ``p``).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from supplynet.graph.errors import Problem, ValidationFailed

FloatArray = npt.NDArray[np.float64]
Z_P10_P90 = NormalDist().inv_cdf(0.9) - NormalDist().inv_cdf(0.1)


def z_value(service_level: float) -> float:
    """Standard normal quantile of a cycle service level in (0, 1)."""
    if not 0.0 < service_level < 1.0:
        raise ValidationFailed(
            [Problem("service_level", f"must be within (0, 1) (got {service_level!r})")]
        )
    return NormalDist().inv_cdf(service_level)


def sd_from_quantiles(p10: FloatArray, p90: FloatArray) -> FloatArray:
    """Demand standard deviation implied by the 10% and 90% quantiles (normal fit)."""
    spread: FloatArray = np.maximum(np.asarray(p90, float) - np.asarray(p10, float), 0.0)
    return spread / Z_P10_P90


def widened_lead_time(
    mean: FloatArray, sd: FloatArray, late_probability: FloatArray, expected_delay: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Lead-time mean and standard deviation once the risk of a late delivery is added."""
    p = np.asarray(late_probability, float)
    e = np.asarray(expected_delay, float)
    extra_var = np.where(p > 0, e**2 * (1.0 - p) / np.maximum(p, 1e-12), 0.0)
    return np.asarray(mean, float) + e, np.sqrt(np.asarray(sd, float) ** 2 + extra_var)


def buffer(
    z: float, exposure: FloatArray, mean: FloatArray, sd: FloatArray, lead_sd: FloatArray
) -> FloatArray:
    """Safety stock ``z * sqrt(exposure * sd**2 + mean**2 * lead_sd**2)`` (0 when not exposed).

    ``exposure`` is the net replenishment time in periods; ``mean`` and ``sd`` are
    per-period demand; ``lead_sd`` is the lead-time standard deviation in periods.
    """
    exposure = np.maximum(np.asarray(exposure, float), 0.0)
    variance = exposure * np.asarray(sd, float) ** 2 + (np.asarray(mean, float) * lead_sd) ** 2
    return np.where(exposure > 0, z * np.sqrt(variance), 0.0)


@dataclass(frozen=True)
class SerialChain:
    """A serial chain, index 0 = the stage that meets demand, last = most upstream.

    ``lead_times`` are inbound lead times in periods (orders placed at the end of a
    period arrive at the start of period ``t + L``); ``echelon_holding`` per unit per
    period; ``backorder_cost`` per unit per period at the demand stage.
    """

    lead_times: tuple[int, ...]
    echelon_holding: tuple[float, ...]
    backorder_cost: float
    demand_mean: float
    demand_sd: float

    @property
    def local_holding(self) -> tuple[float, ...]:
        return tuple(float(v) for v in np.cumsum(self.echelon_holding[::-1])[::-1])


def serial_echelon_levels(chain: SerialChain) -> tuple[float, ...]:
    """Echelon base-stock levels by the Shang-Song newsvendor heuristic.

    Stage ``j`` is a newsvendor over demand in its cumulative lead time with backorder
    cost ``p + sum(h[j+1:])``; its level is the mean of the solutions with holding cost
    ``sum(h[:j+1])`` (upper bound problem) and ``h[j]`` (lower bound problem).
    """
    h = np.asarray(chain.echelon_holding, float)
    cumulative_lead = np.cumsum(chain.lead_times)
    levels = []
    for j in range(len(h)):
        p = chain.backorder_cost + h[j + 1 :].sum()
        upper = NormalDist().inv_cdf(p / (p + h[: j + 1].sum()))
        lower = NormalDist().inv_cdf(p / (p + h[j]))
        spread = chain.demand_sd * np.sqrt(cumulative_lead[j])
        levels.append(
            float(chain.demand_mean * cumulative_lead[j] + spread * (upper + lower) / 2.0)
        )
    return tuple(levels)


@dataclass(frozen=True)
class TreeTargets:
    """Safety stock per store and per warehouse, and whether each warehouse buffers."""

    store: FloatArray
    warehouse: FloatArray
    warehouse_buffers: npt.NDArray[np.bool_]


def two_echelon_targets(
    z: float,
    group: npt.NDArray[np.int64],
    store_mean: FloatArray,
    store_sd: FloatArray,
    store_time: FloatArray,
    store_holding: FloatArray,
    warehouse_time: FloatArray,
    warehouse_lead_sd: FloatArray,
    warehouse_holding: FloatArray,
) -> TreeTargets:
    """Guaranteed-service placement for many warehouse -> stores trees at once.

    Parameters
    ----------
    z
        Safety factor of the service level.
    group
        Index of the tree (warehouse x SKU) of each store.
    store_mean, store_sd, store_time, store_holding
        Per store: demand per period, its standard deviation, replenishment time from
        the warehouse in periods (transit plus review) and holding cost per period.
    warehouse_time, warehouse_lead_sd, warehouse_holding
        Per tree: replenishment time from the supplier (lead time plus review) and its
        standard deviation in periods, and the warehouse holding cost.

    Returns
    -------
    TreeTargets
        The cheaper of "warehouse quotes 0" and "warehouse quotes its full time".
    """
    trees = len(warehouse_time)
    mean = np.bincount(group, store_mean, trees).astype(float)
    sd = np.sqrt(np.bincount(group, store_sd**2, trees))
    zeros = np.zeros(len(group))
    store_near = buffer(z, store_time, store_mean, store_sd, zeros)
    store_far = buffer(
        z, store_time + warehouse_time[group], store_mean, store_sd, warehouse_lead_sd[group]
    )
    warehouse_ss = buffer(z, warehouse_time, mean, sd, warehouse_lead_sd)
    cost_buffer = warehouse_holding * warehouse_ss + np.bincount(
        group, store_holding * store_near, trees
    )
    cost_pass = np.bincount(group, store_holding * store_far, trees)
    buffers = cost_buffer <= cost_pass
    return TreeTargets(
        store=np.where(buffers[group], store_near, store_far),
        warehouse=np.where(buffers, warehouse_ss, 0.0),
        warehouse_buffers=buffers,
    )
