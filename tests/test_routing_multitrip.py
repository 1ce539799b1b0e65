"""Multi-trip routing: a truck that reloads at its depot never carries more than its
capacity on any trip, the schedule shows each trip, and the evaluator rejects overloads."""

from __future__ import annotations

import pytest
from routing_support import line_problem

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.routing.evaluator import RELOAD, evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.solver import solve


def _day(max_trips: int) -> RoutingProblem:
    """One 100 kg truck, six 40 kg stops on both sides of the depot: 240 kg in all."""
    stops = [
        {"id": f"S{i}", "pos": p, "demand_kg": 40, "service_min": 5}
        for i, p in enumerate([4, 6, 8, -3, -5, -9])
    ]
    truck = {"id": "T", "depot_id": "W1", "capacity_kg": 100, "max_trips": max_trips}
    return line_problem(stops, vehicles=[truck])


def test_reloading_truck_serves_every_stop_within_capacity_per_trip() -> None:
    """Three trips carry 240 kg with a 100 kg truck; each trip's load fits."""
    problem = _day(max_trips=3)
    schedule = solve(problem, time_limit_s=0.5, workers=1)
    assert not schedule.unserved
    (route,) = schedule.routes
    assert len(route.trips) == 3
    for trip in route.trips:
        assert sum(s.demand_kg for s in trip) <= 100
        assert trip[0].load_on_arrival_kg == sum(s.demand_kg for s in trip)
    times = [s.arrival_min for s in route.stops]
    assert times == sorted(times)


def test_single_trip_truck_drops_what_it_cannot_carry_with_reasons() -> None:
    """Without reloads only two stops fit; the rest are unserved with a reason and a warning."""
    schedule = solve(_day(max_trips=1), time_limit_s=0.5, workers=1)
    assert schedule.stops_served == 2
    assert {u.reason_code for u in schedule.unserved} == {"fleet_exhausted"}
    assert schedule.warnings == ("4 stops not served (4 fleet_exhausted); see each stop's reason",)


def test_evaluator_checks_capacity_and_trip_count_per_trip() -> None:
    """An overloaded trip and one trip too many are both violations."""
    problem = _day(max_trips=2)
    model = integer_model(problem)
    ids = [s.id for s in problem.stops]
    ok = evaluate(model, [(0, 1, RELOAD, 3, 4)], ids)
    assert ok.feasible and ok.routes[0].trip_load_kg == (80.0, 80.0)
    overloaded = evaluate(model, [(0, 1, 2, RELOAD, 3)], ids)
    assert any("trip 1 load 120" in v for v in overloaded.violations)
    too_many = evaluate(model, [(0, RELOAD, 1, RELOAD, 2)], ids)
    assert any("3 trips, over its maximum 2" in v for v in too_many.violations)


def test_multi_trip_with_some_stops_tied_to_one_of_several_depots_is_rejected() -> None:
    """No engine models reloads and a mix of tied and free stops: the build says so."""
    stops = [{"id": "S1", "pos": 2, "depot_id": "W2"}, {"id": "S2", "pos": 3}]
    truck = {"id": "T", "depot_id": "W1", "capacity_kg": 10, "max_trips": 2}
    with pytest.raises(ValidationFailed, match="routing problem") as info:
        line_problem(stops, vehicles=[truck], depots={"W1": 0.0, "W2": 5.0})
    assert [p.path for p in info.value.problems] == ["vehicles[0].max_trips"]


def test_multi_trip_day_with_every_stop_tied_reloads_depot_by_depot() -> None:
    """Every stop tied to its depot: solved depot by depot, each truck reloading at home."""
    stops = [
        {"id": f"{d}{i}", "pos": base + p, "demand_kg": 40, "depot_id": f"W{k + 1}"}
        for k, (d, base) in enumerate((("A", 0.0), ("B", 100.0)))
        for i, p in enumerate([2, 4, -3])
    ]
    trucks = [
        {"id": f"T{k}", "depot_id": f"W{k}", "capacity_kg": 50, "max_trips": 3} for k in (1, 2)
    ]
    problem = line_problem(stops, vehicles=trucks, depots={"W1": 0.0, "W2": 100.0})
    schedule = solve(problem, time_limit_s=1.0, workers=1)
    assert not schedule.unserved
    assert {r.vehicle_id: len(r.trips) for r in schedule.routes} == {"T1": 3, "T2": 3}
    for route in schedule.routes:
        assert {s.stop_id[0] for s in route.stops} == {"A" if route.depot_id == "W1" else "B"}
        assert all(sum(s.demand_kg for s in trip) <= 50 for trip in route.trips)
    assert schedule.stats.winner == "pyvrp(seed=0)"
    assert schedule.stats.time_limit_s == 1.0
