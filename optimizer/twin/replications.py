"""Replications with common random numbers, fanned out over processes, and paired A/B.

Replication ``r`` draws one ``Scenario`` from the ``r``-th child of ``seed``'s
``SeedSequence``; every policy runs on that same scenario, so policy differences are
not masked by different luck. Each replication is one task (the scenario is drawn once
and all arms run on it); tasks fan out through the project's executor
(``graph.executor.parallel_map``), and results depend only on the seeds, never on the
engine or the worker count. A replication that fails is reported with its
error, never dropped silently.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.executor import ParallelSettings, Progress, parallel_map
from supplynet.graph.synthetic import SyntheticTruth
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.kpis import KPI_NAMES, kpis
from supplynet.optimizer.twin.policy import PolicyFactory
from supplynet.optimizer.twin.scenario import draw_scenario
from supplynet.optimizer.twin.simulator import Mode, TwinRun, simulate
from supplynet.optimizer.twin.supplynet_policy import SupplynetPolicy
from supplynet.optimizer.twin.world import TwinWorld

POLICIES: dict[str, PolicyFactory] = {
    "baseline": BaselinePolicy,
    "supplynet": SupplynetPolicy,
    "oracle": partial(SupplynetPolicy, foresight=True),
    "supplynet_daily": partial(SupplynetPolicy, review_days=1),
}
"""The arms by name; a new arm is one entry here, the simulator stays as it is."""


@dataclass(frozen=True)
class TwinSettings:
    """What to run: arms, days, replications, seed, lost sales or backorders, workers."""

    policies: tuple[str, ...] = ("baseline", "supplynet")
    days: int = 182
    replications: int = 5
    seed: int = 0
    mode: Mode = "lost_sales"
    workers: int = 1

    def problems(self) -> list[Problem]:
        found = [
            Problem("policies", f"unknown policy {name!r} (known: {', '.join(POLICIES)})")
            for name in self.policies
            if name not in POLICIES
        ]
        if not self.policies:
            found.append(Problem("policies", "name at least one policy"))
        if self.days < 1:
            found.append(Problem("days", f"must be at least 1 (got {self.days})"))
        if self.replications < 1:
            found.append(Problem("replications", f"must be at least 1 (got {self.replications})"))
        if self.mode not in ("lost_sales", "backorders"):
            found.append(Problem("mode", f"must be lost_sales or backorders (got {self.mode!r})"))
        if self.workers < 1:
            found.append(Problem("workers", f"must be at least 1 (got {self.workers})"))
        return found


@dataclass(frozen=True)
class TwinResult:
    """KPIs per (replication, policy), daily series, and failed runs with their errors.

    Frames
    ------
    kpis: replication, seed, policy, one column per ``KPI_NAMES``
    daily: replication, policy, day, demand, sold, unmet, wasted, stock_value,
        holding_cost, delivery_cost, ordering_cost
    failures: replication, seed, policy, error
    """

    kpis: pd.DataFrame
    daily: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())

    def table(self) -> pd.DataFrame:
        """Mean of each KPI per policy over the replications."""
        return self.kpis.groupby("policy", sort=False)[list(KPI_NAMES)].mean()

    def paired(self, reference: str = "baseline") -> pd.DataFrame:
        """Paired differences ``policy - reference`` per KPI with a 95% t interval.

        Columns: policy, kpi, reference_mean, mean_difference, ci_low, ci_high,
        relative (mean difference over the reference mean), replications.
        """
        wide = self.kpis.set_index(["replication", "policy"])[list(KPI_NAMES)]
        rows: list[dict[str, object]] = []
        if reference not in wide.index.get_level_values("policy"):
            return pd.DataFrame(rows)
        base = wide.xs(reference, level="policy")
        for policy in self.kpis["policy"].unique():
            if policy == reference:
                continue
            arm = wide.xs(policy, level="policy")
            common = arm.index.intersection(base.index)
            for kpi in KPI_NAMES:
                diff = (arm.loc[common, kpi] - base.loc[common, kpi]).to_numpy(float)
                rows.append(_paired_row(policy, kpi, float(base.loc[common, kpi].mean()), diff))
        return pd.DataFrame(rows)


def _paired_row(policy: str, kpi: str, reference: float, diff: np.ndarray) -> dict[str, object]:
    n = len(diff)
    mean = float(diff.mean()) if n else float("nan")
    half = (
        float(stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    )
    return {
        "policy": policy,
        "kpi": kpi,
        "reference_mean": reference,
        "mean_difference": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "relative": mean / reference if reference else float("nan"),
        "replications": n,
    }


def replication_seeds(seed: int, replications: int) -> list[int]:
    """One independent seed per replication, from ``seed``'s ``SeedSequence`` children."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1)[0]) for child in children]


