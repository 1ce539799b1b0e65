"""Independent routing problems solved side by side through the project's one executor.

A day whose stops are each tied to one depot, with every vehicle based at one, is as
many independent single-depot problems as it has depots: PyVRP can model each of them
(it cannot tie stops to one of several depots), they fit in memory one at a time, and
they fan out over local processes or Ray like every other fan-out of the product.
Several days go the same way. Each problem gets one core and its share of the time.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from functools import partial

from supplynet.graph.deadline import Deadline
from supplynet.graph.executor import ParallelSettings, parallel_map
from supplynet.optimizer.routing.parts import merge, split_by_depot
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.optimizer.routing.solver import solve


def solve_many(
    problems: Sequence[RoutingProblem],
    time_limit_s: float,
    settings: ParallelSettings | None = None,
    *,
    deadline: Deadline | None = None,
) -> list[RouteSchedule]:
    """Solve independent problems, one core each, through ``parallel_map``.

    With ``w`` workers, ``n`` problems run in ``ceil(n / w)`` rounds and each gets the
    limit divided by that, so the whole fan-out ends within the limit.
    """
    settings = settings or ParallelSettings()
    limit = time_limit_s if deadline is None else min(time_limit_s, deadline.solver_limit())
    rounds = max(1, math.ceil(len(problems) / settings.worker_count))
    each = limit / rounds
    fan = dataclasses.replace(settings, pilot=False, chunk_size=1)
    return parallel_map(partial(_solve_one, time_limit_s=each), list(problems), fan)


def solve_by_depot(
    problem: RoutingProblem,
    time_limit_s: float,
    settings: ParallelSettings | None = None,
    *,
    deadline: Deadline | None = None,
) -> RouteSchedule:
    """Split a day by depot where it can be, solve the parts side by side, merge them."""
    parts = split_by_depot(problem)
    if len(parts) == 1:
        workers = (settings or ParallelSettings()).worker_count
        return solve(problem, time_limit_s, workers=workers, deadline=deadline)
    return merge(solve_many(parts, time_limit_s, settings, deadline=deadline))


def _solve_one(problem: RoutingProblem, time_limit_s: float) -> RouteSchedule:
    return solve(problem, time_limit_s, workers=1)
