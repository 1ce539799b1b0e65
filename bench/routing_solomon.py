"""Solomon VRPTW benchmark: the routing portfolio against plain OR-Tools and the BKS.

Distances follow the DIMACS convention of the published distance-only optima (every arc's
distance and travel time truncated to one decimal); gaps are against the
``distance_dimacs`` rows of bks.csv and computed by the project's own route evaluator
from the returned routes, never from a solver objective. Each solution is also checked
in exact arithmetic. ``--engines`` picks what runs on each instance, one after the other,
each for the whole limit:

- ``portfolio``: ``solve`` on ``--jobs`` cores (the product's entry point);
- ``pyvrp``: PyVRP alone (the PyVRP engine, seed 0, no portfolio around it, one core);
- ``ortools``: plain OR-Tools, PATH_CHEAPEST_ARC + guided local search, every stop
  mandatory (the baseline).

The full 56 at 30 s take about 28 minutes per engine (``--engines portfolio,pyvrp``:
about 57 minutes; the fewest-vehicles rows add a minute).

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/routing_solomon.py \
        --seconds 30 [--instances C101,R1] [--jobs 2] [--fewest R101,RC201] \
        [--engines portfolio,pyvrp,ortools] [--out bench/results/routing_solomon.csv] \
        [--report bench/results/routing_solomon.txt]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from supplynet.optimizer.routing.engine import SearchConfig
from supplynet.optimizer.routing.evaluator import Evaluation, evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import Depot, RoutingProblem, Stop, UserMatrix, Vehicle
from supplynet.optimizer.routing.solver import available_cores, fewest_vehicles, run_one, solve

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vrp" / "solomon"
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
BASELINE = SearchConfig("ortools", "PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH", mandatory=True)
PYVRP_ALONE = SearchConfig("pyvrp", seed=0)
ENGINES = ("portfolio", "pyvrp", "ortools")


def read_instance(path: Path) -> tuple[int, int, np.ndarray]:
    """Fleet size, capacity and the customer table (id, x, y, demand, ready, due, service)."""
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    fleet, capacity = (int(v) for v in lines[3])
    table = np.array([[float(v) for v in row] for row in lines[6:] if len(row) == 7])
    return fleet, capacity, table


def build(name: str, exact: bool = False, fixed_cost: float = 0.0) -> RoutingProblem:
    """The instance as a routing problem; DIMACS-truncated matrix unless ``exact``."""
    fleet, capacity, t = read_instance(DATA / f"{name}.txt")
    xy = t[:, 1:3]
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    if not exact:
        dist = np.floor(10 * dist + 1e-9) / 10
    ids = ["D0"] + [f"C{int(i)}" for i in t[1:, 0]]
    horizon = float(t[0, 5])
    depot = Depot(id="D0", latitude=t[0, 2] / 10, longitude=t[0, 1] / 10, close_min=horizon)
    stops = [
        Stop(
            id=ids[i],
            latitude=t[i, 2] / 10,
            longitude=t[i, 1] / 10,
            demand_kg=t[i, 3],
            window_open_min=t[i, 4],
            window_close_min=t[i, 5],
            service_min=t[i, 6],
        )
        for i in range(1, len(t))
    ]
    vehicles = [
        Vehicle(
            id=f"V{k + 1}",
            depot_id="D0",
            capacity_kg=capacity,
            fixed_cost=fixed_cost,
            shift_end_min=horizon,
        )
        for k in range(fleet)
    ]
    matrix = UserMatrix(tuple(ids), dist, dist.copy())
    return RoutingProblem.build([depot], vehicles, stops, matrix=matrix, scale=10)


def bks(convention: str) -> dict[str, tuple[int, float]]:
    with (DATA / "bks.csv").open() as fh:
        return {
            r["instance"]: (int(r["vehicles"]), float(r["distance"]))
            for r in csv.DictReader(fh)
            if r["convention"] == convention
        }


def judge(problem: RoutingProblem, routes: list[tuple[int, ...]]) -> Evaluation:
    return evaluate(integer_model(problem), routes, [s.id for s in problem.stops])


def routes_of(
    problem: RoutingProblem, schedule_routes: dict[str, list[str]]
) -> list[tuple[int, ...]]:
    """Visit orders by vehicle index, from a schedule's vehicle id -> stop ids."""
    pos = {s.id: i for i, s in enumerate(problem.stops)}
    return [tuple(pos[s] for s in schedule_routes.get(v.id, [])) for v in problem.vehicles]