def run_twin(
    world: TwinWorld,
    settings: TwinSettings,
    truth: SyntheticTruth | None = None,
    progress: Progress | None = None,
    parallel: ParallelSettings | None = None,
) -> TwinResult:
    """Run every policy of ``settings`` on each replication's common scenario.

    ``parallel`` chooses the executor (local processes or Ray); by default
    ``settings.workers`` local processes.

    Raises
    ------
    ValidationFailed
        For bad settings (field paths ``policies``, ``days``, ``replications``, ...).
    """
    problems = settings.problems()
    if problems:
        raise ValidationFailed(problems, "simulation request")
    seeds = replication_seeds(settings.seed, settings.replications)
    task = partial(_replication, world, truth, settings)
    # one replication per task, none run ahead in this process: replications are long
    parallel = parallel or ParallelSettings(workers=settings.workers, chunk_size=1, pilot=False)
    parts = parallel_map(task, list(enumerate(seeds)), parallel, progress)
    kpi_rows = [row for rows, _, _ in parts for row in rows]
    daily = [frame for _, frames, _ in parts for frame in frames]
    failures = [failure for _, _, fails in parts for failure in fails]
    return TwinResult(
        kpis=pd.DataFrame(kpi_rows, columns=["replication", "seed", "policy", *KPI_NAMES]),
        daily=pd.concat(daily, ignore_index=True) if daily else pd.DataFrame(),
        failures=pd.DataFrame(failures, columns=["replication", "seed", "policy", "error"]),
    )


def _replication(
    world: TwinWorld,
    truth: SyntheticTruth | None,
    settings: TwinSettings,
    item: tuple[int, int],
) -> tuple[list[dict[str, object]], list[pd.DataFrame], list[dict[str, object]]]:
    replication, seed = item
    scenario = draw_scenario(world, settings.days, seed, truth)
    rows, frames, failures = [], [], []
    for name in settings.policies:
        try:
            run = simulate(world, scenario, POLICIES[name](world), settings.mode)
        except Exception as error:  # a failed arm is reported, the others still run
            detail = "".join(traceback.format_exception_only(error)).strip()
            failures.append(
                {"replication": replication, "seed": seed, "policy": name, "error": detail}
            )
            continue
        rows.append({"replication": replication, "seed": seed, "policy": name, **kpis(world, run)})
        frames.append(daily_series(world, run).assign(replication=replication, policy=name))
    return rows, frames, failures


def daily_series(world: TwinWorld, run: TwinRun) -> pd.DataFrame:
    """Per simulated day: demand, sales, unserved and expired units, stock value, costs."""
    n = world.n_store
    return pd.DataFrame(
        {
            "day": np.arange(run.days),
            "date": pd.date_range(world.start, periods=run.days, freq="D"),
            "demand": run.demand.sum(axis=1),
            "sold": run.sold[:, :n].sum(axis=1),
            "unmet": run.unmet.sum(axis=1),
            "wasted": run.wasted.sum(axis=1),
            "stock_value": (run.on_hand * world.unit_cost).sum(axis=1),
            "holding_cost": (run.on_hand * world.holding_per_day).sum(axis=1),
            "delivery_cost": run.route_cost,
            "ordering_cost": run.order_fixed_cost,
        }
    )
