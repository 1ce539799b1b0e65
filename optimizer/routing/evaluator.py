"""An independent route evaluator: recomputes times, loads, distance and cost from scratch.

It never trusts a solver: given only the visit order per vehicle it simulates each route
in the integer model (times rounded up, so feasible here is feasible in reality), places
the driver break where it fits best, delays the departure as long as that does not make
the route end later (so a route's duration is the smallest possible), and lists every
violated constraint. Tests, the portfolio and the benchmark all judge routes with it.

A multi-trip route marks each return to the depot with ``RELOAD`` in its visit order:
the vehicle unloads nothing there, it reloads, so capacity holds per trip.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from supplynet.optimizer.routing.matrix import LOAD_SCALE, IntArray, IntegerModel

NO_BREAK = -2
BEFORE_START = -1
RELOAD = -1
"""Marker in a visit order: back to the vehicle's depot to reload, then on."""


@dataclass(frozen=True)
class RouteEvaluation:
    """One vehicle's route; times in minutes of the day, ``stops`` are stop indices.

    ``break_slot`` is the leg index the break is taken on (0: depot to first stop), -1 at
    the depot before leaving, ``len(stops) + 1`` at the depot after returning, and -2
    when the vehicle has no break. ``stops`` may hold ``RELOAD`` markers (their times
    are the depot visit's); ``trip_load_kg`` is the load leaving the depot on each trip.
    """

    vehicle: int
    stops: tuple[int, ...]
    arrival_min: tuple[float, ...]
    start_min: tuple[float, ...]
    departure_min: tuple[float, ...]
    load_on_arrival_kg: tuple[float, ...]
    depart_min: float
    return_min: float
    break_slot: int
    break_start_min: float | None
    load_kg: float
    load_m3: float
    distance_km: float
    cost: float
    violations: tuple[str, ...]
    trip_load_kg: tuple[float, ...] = ()

    @property
    def duration_min(self) -> float:
        return self.return_min - self.depart_min


@dataclass(frozen=True)
class Evaluation:
    """All routes of a solution with totals; ``feasible`` means no violation anywhere."""

    routes: tuple[RouteEvaluation, ...]
    unserved: tuple[int, ...]
    distance_km: float
    cost: float
    vehicles_used: int
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def key(self) -> tuple[int, float]:
        """Ranking of solutions: fewer unserved stops first, then lower cost."""
        return (len(self.unserved), round(self.cost, 6))


@dataclass(frozen=True)
class _Pass:
    """One simulated schedule (integer units) for a departure time and a break slot."""

    slot: int
    depart: int
    arrival: tuple[int, ...]
    start: tuple[int, ...]
    end: int
    break_start: int | None
    problems: tuple[str, ...]


def evaluate(
    model: IntegerModel, routes: Sequence[Sequence[int]], stop_ids: Sequence[str]
) -> Evaluation:
    """Evaluate one visit order per vehicle (stop indices, depots implied).

    Parameters
    ----------
    model : the integer model of the problem.
    routes : ``routes[v]`` is the ordered stops of vehicle ``v``; missing vehicles are idle.
    stop_ids : stop ids, used in violation messages.
    """
    problems: list[str] = []
    if len(routes) > model.n_vehicles:
        problems.append(f"{len(routes)} routes for {model.n_vehicles} vehicles")
    seen: dict[int, int] = {}
    evaluated: list[RouteEvaluation] = []
    n_stops = model.n_nodes - model.n_depots
    for v, route in enumerate(routes[: model.n_vehicles]):
        reloads = sum(1 for s in route if s == RELOAD)
        if reloads >= int(model.max_trips[v]):
            problems.append(
                f"vehicle {v}: {reloads + 1} trips, over its maximum {int(model.max_trips[v])}"
            )
        for s in route:
            if s == RELOAD:
                continue
            if not 0 <= s < n_stops:
                problems.append(f"vehicle {v}: unknown stop index {s}")
            elif s in seen:
                problems.append(f"stop {stop_ids[s]} visited twice")
            else:
                seen[s] = v
        for s in route:
            wanted = int(model.stop_depot[model.n_depots + s]) if 0 <= s < n_stops else -1
            if wanted >= 0 and wanted != int(model.vehicle_depot[v]):
                problems.append(
                    f"vehicle {v}: stop {stop_ids[s]} must be served from depot {wanted}"
                )
        if any(s != RELOAD for s in route) and all(-1 <= s < n_stops for s in route):
            ev = _route(model, v, tuple(route), stop_ids)
            evaluated.append(ev)
            problems.extend(ev.violations)
    unserved = tuple(s for s in range(n_stops) if s not in seen)
    return Evaluation(
        routes=tuple(evaluated),
        unserved=unserved,
        distance_km=sum(r.distance_km for r in evaluated),
        cost=sum(r.cost for r in evaluated),
        vehicles_used=len(evaluated),
        violations=tuple(problems),
    )


