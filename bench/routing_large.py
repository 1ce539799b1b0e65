"""Gehring-Homberger benchmark: the routing portfolio vs PyVRP alone, OR-Tools alone, BKS.

Instances (200 and 1,000 customers, the second of each class) and best-known distances
are in ``bench/data/gh`` (conventions in ``bench/data/README.md``: DIMACS distances,
truncated to one decimal, distance-only objective). Each instance is solved by each arm
(``--arms``) at the same wall-clock limit, each in its own process, one after the other,
the clock started once the problem is built, so every arm pays its own model build:

- ``portfolio``: ``supplynet.optimizer.routing.solver.solve(problem, limit, workers=cores)``
  on ``--cores`` cores (default 1: the same CPU as the others), the product's entry point
  with the fleet given as one vehicle type and its count;
- ``pyvrp``: PyVRP alone through the same entry point, ``solve(problem, limit, workers=1,
  portfolio=[pyvrp seed 0])`` on one core: the same overheads (integer model, reserve
  for the evaluation) as the portfolio, whose seed-0 member is this very run;
- ``pyvrp-raw``: ``pyvrp.read`` of the same file (DIMACS rounding) and ``pyvrp.solve``
  with seed 0, untouched by the project (only the fleet size set as below), one core,
  stopped at the limit counted from before the read;
- ``ortools``: the project's OR-Tools engine, parallel cheapest insertion then guided
  local search (its strongest search on these instances), through ``solve``, one core.

Every solution is judged by the project's evaluator (distance, feasibility, unserved
stops), never by a solver's objective. The fleet is Gehring-Homberger's (50 vehicles at
200 customers, 250 at 1,000), so it never binds, as the distance-only BKS assume. Peak
memory (MB) is the solving process's maximum resident set (it includes the Python process
with the solver libraries loaded); ``cpu`` is the CPU seconds the run got (workers
included): on a loaded machine far below cores x limit, and its gap then is not the
product's; ``wall`` is the run's wall time. Each search's own report (iterations,
restarts from the leader's best) follows the table.

    flock /tmp/supplynet-bench.lock nice -n 10 .venv/bin/python bench/routing_large.py \
        --size 1000 --seconds 60 --cores 2 [--instances C1,R2] \
        [--arms portfolio,pyvrp,pyvrp-raw,ortools] [--paired] \
        [--out bench/results/routing_large_1000.txt]

``--paired`` runs an instance's arms at the same time, unpinned: on a loaded machine
they then see the same load (one after the other, a 2-core portfolio on a machine
shared with other sessions can get the CPU of one); on a quiet machine it understates
the portfolio (its cores are shared with the other arms).

Run time: arms x 6 instances x the limit, plus ~2 s per run: ~13 minutes at 200
customers (30 s), ~25 minutes at 1,000 (60 s) with the four arms.

``--day 1000`` instead routes a synthetic delivery day the way the product does: two
warehouses, stores tied to one of them with windows and service times, and the default
fleet (``deliveries.default_fleet``: trucks with a driver break, so OR-Tools' searches),
through ``solve`` on one core; it prints what was served, why the rest was not, the wall
time and the peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np

from supplynet.optimizer.routing.deliveries import default_fleet
from supplynet.optimizer.routing.engine import SearchConfig
from supplynet.optimizer.routing.evaluator import Evaluation, evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import (
    Depot,
    Resolution,
    RoutingProblem,
    Stop,
    UserMatrix,
    Vehicle,
)
from supplynet.optimizer.routing.solver import solve
from supplynet.optimizer.workers import start_worker, stop_worker, worker_context

DATA = Path(__file__).resolve().parent / "data" / "gh"
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
ORTOOLS = SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")
PYVRP = SearchConfig("pyvrp", seed=0)
GH_FLEET = {200: 50, 1000: 250}
"""Gehring-Homberger's fleet per size; the 1,000-customer files carry the BKS's count instead."""
Routes = list[tuple[int, ...]]


@dataclass(frozen=True)
class Instance:
    """A VRPLIB VRPTW instance; node 0 is the depot."""

    name: str
    fleet: int
    capacity: float
    service: float
    xy: np.ndarray
    demand: np.ndarray
    windows: np.ndarray


@dataclass(frozen=True)
class Run:
    """One solver's answer on one instance, as measured in its own process."""

    routes: Routes
    wall_s: float
    peak_rss_mb: float
    detail: str
    cpu_s: float = float("nan")
    """CPU seconds the run got (its workers included): under load, far below the limit."""


