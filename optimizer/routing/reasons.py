"""Why a stop cannot be served: each constraint checked on its own, on a one-stop route.

A stop is unservable when no vehicle could serve it even with nothing else to do. The
reason names the constraint that alone rules it out for every vehicle (capacity, the
time window, the shift or route length); when each one alone is satisfiable by some
vehicle but never all together by one, the reason says so. Stops that are servable on
their own but left out of the solution ran out of fleet (``fleet_exhausted``), unless a
vehicle that could have served one alone stayed at the depot: then the search stopped
before placing it (``search_stopped``, a time limit too short for the machine's load).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supplynet.optimizer.routing.evaluator import Evaluation, evaluate
from supplynet.optimizer.routing.matrix import LOAD_SCALE, IntegerModel
from supplynet.optimizer.routing.problem import RoutingProblem

CAPACITY = "capacity"
WINDOW = "window_unreachable"
SHIFT = "shift_length"
COMBINED = "no_single_vehicle"
FLEET = "fleet_exhausted"
NO_VEHICLE = "no_vehicle_at_depot"
NO_SOLUTION = "no_engine_solution"
SEARCH_STOPPED = "search_stopped"


@dataclass(frozen=True)
class Reason:
    """A machine-readable ``code`` and a sentence for dispatchers."""

    code: str
    message: str


FLEET_REASON = Reason(
    FLEET,
    "servable on its own, but the fleet's capacity and hours were used by other stops",
)


def no_solution_reason(failures: str) -> Reason:
    """For every stop when no search returned a usable solution: what each search said."""
    return Reason(NO_SOLUTION, f"no routing engine returned a solution ({failures})")


def left_out_reasons(
    model: IntegerModel, evaluation: Evaluation, stop_ids: list[str], limit_s: float
) -> dict[int, Reason]:
    """Required stops left out although an idle vehicle could serve them alone.

    The fleet was not exhausted for them: the search ran out of time before placing them.
    Stops with a drop penalty are left to ``fleet_exhausted`` (dropping them may be the
    cheaper choice).
    """
    busy = {r.vehicle for r in evaluation.routes if r.stops}
    idle = [v for v in range(model.n_vehicles) if v not in busy]
    stopped = Reason(
        SEARCH_STOPPED,
        f"an idle vehicle could serve it, but the search stopped at its time limit "
        f"({limit_s:g} s) before placing it: route the day with more time",
    )
    reasons: dict[int, Reason] = {}
    for s in evaluation.unserved:
        node = model.n_depots + s
        if model.droppable[node]:
            continue
        if any(_serves_alone(model, v, node, stop_ids) for v in _loading_at(model, node, idle)):
            reasons[s] = stopped
    return reasons


def unservable_reasons(problem: RoutingProblem, model: IntegerModel) -> dict[int, Reason]:
    """Stops (by index) that no vehicle can serve even alone, with the reason."""
    reasons: dict[int, Reason] = {}
    stop_ids = [s.id for s in problem.stops]
    for s in range(len(problem.stops)):
        reason = _reason(model, s, stop_ids)
        if reason is not None:
            reasons[s] = reason
    return reasons


def _reason(model: IntegerModel, s: int, stop_ids: list[str]) -> Reason | None:
    node = model.n_depots + s
    vehicles = _loading_at(model, node, range(model.n_vehicles))
    if not vehicles:
        return Reason(NO_VEHICLE, "no vehicle is based at the depot its goods are loaded at")
    if not any((model.demand[node] <= model.capacity[v]).all() for v in vehicles):
        kg, m3 = model.demand[node] / LOAD_SCALE
        return Reason(CAPACITY, f"demand {kg:g} kg / {m3:g} m3 exceeds every vehicle's capacity")
    scale = model.scale
    if not any(_reachable(model, v, node) for v in vehicles):
        return Reason(
            WINDOW,
            f"window closing at {model.close[node] / scale:g} min cannot be reached "
            "from any depot within any vehicle's shift",
        )
    if not any(_round_trip_fits(model, v, node) for v in vehicles):
        return Reason(
            SHIFT, "the round trip from every depot is longer than any shift or route limit"
        )
    for v in vehicles:
        if _serves_alone(model, v, node, stop_ids):
            return None
    return Reason(COMBINED, "each constraint alone can be met, but no vehicle meets them together")


def _loading_at(model: IntegerModel, node: int, vehicles: Iterable[int]) -> list[int]:
    """Those of ``vehicles`` based where the stop's goods are loaded (any, if untied)."""
    tied = model.stop_depot[node]
    return [v for v in vehicles if tied < 0 or model.vehicle_depot[v] == tied]


def _serves_alone(model: IntegerModel, v: int, node: int, stop_ids: list[str]) -> bool:
    """Whether vehicle ``v`` can serve the stop on a route of its own.

    Without a break this is arithmetic (leave as early as possible, wait for the window,
    come back; the departure can always be delayed to cut waiting from the duration);
    with a break the evaluator places it.
    """
    if (model.demand[node] > model.capacity[v]).any():
        return False
    if model.break_duration[v] > 0:
        single = [() for _ in range(v)] + [(node - model.n_depots,)]
        return evaluate(model, single, stop_ids).feasible
    depot = int(model.vehicle_depot[v])
    leave = max(int(model.shift_start[v]), int(model.open[depot]))
    begin = max(leave + int(model.duration[depot, node]), int(model.open[node]))
    back = begin + int(model.service[node]) + int(model.duration[node, depot])
    latest = min(int(model.shift_end[v]), int(model.close[depot]))
    trip = int(model.duration[depot, node]) + int(model.service[node])
    trip += int(model.duration[node, depot])
    return begin <= int(model.close[node]) and back <= latest and trip <= int(model.max_duration[v])


def _reachable(model: IntegerModel, v: int, node: int) -> bool:
    depot = int(model.vehicle_depot[v])
    leave = max(int(model.shift_start[v]), int(model.open[depot]))
    return leave + int(model.duration[depot, node]) <= int(model.close[node])


def _round_trip_fits(model: IntegerModel, v: int, node: int) -> bool:
    depot = int(model.vehicle_depot[v])
    trip = (
        int(model.duration[depot, node])
        + int(model.service[node])
        + int(model.duration[node, depot])
        + int(model.break_duration[v])
    )
    leave = max(int(model.shift_start[v]), int(model.open[depot]))
    latest = min(int(model.shift_end[v]), int(model.close[depot]))
    return trip <= int(model.max_duration[v]) and leave + trip <= latest
