"""Replenishment at scale: the ``large`` preset (12 warehouses, 520 stores, 1050 SKUs).

The forecast is a cheap stand-in (mean and quantiles of each series' last 8 weeks): the
point is solver scale. Cases plan 8 weekly periods for growing SKU subsets of the whole
network, then for all of it, each under one wall-clock limit on ``--workers`` threads.
Baselines in the same run: each subset on one worker, and the smallest subset with the
MIP alone (``fast_path=False``, every part a SCIP solve).

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/replenishment_scale.py \
        [--skus 25,100] [--time-limit 60] [--workers 2] [--repeats 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replenishment_support import recent_forecast  # noqa: E402

from supplynet.graph.scope import Scope  # noqa: E402
from supplynet.graph.synthetic import generate  # noqa: E402
from supplynet.optimizer.replenishment import PlanSettings, build_problem, solve  # noqa: E402
from supplynet.optimizer.replenishment.solve import parts as independent_parts  # noqa: E402


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


SAMPLER = """
import os, sys, pathlib, select
page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
def rss(pid):
    try:
        return int(pathlib.Path(f"/proc/{pid}/statm").read_text().split()[1]) * page_mb
    except OSError:
        return 0.0
pid, peak = int(sys.argv[1]), 0.0
while not select.select([sys.stdin], [], [], 0.2)[0]:
    try:
        kids = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        break
    peak = max(peak, rss(pid) + sum(rss(int(k)) for k in kids))
print(peak)
"""


class PeakMemory:
    """Peak resident memory of this process plus its children (forked workers' shared
    pages count once per process, so this overstates), sampled every 200 ms from
    /proc/<pid>/statm by a separate process: a thread here would make the solver start
    its workers from a forkserver instead of forking, and reading smaps (for shared-page
    accounting) stalled the solve."""

    def __init__(self) -> None:
        self.sampler = subprocess.Popen(
            [sys.executable, "-c", SAMPLER, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> float:
        out, _ = self.sampler.communicate("stop\n")
        return float(out.strip() or 0.0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", default="25,100", help="SKU subset sizes before the full run")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    data = generate("large", seed=1)
    forecast = recent_forecast(data.demand, 8)
    print(
        f"large preset generated and forecast in {time.perf_counter() - started:.1f} s; "
        f"{data.network.counts()}; peak RSS {peak_rss_mb():,.0f} MB"
    )
    skus = sorted(s.id for s in data.network.skus)
    sizes: list[int | None] = [int(v) for v in args.skus.split(",") if v]
    if not args.skip_full:
        sizes.append(None)
    print(load())
    print(
        "\n| SKUs | nodes | supply arcs | transfers | parts | path | workers | build s | solve s | "
        "status | parts solved | objective | gap | limit hit | shortage units | exp. fill | "
        "solve peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        network = (
            data.network
            if size is None
            else data.network.scoped(Scope(sku_ids=frozenset(skus[:size])))
        )
        cases = [(True, w) for w in sorted({1, args.workers}, reverse=True)]
        if size == sizes[0]:
            cases.append((False, args.workers))
        for fast, workers in cases:
            if size is None and workers == 1:
                continue
            settings = PlanSettings(horizon=8, time_limit_s=args.time_limit, workers=workers)
            settings = dataclasses.replace(settings, fast_path=fast)
            runs = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                problem = build_problem(network, forecast, settings)
                built = time.perf_counter() - t0
                memory = PeakMemory()
                t1 = time.perf_counter()
                plan = solve(problem, settings)
                runs.append((built, time.perf_counter() - t1, plan, problem))
                peak_mb = memory.stop()
            built = statistics.median(r[0] for r in runs)
            seconds = statistics.median(r[1] for r in runs)
            plan, problem = runs[-1][2], runs[-1][3]
            parts = len(independent_parts(problem))
            solved = plan.kpis()
            print(
                f"| {size or len(skus)} | {len(problem.nodes):,} | {len(problem.supply):,} | "
                f"{len(problem.transfers):,} | {parts} | {'fast+MIP' if fast else 'MIP'} | "
                f"{workers} | {built:.1f} | {seconds:.1f} | "
                f"{plan.status} | {plan.solved_subproblems}/{plan.subproblems} | "
                f"{plan.objective:,.0f} | {plan.gap:.3%} | "
                f"{plan.time_limit_hit} | "
                f"{solved['shortage_units']:,.0f} | {plan.expected_fill_rate:.3f} | "
                f"{peak_mb:,.0f} |"
            )
    print(
        "\nsolve s: wall clock of solve() (decomposition, fast path, MIP batches, assembly, "
        "explanations); medians over --repeats; solve peak RSS: this process plus its "
        "workers during the last solve (shared pages once per process), the generated "
        "dataset included; peak RSS of the "
        f"whole run {peak_rss_mb():,.0f} MB; other work may share the machine."
    )
    print(load())


if __name__ == "__main__":
    main()
