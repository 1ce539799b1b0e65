"""PyVRP (hybrid genetic search): the strongest engine wherever it can express the problem.

PyVRP models depots, heterogeneous vehicle types, two load dimensions, time windows,
shifts, route duration and reloading at the depot (multi-trip), which covers plain
VRPTW, capacity-only days and most delivery days. It cannot model driver breaks, nor
tie stops to one of several depots, so ``pyvrp_supports`` says no there. Stops already
known to be unservable are left out. Stops without a user penalty are first required
(PyVRP searches best that way, and its optional-client moves never open a reload trip);
if that finds nothing feasible within ``PROBE_SHARE`` of the time, the fleet is short,
and the rest of the time goes to a run where every stop is optional with its drop
penalty as prize: a solution that drops the fewest, as the OR-Tools searches do.

PyVRP's own search parameters are kept: on Gehring-Homberger R1_10_2 (1,000 customers,
60 CPU s) half its granular neighbourhood (25) ran 56% more iterations but ended 0.9
points further from the best known (5.61% vs 4.74%), and skipping the exhaustive search
on each new best changed nothing (4.62%). Its per-iteration statistics are not kept.
"""

from __future__ import annotations

import warnings

import numpy as np

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.evaluator import RELOAD
from supplynet.optimizer.routing.matrix import UNLIMITED, IntegerModel

_COST_STEP = 100
"""Resolution of per-km costs when vehicles differ in cost per km."""

_NO_LIMIT = int(np.iinfo(np.int64).max)

PROBE_SHARE = 0.4
"""Share of the time a run with required stops gets to find any feasible solution."""


class _LimitOrNothingFeasible:
    """PyVRP stopping rule: at ``limit``, or at ``probe`` while nothing feasible is known."""

    def __init__(self, limit: Deadline, probe: Deadline) -> None:
        self._limit = limit
        self._probe = probe

    def __call__(self, best_cost: float) -> bool:
        if self._limit.expired():
            return True
        return best_cost >= _NO_LIMIT and self._probe.expired()


def pyvrp_supports(model: IntegerModel) -> bool:
    """PyVRP cannot model driver breaks, nor tie stops to depots when there are several."""
    tied = bool((model.stop_depot >= 0).any()) and model.n_depots > 1
    return not model.break_duration.any() and not tied


def solve_pyvrp(
    model: IntegerModel, config: SearchConfig, deadline: Deadline, skip: frozenset[int]
) -> EngineRun:
    """Run PyVRP's solver with ``config.seed`` until ``deadline``."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
    from pyvrp.exceptions import PenaltyBoundWarning

    started = deadline.clock()
    rates = {float(c) for c in model.cost_per_km}
    same_rate = len(rates) == 1 and next(iter(rates)) > 0
    # PyVRP's objective: unit_distance_cost * arc_distance + fixed costs - prizes; one
    # cost unit (model.cost_scale) is ``per_cost`` of these objective units.
    per_cost = model.distance_scale / (next(iter(rates)) if same_rate else 1.0)
    step = 1 if same_rate else _COST_STEP
    per_cost *= step / model.cost_scale
    locations = [Location(float(x), float(y)) for x, y in zip(model.x, model.y, strict=True)]
    depots = [
        Depot(d, tw_early=int(model.open[d]), tw_late=int(model.close[d]))
        for d in range(model.n_depots)
    ]
    stops = [s for s in range(model.n_nodes - model.n_depots) if s not in skip]
    dims = _limiting_dimensions(model)

    def clients(all_optional: bool) -> list[Client]:
        return [
            Client(
                model.n_depots + s,
                delivery=[int(model.demand[model.n_depots + s, d]) for d in dims],
                service_duration=int(model.service[model.n_depots + s]),
                tw_early=int(model.open[model.n_depots + s]),
                tw_late=int(model.close[model.n_depots + s]),
                prize=round(int(model.penalty[model.n_depots + s]) * per_cost),
                required=not (all_optional or bool(model.droppable[model.n_depots + s])),
            )
            for s in stops
        ]

    groups: dict[tuple[int, ...], list[int]] = {}
    for v in range(model.n_vehicles):
        groups.setdefault(_vehicle_key(model, v), []).append(v)
    vehicle_types = []
    for key, members in groups.items():
        depot, cap_w, cap_v, fixed, start, end, max_dur, cpk_milli, trips = key
        vehicle_types.append(
            VehicleType(
                len(members),
                capacity=[(cap_w, cap_v)[d] for d in dims],
                start_depot=depot,
                end_depot=depot,
                fixed_cost=round(fixed * per_cost),
                tw_early=start,
                tw_late=end,
                shift_duration=max_dur if max_dur < UNLIMITED else _NO_LIMIT,
                unit_distance_cost=1 if same_rate else round(cpk_milli / 1000 * step),
                reload_depots=[depot] if trips > 1 else [],
                max_reloads=max(0, trips - 1),
            )
        )
    data = ProblemData(
        locations,
        clients(all_optional=False),
        depots,
        vehicle_types,
        [model.arc_distance.astype(np.int64)],
        [model.duration.astype(np.int64)],
    )
    limit = deadline.earlier(max(0.05, deadline.remaining()))
    probe = limit.share(PROBE_SHARE)
    stop = _LimitOrNothingFeasible(limit, probe)
    note = ""
    with warnings.catch_warnings():
        # raised for very large prizes (the default drop penalty); harmless here
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = solve(data, stop, seed=config.seed, collect_stats=False)
        if not result.is_feasible() and not limit.expired():
            waited = deadline.clock() - started
            note = f", nothing feasible with every stop required in {waited:.1f} s"
            data = data.replace(clients=clients(all_optional=True))
            stop = _LimitOrNothingFeasible(limit, limit)
            result = solve(data, stop, seed=config.seed, collect_stats=False)
    routes: list[list[int]] = [[] for _ in range(model.n_vehicles)]
    if result.is_feasible():
        pools = [list(members) for members in groups.values()]
        for route in result.best.routes():
            vehicle = pools[route.vehicle_type()].pop(0)
            visits = list(route)[1:-1]
            routes[vehicle] = [stops[a.idx] if a.is_client() else RELOAD for a in visits]
    return EngineRun(
        config=config,
        routes=tuple(tuple(r) for r in routes),
        found=bool(result.is_feasible()),
        wall_s=deadline.clock() - started,
        detail=f"{result.num_iterations} iterations{note}"
        + ("" if result.is_feasible() else ", no feasible solution found"),
    )


def _limiting_dimensions(model: IntegerModel) -> list[int]:
    """Load dimensions (weight, volume) some vehicle is limited by: the others cost time."""
    return [
        d
        for d in range(2)
        if model.demand[:, d].any() and not (model.capacity[:, d] >= UNLIMITED).all()
    ]


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
        int(model.max_trips[v]),
    )
