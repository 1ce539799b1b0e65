"""Travel matrices and the integer model every engine and the evaluator share.

Solvers need integers. Scaling rounds *costs* to the nearest unit but rounds *times*
up (and time limits down), so a schedule that is feasible in the integer model is also
feasible in exact arithmetic: a vehicle can only be early in reality, never late.
Capacities are treated the same way: demands rounded up, capacities down. Times left
open by the user become one horizon long enough for any route (``open_horizon``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from supplynet.optimizer.routing.problem import Depot, RoutingProblem, Stop

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

LOAD_SCALE = 1000
"""Integer units per kg and per m3 of load (grams, litres)."""

_EPS = 1e-9
UNLIMITED = 2**40


def up(value: float, scale: int) -> int:
    """Scale and round up, ignoring float noise such as ``0.3 * 10 = 3.0000000000000004``."""
    return math.ceil(value * scale - _EPS * max(1.0, abs(value * scale)))


def down(value: float, scale: int) -> int:
    """Scale and round down, ignoring float noise."""
    return math.floor(value * scale + _EPS * max(1.0, abs(value * scale)))


def travel_matrix(problem: RoutingProblem) -> tuple[FloatArray, FloatArray]:
    """Distances (km) and durations (min) between all nodes, in node order.

    From the user matrix when one is given, else great-circle distance times the road
    factor, driven at the average speed.

    Shapes
    ------
    both: ``(n_nodes, n_nodes)``
    """
    ids = problem.node_ids
    if problem.matrix is not None:
        pos = {loc: i for i, loc in enumerate(problem.matrix.ids)}
        order = np.array([pos[i] for i in ids])
        dist = np.asarray(problem.matrix.distance_km, dtype=float)[np.ix_(order, order)]
        dur = np.asarray(problem.matrix.duration_min, dtype=float)[np.ix_(order, order)]
        return dist, dur
    from supplynet.graph.synthetic import haversine_km  # heavy (pandas); only needed here

    places: tuple[Depot | Stop, ...] = (*problem.depots, *problem.stops)
    lat = np.array([float(p.latitude or 0.0) for p in places])
    lon = np.array([float(p.longitude or 0.0) for p in places])
    dist = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]).astype(float)
    dist *= problem.travel.road_factor
    dur = dist / problem.travel.speed_kmh * 60.0
    return dist, dur


@dataclass(frozen=True, eq=False)
class IntegerModel:
    """The problem in integer units: times in 1/scale minutes, distances in 1/distance_scale
    km, costs in 1/cost_scale, loads in 1/1000 kg or m3.

    Vehicle arrays are indexed by vehicle, node arrays by node (depots first). A vehicle
    without a break has ``break_duration == 0``; ``stop_depot`` is -1 for stops any depot
    may serve; ``max_trips`` > 1 allows reloading at the vehicle's depot; ``droppable``
    marks stops with a user-given penalty (the others are dropped only when they must).
    """

    scale: int
    distance_scale: int
    cost_scale: int
    n_depots: int
    x: FloatArray
    y: FloatArray
    distance_km: FloatArray
    duration: IntArray
    arc_distance: IntArray
    service: IntArray
    open: IntArray
    close: IntArray
    demand: IntArray
    stop_depot: IntArray
    vehicle_depot: IntArray
    capacity: IntArray
    cost_per_km: FloatArray
    fixed_cost: IntArray
    shift_start: IntArray
    shift_end: IntArray
    max_duration: IntArray
    break_earliest: IntArray
    break_latest: IntArray
    break_duration: IntArray
    penalty: IntArray
    max_trips: IntArray
    droppable: BoolArray

    @property
    def n_nodes(self) -> int:
        return int(self.duration.shape[0])

    @property
    def n_vehicles(self) -> int:
        return int(self.vehicle_depot.shape[0])

    def arc_cost(self, vehicle: int) -> IntArray:
        """Integer cost of every arc for one vehicle: ``round(cost_per_km * km * cost_scale)``.

        Shapes
        ------
        ``(n_nodes, n_nodes)``
        """
        rate = self.cost_per_km[vehicle] * self.cost_scale
        cost: IntArray = np.rint(self.distance_km * rate).astype(np.int64)
        return cost

    def multi_trip(self) -> bool:
        """Whether some vehicle may come back to reload (only PyVRP models that)."""
        return bool((self.max_trips > 1).any())


def integer_model(problem: RoutingProblem) -> IntegerModel:
    """Scale a validated problem to integers (times up, limits down, costs rounded)."""
    res = problem.resolution
    s, cs = res.per_min, res.per_cost
    dist, dur = travel_matrix(problem)
    depots, stops, vehicles = problem.depots, problem.stops, problem.vehicles
    n = len(depots) + len(stops)
    duration = _ceil_scaled(dur, s)
    np.fill_diagonal(duration, 0)
    service = np.array([0] * len(depots) + [up(x.service_min, s) for x in stops], dtype=np.int64)
    horizon = open_horizon(problem, duration, service)

    def limit(value: float | None) -> int:
        return horizon if value is None else down(value, s)

    open_ = [up(d.open_min, s) for d in depots] + [up(x.window_open_min, s) for x in stops]
    close = [limit(d.close_min) for d in depots] + [limit(x.window_close_min) for x in stops]
    demand = np.zeros((n, 2), dtype=np.int64)
    for i, x in enumerate(stops):
        demand[len(depots) + i] = (up(x.demand_kg, LOAD_SCALE), up(x.demand_m3, LOAD_SCALE))
    depot_pos = {d.id: i for i, d in enumerate(depots)}
    capacity = np.array(
        [
            (
                down(v.capacity_kg, LOAD_SCALE),
                UNLIMITED if v.capacity_m3 is None else down(v.capacity_m3, LOAD_SCALE),
            )
            for v in vehicles
        ],
        dtype=np.int64,
    ).reshape(len(vehicles), 2)
    cost_per_km = np.array([v.cost_per_km for v in vehicles], dtype=float)
    arc_distance = np.rint(dist * res.per_km).astype(np.int64)
    default_penalty = _default_penalty(cs, dist, cost_per_km, vehicles)
    penalty = np.array(
        [0] * len(depots)
        + [default_penalty if x.penalty is None else round(x.penalty * cs) for x in stops],
        dtype=np.int64,
    )

    def brk(attr: str, rounding: str) -> IntArray:
        vals = []
        for v in vehicles:
            b = v.driver_break
            value = 0.0 if b is None else float(getattr(b, attr))
            vals.append(up(value, s) if rounding == "up" else down(value, s))
        return np.array(vals, dtype=np.int64)

    places: tuple[Depot | Stop, ...] = (*depots, *stops)
    return IntegerModel(
        scale=s,
        distance_scale=res.per_km,
        cost_scale=cs,
        n_depots=len(depots),
        x=np.array([float(p.longitude or 0.0) for p in places], dtype=np.float64),
        y=np.array([float(p.latitude or 0.0) for p in places], dtype=np.float64),
        distance_km=dist,
        duration=duration,
        arc_distance=arc_distance,
        service=service,
        open=np.array(open_, dtype=np.int64),
        close=np.array(close, dtype=np.int64),
        demand=demand,
        stop_depot=np.array(
            [-1] * len(depots)
            + [-1 if x.depot_id is None else depot_pos[x.depot_id] for x in stops],
            dtype=np.int64,
        ),
        vehicle_depot=np.array([depot_pos[v.depot_id] for v in vehicles], dtype=np.int64),
        capacity=capacity,
        cost_per_km=cost_per_km,
        fixed_cost=np.array([round(v.fixed_cost * cs) for v in vehicles], dtype=np.int64),
        shift_start=np.array([up(v.shift_start_min, s) for v in vehicles], dtype=np.int64),
        shift_end=np.array([limit(v.shift_end_min) for v in vehicles], dtype=np.int64),
        max_duration=np.array(
            [
                UNLIMITED if v.max_duration_min is None else down(v.max_duration_min, s)
                for v in vehicles
            ],
            dtype=np.int64,
        ),
        break_earliest=brk("earliest_start_min", "up"),
        break_latest=brk("latest_start_min", "down"),
        break_duration=brk("duration_min", "up"),
        penalty=penalty,
        max_trips=np.array([v.max_trips for v in vehicles], dtype=np.int64),
        droppable=np.array([False] * len(depots) + [x.penalty is not None for x in stops]),
    )


def _ceil_scaled(values: FloatArray, scale: int) -> IntArray:
    """``up`` over a whole matrix (vectorised: a 1,000-stop day has a million entries)."""
    scaled = values * scale
    out: IntArray = np.ceil(scaled - _EPS * np.maximum(1.0, np.abs(scaled))).astype(np.int64)
    return out


def open_horizon(problem: RoutingProblem, duration: IntArray, service: IntArray) -> int:
    """An end of day no route can reach later than: stands in for every time left open.

    Any route starts by the latest given time, visits each stop at most once (one
    longest leg and its service each) and returns: nothing it does ends after that.
    """
    s = problem.scale
    given = [d.open_min for d in problem.depots] + [x.window_open_min for x in problem.stops]
    given += [v.shift_start_min for v in problem.vehicles]
    given += [t for d in problem.depots if (t := d.close_min) is not None]
    given += [t for x in problem.stops if (t := x.window_close_min) is not None]
    given += [t for v in problem.vehicles if (t := v.shift_end_min) is not None]
    breaks = [v.driver_break for v in problem.vehicles if v.driver_break is not None]
    given += [b.latest_start_min + b.duration_min for b in breaks]
    pause = max((b.duration_min for b in breaks), default=0.0)
    latest = up(max(given, default=0.0) + pause, s)
    legs = (len(problem.stops) + 1) * int(duration.max(initial=0))
    return latest + legs + int(service.sum()) + 1


def _default_penalty(
    scale: int, dist: FloatArray, cost_per_km: FloatArray, vehicles: tuple[Any, ...]
) -> int:
    """A penalty that beats any detour plus opening a vehicle, many times over."""
    worst = float(dist.max(initial=0.0)) * 2 * float(cost_per_km.max(initial=1.0))
    fixed = max((v.fixed_cost for v in vehicles), default=0.0)
    return round(100 * (worst + fixed + 1) * scale)
