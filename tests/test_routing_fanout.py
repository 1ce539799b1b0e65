"""Fan-out by depot: a day whose stops are tied to depots splits into independent
single-depot problems (which PyVRP can model), solved side by side and merged back with
every stop served from its own depot."""

from __future__ import annotations

import dataclasses

from routing_support import line_problem

from supplynet.graph.executor import ParallelSettings
from supplynet.optimizer.routing.fanout import solve_by_depot
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.parts import split_by_depot
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.solver import engines_for, solve


def _two_depot_day() -> RoutingProblem:
    stops = [
        {"id": f"A{i}", "pos": p, "demand_kg": 10, "depot_id": "W1"} for i, p in enumerate([3, 7])
    ] + [
        {"id": f"B{i}", "pos": p, "demand_kg": 10, "depot_id": "W2"}
        for i, p in enumerate([95, 104])
    ]
    vehicles = [
        {"id": "T1", "depot_id": "W1", "capacity_kg": 50},
        {"id": "T2", "depot_id": "W2", "capacity_kg": 50},
    ]
    return line_problem(stops, vehicles, depots={"W1": 0.0, "W2": 100.0})


def test_a_tied_two_depot_day_splits_into_pyvrp_problems() -> None:
    """The whole day needs OR-Tools; each part has one depot and goes to PyVRP."""
    day = _two_depot_day()
    assert engines_for(integer_model(day)) == ("ortools",)
    parts = split_by_depot(day)
    assert [[s.id for s in p.stops] for p in parts] == [["A0", "A1"], ["B0", "B1"]]
    assert [p.matrix.ids for p in parts if p.matrix] == [("W1", "A0", "A1"), ("W2", "B0", "B1")]
    assert all(engines_for(integer_model(p))[0] == "pyvrp" for p in parts)


def test_solve_by_depot_serves_every_stop_from_its_depot() -> None:
    """Merged schedule: every stop served, each route from its depot, distances exact."""
    schedule = solve_by_depot(_two_depot_day(), 1.0, ParallelSettings(workers=1))
    assert not schedule.unserved
    depots = {s.stop_id[0]: r.depot_id for r in schedule.routes for s in r.stops}
    assert depots == {"A": "W1", "B": "W2"}
    assert schedule.distance_km == 2 * 7 + (4 + 9 + 5)
    assert schedule.stats.winner == "pyvrp(seed=0)"


def test_a_depot_without_vehicles_leaves_its_stops_unserved_without_a_search() -> None:
    """Solved depot by depot: W2 has no truck, so its stops say so and no search runs
    for them (the other depot's search keeps the time)."""
    day = _two_depot_day()
    only_w1 = dataclasses.replace(day, vehicles=day.vehicles[:1])
    schedule = solve(only_w1, time_limit_s=1.0, workers=1)
    assert {u.stop_id: u.reason_code for u in schedule.unserved} == {
        "B0": "no_vehicle_at_depot",
        "B1": "no_vehicle_at_depot",
    }
    assert sorted(s.stop_id for r in schedule.routes for s in r.stops) == ["A0", "A1"]
    assert [s.name for s in schedule.stats.searches] == ["pyvrp(seed=0)"]