def read_vrplib(path: Path) -> Instance:
    """The header fields and the coordinate, demand and time-window sections."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            header[key] = value
        elif line.endswith("_SECTION"):
            current = line
            sections[current] = []
        else:
            sections[current].append([float(v) for v in line.split()])
    coords = np.array(sections["NODE_COORD_SECTION"])[:, 1:]
    customers = int(header["DIMENSION"]) - 1
    return Instance(
        name=header["NAME"],
        fleet=GH_FLEET.get(customers, int(header["VEHICLES"])),
        capacity=float(header["CAPACITY"]),
        service=float(header["SERVICE_TIME"]),
        xy=coords,
        demand=np.array(sections["DEMAND_SECTION"])[:, 1],
        windows=np.array(sections["TIME_WINDOW_SECTION"])[:, 1:],
    )


def build(inst: Instance) -> RoutingProblem:
    """The instance as the product's API takes it: a matrix, no coordinates, a fleet type."""
    diff = inst.xy[:, None, :] - inst.xy[None, :, :]
    dist = np.floor(10 * np.sqrt((diff**2).sum(axis=2)) + 1e-9) / 10
    ids = ("D0", *(f"C{i}" for i in range(1, len(inst.xy))))
    horizon = float(inst.windows[0, 1])
    depot = Depot(id="D0", close_min=horizon)
    stops = [
        Stop(
            id=ids[i],
            demand_kg=float(inst.demand[i]),
            window_open_min=float(inst.windows[i, 0]),
            window_close_min=float(inst.windows[i, 1]),
            service_min=inst.service,
        )
        for i in range(1, len(inst.xy))
    ]
    fleet = Vehicle(id="V", depot_id="D0", capacity_kg=inst.capacity, count=inst.fleet)
    return RoutingProblem.build(
        [depot],
        [fleet],
        stops,
        matrix=UserMatrix(ids, dist, dist.copy()),
        resolution=Resolution(per_min=10, per_km=10, per_cost=10),
    )


def judge(problem: RoutingProblem, routes: Routes) -> Evaluation:
    return evaluate(integer_model(problem), routes, [s.id for s in problem.stops])


def _through_solve(
    problem: RoutingProblem, seconds: float, cores: int, searches: Sequence[SearchConfig] = ()
) -> tuple[Routes, str]:
    """The product's entry point on ``cores`` cores; ``searches`` replace its portfolio."""
    schedule = solve(problem, time_limit_s=seconds, workers=cores, portfolio=searches or None)
    pos = {s.id: i for i, s in enumerate(problem.stops)}
    by_vehicle = {r.vehicle_id: [pos[s.stop_id] for s in r.stops] for r in schedule.routes}
    routes = [tuple(by_vehicle.get(v.id, ())) for v in problem.vehicles]
    detail = "; ".join(f"{s.name}: {s.detail}" for s in schedule.stats.searches)
    return routes, detail


def portfolio(
    problem: RoutingProblem, path: Path, seconds: float, cores: int
) -> tuple[Routes, str]:
    return _through_solve(problem, seconds, cores)


def pyvrp_alone(
    problem: RoutingProblem, path: Path, seconds: float, cores: int
) -> tuple[Routes, str]:
    return _through_solve(problem, seconds, 1, [PYVRP])


def pyvrp_raw(
    problem: RoutingProblem, path: Path, seconds: float, cores: int
) -> tuple[Routes, str]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    started = time.monotonic()
    data = pyvrp.read(path, round_func="dimacs")
    fleet = len(problem.vehicles)
    types = [t.replace(num_available=fleet) for t in data.vehicle_types()]
    data = data.replace(vehicle_types=types)
    left = max(0.05, seconds - (time.monotonic() - started))
    result = pyvrp.solve(data, MaxRuntime(left), seed=0, display=False)
    routes: Routes = [
        tuple(a.idx for a in route if a.is_client()) for route in result.best.routes()
    ]
    routes += [()] * (len(problem.vehicles) - len(routes))
    return routes, f"{result.num_iterations} iterations, feasible={result.is_feasible()}"


def ortools_alone(
    problem: RoutingProblem, path: Path, seconds: float, cores: int
) -> tuple[Routes, str]:
    return _through_solve(problem, seconds, 1, [ORTOOLS])


SOLVERS: dict[str, Callable[[RoutingProblem, Path, float, int], tuple[Routes, str]]] = {
    "portfolio": portfolio,
    "pyvrp": pyvrp_alone,
    "pyvrp-raw": pyvrp_raw,
    "ortools": ortools_alone,
}
"""Arm -> how it solves (problem, instance file, limit, cores); only the portfolio uses cores."""


def _measured(
    send: Connection, name: str, path: Path, seconds: float, cores: int, pin: bool
) -> None:
    if pin:
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    problem = build(read_vrplib(path))
    started = time.monotonic()
    before = _cpu_s()
    routes, detail = SOLVERS[name](problem, path, seconds, cores)
    wall = time.monotonic() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    send.send(Run(routes, wall, rss, detail, _cpu_s() - before))
    send.close()