def run_instance(name: str, seconds: float, jobs: int, engines: Sequence[str]) -> dict[str, object]:
    """One instance with each engine asked for; the portfolio's row has the details."""
    problem = build(name)
    row: dict[str, object] = {"instance": name}
    if "portfolio" in engines:
        schedule = solve(problem, time_limit_s=seconds, workers=jobs)
        routes = routes_of(
            problem, {r.vehicle_id: [s.stop_id for s in r.stops] for r in schedule.routes}
        )
        ev = judge(problem, routes)
        row |= {
            "vehicles": ev.vehicles_used,
            "distance": round(ev.distance_km, 1) if ev.feasible and not ev.unserved else None,
            "unserved": len(ev.unserved),
            "feasible": ev.feasible and not ev.unserved,
            "exact_feasible": judge(build(name, exact=True), routes).feasible,
            "winner": schedule.stats.winner,
            "wall_s": round(schedule.stats.wall_s, 1),
        }
    for engine, config in (("pyvrp", PYVRP_ALONE), ("ortools", BASELINE)):
        if engine in engines:
            run = run_one(integer_model(problem), config, seconds, frozenset())
            alone = judge(problem, list(run.routes)) if run.found else None
            ok = alone is not None and alone.feasible and not alone.unserved
            row[f"{engine}_vehicles"] = alone.vehicles_used if ok and alone else None
            row[f"{engine}_distance"] = round(alone.distance_km, 1) if ok and alone else None
    return row


def fewest(name: str, seconds: float, jobs: int) -> dict[str, object]:
    """Fewest-vehicles mode: a fixed cost per vehicle larger than any distance saving."""
    problem = fewest_vehicles(build(name))
    fixed = problem.vehicles[0].fixed_cost
    schedule = solve(problem, time_limit_s=seconds, workers=jobs)
    routes = routes_of(
        problem, {r.vehicle_id: [s.stop_id for s in r.stops] for r in schedule.routes}
    )
    ev = judge(problem, routes)
    return {
        "instance": name,
        "fixed_cost": fixed,
        "vehicles": ev.vehicles_used,
        "distance": round(ev.distance_km, 1),
        "feasible": ev.feasible and not ev.unserved,
        "winner": schedule.stats.winner,
    }


def _gap(distance: object, best: float) -> float | None:
    return None if distance is None else 100.0 * (float(str(distance)) - best) / best


def select(spec: str) -> list[str]:
    names = sorted(p.stem for p in DATA.glob("*.txt"))
    if not spec:
        return names
    wanted = [w.strip().upper() for w in spec.split(",")]
    return [n for n in names if any(n == w or (_cls(n) == w) for w in wanted)]