def _route(
    model: IntegerModel, v: int, stops: tuple[int, ...], stop_ids: Sequence[str]
) -> RouteEvaluation:
    depot = int(model.vehicle_depot[v])
    seq = [depot, *(depot if s == RELOAD else model.n_depots + s for s in stops), depot]
    scale = model.scale
    label = f"vehicle {v}"
    problems: list[str] = []
    load = model.demand[seq[1:-1]].sum(axis=0)
    trips = _trip_loads(model, seq)
    for trip, trip_load in enumerate(trips):
        for dim, name in enumerate(("kg", "m3")):
            if trip_load[dim] > model.capacity[v, dim]:
                problems.append(
                    f"{label}: trip {trip + 1} load {trip_load[dim] / LOAD_SCALE:g} {name} "
                    f"over capacity {model.capacity[v, dim] / LOAD_SCALE:g}"
                )
    earliest = max(int(model.shift_start[v]), int(model.open[depot]))
    has_break = int(model.break_duration[v]) > 0
    # break on a leg (0 .. len(seq) - 2), at the depot after returning (len(seq) - 1)
    # or before leaving; the first feasible slot that returns earliest wins
    slots = [BEFORE_START, *range(len(seq))] if has_break else [NO_BREAK]
    best: tuple[int, int, _Pass] | None = None
    fallback: _Pass | None = None
    for slot in slots:
        dep0 = earliest
        if slot == BEFORE_START:
            dep0 = max(dep0, int(model.break_earliest[v] + model.break_duration[v]))
        sim = _forward(model, v, seq, dep0, slot, stop_ids)
        if not sim.problems:
            latest = max(dep0, _latest_departure(model, v, seq, sim.end, slot))
            sim = _forward(model, v, seq, latest, slot, stop_ids)
            duration = sim.end - sim.depart
            if duration > model.max_duration[v]:
                sim = _with_problem(
                    sim,
                    f"{label}: route takes {duration / scale:g} min, "
                    f"over the maximum {model.max_duration[v] / scale:g}",
                )
            elif best is None or (sim.end, duration) < best[:2]:
                best = (sim.end, duration, sim)
        if fallback is None or len(sim.problems) < len(fallback.problems):
            fallback = sim
    if best is not None:
        chosen = best[2]
    else:
        assert fallback is not None
        chosen = fallback
        problems.extend(chosen.problems)
    departures = [chosen.start[i] + int(model.service[seq[i + 1]]) for i in range(len(stops))]
    dist = sum(float(model.distance_km[a, b]) for a, b in itertools.pairwise(seq))
    used_fixed = float(model.fixed_cost[v]) / model.cost_scale
    trip_kg = [float(t[0]) for t in trips]
    on_board = trip_kg[0]
    arrivals_load = []
    trip = 0
    for node in seq[1:-1]:
        if node < model.n_depots:
            trip += 1
            on_board = trip_kg[trip]
        arrivals_load.append(on_board / LOAD_SCALE)
        on_board -= float(model.demand[node, 0])
    return RouteEvaluation(
        vehicle=v,
        stops=stops,
        arrival_min=tuple(a / scale for a in chosen.arrival),
        start_min=tuple(a / scale for a in chosen.start),
        departure_min=tuple(a / scale for a in departures),
        load_on_arrival_kg=tuple(arrivals_load),
        depart_min=chosen.depart / scale,
        return_min=chosen.end / scale,
        break_slot=chosen.slot,
        break_start_min=None if chosen.break_start is None else chosen.break_start / scale,
        load_kg=float(load[0]) / LOAD_SCALE,
        load_m3=float(load[1]) / LOAD_SCALE,
        distance_km=dist,
        cost=dist * float(model.cost_per_km[v]) + used_fixed,
        violations=tuple(problems),
        trip_load_kg=tuple(k / LOAD_SCALE for k in trip_kg),
    )