def _cpu_s() -> float:
    own, workers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def measure(
    arms: Sequence[str], path: Path, seconds: float, cores: dict[str, int], paired: bool
) -> dict[str, Run]:
    """Each arm in a fresh process on ``cores[arm]`` cores: one after the other, each pinned,
    or all at the same time unpinned (``paired``: on a loaded machine they then see the
    same load, and the portfolio's leader gets the CPU share PyVRP alone gets)."""
    context = worker_context("supplynet.optimizer.routing.solver")

    def start(arm: str) -> tuple[BaseProcess, Connection]:
        receive, send = context.Pipe(duplex=False)
        # not daemonic: a portfolio on several cores starts worker processes of its own
        args = (send, arm, path, seconds, cores[arm], not paired)
        process = context.Process(target=_measured, args=args)
        process.start()
        send.close()
        return process, receive

    def collect(process: BaseProcess, receive: Connection) -> Run:
        try:
            if not receive.poll(seconds * 3 + 120):
                return Run([], float("nan"), float("nan"), "no answer")
            run: Run = receive.recv()
            return run
        except EOFError:
            return Run([], float("nan"), float("nan"), f"process died (exit {process.exitcode})")
        finally:
            stop_worker(process, receive)

    if paired:
        started = {arm: start(arm) for arm in arms}
        return {arm: collect(*started[arm]) for arm in arms}
    return {arm: collect(*start(arm)) for arm in arms}


def delivery_day(stops: int, seed: int = 7) -> RoutingProblem:
    """A synthetic day of ``stops`` deliveries from two warehouses with the default fleet."""
    rng = np.random.default_rng(seed)
    depots = [
        Depot(id="W1", latitude=45.07, longitude=7.68),
        Depot(id="W2", latitude=45.46, longitude=9.19),
    ]
    records = []
    for i in range(stops):
        home = depots[i % 2]
        opens = float(rng.integers(6, 14) * 60)
        records.append(
            Stop(
                id=f"S{i}",
                latitude=float(home.latitude or 0.0) + float(rng.normal(0, 0.25)),
                longitude=float(home.longitude or 0.0) + float(rng.normal(0, 0.3)),
                demand_kg=float(rng.integers(50, 600)),
                demand_m3=float(rng.uniform(0.2, 2.5)),
                window_open_min=opens,
                window_close_min=opens + float(rng.integers(3, 6) * 60),
                service_min=float(rng.integers(10, 25)),
                depot_id=home.id,
            )
        )
    return RoutingProblem.build(depots, default_fleet(records), records)


def _measured_day(send: Connection, stops: int, seconds: float) -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    problem = delivery_day(stops)
    started = time.monotonic()
    schedule = solve(problem, time_limit_s=seconds, workers=1)
    wall = time.monotonic() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reasons: dict[str, int] = {}
    for u in schedule.unserved:
        reasons[u.reason_code] = reasons.get(u.reason_code, 0) + 1
    send.send(
        (
            f"stops {stops}, vehicles {len(problem.vehicles)}, limit {seconds:g} s:"
            f" served {schedule.stops_served}, unserved {len(schedule.unserved)} {reasons},"
            f" routes {schedule.vehicles_used}, distance {schedule.distance_km:.1f} km,"
            f" wall {wall:.1f} s, peak RSS {rss:.0f} MB, winner {schedule.stats.winner or '-'};"
            f" searches: {'; '.join(f'{x.name}: {x.detail}' for x in schedule.stats.searches)}"
        )
    )
    send.close()


def bks() -> dict[str, float]:
    with (DATA / "bks.csv").open() as fh:
        return {r["instance"]: float(r["distance_dimacs"]) for r in csv.DictReader(fh)}


