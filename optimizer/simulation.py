"""A vectorised periodic-review simulator for echelon base-stock policies on serial chains.

It is the judge of policies: it replays base-stock levels under stochastic demand and
lead times and reports cost, fill rate and stockout rate. All trials advance together
as numpy arrays, so one Python step simulates a period of every trial.

Timing (the convention of the inventory anchors): in each period shipments arrive,
demand occurs and is filled or backordered at the demand stage, then every stage
orders up to its echelon base-stock level; an order leaves the upstream stage at once
if it has stock (else when it has) and arrives ``L`` periods later. Costs are charged on
end-of-period quantities: local holding on hand, the shipping stage's holding cost on
units in transit between stages, and backorders at the demand stage.

Common random numbers: the demand and delay draws depend only on ``seed``, the number
of trials and periods, never on the policy, so two policies simulated with the same
seed see the same demand and the same late deliveries.

Demand is the chain's normal by default, or any ``DemandModel`` (Poisson, negative
binomial, empirical). A fractional lead time (days that are not whole periods) arrives
at the start of the first period after it lands, so it is rounded up. Single-stage
(s, S), (r, Q) and the planner itself are simulated by
``supplynet.optimizer.replenishment.rolling``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.safety_stock import SerialChain

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulationResult:
    """Per-trial means after the warm-up, and their summary."""

    cost_per_trial: FloatArray
    fill_rate: float
    stockout_rate: float
    periods: int
    trials: int

    @property
    def mean_cost(self) -> float:
        return float(self.cost_per_trial.mean())

    @property
    def standard_error(self) -> float:
        return float(self.cost_per_trial.std(ddof=1) / np.sqrt(self.trials))

    def paired_gap(self, baseline: SimulationResult) -> tuple[float, float]:
        """Relative cost gap to ``baseline`` (same seed) and its standard error."""
        diff = self.cost_per_trial - baseline.cost_per_trial
        base = baseline.mean_cost
        return float(diff.mean() / base), float(diff.std(ddof=1) / np.sqrt(self.trials) / base)


@dataclass(frozen=True)
class LeadTimeRisk:
    """Per stage: probability that an inbound shipment is late and by how many periods."""

    late_probability: tuple[float, ...]
    delay_periods: tuple[int, ...]


def simulate_echelon_base_stock(
    chain: SerialChain,
    levels: tuple[float, ...],
    *,
    trials: int = 100,
    periods: int = 1000,
    warmup: int = 100,
    seed: int = 0,
    risk: LeadTimeRisk | None = None,
    demand_model: DemandModel | None = None,
) -> SimulationResult:
    """Simulate an echelon base-stock policy; stage 0 meets the chain's normal demand
    (truncated at 0) or ``demand_model``.

    Parameters
    ----------
    chain
        Lead times, holding and backorder costs and the demand distribution.
    levels
        Echelon base-stock level of each stage (index 0 = demand stage).
    trials, periods, warmup
        Independent replications, periods each, and leading periods left out of costs.
    seed
        Seed of every random draw (common random numbers across policies).
    risk
        Optional random delays of inbound shipments (deliveries may cross).
    demand_model
        Demand per period instead of the chain's normal one.

    Raises
    ------
    ValidationFailed
        When ``levels`` or ``risk`` do not match the chain's stages.
    """
    stages = len(chain.lead_times)
    problems = []
    if len(levels) != stages:
        problems.append(Problem("levels", f"need {stages} levels (got {len(levels)})"))
    if risk is not None and len(risk.late_probability) != stages:
        problems.append(Problem("risk", f"need {stages} stages"))
    if warmup >= periods:
        problems.append(Problem("warmup", "must be shorter than periods"))
    if problems:
        raise ValidationFailed(problems, "simulation")
    rng = np.random.default_rng(seed)
    model = demand_model or DemandModel("normal", chain.demand_mean, chain.demand_sd)
    demand = model.sample(rng, (periods, trials))
    late = rng.random((periods, stages, trials))
    lead = np.ceil(np.asarray(chain.lead_times, float) - 1e-9).astype(np.int64)
    delays = np.zeros((periods, stages, trials), dtype=np.int64)
    if risk is not None:
        p = np.asarray(risk.late_probability)[None, :, None]
        delays = np.where(late < p, np.asarray(risk.delay_periods)[None, :, None], 0)
    window = int(lead.max() + delays.max()) + 2
    holding = np.asarray(chain.local_holding)
    target = np.asarray(levels, float)

    on_hand = np.zeros((stages, trials))
    on_hand[:] = np.diff(np.concatenate([[0.0], target]))[:, None].clip(min=0)
    backlog = np.zeros((stages + 1, trials))
    pipeline = np.zeros((stages, window, trials))
    cols = np.arange(trials)
    cost = np.zeros(trials)
    demand_total = 0.0
    filled_total = 0.0
    stockouts = 0
    for t in range(periods):
        slot = t % window
        on_hand += pipeline[:, slot]
        pipeline[:, slot] = 0.0
        for j in range(1, stages):
            _ship(
                on_hand, backlog, pipeline, j, (t + lead[j - 1] + delays[t, j - 1]) % window, cols
            )
        backlog[0] += demand[t]
        served = np.minimum(on_hand[0], backlog[0])
        fresh = np.minimum(served, demand[t])
        on_hand[0] -= served
        backlog[0] -= served
        in_transit = pipeline.sum(axis=1)
        physical = np.cumsum(on_hand + in_transit, axis=0)
        for j in range(stages):
            position = physical[j] + backlog[j + 1] - backlog[0]
            order = np.maximum(target[j] - position, 0.0)
            if j + 1 < stages:
                backlog[j + 1] += order
                _ship(
                    on_hand, backlog, pipeline, j + 1, (t + lead[j] + delays[t, j]) % window, cols
                )
                physical = np.cumsum(on_hand + pipeline.sum(axis=1), axis=0)
            else:
                pipeline[j, (t + lead[j] + delays[t, j]) % window, cols] += order
        if t >= warmup:
            transit_cost = (holding[1:, None] * pipeline[:-1].sum(axis=1)).sum(axis=0)
            cost += (holding[:, None] * on_hand).sum(axis=0) + transit_cost
            cost += chain.backorder_cost * backlog[0]
            demand_total += float(demand[t].sum())
            filled_total += float(fresh.sum())
            stockouts += int((backlog[0] > 1e-9).sum())
    measured = periods - warmup
    return SimulationResult(
        cost_per_trial=cost / measured,
        fill_rate=filled_total / demand_total if demand_total > 0 else 1.0,
        stockout_rate=stockouts / (measured * trials),
        periods=periods,
        trials=trials,
    )


def _ship(
    on_hand: FloatArray,
    backlog: FloatArray,
    pipeline: FloatArray,
    stage: int,
    slot: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
) -> None:
    """Stage ``stage`` ships what it can of its backlog to stage ``stage - 1``."""
    shipped = np.minimum(on_hand[stage], backlog[stage])
    on_hand[stage] -= shipped
    backlog[stage] -= shipped
    pipeline[stage - 1, slot, cols] += shipped
