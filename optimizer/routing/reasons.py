"""Why a stop cannot be served: each constraint checked on its own, on a one-stop route.

A stop is unservable when no vehicle could serve it even with nothing else to do. The
reason names the constraint that alone rules it out for every vehicle (capacity, the
time window, the shift or route length); when each one alone is satisfiable by some
vehicle but never all together by one, the reason says so. Stops that are servable on
their own but left out of the solution ran out of fleet (``fleet_exhausted``).
"""

from __future__ import annotations

from dataclasses import dataclass

from supplynet.optimizer.routing.evaluator import evaluate
from supplynet.optimizer.routing.matrix import LOAD_SCALE, IntegerModel
from supplynet.optimizer.routing.problem import RoutingProblem

CAPACITY = "capacity"
WINDOW = "window_unreachable"
SHIFT = "shift_length"
COMBINED = "no_single_vehicle"
FLEET = "fleet_exhausted"
NO_VEHICLE = "no_vehicle_at_depot"
NO_SOLUTION = "no_engine_solution"


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
    vehicles = [
        v
        for v in range(model.n_vehicles)
        if model.stop_depot[node] < 0 or model.vehicle_depot[v] == model.stop_depot[node]
    ]
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
