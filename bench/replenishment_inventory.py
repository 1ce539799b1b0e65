"""Replenishment against inventory anchors with known optima (``inventory-anchor/v1``).

Every ``*.json`` in the given folders (default: ../shared/data/inventory and
bench/data/inventory) is run by its category:

* single-stage stochastic (``newsvendor``, ``base_stock_single``, ``sS_periodic``,
  ``rQ_continuous``): the planner rolled forward as a policy (plan, live one period,
  re-plan; ``rolling.roll``) against the file's optimal policy on the same demand
  (common random numbers): costs, paired gap and its standard error, and the planner's
  effective policy read from its orders;
* ``lot_sizing_deterministic``: the planner's plan and cost against the exact optimum
  (files with a ``prices`` schedule: price changes and all-units discounts, their
  optimum checked again by ``exact_lot_sizing``);
* ``serial_ssm``: the planner cannot express a 3-stage chain (supplier -> warehouse ->
  store only), so this row checks the echelon base-stock helper (Shang-Song levels)
  by simulation with common random numbers, on the file's demand (normal or Poisson);
  a Poisson file's optimum is recomputed by the exact recursion (``clark_scarf``). Its
  assembly twin (Rosling) is what is rolled through a planner;
* ``assembly_ssm``: the assembly planner (``assembly.py``: Rosling's serial equivalent,
  planned from the state every period) rolled against the file's balanced echelon
  base-stock optimum with common random numbers;
* ``tree_gsm``: CP-SAT committed service times against the Graves-Willems optimum.

Continuous-review files are reviewed every ``time.simulation_step`` time units; their
costs are shown per time unit. The table goes to bench/results/replenishment_inventory.md
with the commit and the machine's load.

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/replenishment_inventory.py [DIR ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import poisson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replenishment_support import anchor_single_stage, wagner_whitin_case  # noqa: E402

from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment  # noqa: E402
from supplynet.optimizer.replenishment.assembly import run_anchor  # noqa: E402
from supplynet.optimizer.replenishment.demand_models import DemandModel  # noqa: E402
from supplynet.optimizer.replenishment.gsm import GsmStage, optimize_service_times  # noqa: E402
from supplynet.optimizer.replenishment.rolling import PlannerPolicy, roll  # noqa: E402
from supplynet.optimizer.replenishment.safety_stock import (  # noqa: E402
    SerialChain,
    serial_echelon_levels,
)
from supplynet.optimizer.simulation import simulate_echelon_base_stock  # noqa: E402

DEFAULT_DIRS = (
    ROOT.parent / "shared" / "data" / "inventory",
    ROOT / "bench" / "data" / "inventory",
)
RESULTS = ROOT / "bench" / "results" / "replenishment_inventory.md"
SINGLE_STAGE = ("newsvendor", "base_stock_single", "sS_periodic", "rQ_continuous")
Anchor = dict[str, Any]


def planner_settings(data: Anchor, lead: int, step: float) -> PlanSettings:
    """Daily periods; a horizon covering the lead time and two order cycles (EOQ)."""
    (stage,) = data["network"]["stages"]
    fixed, holding = stage.get("fixed_order_cost", 0.0), stage["holding_cost"]
    spec = data["demand"][stage["id"]]
    rate = float(spec.get("mean", spec.get("rate", 0.0)))
    cycle = np.sqrt(2 * fixed * rate / holding) / rate if fixed > 0 and rate > 0 else 1.0
    horizon = lead + 2 + max(6, int(np.ceil(2 * cycle / step)))
    return PlanSettings(
        horizon=horizon, period_days=1, relative_gap=1e-4, workers=1, time_limit_s=20.0
    )


def effective(planner: PlannerPolicy) -> str:
    """The planner's policy as seen: reorder point and order-up-to levels."""
    position, order = planner.observed()
    ordered = order > 1e-9
    if not ordered.any():
        return "never orders"
    upto = position[ordered] + order[ordered]
    idle = position[~ordered]
    s = position[ordered].max()
    lowest_idle = f", idle from {idle.min():.4g}" if len(idle) else ""
    return (
        f"orders at <= {s:.4g}{lowest_idle}; up to {np.median(upto):.4g} "
        f"[{upto.min():.4g}, {upto.max():.4g}]; {len(position)} states planned"
    )


