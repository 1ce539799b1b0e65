"""PyVRP (hybrid genetic search) as a second engine, for problems without driver breaks.

PyVRP models depots, heterogeneous vehicle types, two load dimensions, time windows,
shifts and route duration, which covers plain VRPTW and most delivery days; it cannot
model breaks, so the portfolio only runs it when no vehicle has one. Stops already known
to be unservable are left out; all others are required, and if PyVRP cannot serve them
all its run counts as not found (the OR-Tools searches, with drop penalties, cover that).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.matrix import UNLIMITED, IntegerModel

_COST_STEP = 100
"""Resolution of per-km costs when vehicles differ in cost per km."""


def pyvrp_supports(model: IntegerModel) -> bool:
    """PyVRP cannot model driver breaks, nor tie stops to depots when there are several."""
    tied = bool((model.stop_depot >= 0).any()) and model.n_depots > 1
    return not model.break_duration.any() and not tied


def solve_pyvrp(
    model: IntegerModel, config: SearchConfig, time_limit_s: float, skip: frozenset[int]
) -> EngineRun:
    """Run PyVRP's solver with ``config.seed`` for ``time_limit_s`` seconds."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxRuntime

    started = time.monotonic()
    rates = {float(c) for c in model.cost_per_km}
    same_rate = len(rates) == 1 and next(iter(rates)) > 0
    rate = next(iter(rates)) if same_rate else 1.0
    step = 1 if same_rate else _COST_STEP
    locations = [Location(float(x), float(y)) for x, y in zip(model.x, model.y, strict=True)]
    depots = [
        Depot(d, tw_early=int(model.open[d]), tw_late=int(model.close[d]))
        for d in range(model.n_depots)
    ]
    stops = [s for s in range(model.n_nodes - model.n_depots) if s not in skip]
    clients = [
        Client(
            model.n_depots + s,
            delivery=[int(q) for q in model.demand[model.n_depots + s]],
            service_duration=int(model.service[model.n_depots + s]),
            tw_early=int(model.open[model.n_depots + s]),
            tw_late=int(model.close[model.n_depots + s]),
        )
        for s in stops
    ]
    groups: dict[tuple[int, ...], list[int]] = {}
    for v in range(model.n_vehicles):
        groups.setdefault(_vehicle_key(model, v), []).append(v)
    vehicle_types = []
    for key, members in groups.items():
        depot, cap_w, cap_v, fixed, start, end, max_dur, cpk_milli = key
        vehicle_types.append(
            VehicleType(
                len(members),
                capacity=[cap_w, cap_v],
                start_depot=depot,
                end_depot=depot,
                fixed_cost=round(fixed * step / rate),
                tw_early=start,
                tw_late=end,
                shift_duration=max_dur if max_dur < UNLIMITED else np.iinfo(np.int64).max,
                unit_distance_cost=1 if same_rate else round(cpk_milli / 1000 * step),
            )
        )
    data = ProblemData(
        locations,
        clients,
        depots,
        vehicle_types,
        [model.arc_distance.astype(np.int64)],
        [model.duration.astype(np.int64)],
    )
    remaining = max(0.05, time_limit_s - (time.monotonic() - started))
    with warnings.catch_warnings():
        # PyVRP warns when it cannot serve every required stop; the run then reports
        # not found and the OR-Tools searches, which may drop stops, decide.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = solve(data, MaxRuntime(remaining), seed=config.seed, display=False)
    routes: list[list[int]] = [[] for _ in range(model.n_vehicles)]
    if result.is_feasible():
        pools = [list(members) for members in groups.values()]
        for route in result.best.routes():
            vehicle = pools[route.vehicle_type()].pop(0)
            routes[vehicle] = [stops[a.idx] for a in route if a.is_client()]
    return EngineRun(
        config=config,
        routes=tuple(tuple(r) for r in routes),
        found=bool(result.is_feasible()),
        wall_s=time.monotonic() - started,
        detail=f"{result.num_iterations} iterations",
    )


def _vehicle_key(model: IntegerModel, v: int) -> tuple[int, ...]:
    depot = int(model.vehicle_depot[v])
    return (
        depot,
        int(model.capacity[v, 0]),
        int(model.capacity[v, 1]),
        int(model.fixed_cost[v]),
        max(int(model.shift_start[v]), int(model.open[depot])),
        min(int(model.shift_end[v]), int(model.close[depot])),
        int(model.max_duration[v]),
        round(float(model.cost_per_km[v]) * 1000),
    )
