"""PyVRP (iterated local search): the strongest engine wherever it can express the problem.

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

Several PyVRP members of one portfolio may cooperate (``Cooperation``): the leader runs
exactly as PyVRP alone and only publishes its best through shared memory
(``SharedBest``); each follower runs its own search and, whenever the leader's latest
best beats its own, restarts from it with a fresh seed, so the second core works where
the leader is instead of far behind it.
"""

from __future__ import annotations

import ctypes
import pickle
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.evaluator import RELOAD
from supplynet.optimizer.routing.matrix import UNLIMITED, IntegerModel
from supplynet.optimizer.workers import WorkerContext

if TYPE_CHECKING:  # pyvrp loads only when routing (~0.2 s)
    from pyvrp import CostEvaluator, IteratedLocalSearchParams, ProblemData, Solution

_COST_STEP = 100
"""Resolution of per-km costs when vehicles differ in cost per km."""

_NO_LIMIT = int(np.iinfo(np.int64).max)

PROBE_SHARE = 0.4
"""Share of the time a run with required stops gets to find any feasible solution."""

LOOK_SHARE = 0.05
"""A follower looks at the leader's best after each such share of the time ..."""
MIN_LOOK_S = 2.0
"""... but no more often: a restart recomputes PyVRP's neighbourhoods (~0.2 s at 1,000)."""
PUBLISH_SHARE = 0.5
"""The leader publishes twice per look at most: each costs it ~3 ms at 1,000 stops."""
_SHARE_BYTES_PER_NODE = 16
"""Room per node for published routes (1,000 stops in 90 routes pickle to 3.5 kB)."""

SharedRoutes = list[tuple[int, list[int]]]
"""Routes passed between PyVRP members: (vehicle type, visits), see ``_share``."""
_SEED_STRIDE = 1_000
"""Seeds of a follower's restarts: its own plus this times the restart, apart from others'."""


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
    model: IntegerModel,
    config: SearchConfig,
    deadline: Deadline,
    skip: frozenset[int],
    cooperation: Cooperation | None = None,
) -> EngineRun:
    """Run PyVRP's solver with ``config.seed`` until ``deadline``; a leader publishes its
    best as it goes, a follower restarts from it (``Cooperation``)."""
    from pyvrp import Client, Depot, Location, ProblemData, SolveParams, VehicleType, solve
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
    note = ""
    with warnings.catch_warnings():
        # raised for very large prizes (the default drop penalty); harmless here
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        if cooperation is not None and not cooperation.lead:
            best, iterations, restarts = _follow(data, limit, config.seed, cooperation)
            note = f", restarted {restarts} times from the leader's best"
        else:
            params = SolveParams()
            if cooperation is not None:
                every = cooperation.look_s * PUBLISH_SHARE
                params = SolveParams(ils=_publishing(cooperation.shared, every))
            stop = _LimitOrNothingFeasible(limit, limit.share(PROBE_SHARE))
            result = solve(data, stop, seed=config.seed, collect_stats=False, params=params)
            if not result.is_feasible() and not limit.expired():
                waited = deadline.clock() - started
                note = f", nothing feasible with every stop required in {waited:.1f} s"
                data = data.replace(clients=clients(all_optional=True))
                stop = _LimitOrNothingFeasible(limit, limit)
                result = solve(data, stop, seed=config.seed, collect_stats=False, params=params)
            best, iterations = result.best, result.num_iterations
    found = best is not None and best.is_feasible()
    routes: list[list[int]] = [[] for _ in range(model.n_vehicles)]
    if found and best is not None:
        pools = [list(members) for members in groups.values()]
        for route in best.routes():
            vehicle = pools[route.vehicle_type()].pop(0)
            visits = list(route)[1:-1]
            routes[vehicle] = [stops[a.idx] if a.is_client() else RELOAD for a in visits]
    return EngineRun(
        config=config,
        routes=tuple(tuple(r) for r in routes),
        found=found,
        wall_s=deadline.clock() - started,
        detail=f"{iterations} iterations{note}" + ("" if found else ", no feasible solution found"),
    )


class SharedBest:
    """The leader's latest best routes, for the other PyVRP members to restart from.

    Shared memory under a lock held only to copy bytes: publishing never waits on a
    reader (a pipe or queue could block the leader, or add a thread to its process).
    """

    def __init__(self, context: WorkerContext, n_nodes: int) -> None:
        self._data = context.RawArray(ctypes.c_ubyte, _SHARE_BYTES_PER_NODE * n_nodes + 65_536)
        self._size = context.RawValue(ctypes.c_int64, 0)
        self._seq = context.RawValue(ctypes.c_int64, 0)
        self._lock = context.Lock()

    def put(self, routes: SharedRoutes) -> None:
        """Publish ``routes`` (skipped if they do not fit)."""
        payload = pickle.dumps(routes)
        if len(payload) > len(self._data):
            return
        with self._lock:
            ctypes.memmove(self._data, payload, len(payload))
            self._size.value = len(payload)
            self._seq.value += 1

    def newer(self, seen: int) -> tuple[int, SharedRoutes | None]:
        """The latest publication after number ``seen``, and its number (None: nothing new)."""
        with self._lock:
            seq = int(self._seq.value)
            if seq == seen:
                return seen, None
            payload = ctypes.string_at(ctypes.addressof(self._data), int(self._size.value))
        routes: SharedRoutes = pickle.loads(payload)
        return seq, routes


