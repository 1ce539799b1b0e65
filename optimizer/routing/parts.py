"""A day whose stops are each tied to one depot is independent single-depot problems.

Splitting is exact (a vehicle of one depot can never serve another depot's stops) and
widens the engine choice: PyVRP cannot tie stops to one of several depots, but it can
model each part, reloads included. ``solver.solve`` solves the parts one after the
other on every core; ``fanout.solve_by_depot`` side by side through the executor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.schedule import RouteSchedule, SolverStats


def split_by_depot(problem: RoutingProblem) -> list[RoutingProblem]:
    """One problem per depot when every stop is tied to a depot; else the problem itself."""
    if len(problem.depots) < 2 or any(s.depot_id is None for s in problem.stops):
        return [problem]
    parts = []
    for depot in problem.depots:
        stops = tuple(s for s in problem.stops if s.depot_id == depot.id)
        vehicles = tuple(v for v in problem.vehicles if v.depot_id == depot.id)
        if not stops and not vehicles:
            continue
        ids = {depot.id, *(s.id for s in stops)}
        matrix = problem.matrix
        if matrix is not None:
            keep = [i for i, loc in enumerate(matrix.ids) if loc in ids]
            matrix = dataclasses.replace(
                matrix,
                ids=tuple(matrix.ids[i] for i in keep),
                distance_km=matrix.distance_km[keep][:, keep],
                duration_min=matrix.duration_min[keep][:, keep],
            )
        parts.append(
            dataclasses.replace(
                problem, depots=(depot,), stops=stops, vehicles=vehicles, matrix=matrix
            )
        )
    return parts


def merge(schedules: Sequence[RouteSchedule], time_limit_s: float | None = None) -> RouteSchedule:
    """One schedule from the schedules of independent parts of a day.

    ``time_limit_s``: the whole call's limit when the parts ran one after the other
    (their wall times add up); else the parts ran side by side (wall: the longest).
    """
    stats = [s.stats for s in schedules]
    walls = [x.wall_s for x in stats]
    return RouteSchedule(
        routes=tuple(r for s in schedules for r in s.routes),
        unserved=tuple(u for s in schedules for u in s.unserved),
        stats=SolverStats(
            time_limit_s=time_limit_s
            if time_limit_s is not None
            else max((x.time_limit_s for x in stats), default=0.0),
            wall_s=sum(walls) if time_limit_s is not None else max(walls, default=0.0),
            winner=", ".join(sorted({x.winner for x in stats if x.winner})),
            runs=tuple(run for x in stats for run in x.runs),
            searches=tuple(search for x in stats for search in x.searches),
        ),
        day=schedules[0].day if schedules else "",
    )