def _trip_loads(model: IntegerModel, seq: list[int]) -> list[IntArray]:
    """Load (both dimensions) of each trip: the stops between two depot visits."""
    loads = [np.zeros(2, dtype=np.int64)]
    for node in seq[1:-1]:
        if node < model.n_depots:
            loads.append(np.zeros(2, dtype=np.int64))
        else:
            loads[-1] = loads[-1] + model.demand[node]
    return loads


def _forward(
    model: IntegerModel, v: int, seq: list[int], depart: int, slot: int, stop_ids: Sequence[str]
) -> _Pass:
    """Earliest schedule leaving at ``depart`` with the break on leg ``slot``."""
    e, late, dur = (
        int(model.break_earliest[v]),
        int(model.break_latest[v]),
        int(model.break_duration[v]),
    )
    problems: list[str] = []
    arrivals: list[int] = []
    starts: list[int] = []
    break_start: int | None = None
    if slot == BEFORE_START:
        break_start = max(e, min(late, depart - dur))
    t = depart
    last = len(seq) - 1
    end = depart
    for idx in range(1, len(seq)):
        prev, node = seq[idx - 1], seq[idx]
        arrive = t + int(model.duration[prev, node])
        if slot == idx - 1:
            break_start = max(t, e)
            arrive = max(arrive, e) + dur
        if idx == last:
            end = arrive
            break
        begin = max(arrive, int(model.open[node]))
        if begin > model.close[node]:
            place = "depot" if node < model.n_depots else f"stop {stop_ids[node - model.n_depots]}"
            problems.append(
                f"vehicle {v}: {place} served at "
                f"{begin / model.scale:g}, after its window closes at "
                f"{model.close[node] / model.scale:g}"
            )
        arrivals.append(arrive)
        starts.append(begin)
        t = begin + int(model.service[node])
    if slot == last:
        break_start = max(end, e)
    limit = min(int(model.shift_end[v]), int(model.close[seq[-1]]))
    if end > limit:
        problems.append(
            f"vehicle {v}: returns at {end / model.scale:g}, after its shift or the depot "
            f"closes at {limit / model.scale:g}"
        )
    if break_start is not None and break_start > late:
        problems.append(f"vehicle {v}: break cannot start by {late / model.scale:g}")
    return _Pass(slot, depart, tuple(arrivals), tuple(starts), end, break_start, tuple(problems))


def _latest_departure(model: IntegerModel, v: int, seq: list[int], end: int, slot: int) -> int:
    """Latest depot departure that still returns by ``end`` (backward pass)."""
    dur, late = int(model.break_duration[v]), int(model.break_latest[v])
    latest_arrival = end
    latest_leave = end
    for idx in range(len(seq) - 1, 0, -1):
        prev, node = seq[idx - 1], seq[idx]
        if idx != len(seq) - 1:
            latest_arrival = min(int(model.close[node]), latest_leave - int(model.service[node]))
        latest_leave = latest_arrival - int(model.duration[prev, node])
        if slot == idx - 1:
            latest_leave = min(latest_leave - dur, late)
    return latest_leave


def _with_problem(sim: _Pass, problem: str) -> _Pass:
    return _Pass(
        sim.slot,
        sim.depart,
        sim.arrival,
        sim.start,
        sim.end,
        sim.break_start,
        (*sim.problems, problem),
    )