def _share(solution: Solution) -> SharedRoutes:
    """A solution as (vehicle type, visits) per route; a depot ``d`` visited is ``-1 - d``."""
    return [
        (route.vehicle_type(), [a.idx if a.is_client() else -1 - a.idx for a in list(route)[1:-1]])
        for route in solution.routes()
    ]


def _solution(data: ProblemData, routes: SharedRoutes) -> Solution:
    """Shared routes as a solution of ``data`` (feasibility judged on ``data``)."""
    from pyvrp import Activity, ActivityType, Route, Solution

    def activity(i: int) -> Activity:
        return Activity(ActivityType.CLIENT, i) if i >= 0 else Activity(ActivityType.DEPOT, -1 - i)

    return Solution(data, [Route(data, [activity(i) for i in visits], vt) for vt, visits in routes])


@dataclass(frozen=True)
class Cooperation:
    """A PyVRP member's part in a shared portfolio: the leader publishes its best, the
    others look at it every ``look_s`` and restart from it where it beats theirs."""

    shared: SharedBest
    lead: bool
    look_s: float

    @classmethod
    def for_search(cls, shared: SharedBest, lead: bool, seconds: float) -> Cooperation:
        """The part in a search of ``seconds``: looks every ``LOOK_SHARE`` of it."""
        return cls(shared, lead, max(MIN_LOOK_S, LOOK_SHARE * seconds))


def _publishing(shared: SharedBest, every_s: float) -> IteratedLocalSearchParams:
    """Search parameters whose callback publishes the best feasible solution, at most every
    ``every_s``; it only reads, so the leader's search is the one PyVRP alone runs."""
    from pyvrp import IteratedLocalSearchCallbacks, IteratedLocalSearchParams

    class Publish(IteratedLocalSearchCallbacks):
        def __init__(self) -> None:
            self._sent: Solution | None = None
            self._next = 0.0

        def on_iteration(
            self, current: Solution, candidate: Solution, best: Solution, cost: CostEvaluator
        ) -> None:
            if best is self._sent or not best.is_feasible():
                return
            now = time.monotonic()
            if now >= self._next:
                shared.put(_share(best))
                self._sent, self._next = best, now + every_s

    return IteratedLocalSearchParams(callbacks=Publish())


class _UntilLeaderAhead:
    """A follower's stopping rule: at ``limit``, or when, looking every ``look_s`` from the
    search's first iteration (so each restart searches at least that long, however slow
    its set-up on a starved core), the leader's latest best beats the follower's (kept
    in ``leader``)."""

    def __init__(
        self, data: ProblemData, limit: Deadline, role: Cooperation, seen: int, judge: CostEvaluator
    ) -> None:
        self._data, self._limit, self._role, self._judge = data, limit, role, judge
        self.seen = seen
        self.leader: Solution | None = None
        self._next: float | None = None

    def __call__(self, best_cost: float) -> bool:
        if self._limit.expired():
            return True
        now = time.monotonic()
        if self._next is None:
            self._next = now + self._role.look_s
        if now < self._next:
            return False
        self._next = now + self._role.look_s
        self.seen, shared = self._role.shared.newer(self.seen)
        if shared is None:
            return False
        leader = _solution(self._data, shared)
        if self._judge.cost(leader) >= best_cost:
            return False
        self.leader = leader
        return True


def _follow(
    data: ProblemData, limit: Deadline, seed: int, role: Cooperation
) -> tuple[Solution | None, int, int]:
    """A follower: PyVRP until the leader is ahead, then again from the leader's best with
    the next seed, until ``limit``; its best, its iterations, and how often it restarted."""
    from pyvrp import CostEvaluator, solve

    judge = CostEvaluator([0.0] * data.num_load_dimensions, 0.0, 0.0)
    best: Solution | None = None
    start: Solution | None = None
    seen = iterations = restarts = 0
    while True:
        stop = _UntilLeaderAhead(data, limit, role, seen, judge)
        result = solve(
            data,
            stop,
            seed=seed + _SEED_STRIDE * restarts,
            collect_stats=False,
            initial_solution=start,
        )
        iterations += result.num_iterations
        if result.is_feasible() and (best is None or judge.cost(result.best) < judge.cost(best)):
            best = result.best
        if stop.leader is None:
            return best, iterations, restarts
        seen, start, restarts = stop.seen, stop.leader, restarts + 1


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
