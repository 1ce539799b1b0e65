"""How the arms route a day's shipments: a shop's nearest neighbour, or the service's solver.

Both return visit orders for the simulator to judge; neither is trusted about cost or
feasibility (``delivery.judge_routes`` re-evaluates them).
"""

from __future__ import annotations

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.routing.engine import SearchConfig
from supplynet.optimizer.routing.evaluator import evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.solver import solve
from supplynet.optimizer.twin.policy import Routes

DETERMINISTIC_SEARCH = SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
"""The twin's default routing search: it stops at its first local optimum, long before a
sensible time limit on a day's stops, so replications are reproducible. Guided local
search would use the whole limit and differ run to run with machine load."""


def nearest_neighbour(problem: RoutingProblem) -> Routes:
    """Each truck in turn drives to the nearest open stop of its depot that still fits.

    "Fits" means the route stays feasible (load, windows, shift, break) as the evaluator
    judges it; a truck that can take no further stop returns and the next one starts.
    """
    model = integer_model(problem)
    stop_ids = [s.id for s in problem.stops]
    depots = [d.id for d in problem.depots]
    open_stops = set(range(len(problem.stops)))
    routes: list[tuple[int, ...]] = []
    for v, vehicle in enumerate(problem.vehicles):
        route: list[int] = []
        here = depots.index(vehicle.depot_id)
        mine = {s for s in open_stops if problem.stops[s].depot_id in (None, vehicle.depot_id)}
        while mine:
            nearest = sorted(mine, key=lambda s: (model.distance_km[here, model.n_depots + s], s))
            for s in nearest:
                trial = [*([()] * v), (*route, s)]
                if not evaluate(model, trial, stop_ids).violations:
                    route.append(s)
                    mine.discard(s)
                    open_stops.discard(s)
                    here = model.n_depots + s
                    break
            else:
                break
        routes.append(tuple(route))
    return tuple(routes)


def solver_routes(
    problem: RoutingProblem, deadline: Deadline, cap_s: float = 10.0, workers: int = 1
) -> Routes:
    """Visit orders from the routing package's solver (``solver.solve``) within the deadline."""
    portfolio = (DETERMINISTIC_SEARCH,) if workers == 1 else None
    schedule = solve(problem, cap_s, workers=workers, portfolio=portfolio, deadline=deadline)
    vehicle = {v.id: i for i, v in enumerate(problem.vehicles)}
    stop = {s.id: i for i, s in enumerate(problem.stops)}
    routes: list[tuple[int, ...]] = [() for _ in problem.vehicles]
    for r in schedule.routes:
        routes[vehicle[r.vehicle_id]] = tuple(stop[s.stop_id] for s in r.stops)
    return tuple(routes)
