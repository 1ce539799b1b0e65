"""Replenishment against the inventory anchors in ../shared/data/inventory.

* lot sizing (Wagner-Whitin): the MIP's plan and cost against the known optimum;
* newsvendor and 3-stage serial (Clark-Scarf): the simulator first reproduces the
  optimal policy's cost, then the planner's levels (safety_stock.serial_echelon_levels)
  are simulated with common random numbers against the optimum (paired gap);
* GSM camera tree: CP-SAT committed service times against the Graves-Willems optimum.

Simulations follow the anchors: 100 trials x 1000 periods, 100 warm-up; each row is
repeated over ``--repeats`` seeds and the median is shown.

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/replenishment_inventory.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replenishment_support import chain_network, fixed_forecast  # noqa: E402

from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment  # noqa: E402
from supplynet.optimizer.replenishment.gsm import GsmStage, optimize_service_times  # noqa: E402
from supplynet.optimizer.replenishment.safety_stock import (  # noqa: E402
    SerialChain,
    serial_echelon_levels,
)
from supplynet.optimizer.simulation import simulate_echelon_base_stock  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "inventory"


def load(name: str) -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((DATA / f"{name}.json").read_text())  # type: ignore[type-arg]
    return data


def lot_sizing() -> None:
    data = load("ww_lot_sizing_snyder_shen_ex3_9")
    stage = data["network"]["stages"][0]
    values = data["demand"]["store"]["values"]
    network = chain_network(
        fixed_order_cost=stage["fixed_order_cost"], holding=stage["holding_cost"], price=1e4
    )
    forecast = fixed_forecast({"S1": values}, dt.date(2025, 1, 6), 1)
    settings = PlanSettings(horizon=len(values), period_days=1, relative_gap=0.0)
    expected = data["expected"]
    print("\n## Deterministic lot sizing (Wagner-Whitin, Snyder & Shen ex. 3.9)\n")
    print("| | orders | fixed | holding | total | bound | status | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| expected | {expected['decisions']['order_quantities']} | "
        f"{expected['cost_breakdown']['fixed']} | {expected['cost_breakdown']['holding']} | "
        f"{expected['total_cost']} | | | |"
    )
    matches = []
    for label, fast in (("planner (fast path)", True), ("MIP alone", False)):
        started = time.perf_counter()
        plan = plan_replenishment(network, forecast, replace(settings, fast_path=fast))
        seconds = time.perf_counter() - started
        orders = np.zeros(len(values))
        orders[plan.orders["order_period"]] = plan.orders["quantity"]
        print(
            f"| {label} | {[round(float(q)) for q in orders]} | {plan.costs['fixed_order']:g} | "
            f"{plan.costs['holding']:g} | {plan.objective:g} | {plan.bound:g} | {plan.status} | "
            f"{seconds:.2f} |"
        )
        same = orders.tolist() == expected["decisions"]["order_quantities"]
        exact = abs(plan.objective - expected["total_cost"]) < 1e-6
        matches.append(f"{label}: exact match: plan {same}, cost {exact}")
    print("\n" + "\n".join(matches))


def stochastic(repeats: int) -> None:
    nv = load("nv_normal_snyder_shen_ex4_3")
    store = nv["network"]["stages"][0]
    serial = load("serial3_clark_scarf_snyder_shen_ex6_1")
    stages = serial["network"]["stages"][::-1]
    cases = [
        (
            "newsvendor N(50,8^2)",
            SerialChain((1,), (store["holding_cost"],), store["stockout_cost"], 50.0, 8.0),
            (nv["expected"]["decisions"]["base_stock_level"]["store"],),
            nv["expected"]["expected_cost_per_period"],
            nv["expected"].get("cost_tolerance", 0.0),
            (50.0,),
        ),
        (
            "serial 3-stage Clark-Scarf",
            SerialChain(
                tuple(s["lead_time"] for s in stages),
                tuple(s["echelon_holding_cost"] for s in stages),
                stages[0]["stockout_cost"],
                5.0,
                1.0,
            ),
            tuple(serial["expected"]["decisions"]["echelon_base_stock"][s["id"]] for s in stages),
            serial["expected"]["expected_cost_per_period"],
            serial["expected"]["cost_tolerance"],
            (5.0, 10.0, 20.0),
        ),
    ]
    print("\n## Stochastic anchors: simulator check, then the planner's policy (CRN)\n")
    print(f"median over {repeats} seeds; 100 trials x 1000 periods (100 warm-up) each\n")
    print(
        "| instance | C* stated | tol | sim C(S*) ± se | within | planner S | sim C(planner) | "
        "paired gap ± se | mean-only gap | periods/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, chain, optimum, stated, tolerance, mean_only in cases:
        rows = []
        for seed in range(repeats):
            started = time.perf_counter()
            best = simulate_echelon_base_stock(chain, optimum, seed=seed)
            speed = best.periods * best.trials / (time.perf_counter() - started)
            ours = simulate_echelon_base_stock(chain, serial_echelon_levels(chain), seed=seed)
            naive = simulate_echelon_base_stock(chain, mean_only, seed=seed)
            gap, error = ours.paired_gap(best)
            rows.append(
                (best.mean_cost, best.standard_error, ours.mean_cost, gap, error,
                 naive.paired_gap(best)[0], speed)
            )  # fmt: skip
        med = [statistics.median(col) for col in zip(*rows, strict=True)]
        within = abs(med[0] - stated) <= tolerance + 3 * med[1]
        levels = ", ".join(f"{v:.3f}" for v in serial_echelon_levels(chain))
        print(
            f"| {name} | {stated:.4f} | {tolerance:g} | {med[0]:.4f} ± {med[1]:.4f} | {within} | "
            f"({levels}) | {med[2]:.4f} | {med[3]:+.3%} ± {med[4]:.3%} | {med[5]:+.1%} | "
            f"{med[6]:,.0f} |"
        )
    print("\n'within': |sim - stated| <= tolerance + 3 se; periods/s counts trial-periods.")


def gsm() -> None:
    data = load("gsm_tree_camera_snyder_shen_fig6_14")
    external = {e["to"]: e["service_time"] for e in data["network"]["external_supply"]}
    edges = [(e["from"], e["to"]) for e in data["network"]["edges"]]
    z = data["service"]["demand_bound_constant_z"]
    expected = {"2 (base)": data["expected"]["safety_stock_cost_per_period"]}
    expected |= {k: v for k, v in data["expected"]["variants_max_outbound_service_time"].items()}
    print("\n## Guaranteed-service tree (camera, Graves-Willems), CP-SAT\n")
    print("| max end-item service | expected cost | CP-SAT cost | rel. diff | optimal | seconds |")
    print("|---|---|---|---|---|---|")
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
        started = time.perf_counter()
        solution = optimize_service_times(stages, edges, z)
        seconds = time.perf_counter() - started
        print(
            f"| {label} | {cost:.6f} | {solution.cost:.6f} | {solution.cost / cost - 1:+.1e} | "
            f"{solution.optimal} | {seconds:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    lot_sizing()
    stochastic(args.repeats)
    gsm()


if __name__ == "__main__":
    main()