def select(size: int, spec: str) -> list[Path]:
    suffix = "_2_2" if size == 200 else "_10_2"
    wanted = [w.strip().upper() for w in spec.split(",") if w.strip()] or list(CLASSES)
    paths = [DATA / f"{c}{suffix}.vrp" for c in CLASSES if c in wanted]
    return [p for p in paths if p.exists()]


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, choices=(200, 1000), default=200)
    parser.add_argument("--seconds", type=float, default=None, help="30 (200) or 60 (1,000)")
    parser.add_argument("--instances", default="", help="classes, e.g. C1,RC2")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--day", type=int, default=0, help="route a synthetic day of N stops")
    parser.add_argument(
        "--cores",
        type=int,
        default=1,
        help="cores of the portfolio run (the other arms always get one)",
    )
    parser.add_argument(
        "--arms", default=",".join(SOLVERS), help=f"comma-separated, of {', '.join(SOLVERS)}"
    )
    parser.add_argument(
        "--paired",
        action="store_true",
        help="run the arms of an instance at the same time, unpinned (same load for all)",
    )
    args = parser.parse_args(argv)
    arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    if not arms or set(arms) - set(SOLVERS):
        parser.error(f"--arms: choose from {', '.join(SOLVERS)}")
    if args.day:
        return _day_main(args.day, args.seconds or 60.0, args.out)
    seconds = args.seconds or (30.0 if args.size == 200 else 60.0)
    best = bks()
    lines: list[str] = []

    def emit(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    emit(
        f"# Gehring-Homberger {args.size} customers, {seconds:g} s wall per run, portfolio on"
        f" {args.cores} core(s), the other arms on one, "
        + ("all at the same time, unpinned" if args.paired else "one after the other")
        + f" (cpu: CPU seconds the run got, wall: its wall time), commit {_commit()},"
        f" load average at start {os.getloadavg()[0]:.2f}"
    )
    head = " | ".join(
        f"{arm:>9} {'gap%':>6}{' veh' if arm == 'portfolio' else ''} {'ok':>3} {'MB':>5}"
        f" {'cpu':>5} {'wall':>5}"
        for arm in arms
    )
    compared = [a for a in ("pyvrp", "pyvrp-raw") if a in arms and "portfolio" in arms]
    emit(f"{'instance':9} {'bks':>9} | {head}" + "".join(f" | port<={a}" for a in compared))
    table: list[dict[str, float | bool]] = []
    details: list[str] = []
    for path in select(args.size, args.instances):
        problem = build(read_vrplib(path))
        ref = best[path.stem]
        row: dict[str, float | bool] = {}
        cells = []
        cores = {arm: args.cores if arm == "portfolio" else 1 for arm in arms}
        runs = measure(arms, path, seconds, cores, args.paired)
        for name in arms:
            run = runs[name]
            ev = judge(problem, run.routes) if run.routes else None
            ok = ev is not None and ev.feasible and not ev.unserved
            dist = ev.distance_km if ev is not None else float("nan")
            row[name] = dist if ok else float("nan")
            row[f"{name}_ok"] = ok
            gap = f"{100 * (dist - ref) / ref:6.2f}" if ok else f"{'-':>6}"
            shown = f"{dist:9.1f}" if ok else f"{'-':>9}"
            vehicles = f" {ev.vehicles_used if ev else 0:3}" if name == "portfolio" else ""
            cells.append(
                f"{shown} {gap}{vehicles} {'yes' if ok else 'NO':>3} {run.peak_rss_mb:5.0f}"
                f" {run.cpu_s:5.1f} {run.wall_s:5.1f}"
            )
            if not ok:
                why = "; ".join(ev.violations[:2]) if ev and ev.violations else run.detail
                if ev is not None and ev.unserved:
                    why = f"{len(ev.unserved)} stops unserved; {why}"
                print(f"  {name} on {path.stem}: not feasible ({why})", file=sys.stderr)
            details.append(f"# {path.stem} {name}: {run.detail}")
        for arm in compared:
            row[f"no_worse_{arm}"] = bool(row["portfolio_ok"]) and (
                row["portfolio"] <= row[arm] + 1e-6 or not row[f"{arm}_ok"]
            )
        table.append({**row, "bks": ref})
        verdicts = "".join(f" | {row[f'no_worse_{a}']!s:>{len(a) + 6}}" for a in compared)
        emit(f"{path.stem:9} {ref:9.1f} | " + " | ".join(cells) + verdicts)
    if table:
        emit("")
        for name in arms:
            ok_rows = [r for r in table if r[f"{name}_ok"]]
            gaps = [100 * (float(r[name]) - float(r["bks"])) / float(r["bks"]) for r in ok_rows]
            mean = f"{statistics.mean(gaps):6.2f}%" if gaps else "     -"
            emit(f"{name:9} mean gap {mean} (feasible runs), feasible {len(ok_rows)}/{len(table)}")
        for arm in compared:
            wins = sum(bool(r[f"no_worse_{arm}"]) for r in table)
            emit(f"portfolio <= {arm} on {wins}/{len(table)} instances")
    for line in details:
        emit(line)
    emit(f"# load average at end {os.getloadavg()[0]:.2f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")
    return 0


def _day_main(stops: int, seconds: float, out: Path | None) -> int:
    context = worker_context("supplynet.optimizer.routing.solver")
    process, receive = start_worker(context, _measured_day, stops, seconds)
    line = receive.recv() if receive.poll(seconds * 3 + 120) else "no answer"
    stop_worker(process, receive)
    text = (
        f"# synthetic delivery day, one core, commit {_commit()},"
        f" load average {os.getloadavg()[0]:.2f}\n{line}\n"
    )
    print(text, end="")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
