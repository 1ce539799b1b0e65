"""The OR-Tools routing engine: the full constraint set (multi-depot, heterogeneous fleet,
two load dimensions, time windows, shifts, route duration, driver breaks, optional stops).
"""

from __future__ import annotations

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.matrix import UNLIMITED, IntegerModel

CONSTRUCTION_FLOOR_S = 0.5
"""Least time limit OR-Tools is given. At its limit it completes the construction by
leaving every stop not yet placed unserved, so a budget already spent by the time the
search starts (model building on a loaded machine) would drop the whole day; this much
lets the construction finish, at the price of overrunning such a budget by that much."""


def solve_ortools(
    model: IntegerModel, config: SearchConfig, deadline: Deadline, skip: frozenset[int]
) -> EngineRun:
    """Build the routing model and run one configured search until ``deadline``.

    ``skip`` lists stops already known to be unservable; they are left out of the search.
    """
    started = deadline.clock()
    n, n_vehicles = model.n_nodes, model.n_vehicles
    depots = [int(d) for d in model.vehicle_depot]
    manager = pywrapcp.RoutingIndexManager(n, n_vehicles, depots, depots)
    routing = pywrapcp.RoutingModel(manager)
    cost_callbacks: dict[float, int] = {}
    for v in range(n_vehicles):
        key = float(model.cost_per_km[v])
        if key not in cost_callbacks:
            cost_callbacks[key] = routing.RegisterTransitMatrix(model.arc_cost(v).tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_callbacks[key], v)
        routing.SetFixedCostOfVehicle(int(model.fixed_cost[v]), v)
    time_dim = _time_dimension(model, routing, manager)
    _load_dimensions(model, routing)
    for node in range(model.n_depots, n):
        index = manager.NodeToIndex(node)
        if node - model.n_depots in skip:
            routing.ActiveVar(index).SetValue(0)
        if model.stop_depot[node] >= 0:
            allowed = np.flatnonzero(model.vehicle_depot == model.stop_depot[node])
            # -1 keeps "unperformed" possible (SetAllowedVehiclesForIndex's binding is broken)
            routing.VehicleVar(index).SetValues([-1, *(int(v) for v in allowed)])
        if config.mandatory:
            continue
        routing.AddDisjunction([index], int(model.penalty[node]))
    for depot in set(range(model.n_depots)) - set(depots):
        # a depot without vehicles is a plain node to OR-Tools: never visit it
        routing.ActiveVar(manager.NodeToIndex(depot)).SetValue(0)
    _breaks(model, routing, manager, time_dim)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, config.first_solution
    )
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, config.metaheuristic
    )
    remaining = max(CONSTRUCTION_FLOOR_S, deadline.remaining())
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    solution = routing.SolveWithParameters(params)
    routes: list[tuple[int, ...]] = []
    if solution is not None:
        for v in range(n_vehicles):
            route = []
            index = solution.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(index):
                route.append(manager.IndexToNode(index) - model.n_depots)
                index = solution.Value(routing.NextVar(index))
            routes.append(tuple(route))
    return EngineRun(
        config=config,
        routes=tuple(routes),
        found=solution is not None,
        wall_s=deadline.clock() - started,
        detail=f"status {routing.status()}",
    )


def _time_dimension(
    model: IntegerModel, routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager
) -> pywrapcp.RoutingDimension:
    """Time = service at the origin plus travel; windows on stops, shifts on vehicles."""
    transit = model.duration + model.service[:, None]
    callback = routing.RegisterTransitMatrix(transit.tolist())
    horizon = int(max(model.shift_end.max(), model.close.max()))
    routing.AddDimension(callback, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(model.n_depots, model.n_nodes):
        index = manager.NodeToIndex(node)
        time_dim.CumulVar(index).SetRange(int(model.open[node]), int(model.close[node]))
    for v in range(model.n_vehicles):
        depot = int(model.vehicle_depot[v])
        low = max(int(model.shift_start[v]), int(model.open[depot]))
        high = min(int(model.shift_end[v]), int(model.close[depot]))
        time_dim.CumulVar(routing.Start(v)).SetRange(low, max(low, high))
        time_dim.CumulVar(routing.End(v)).SetRange(low, max(low, high))
        if model.max_duration[v] < UNLIMITED:
            time_dim.SetSpanUpperBoundForVehicle(int(model.max_duration[v]), v)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
    return time_dim


def _load_dimensions(model: IntegerModel, routing: pywrapcp.RoutingModel) -> None:
    """Weight and volume, each only when some vehicle is actually limited by it."""
    for dim, name in enumerate(("weight", "volume")):
        if (model.capacity[:, dim] >= UNLIMITED).all() or not model.demand[:, dim].any():
            continue
        callback = routing.RegisterUnaryTransitVector(model.demand[:, dim].tolist())
        capacities = [int(min(c, UNLIMITED)) for c in model.capacity[:, dim]]
        routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, name)


def _breaks(
    model: IntegerModel,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
) -> None:
    """One break interval per vehicle that has one; it may not overlap a service."""
    if not model.break_duration.any():
        return
    visit = [int(model.service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    solver = routing.solver()
    for v in range(model.n_vehicles):
        if model.break_duration[v] <= 0:
            continue
        interval = solver.FixedDurationIntervalVar(
            int(model.break_earliest[v]),
            int(model.break_latest[v]),
            int(model.break_duration[v]),
            False,
            f"break_{v}",
        )
        time_dim.SetBreakIntervalsOfVehicle([interval], v, visit)