def single_stage(name: str, data: Anchor, trials: int, periods: int, seed: int) -> str:
    instance, optimum, step = anchor_single_stage(data)
    discrete = instance.demand.kind == "poisson"
    trials, periods = (trials, periods) if discrete else (max(4, trials // 4), periods // 6)
    periods = int(periods / step) if step < 1 else periods
    warmup = max(20, periods // 10)
    settings = planner_settings(data, instance.lead_time, step)
    planner = PlannerPolicy(instance, settings)
    started = time.perf_counter()
    best = roll(instance, optimum, trials=trials, periods=periods, warmup=warmup, seed=seed)
    ours = roll(instance, planner, trials=trials, periods=periods, warmup=warmup, seed=seed)
    seconds = time.perf_counter() - started
    gap, error = ours.paired_gap(best)
    expected = data["expected"]
    stated = expected.get("expected_cost_per_period", expected.get("expected_cost_per_time_unit"))
    unit = 1.0 / step
    return (
        f"| {name} | {optimum.name} | {effective(planner)} | {stated:.4f} | "
        f"{best.mean_cost * unit:.4f} ± {best.standard_error * unit:.4f} | "
        f"{ours.mean_cost * unit:.4f} | {gap:+.3%} ± {error:.3%} | {trials}x{periods} "
        f"(H={settings.horizon}) | {seconds:.0f} |"
    )


def lot_sizing(path: Path) -> list[str]:
    data, network, forecast = wagner_whitin_case(dt.date(2025, 1, 6), path)
    values = data["demand"]["store"]["values"]
    settings = PlanSettings(horizon=len(values), period_days=1, relative_gap=0.0)
    expected = data["expected"]
    lines = []
    for label, fast in (("planner (fast path)", True), ("MIP alone", False)):
        plan = plan_replenishment(network, forecast, replace(settings, fast_path=fast))
        orders = np.zeros(len(values))
        orders[plan.orders["order_period"]] = plan.orders["quantity"]
        same = orders.tolist() == expected["decisions"]["order_quantities"]
        exact = abs(plan.objective - expected["total_cost"]) < 1e-6
        if "prices" in data:
            stage = data["network"]["stages"][0]
            best, _ = exact_lot_sizing(
                values, stage["fixed_order_cost"], stage["holding_cost"], data["prices"]["store"]
            )
            exact = exact and abs(best - expected["total_cost"]) < 1e-6
        lines.append(
            f"| {data['id']} ({label}) | {expected['decisions']['order_quantities']} | "
            f"{[round(float(q)) for q in orders]} | {expected['total_cost']} | "
            f"{plan.objective:g} | plan {same}, cost {exact} |"
        )
    return lines


def unit_price(prices: Anchor, period: int, quantity: float) -> float:
    """The unit cost of an order of ``quantity`` in ``period`` under an anchor's schedule."""
    past = [r for r in prices["schedule"] if r["from_period"] <= period]
    if not past:
        return float(prices["unit_cost"])
    latest = max(r["from_period"] for r in past)
    rows = [r for r in past if r["from_period"] == latest]
    base = [r["unit_cost"] for r in rows if r["min_quantity"] <= 0] or [prices["unit_cost"]]
    return float(min(base + [r["unit_cost"] for r in rows if r["min_quantity"] <= quantity]))


def exact_lot_sizing(
    demand: list[int], fixed: float, holding: float, prices: Anchor
) -> tuple[float, list[int]]:
    """Optimal cost and orders by a dynamic program over integer stock and every integer
    order quantity (no shortages, nothing left to value at the end): the check of price
    schedules, where Wagner-Whitin's zero-inventory orders need not be optimal."""
    total = sum(demand)
    value = np.zeros(total + 1)
    choices = []
    for t in reversed(range(len(demand))):
        best, pick = np.full(total + 1, np.inf), np.zeros(total + 1, int)
        for stock in range(total + 1):
            for order in range(max(0, demand[t] - stock), total + 1 - stock):
                left = stock + order - demand[t]
                cost = (fixed if order else 0.0) + unit_price(prices, t, order) * order
                cost += holding * left + value[left]
                if cost < best[stock] - 1e-12:
                    best[stock], pick[stock] = cost, order
        value = best
        choices.insert(0, pick)
    stock, orders = 0, []
    for t, pick in enumerate(choices):
        orders.append(int(pick[stock]))
        stock += orders[-1] - demand[t]
    return float(value[0]), orders


def clark_scarf(chain: SerialChain, pmf: Any, step: float) -> tuple[list[float], float]:
    """Optimal echelon base-stock levels and cost per period of a serial chain: the
    Clark-Scarf recursion as Chen & Zheng (1994) state it (Snyder & Shen sec. 6.2.3), on
    a grid of ``step`` units; ``pmf(L)`` gives the demand over ``L`` periods as grid
    steps and probabilities. Exact for integer demand on an integer grid; on a 0.05 grid
    it gives Ex. 6.1's published (6.5, 12.0, 22.7) and 47.66."""
    span = 60.0 * sum(chain.lead_times) * max(chain.demand_mean, 1.0)
    x = np.arange(-np.ceil(span / step), np.ceil(span / step) + 1) * step
    cost = (chain.backorder_cost + sum(chain.echelon_holding)) * np.maximum(-x, 0.0)
    levels, best = [], 0.0
    for lead, holding in zip(chain.lead_times, chain.echelon_holding, strict=True):
        local = holding * x + cost
        steps, weights = pmf(lead)
        top = int(steps.max())
        expected = np.zeros(len(x) - top)
        for d, w in zip(steps, weights, strict=True):
            expected += w * local[top - d : len(x) - d]
        at = int(np.argmin(expected))
        levels.append(float(x[top + at]))
        best = float(expected[at])
        cost = np.full(len(x), np.inf)
        cost[top:] = np.where(x[top:] <= x[top + at], expected, best)
    return levels, best


def poisson_steps(rate: float) -> Any:
    """Demand over ``L`` periods of a Poisson process, on the integer grid."""

    def pmf(lead: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        steps = np.arange(int(poisson.ppf(1 - 1e-12, rate * lead)) + 1)
        weights = poisson.pmf(steps, rate * lead)
        return steps, weights / weights.sum()

    return pmf


def serial(data: Anchor, seed: int) -> str:
    stages = data["network"]["stages"][::-1]
    demand = DemandModel.from_anchor(data["demand"][stages[0]["id"]])
    chain = SerialChain(
        tuple(s["lead_time"] for s in stages),
        tuple(s["echelon_holding_cost"] for s in stages),
        stages[0]["stockout_cost"],
        demand.mean,
        demand.std,
    )
    levels = data["expected"]["decisions"]["echelon_base_stock"]
    optimum = tuple(levels[s["id"]] for s in stages)
    stated = data["expected"]["expected_cost_per_period"]
    check = ""
    if demand.kind == "poisson":
        exact, cost = clark_scarf(chain, poisson_steps(demand.mean), 1.0)
        same = exact == list(optimum) and abs(cost - stated) < 1e-3
        check = f"; exact recursion {'agrees' if same else f'DISAGREES: {exact}, {cost:.4f}'}"
    run = {"seed": seed, "demand_model": demand}
    best = simulate_echelon_base_stock(chain, optimum, **run)
    ours = simulate_echelon_base_stock(chain, serial_echelon_levels(chain), **run)
    gap, error = ours.paired_gap(best)
    mine = ", ".join(f"{v:.3f}" for v in serial_echelon_levels(chain))
    return (
        f"| {data['id']} (helper, not rolled{check}) | echelon S*={optimum} | "
        f"echelon S=({mine}) | {stated:.4f} | "
        f"{best.mean_cost:.4f} ± {best.standard_error:.4f} | {ours.mean_cost:.4f} | "
        f"{gap:+.3%} ± {error:.3%} | 100x1000 | |"
    )


def assembly(data: Anchor, seed: int) -> str:
    started = time.perf_counter()
    run = run_anchor(data, trials=100, periods=1000, seed=seed)
    seconds = time.perf_counter() - started
    gap, error = run.ours.paired_gap(run.best)
    finished, parts = run.planner.levels()
    mine = ", ".join(f"{v:.3f}" for v in (finished, *parts))
    return (
        f"| {data['id']} | {run.optimum.name} | echelon S=({mine}), planned every period | "
        f"{data['expected']['expected_cost_per_period']:.4f} | "
        f"{run.best.mean_cost:.4f} ± {run.best.standard_error:.4f} | {run.ours.mean_cost:.4f} | "
        f"{gap:+.3%} ± {error:.3%} | 100x1000 (H=8) | {seconds:.0f} |"
    )


def gsm(data: Anchor) -> list[str]:
    external = {e["to"]: e["service_time"] for e in data["network"]["external_supply"]}
    edges = [(e["from"], e["to"]) for e in data["network"]["edges"]]
    z = data["service"]["demand_bound_constant_z"]
    expected = {"2 (base)": data["expected"]["safety_stock_cost_per_period"]}
    expected |= dict(data["expected"].get("variants_max_outbound_service_time", {}).items())
    lines = []
    for label, cost in expected.items():
        cap = int(label.split()[0])
        stages = [
            GsmStage(
                s["id"],
                s["processing_time"],
                s["holding_cost"],
                10.0,
                cap if s.get("external_demand") else None,
                external.get(s["id"], 0),
            )
            for s in data["network"]["stages"]
        ]
        solution = optimize_service_times(stages, edges, z)
        lines.append(
            f"| {data['id']} max service {label} | {cost:.6f} | {solution.cost:.6f} | "
            f"{solution.cost / cost - 1:+.1e} | {solution.optimal} |"
        )
    return lines


def header() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"commit {commit}; load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dirs", nargs="*", type=Path, default=list(DEFAULT_DIRS))
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--periods", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    rolled, lots, trees = [], [], []
    for folder in args.dirs:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text())
            if data.get("schema") != "inventory-anchor/v1":
                continue
            category = data["category"]
            if category in SINGLE_STAGE:
                lines = [single_stage(data["id"], data, args.trials, args.periods, args.seed)]
                rolled += lines
            elif category == "serial_ssm":
                lines = [serial(data, args.seed)]
                rolled += lines
            elif category == "assembly_ssm":
                lines = [assembly(data, args.seed)]
                rolled += lines
            elif category == "lot_sizing_deterministic":
                lines = lot_sizing(path)
                lots += lines
            elif category == "tree_gsm":
                lines = gsm(data)
                trees += lines
            else:
                lines = [f"| {data['id']} | category {category}: not run | | | | | | | |"]
                rolled += lines
            print("\n".join(lines), flush=True)
    report = [
        "# Replenishment vs. inventory anchors",
        "",
        header(),
        "",
        "## The planner rolled forward as a policy (common random numbers)",
        "",
        "| instance | optimal policy | planner's effective policy | C* stated | "
        "sim C(optimal) ± se | sim C(planner) | paired gap ± se | trials x periods | s |",
        "|---|---|---|---|---|---|---|---|---|",
        *rolled,
        "",
        "Costs per period (per time unit for continuous review). Gap: planner vs optimal "
        "policy on the same demand. Normal-demand rows use fewer periods: every state is "
        "new, so each period is a solve.",
        "",
        "## Deterministic lot sizing",
        "",
        "| instance | optimal orders | planner's orders | C* | planner | exact |",
        "|---|---|---|---|---|---|",
        *lots,
        "",
        "## Guaranteed-service trees (CP-SAT)",
        "",
        "| instance | expected cost | CP-SAT cost | rel. diff | optimal |",
        "|---|---|---|---|---|",
        *trees,
        "",
    ]
    text = "\n".join(report)
    print(text)
    args.output.write_text(text)


if __name__ == "__main__":
    main()