def _cls(name: str) -> str:
    return name[:-2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--instances", default="", help="names or classes, e.g. R101,RC2")
    parser.add_argument("--jobs", type=int, default=available_cores())
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help=f"comma-separated subset of {', '.join(ENGINES)} (default: all)",
    )
    parser.add_argument("--fewest", default="R101,RC201", help="instances for fewest-vehicles mode")
    parser.add_argument("--out", type=Path, default=None, help="CSV of per-instance results")
    parser.add_argument("--report", type=Path, default=None, help="the printed tables, as text")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - set(ENGINES):
        parser.error(f"--engines: choose from {', '.join(ENGINES)}")
    lines: list[str] = []

    def emit(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    best = bks("distance_dimacs")
    hier = bks("hierarchical_exact")
    names = select(args.instances)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    emit(
        f"# Solomon, {args.seconds:g} s per instance, portfolio on {args.jobs} cores,"
        f" commit {commit}, load average at start {os.getloadavg()[0]:.2f}"
    )
    emit(
        f"{'instance':8} {'bks_veh':>7} {'bks':>8} | {'veh':>4} {'portfolio':>9} {'gap%':>6}"
        f" {'exact':>5} | {'pyvrp':>9} {'gap%':>6} | {'veh':>4} {'ortools':>9} {'gap%':>6}"
        " | winner"
    )
    rows = []
    started = time.monotonic()
    for name in names:
        row = run_instance(name, args.seconds, args.jobs, engines)
        ref = best[name][1]
        for engine in ENGINES:
            row[f"{engine}_gap"] = _gap(row.get(_distance_key(engine)), ref)
        rows.append(row)
        emit(
            f"{name:8} {best[name][0]:7} {ref:8} | {_cell(row.get('vehicles'), 4)}"
            f" {_cell(row.get('distance'), 9)} {_fmt(row['portfolio_gap']):>6}"
            f" {_cell(row.get('exact_feasible'), 5)} | {_cell(row.get('pyvrp_distance'), 9)}"
            f" {_fmt(row['pyvrp_gap']):>6} | {_cell(row.get('ortools_vehicles'), 4)}"
            f" {_cell(row.get('ortools_distance'), 9)} {_fmt(row['ortools_gap']):>6}"
            f" | {row.get('winner', '-')}"
        )
    emit(f"\n# mean gap per class (feasible runs), {time.monotonic() - started:.0f} s total")
    emit(f"class  n  {'  '.join(f'{e:>10} found' for e in engines)}")
    for cls in (*CLASSES, "all"):
        sub = [r for r in rows if cls == "all" or _cls(str(r["instance"])) == cls]
        if not sub:
            continue
        cells = []
        for engine in engines:
            gaps = [float(str(r[f"{engine}_gap"])) for r in sub if r[f"{engine}_gap"] is not None]
            mean = _fmt(statistics.mean(gaps)) if gaps else "-"
            cells.append(f"{mean:>10} {len(gaps):>2}/{len(sub):<2}")
        emit(f"{cls:5} {len(sub):2}  {'  '.join(cells)}")
    if {"portfolio", "pyvrp"} <= set(engines):
        behind = [str(r["instance"]) for r in rows if _behind(r)]
        emit(
            f"\n# portfolio ({args.jobs} cores) behind PyVRP alone (one core) on {len(behind)}"
            f" of {len(rows)}: {', '.join(behind) or '-'}"
        )
    if args.fewest:
        emit("\n# fewest-vehicles mode (fixed cost per vehicle)")
        emit("instance  fixed_cost  vehicles  hier_bks_veh  distance  feasible  winner")
        for name in select(args.fewest):
            f = fewest(name, args.seconds, args.jobs)
            emit(
                f"{name:8} {f['fixed_cost']:11} {f['vehicles']:9} {hier[name][0]:13}"
                f" {f['distance']:9} {f['feasible']!s:9} {f['winner']}"
            )
    emit(f"# load average at end {os.getloadavg()[0]:.2f}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text("\n".join(lines) + "\n")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 0


def _behind(row: dict[str, object]) -> bool:
    alone, mine = row.get("pyvrp_distance"), row.get("distance")
    if alone is None:
        return False
    return mine is None or float(str(mine)) > float(str(alone)) + 1e-6


def _distance_key(engine: str) -> str:
    return "distance" if engine == "portfolio" else f"{engine}_distance"


def _cell(value: object, width: int) -> str:
    return f"{'-' if value is None else value!s:>{width}}"


def _fmt(value: object) -> str:
    return "-" if value is None else f"{float(str(value)):.2f}"


if __name__ == "__main__":
    sys.exit(main())
