"""Digital twin A/B: business outcomes of ``supplynet`` against ``baseline`` (and ``oracle``).

Runs the closed loop (forecast -> plan -> route -> deliver -> sell) day by day on a
synthetic preset with common random numbers, prints the KPI table per policy, the paired
differences with 95% t intervals, the issue's targets met or missed, the wall time, the
commit and the load average, and writes the same to ``bench/results/twin_<preset>.md``.
A second, small run (``--oracle-preset``) measures the gap of both arms to the oracle.

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/twin_outcomes.py \
        --preset demo --days 182 --replications 5 --workers 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from supplynet.graph.synthetic import generate
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.kpis import kpis
from supplynet.optimizer.twin.plots import effects_figure, outcome_figure
from supplynet.optimizer.twin.replications import TwinResult, TwinSettings, run_twin
from supplynet.optimizer.twin.scenario import draw_scenario
from supplynet.optimizer.twin.simulator import simulate
from supplynet.optimizer.twin.world import build_world

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = (
    "stockout_rate",
    "fill_rate",
    "inventory_turns",
    "days_of_supply",
    "slow_moving_share",
    "waste_rate",
    "delivery_cost_per_unit",
    "delivery_km",
    "vehicle_days",
    "holding_cost",
    "ordering_cost",
    "gross_margin",
    "profit",
    "bullwhip_store",
    "bullwhip_warehouse",
    "planning_seconds",
)


def markdown(frame: pd.DataFrame) -> str:
    """A pipe table, numbers to four significant digits."""

    def cell(value: object) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |"]
    lines.append("|" + " --- |" * len(frame.columns))
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def run(preset: str, settings: TwinSettings, out: list[str]) -> tuple[TwinResult, float]:
    data = generate(preset, settings.seed)
    world = build_world(data.network, data.demand)
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        print(f"  replication {done}/{total} done ({time.monotonic() - started:.0f} s)", flush=True)

    result = run_twin(world, settings, data.truth, progress)
    seconds = time.monotonic() - started
    out.append(
        f"\n## {preset}: {settings.days} days x {settings.replications} replications, "
        f"policies {', '.join(settings.policies)}, seed {settings.seed}, mode {settings.mode}, "
        f"{settings.workers} workers: {seconds:.0f} s wall\n"
    )
    table = result.table()[list(HEADLINE)].T
    out.append("### KPIs (mean over replications)\n")
    out.append(markdown(table.reset_index(names="kpi")))
    paired = result.paired()
    if not paired.empty:
        out.append("\n### Paired differences against baseline (95% t interval)\n")
        shown = paired[paired["kpi"].isin(HEADLINE)]
        out.append(markdown(shown))
    if not result.failures.empty:
        out.append("\n### Failed runs\n")
        out.append(markdown(result.failures))
    return result, seconds


def targets(result: TwinResult) -> list[str]:
    table = result.table()
    if not {"baseline", "supplynet"} <= set(table.index):
        return []
    base, ours = table.loc["baseline"], table.loc["supplynet"]
    paired = result.paired().set_index(["policy", "kpi"])

    def rel(kpi: str) -> float:
        return float(ours[kpi] / base[kpi] - 1)

    margin = paired.loc[("supplynet", "gross_margin")]
    rows = [
        ("baseline stockout rate near 5%", f"{base['stockout_rate']:.2%}", True),
        (
            "supplynet stockout rate <= 1.2%",
            f"{ours['stockout_rate']:.2%}",
            ours["stockout_rate"] <= 0.012,
        ),
        (
            "delivery cost per unit -18% or better",
            f"{rel('delivery_cost_per_unit'):+.1%}",
            rel("delivery_cost_per_unit") <= -0.18,
        ),
        (
            "inventory turns +50% or better",
            f"{base['inventory_turns']:.1f} -> {ours['inventory_turns']:.1f} "
            f"({rel('inventory_turns'):+.1%})",
            rel("inventory_turns") >= 0.5,
        ),
        (
            "slow-moving share -27% or better",
            f"{base['slow_moving_share']:.2%} -> {ours['slow_moving_share']:.2%} "
            f"({rel('slow_moving_share'):+.1%})",
            rel("slow_moving_share") <= -0.27,
        ),
        (
            "perishable waste <= 3% of received",
            f"{ours['waste_rate']:.2%}",
            ours["waste_rate"] <= 0.03,
        ),
        (
            "no loss of gross margin (95% CI upper bound >= 0)",
            f"{margin['mean_difference']:+,.0f} "
            f"[{margin['ci_low']:+,.0f}, {margin['ci_high']:+,.0f}]",
            margin["ci_high"] >= 0,
        ),
    ]
    lines = [
        "\n## Targets (supplynet against baseline)\n",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in rows]
    return lines


def oracle_gap(result: TwinResult) -> list[str]:
    table = result.table()
    if "oracle" not in table.index:
        return []
    best = table.loc["oracle", "profit"]
    lines = [
        "\n## Gap to the oracle (profit lost to perfect foresight)\n",
        "| policy | profit | gap |",
        "| --- | --- | --- |",
    ]
    for policy in table.index:
        profit = table.loc[policy, "profit"]
        lines.append(f"| {policy} | {profit:,.0f} | {(best - profit) / abs(best):.1%} |")
    return lines


def baseline_sweep(preset: str, days: int, seeds: list[int], zs: list[float]) -> list[str]:
    """Stockout and fill rate of the baseline per safety factor, on seeds the A/B does not use."""
    data = generate(preset, 0)
    world = build_world(data.network, data.demand)
    scenarios = [draw_scenario(world, days, seed, data.truth) for seed in seeds]
    lines = [
        f"\n## Baseline safety factor sweep ({preset}, {days} days, scenario seeds {seeds})\n",
        "| z | stockout rate | fill rate |",
        "| --- | --- | --- |",
    ]
    for z in zs:
        runs = [kpis(world, simulate(world, s, BaselinePolicy(world, z=z))) for s in scenarios]
        stockout = sum(k["stockout_rate"] for k in runs) / len(runs)
        fill = sum(k["fill_rate"] for k in runs) / len(runs)
        lines.append(f"| {z:g} | {stockout:.2%} | {fill:.2%} |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="demo")
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--policies", default="baseline,supplynet")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--oracle-preset", default="tiny")
    parser.add_argument("--oracle-days", type=int, default=56)
    parser.add_argument("--oracle-replications", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--baseline-sweep",
        action="store_true",
        help="only sweep the baseline's safety factor on scenario seeds 100-102",
    )
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    out = [
        f"# Digital twin outcomes ({args.preset})\n",
        f"commit {commit}, load average at start {os.getloadavg()[0]:.2f} "
        f"(cores {os.cpu_count()}), `{' '.join(sys.argv[1:])}`",
    ]
    if args.baseline_sweep:
        out += baseline_sweep(args.preset, args.days, [100, 101, 102], [0.5, 0.75, 1.0, 1.25, 1.5])
        text = "\n".join(out) + "\n"
        path = args.out or ROOT / "bench" / "results" / "twin_baseline_tuning.md"
        path.write_text(text)
        print(text)
        return
    policies = tuple(args.policies.split(","))
    main_run, _ = run(
        args.preset,
        TwinSettings(policies, args.days, args.replications, args.seed, workers=args.workers),
        out,
    )
    out += targets(main_run)
    if args.out is None:  # the docs show the default run's figures
        for name, figure in (
            ("twin_outcomes.png", outcome_figure(main_run)),
            ("twin_effects.png", effects_figure(main_run)),
        ):
            figure.savefig(ROOT / "docs" / name, dpi=110)
            out.append(f"\nfigure: docs/{name}")
    if args.oracle_replications > 0:
        oracle_run, _ = run(
            args.oracle_preset,
            TwinSettings(
                ("baseline", "supplynet", "oracle"),
                args.oracle_days,
                args.oracle_replications,
                args.seed,
                workers=args.workers,
            ),
            out,
        )
        out += oracle_gap(oracle_run)
    out.append(f"\nload average at end {os.getloadavg()[0]:.2f}")
    text = "\n".join(out) + "\n"
    print(text)
    path = args.out or ROOT / "bench" / "results" / f"twin_{args.preset}.md"
    path.write_text(text)
    print(f"written {path}")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
